// gateways.js: the gateway list with each engine's state, and creating,
// re-keying and deleting gateways. A key is shown once, with the command
// that starts an engine for it.
import { get, post, del, enc } from './api.js';
import { h, dialog, confirm, guard, toast, fmtTime, fmtBytes, field, setFieldError, copyText } from './ui.js';
import { canWrite } from './session.js';

export async function render(main) {
  const body = h('tbody', {});
  main.append(
    h('h1', {}, 'Gateways'),
    h('div', { class: 'toolbar' },
      h('span', { class: 'muted grow' }, 'Each gateway is one site running an `iotos engine`.'),
      canWrite() ? h('button', { class: 'primary', id: 'new-gateway', onclick: () => createGateway(refresh) }, 'New gateway') : null),
    h('table', { class: 'list', id: 'gateways' },
      h('thead', {}, h('tr', {}, ['Name', 'ID', 'Engine', 'Last seen', 'Outbox backlog', ''].map((t) => h('th', {}, t)))),
      body));

  async function refresh() {
    const list = await guard(() => get('/gateways'));
    if (!list) return;
    body.replaceChildren(...(list.length ? list.map((g) => row(g, refresh))
      : [h('tr', {}, h('td', { colspan: 6, class: 'empty' }, 'No gateways yet.'))]));
  }
  await refresh();
  // Engine state changes on its own; a slow poll keeps the list honest.
  const timer = setInterval(refresh, 5000);
  return () => clearInterval(timer);
}

function row(g, refresh) {
  const e = g.engine || {};
  const backlog = e.outbox_batches ? `${e.outbox_batches} batches, ${fmtBytes(e.outbox_bytes)}` : 'empty';
  return h('tr', { 'data-gateway': g.id },
    h('td', {}, h('a', { href: `#/gateways/${enc(g.id)}` }, g.name), g.description ? h('div', { class: 'muted' }, g.description) : null),
    h('td', { class: 'mono' }, g.id),
    h('td', {}, h('span', { class: g.online ? 'badge on' : 'badge off' }, g.online ? 'online' : 'offline'),
      e.version ? h('span', { class: 'muted' }, ` ${e.version}`) : null),
    h('td', {}, fmtTime(e.last_seen)),
    h('td', {}, backlog, e.outbox_dropped ? h('span', { class: 'error-text' }, ` (${e.outbox_dropped} dropped)`) : null),
    h('td', { class: 'actions' },
      h('a', { class: 'btn small', href: `#/live/${enc(g.id)}` }, 'Live'),
      canWrite() ? h('button', { class: 'small', onclick: () => rotateKey(g) }, 'Rotate key') : null,
      canWrite() ? h('button', { class: 'small danger', onclick: () => deleteGateway(g, refresh) }, 'Delete') : null));
}

async function createGateway(refresh) {
  const name = h('input', { name: 'name' });
  const description = h('input', { name: 'description' });
  const location = h('input', { name: 'location', placeholder: 'free text or lat,lon' });
  const form = h('div', {}, field('Name', name), field('Description', description), field('Location', location));
  let created = null;
  const ok = await dialog('New gateway', form, [
    { label: 'Cancel', value: 'cancel' },
    { label: 'Create', value: 'ok', class: 'primary', check: async () => {
      if (!name.value.trim()) { setFieldError(name, 'A name is required.'); return false; }
      try {
        created = await post('/gateways', { name: name.value.trim(), description: description.value, location: location.value });
        return true;
      } catch (e) {
        setFieldError(name, String(e));
        return false;
      }
    } },
  ]);
  if (ok !== 'ok' || !created) return;
  await refresh();
  await showKey(created.id, created.key, 'Gateway created');
}

// showKey displays a gateway key once, with a ready-to-run engine command.
// The key travels in the environment, not on the command line, where any
// user could read it in the process list.
async function showKey(id, key, title) {
  const server = `nats://${window.location.hostname}:4222`;
  const cmd = `IOTOS_GATEWAY_KEY='${key}' iotos engine --server ${server} --gateway ${id}`;
  await dialog(title, h('div', {},
    h('p', {}, 'This key is shown only now. Start the engine of this gateway with:'),
    h('pre', { class: 'secret', id: 'engine-command' }, cmd),
    h('p', { class: 'muted' }, 'Adjust the NATS address if the platform listens elsewhere.'),
    h('button', { onclick: () => copyText(cmd) }, 'Copy command'), ' ',
    h('button', { onclick: () => copyText(key) }, 'Copy key only')),
  [{ label: 'Done', value: 'ok', class: 'primary' }]);
}

async function rotateKey(g) {
  if (!(await confirm('Rotate key', `Give gateway "${g.name}" a new key? Its engine is disconnected until it uses the new key.`, 'Rotate key', true))) return;
  const r = await guard(() => post(`/gateways/${enc(g.id)}/key`));
  if (r) await showKey(r.id, r.key, 'New gateway key');
}

async function deleteGateway(g, refresh) {
  if (!(await confirm('Delete gateway', `Delete gateway "${g.name}" with all its devices, points and history? This cannot be undone.`, 'Delete', true))) return;
  if ((await guard(() => del(`/gateways/${enc(g.id)}`))) !== undefined) {
    toast(`Gateway ${g.name} deleted`);
    await refresh();
  }
}
