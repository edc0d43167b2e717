// audit.js: who did what, when, with what result — newest first, filtered
// by object or user, paged backwards by record ID.
import { get } from './api.js';
import { h, guard, fmtTime } from './ui.js';

const PAGE = 100;

export async function render(main) {
  const object = h('input', { type: 'search', name: 'object', placeholder: 'Object (point, gateway, user…)' });
  const user = h('input', { type: 'search', name: 'user', placeholder: 'User' });
  const body = h('tbody', {});
  const more = h('button', { onclick: () => load(false) }, 'Older entries');
  let before = 0;

  main.append(h('h1', {}, 'Audit'),
    h('div', { class: 'toolbar' }, object, user, h('button', { class: 'primary', onclick: () => load(true) }, 'Search'),
      h('button', { onclick: () => load(true) }, 'Refresh')),
    h('table', { class: 'list', id: 'audit' }, h('thead', {}, h('tr', {},
      ['Time', 'User', 'Action', 'Object', 'Value', 'Result', 'Latency'].map((t) => h('th', {}, t)))), body),
    h('div', { class: 'toolbar' }, more));
  object.addEventListener('keydown', (e) => { if (e.key === 'Enter') load(true); });
  user.addEventListener('keydown', (e) => { if (e.key === 'Enter') load(true); });

  async function load(fresh) {
    if (fresh) { before = 0; body.replaceChildren(); }
    const q = new URLSearchParams({ limit: PAGE });
    if (before) q.set('before', before);
    if (object.value.trim()) q.set('object', object.value.trim());
    if (user.value.trim()) q.set('user', user.value.trim());
    const list = await guard(() => get(`/audit?${q}`));
    if (!list) return;
    for (const a of list) {
      body.append(h('tr', { 'data-audit': a.id },
        h('td', {}, fmtTime(a.time)), h('td', {}, a.user), h('td', {}, a.action),
        h('td', { class: 'mono' }, a.object), h('td', { class: 'mono' }, a.value || ''),
        h('td', { class: a.code ? 'error-text' : '' }, a.code ? `code ${a.code}: ${a.result}` : a.result || 'ok'),
        h('td', {}, `${a.latency_ms} ms`)));
    }
    if (list.length) before = list[list.length - 1].id;
    more.disabled = list.length < PAGE;
    if (!body.children.length) body.append(h('tr', {}, h('td', { colspan: 7, class: 'empty' }, 'No audit entries.')));
  }
  await load(true);
}
