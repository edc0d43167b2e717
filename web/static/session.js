// session.js: who is logged in. Views read it to hide what the user's role
// may not do; the API enforces the same rules regardless.
export const session = { user: null };

export const isAdmin = () => session.user?.role === 'admin';
export const canWrite = () => session.user?.role === 'admin' || session.user?.role === 'operator';
