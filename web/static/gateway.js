// gateway.js: one gateway's devices — state and last error, create/edit
// through the spec-generated form, enable/disable, copy, collection control,
// broadcast, and the point-table import/export.
import { get, post, put, del, reply, enc } from './api.js';
import { h, dialog, confirm, guard, toast, field, setFieldError } from './ui.js';
import { canWrite } from './session.js';
import { deviceDialog } from './devform.js';
import { importDialog, exportTable } from './table.js';

export async function render(main, { gw }) {
  const g = await get(`/gateways/${enc(gw)}`);
  const body = h('tbody', {});
  const base = `/gateways/${enc(gw)}/devices`;
  main.append(
    h('div', { class: 'crumbs' }, h('a', { href: '#/gateways' }, 'Gateways'), ' / ', g.name),
    h('h1', {}, g.name, ' ', h('span', { class: g.online ? 'badge on' : 'badge off' }, g.online ? 'engine online' : 'engine offline')),
    h('div', { class: 'toolbar' },
      canWrite() ? h('button', { class: 'primary', id: 'new-device', onclick: () => createDevice() }, 'New device') : null,
      h('a', { class: 'btn', href: `#/live/${enc(gw)}`, id: 'live-gateway' }, 'Live values'),
      canWrite() ? h('button', { onclick: () => broadcastDialog(gw) }, 'Broadcast') : null,
      h('span', { class: 'grow' }),
      canWrite() ? h('button', { id: 'import-table', onclick: async () => { if (await importDialog(gw)) refresh(); } }, 'Import table') : null,
      h('span', { class: 'muted' }, 'Export:'),
      ['tb', 'csv', 'xlsx'].map((f) => h('button', { class: 'small', 'data-export': f, onclick: () => exportTable(gw, g.name, f) }, f.toUpperCase()))),
    h('table', { class: 'list', id: 'devices' },
      h('thead', {}, h('tr', {}, ['Device', 'ID', 'Driver', 'State', 'Last error', ''].map((t) => h('th', {}, t)))),
      body));

  async function refresh() {
    const list = await guard(() => get(base));
    if (!list) return;
    body.replaceChildren(...(list.length ? list.map(row)
      : [h('tr', {}, h('td', { colspan: 6, class: 'empty' }, 'No devices yet. Create one or import a point table.'))]));
  }

  function row(d) {
    const path = `${base}/${enc(d.id)}`;
    const state = !d.enabled ? h('span', { class: 'badge off' }, 'disabled')
      : d.paused ? h('span', { class: 'badge paused' }, 'paused')
        : h('span', { class: d.online ? 'badge on' : 'badge err' }, d.online ? 'online' : 'offline');
    const collect = (action) => guard(async () => {
      await post(`${path}/collect`, { action });
      toast(`${d.name}: ${action} done`);
      refresh();
    });
    return h('tr', { 'data-device': d.id },
      h('td', {}, h('a', { href: `#/gateways/${enc(gw)}/devices/${enc(d.id)}` }, d.name),
        d.description ? h('div', { class: 'muted' }, d.description) : null),
      h('td', { class: 'mono' }, d.id),
      h('td', {}, d.driver),
      h('td', {}, state),
      h('td', { class: 'error-text' }, d.last_error || ''),
      h('td', { class: 'actions' },
        h('a', { class: 'btn small', href: `#/live/${enc(gw)}/${enc(d.id)}` }, 'Live'),
        canWrite() ? [
          d.paused ? h('button', { class: 'small', onclick: () => collect('resume') }, 'Resume')
            : h('button', { class: 'small', onclick: () => collect('pause') }, 'Pause'),
          h('button', { class: 'small', title: 'Reconnect and restart collection', onclick: () => collect('reset') }, 'Reset'),
          h('button', { class: 'small', onclick: () => setEnabled(d, !d.enabled) }, d.enabled ? 'Disable' : 'Enable'),
          h('button', { class: 'small', onclick: () => editDevice(d) }, 'Edit'),
          h('button', { class: 'small', onclick: () => copyDevice(d) }, 'Copy'),
          h('button', { class: 'small danger', onclick: () => deleteDevice(d) }, 'Delete'),
        ] : null));
  }

  async function createDevice() {
    const r = await deviceDialog('New device', null, (input) => post(base, input));
    if (r === 'ok') { toast('Device created'); refresh(); }
  }

  async function editDevice(d) {
    const r = await deviceDialog(`Edit ${d.name}`, d, (input) => put(`${base}/${enc(d.id)}`, input));
    if (r === 'ok') { toast('Device saved'); refresh(); }
  }

  async function setEnabled(d, enabled) {
    await guard(async () => {
      await put(`${base}/${enc(d.id)}`, deviceInput(d, { enabled }));
      toast(`${d.name} ${enabled ? 'enabled' : 'disabled'}`);
    });
    refresh();
  }

  // copyDevice makes a new device with the same driver, config and points.
  async function copyDevice(d) {
    const name = h('input', { name: 'copy-name', value: `${d.name} copy` });
    let created = null;
    const r = await dialog(`Copy ${d.name}`, h('div', {}, field('Name of the copy', name),
      h('p', { class: 'muted' }, 'The copy gets the same driver, configuration and points, and starts disabled.')), [
      { label: 'Cancel', value: 'cancel' },
      { label: 'Copy', value: 'ok', class: 'primary', check: async () => {
        try {
          created = await post(base, deviceInput(d, { name: name.value.trim(), enabled: false }));
          return true;
        } catch (e) { setFieldError(name, String(e)); return false; }
      } },
    ]);
    if (r !== 'ok') return;
    const points = await guard(() => get(`${base}/${enc(d.id)}/points`)) || [];
    let failed = 0;
    for (const p of points) {
      const { gateway, device, created_at, updated_at, ...copy } = p;
      try { await post(`${base}/${enc(created.id)}/points`, copy); } catch { failed++; }
    }
    toast(failed ? `Copied with ${failed} point(s) failing` : `Copied ${d.name} with ${points.length} points`, failed > 0);
    refresh();
  }

  async function deleteDevice(d) {
    if (!(await confirm('Delete device', `Delete device "${d.name}" and all its points?`, 'Delete', true))) return;
    if ((await guard(() => del(`${base}/${enc(d.id)}`))) !== undefined) toast(`${d.name} deleted`);
    refresh();
  }

  await refresh();
  const timer = setInterval(refresh, 5000);
  return () => clearInterval(timer);
}

// deviceInput is a device as an update request; secret fields still hold
// the redaction marker, which the platform keeps as the stored value.
function deviceInput(d, over) {
  return {
    name: d.name, description: d.description, driver: d.driver, config: d.config, enabled: d.enabled,
    parent: d.parent || '', subscribe: d.subscribe || [], template: d.template || '', ...over,
  };
}

async function broadcastDialog(gw) {
  const type = h('input', { name: 'broadcast-type' });
  const data = h('textarea', { name: 'broadcast-data', placeholder: '{ }' });
  const out = h('div', { id: 'broadcast-result' });
  await dialog('Broadcast to every device', h('div', {},
    field('Type', type, 'Passed to each driver\'s broadcast handler.'), field('Data (JSON)', data), out), [
    { label: 'Close', value: 'cancel' },
    { label: 'Send', value: 'send', class: 'primary', check: async () => {
      let payload = null;
      if (data.value.trim()) {
        try { payload = JSON.parse(data.value); setFieldError(data, ''); } catch (e) { setFieldError(data, `Not JSON: ${e.message}`); return false; }
      }
      if (!type.value.trim()) { setFieldError(type, 'A type is required.'); return false; }
      const env = await reply('POST', `/gateways/${enc(gw)}/broadcast`, { type: type.value.trim(), data: payload });
      out.replaceChildren(env.code === 0
        ? h('pre', { class: 'mono' }, JSON.stringify(env.data, null, 2))
        : h('p', { class: 'error-text' }, `code ${env.code}: ${env.msg}`));
      return false;
    } },
  ]);
}
