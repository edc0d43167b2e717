// app.js: the console shell — login, navigation and the hash router. Each
// view is a module exporting render(main, params) that may return a cleanup
// function (closing a WebSocket, stopping timers) called when leaving it.
import { call, get, setUnauthorizedHandler } from './api.js';
import { h, toast } from './ui.js';
import { session, isAdmin } from './session.js';
import * as gateways from './gateways.js';
import * as gateway from './gateway.js';
import * as device from './device.js';
import * as live from './live.js';
import * as history from './history.js';
import * as audit from './audit.js';
import * as users from './users.js';

const root = document.getElementById('app');
let cleanup = null;

// routes map a hash path pattern to a view; ":name" segments are params.
const routes = [
  ['/gateways', gateways],
  ['/gateways/:gw', gateway],
  ['/gateways/:gw/devices/:dev', device],
  ['/live/:gw', live],
  ['/live/:gw/:dev', live],
  ['/history/:full', history],
  ['/audit', audit],
  ['/users', users],
];

function match(path) {
  const parts = path.split('/').filter(Boolean);
  for (const [pattern, view] of routes) {
    const want = pattern.split('/').filter(Boolean);
    if (want.length !== parts.length) continue;
    const params = {};
    if (want.every((w, i) => (w.startsWith(':') ? (params[w.slice(1)] = decodeURIComponent(parts[i])) : w === parts[i]))) {
      return { view, params };
    }
  }
  return null;
}

function leave() {
  if (cleanup) { try { cleanup(); } catch { /* a view's cleanup must not break navigation */ } }
  cleanup = null;
}

function navLink(href, label) {
  const active = location.hash.startsWith(href);
  return h('a', { href, class: active ? 'active' : '' }, label);
}

function shell() {
  const main = h('main', {});
  const side = h('aside', { class: 'side' },
    h('div', { class: 'brand' }, 'IOTOS'),
    h('nav', {},
      navLink('#/gateways', 'Gateways'),
      navLink('#/audit', 'Audit'),
      isAdmin() ? navLink('#/users', 'Users') : null),
    h('div', { class: 'who' },
      h('div', {}, 'Signed in as ', h('strong', { id: 'whoami' }, session.user.name)),
      h('div', {}, 'Role: ', h('span', { id: 'role' }, session.user.role)),
      h('button', { id: 'logout', onclick: logout }, 'Log out')));
  root.replaceChildren(h('div', { class: 'shell' }, side, main));
  return main;
}

async function route() {
  leave();
  if (!session.user) return;
  let path = location.hash.replace(/^#/, '') || '/gateways';
  const m = match(path);
  if (!m) { location.hash = '#/gateways'; return; }
  const main = shell();
  try {
    cleanup = (await m.view.render(main, m.params)) || null;
  } catch (e) {
    main.replaceChildren(h('div', { class: 'panel error-text' }, String(e)));
  }
}

function loginView(message) {
  leave();
  const user = h('input', { name: 'username', autocomplete: 'username', required: true });
  const pass = h('input', { name: 'password', type: 'password', autocomplete: 'current-password', required: true });
  const err = h('p', { class: 'error-text', id: 'login-error' }, message || '');
  const form = h('form', { class: 'panel', onsubmit: async (e) => {
    e.preventDefault();
    err.textContent = '';
    try {
      const data = await call('POST', '/login', { username: user.value, password: pass.value });
      session.user = data.user;
      if (!location.hash || location.hash === '#/login') location.hash = '#/gateways';
      route();
    } catch (ex) {
      err.textContent = String(ex);
    }
  } },
  h('label', { class: 'field' }, h('span', { class: 'name' }, 'Username'), user),
  h('label', { class: 'field' }, h('span', { class: 'name' }, 'Password'), pass),
  h('button', { class: 'primary', type: 'submit' }, 'Log in'), err);
  root.replaceChildren(h('div', { class: 'login' },
    h('div', { class: 'brand' }, 'IOTOS'), h('div', { class: 'muted' }, 'IoT data acquisition platform'), form));
  user.focus();
}

async function logout() {
  try { await call('POST', '/logout', {}); } catch (e) { toast(String(e), true); }
  session.user = null;
  loginView('You are logged out.');
}

setUnauthorizedHandler(() => {
  if (!session.user) return;
  session.user = null;
  loginView('Your session has ended; please log in again.');
});

window.addEventListener('hashchange', route);

async function start() {
  try {
    session.user = await get('/me');
    route();
  } catch {
    loginView();
  }
}
start();
