// browse.js: a device's address space as a tree (an OPC UA server's nodes),
// read through the driver one level at a time: a node's children are asked
// for when it is opened. Nodes that can become points have a checkbox; "Add
// points" creates the ticked ones through the points API, named after their
// display names, typed and addressed as the driver suggests.
import { post, enc } from './api.js';
import { h, dialog, toast } from './ui.js';

// BROWSE_TIMEOUT_MS is each level's budget: large servers answer slowly.
const BROWSE_TIMEOUT_MS = 15000;
// INTERVAL_MS is a new point's poll period (the original refreshcycle).
const INTERVAL_MS = 1000;
const MAX_NAME = 128;

// browseDialog opens the tree for one device. existing is the device's
// points (their names must stay unique); it resolves with the points
// created, empty when none were.
export async function browseDialog({ gw, dev, deviceName, existing }) {
  const base = `/gateways/${enc(gw)}/devices/${enc(dev)}`;
  const picked = new Map(); // node ID → node
  const created = [];
  const count = h('span', { class: 'muted', id: 'browse-count' }, '');
  const problem = h('div', { class: 'error-text', id: 'browse-problem' });
  const tree = h('ul', { class: 'tree', id: 'browse-tree' });
  const body = h('div', { class: 'browse' },
    h('p', { class: 'muted' }, 'Open a node to list its children; tick the variables to add as points (polled every ',
      String(INTERVAL_MS), ' ms; edit them afterwards in the point table).'),
    tree, h('div', { class: 'browse-foot' }, count), problem);

  const updateCount = () => { count.textContent = picked.size ? `${picked.size} selected` : 'nothing selected'; };
  updateCount();

  // children fills list with the nodes below root (empty: the top).
  async function children(list, root) {
    const loading = h('li', { class: 'muted' }, 'Loading…');
    list.replaceChildren(loading);
    let nodes;
    try {
      nodes = await post(`${base}/browse`, { root, depth: 1, timeout_ms: BROWSE_TIMEOUT_MS });
    } catch (e) {
      list.replaceChildren(h('li', { class: 'error-text', 'data-browse-error': root }, String(e)));
      return false;
    }
    list.replaceChildren(...(nodes.length ? nodes.map(item) : [h('li', { class: 'muted' }, 'No children')]));
    return true;
  }

  function item(n) {
    const sub = h('ul', { hidden: true });
    let loaded = false;
    const twisty = h('button', {
      type: 'button', class: 'twisty', 'data-expand': n.id, 'aria-expanded': 'false', title: 'Show children',
      onclick: async () => {
        const open = sub.hidden;
        sub.hidden = !open;
        twisty.textContent = open ? '▾' : '▸';
        twisty.setAttribute('aria-expanded', String(open));
        if (open && !loaded) loaded = await children(sub, n.id);
      },
    }, '▸');
    const label = n.display_name || n.name || n.id;
    let box = null;
    if (n.point) {
      box = h('input', {
        type: 'checkbox', 'data-pick': n.id, title: `Add as a ${n.point.type} point`,
        onchange: () => { if (box.checked) picked.set(n.id, n); else picked.delete(n.id); updateCount(); },
      });
    }
    const what = [n.class, n.data_type, n.point ? `${n.point.type}${n.point.access ? ' ' + n.point.access : ''}` : null]
      .filter(Boolean).join(' · ');
    return h('li', { 'data-node': n.id },
      h('div', { class: 'node' }, twisty, box ?? h('span', { class: 'nobox' }),
        h('span', { class: 'label', title: n.name || '' }, label),
        h('span', { class: 'muted' }, what),
        h('span', { class: 'mono muted id' }, n.id)),
      sub);
  }

  // add creates the ticked nodes' points one by one, so one refusal (a
  // name taken meanwhile) does not lose the others; it keeps the dialog
  // open with the reasons when any failed.
  async function add() {
    if (!picked.size) { problem.textContent = 'Tick at least one variable.'; return false; }
    problem.textContent = '';
    const names = new Set(existing.map((p) => p.name));
    const failed = [];
    for (const [id, n] of [...picked]) {
      const p = pointFor(n, names);
      try {
        created.push(await post(`${base}/points`, p));
        picked.delete(id);
        const box = tree.querySelector(`input[data-pick="${CSS.escape(id)}"]`);
        if (box) { box.checked = false; box.disabled = true; }
      } catch (e) {
        names.delete(p.name);
        failed.push(`${p.name}: ${e}`);
      }
    }
    updateCount();
    if (created.length) toast(`${deviceName}: ${created.length} point${created.length === 1 ? '' : 's'} added`);
    if (failed.length) {
      problem.replaceChildren(h('p', {}, 'Not added:'), h('ul', { class: 'problems' }, failed.map((f) => h('li', {}, f))));
      return false;
    }
    return true;
  }

  const shown = dialog(`Browse ${deviceName}`, body, [
    { label: 'Close', value: 'close' },
    { label: 'Add points', value: 'add', class: 'primary', check: add },
  ]);
  children(tree, '');
  await shown;
  return created;
}

// pointFor is the point a node becomes: its display name made a valid,
// unused point name, the driver's suggested type, access and config.
function pointFor(n, names) {
  let base = (n.display_name || n.name || n.id).replace(/\./g, '_').replace(/[\u0000-\u001f\u007f]/g, '').trim() || 'point';
  base = base.slice(0, MAX_NAME - 4);
  let name = base;
  for (let i = 2; names.has(name); i++) name = `${base}_${i}`;
  names.add(name);
  const access = n.point.access || 'r';
  return {
    name, type: n.point.type, access, interval_ms: access === 'w' ? 0 : INTERVAL_MS,
    config: n.point.config ?? {},
  };
}
