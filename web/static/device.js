// device.js: a device's point table as an editable grid. Each cell is
// checked as it changes and saved on its own; a bad cell is marked in place
// with the reason and nothing is sent. The grid is virtualised, so devices
// with thousands of points stay responsive.
import { get, post, put, del, enc } from './api.js';
import { h, confirm, guard, toast } from './ui.js';
import { canWrite } from './session.js';
import { VGrid } from './vgrid.js';
import { browseDialog } from './browse.js';

const TYPES = ['BOOL', 'INT', 'FLOAT', 'STRING'];
const ACCESS = ['r', 'w', 'rw'];

const COLUMNS = [
  { key: 'name', title: 'Name', width: 'minmax(120px, 1.4fr)' },
  { key: 'type', title: 'Type', width: '90px' },
  { key: 'access', title: 'Access', width: '70px' },
  { key: 'unit', title: 'Unit', width: '70px' },
  { key: 'min', title: 'Min', width: '80px' },
  { key: 'max', title: 'Max', width: '80px' },
  { key: 'interval_ms', title: 'Interval ms', width: '100px' },
  { key: 'deadband', title: 'Deadband', width: '90px' },
  { key: 'config', title: 'Driver config (JSON)', width: 'minmax(160px, 2fr)' },
  { key: 'disabled', title: 'Off', width: '40px' },
  { key: '', title: '', width: '160px' },
];

export async function render(main, { gw, dev }) {
  const base = `/gateways/${enc(gw)}/devices/${enc(dev)}`;
  const [g, d, drivers] = await Promise.all([get(`/gateways/${enc(gw)}`), get(base), get('/drivers').catch(() => [])]);
  let points = await get(`${base}/points`);
  const editable = canWrite();
  // Drivers that list their device's address space (OPC UA) get a Browse
  // button; browsing needs the same rights as adding points.
  const browsable = editable && drivers.some((x) => x.name === d.driver && x.browse);

  const grid = new VGrid({ columns: COLUMNS, build: (i) => buildRow(points[i]) });
  grid.el.id = 'points';
  grid.setEmptyText('No points. Add one, or import a point table on the gateway page.');
  const filter = h('input', { type: 'search', placeholder: 'Filter by name', oninput: () => grid.setCount(view().length) });
  const collect = (action) => guard(async () => { await post(`${base}/collect`, { action }); toast(`${d.name}: ${action} done`); });

  const problem = h('span', { class: 'error-text', id: 'grid-problem' });
  let shown = points;
  const view = () => {
    const q = filter.value.trim().toLowerCase();
    shown = q ? points.filter((p) => p.name.toLowerCase().includes(q)) : points;
    grid.build = (i) => buildRow(shown[i]);
    return shown;
  };

  const summary = h('span', { class: 'muted' }, `${d.driver} · ${points.length} points`);
  main.append(
    h('div', { class: 'crumbs' }, h('a', { href: '#/gateways' }, 'Gateways'), ' / ',
      h('a', { href: `#/gateways/${enc(gw)}` }, g.name), ' / ', d.name),
    h('h1', {}, d.name, ' ', summary),
    h('div', { class: 'toolbar' },
      editable ? h('button', { class: 'primary', id: 'add-point', onclick: addPoint }, 'Add point') : null,
      browsable ? h('button', { id: 'browse-device', title: 'Browse the device and add points from its nodes', onclick: browse }, 'Browse') : null,
      h('a', { class: 'btn', href: `#/live/${enc(gw)}/${enc(dev)}` }, 'Live values'),
      editable ? [h('button', { onclick: () => collect('pause') }, 'Pause'), h('button', { onclick: () => collect('resume') }, 'Resume'),
        h('button', { onclick: () => collect('reset') }, 'Reset')] : null,
      h('span', { class: 'grow' }, problem), filter),
    grid.el);
  grid.setCount(view().length);

  async function browse() {
    const added = await browseDialog({ gw, dev, deviceName: d.name, existing: points.filter((p) => !p._new) });
    if (!added.length) return;
    filter.value = '';
    points = [...points.filter((p) => !p._new), ...added, ...points.filter((p) => p._new)];
    summary.textContent = `${d.driver} · ${points.filter((p) => !p._new).length} points`;
    grid.setCount(view().length);
  }

  function addPoint() {
    filter.value = '';
    points = [...points, { _new: true, name: '', type: 'FLOAT', access: 'r', unit: '', interval_ms: 1000, deadband: 0, config: {}, disabled: false }];
    grid.setCount(view().length);
    grid.scrollTo(points.length - 1);
    grid.row(points.length - 1)?.querySelector('input')?.focus();
  }

  function buildRow(p) {
    const row = h('div', { 'data-point-row': p.id || '', class: p._new ? 'new' : '' });
    const inputs = {};
    for (const c of COLUMNS) {
      if (!c.key) continue;
      const input = cellInput(c.key, p, !editable);
      inputs[c.key] = input;
      if (!p._new) input.addEventListener('change', () => save(p, inputs, row));
      row.append(h('div', {}, input));
    }
    const full = `${gw}.${dev}.${p.id}`;
    row.append(h('div', { class: 'actions' }, p._new
      ? [h('button', { class: 'small primary', onclick: () => create(p, inputs, row) }, 'Save'),
        h('button', { class: 'small', onclick: () => { points = points.filter((x) => x !== p); grid.setCount(view().length); } }, 'Discard')]
      : [h('a', { class: 'btn small', href: `#/history/${enc(full)}` }, 'History'),
        editable ? h('button', { class: 'small danger', onclick: () => remove(p) }, 'Delete') : null]));
    return row;
  }

  async function save(p, inputs, row) {
    const next = readRow(p, inputs, points, problem);
    if (!next) return;
    try {
      const saved = await put(`${base}/points/${enc(p.id)}`, next);
      Object.assign(p, saved);
      row.title = '';
      row.classList.remove('q-bad');
    } catch (e) {
      row.title = String(e);
      row.classList.add('q-bad');
      toast(`${p.name}: ${e}`, true);
    }
  }

  async function create(p, inputs, row) {
    const next = readRow(p, inputs, points, problem);
    if (!next) return;
    try {
      const saved = await post(`${base}/points`, next);
      points[points.indexOf(p)] = saved;
      grid.setCount(view().length);
      toast(`Point ${saved.name} added`);
    } catch (e) {
      row.title = String(e);
      toast(String(e), true);
    }
  }

  async function remove(p) {
    if (!(await confirm('Delete point', `Delete point "${p.name}" (${p.id})? Its history stays until retention removes it.`, 'Delete', true))) return;
    if ((await guard(() => del(`${base}/points/${enc(p.id)}`))) === undefined) return;
    points = points.filter((x) => x !== p);
    grid.setCount(view().length);
    toast(`Point ${p.name} deleted`);
  }

  return () => grid.destroy();
}

function cellInput(key, p, readonly) {
  const attrs = { name: key, disabled: readonly };
  switch (key) {
    case 'type': return select(attrs, TYPES, p.type);
    case 'access': return select(attrs, ACCESS, p.access);
    case 'disabled': return h('input', { ...attrs, type: 'checkbox', checked: p.disabled });
    case 'config': return h('input', { ...attrs, value: JSON.stringify(p.config ?? {}), class: 'mono' });
    default: return h('input', { ...attrs, value: p[key] ?? '' });
  }
}

function select(attrs, options, value) {
  const el = h('select', attrs, options.map((o) => h('option', { value: o }, o)));
  el.value = value;
  return el;
}

// readRow validates a row's inputs, marking each bad cell with its reason,
// and returns the point to send, or null when a cell is invalid.
function readRow(p, inputs, points, problem) {
  let ok = true;
  const reasons = [];
  const bad = (key, reason) => {
    inputs[key].classList.toggle('invalid', !!reason);
    inputs[key].title = reason || '';
    if (reason) { ok = false; reasons.push(`${key} ${reason}`); }
  };
  const num = (key, { integer = false, min } = {}) => {
    const t = inputs[key].value.trim();
    if (t === '') { bad(key, ''); return undefined; }
    const n = Number(t);
    if (!Number.isFinite(n) || (integer && !Number.isInteger(n))) { bad(key, integer ? 'a whole number' : 'a number'); return undefined; }
    if (min !== undefined && n < min) { bad(key, `at least ${min}`); return undefined; }
    bad(key, '');
    return n;
  };
  const name = inputs.name.value.trim();
  bad('name', !name ? 'a name is required' : name.includes('.') ? 'must not contain "."'
    : points.some((x) => x !== p && x.name === name) ? 'another point has this name' : '');
  const min = num('min');
  const max = num('max');
  if (min !== undefined && max !== undefined && min > max) { bad('min', 'greater than max'); bad('max', 'less than min'); }
  const interval = num('interval_ms', { integer: true, min: 0 });
  const deadband = num('deadband', { min: 0 });
  let config = {};
  try {
    config = JSON.parse(inputs.config.value || '{}');
    bad('config', config && typeof config === 'object' && !Array.isArray(config) ? '' : 'a JSON object');
  } catch (e) { bad('config', `not JSON: ${e.message}`); }
  problem.textContent = ok ? '' : `${inputs.name.value || 'new point'}: ${reasons.join('; ')} — not saved`;
  if (!ok) return null;
  const { _new, gateway, device, created_at, updated_at, ...rest } = p;
  return {
    ...rest, name, type: inputs.type.value, access: inputs.access.value, unit: inputs.unit.value.trim(),
    min, max, interval_ms: interval ?? 0, deadband: deadband ?? 0, config, disabled: inputs.disabled.checked,
  };
}
