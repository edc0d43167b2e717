// users.js: user administration (admins only): create, change role, reset
// password, delete. Roles: admin (everything), operator (writes, control,
// model edits), viewer (read only).
import { get, post, put, del } from './api.js';
import { h, dialog, confirm, guard, toast, field, setFieldError, fmtTime } from './ui.js';
import { isAdmin, session } from './session.js';

const ROLES = ['admin', 'operator', 'viewer'];

export async function render(main) {
  if (!isAdmin()) {
    main.append(h('h1', {}, 'Users'), h('p', { class: 'panel' }, 'Only administrators manage users.'));
    return;
  }
  const body = h('tbody', {});
  main.append(h('h1', {}, 'Users'),
    h('div', { class: 'toolbar' }, h('button', { class: 'primary', id: 'new-user', onclick: createUser }, 'New user')),
    h('table', { class: 'list', id: 'users' }, h('thead', {}, h('tr', {},
      ['Name', 'Role', 'Created', ''].map((t) => h('th', {}, t)))), body));

  async function refresh() {
    const list = await guard(() => get('/users'));
    if (list) body.replaceChildren(...list.map(row));
  }

  function row(u) {
    const role = h('select', { name: 'role', disabled: u.id === session.user.id }, ROLES.map((r) => h('option', { value: r }, r)));
    role.value = u.role;
    role.addEventListener('change', () => guard(async () => {
      await put(`/users/${u.id}`, { role: role.value });
      toast(`${u.name} is now ${role.value}`);
    }).then(refresh));
    return h('tr', { 'data-user': u.name },
      h('td', {}, u.name), h('td', {}, role), h('td', {}, fmtTime(u.created_at)),
      h('td', { class: 'actions' },
        h('button', { class: 'small', onclick: () => resetPassword(u) }, 'Reset password'),
        u.id === session.user.id ? null : h('button', { class: 'small danger', onclick: () => deleteUser(u) }, 'Delete')));
  }

  async function createUser() {
    const name = h('input', { name: 'new-username', autocomplete: 'off' });
    const password = h('input', { name: 'new-password', type: 'password', autocomplete: 'new-password' });
    const role = h('select', { name: 'new-role' }, ROLES.map((r) => h('option', { value: r }, r)));
    role.value = 'viewer';
    const r = await dialog('New user', h('div', {}, field('Name', name), field('Password', password), field('Role', role)), [
      { label: 'Cancel', value: 'cancel' },
      { label: 'Create', value: 'ok', class: 'primary', check: async () => {
        if (!name.value.trim()) { setFieldError(name, 'A name is required.'); return false; }
        try {
          await post('/users', { name: name.value.trim(), password: password.value, role: role.value });
          return true;
        } catch (e) { setFieldError(password, String(e)); return false; }
      } },
    ]);
    if (r === 'ok') { toast(`User ${name.value.trim()} created`); refresh(); }
  }

  async function resetPassword(u) {
    const password = h('input', { name: 'reset-password', type: 'password', autocomplete: 'new-password' });
    const r = await dialog(`Reset password of ${u.name}`, field('New password', password), [
      { label: 'Cancel', value: 'cancel' },
      { label: 'Set password', value: 'ok', class: 'primary', check: async () => {
        try { await put(`/users/${u.id}`, { password: password.value }); return true; } catch (e) { setFieldError(password, String(e)); return false; }
      } },
    ]);
    if (r === 'ok') toast(`Password of ${u.name} changed`);
  }

  async function deleteUser(u) {
    if (!(await confirm('Delete user', `Delete user "${u.name}"? Their sessions end now.`, 'Delete', true))) return;
    if ((await guard(() => del(`/users/${u.id}`))) !== undefined) toast(`User ${u.name} deleted`);
    refresh();
  }

  await refresh();
}
