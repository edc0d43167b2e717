// live.js: every point of a gateway (or one device) with value, unit,
// quality and age, fed by the WebSocket stream. Samples land in a map and
// the rows in view are patched in place once per animation frame, so 10,000
// points changing every second cost only the visible cells. Writable points
// carry a write box that asks for confirmation in the page.
import { get, reply, enc } from './api.js';
import { h, confirm, toast, fmtAge, fmtValue } from './ui.js';
import { canWrite } from './session.js';
import { VGrid } from './vgrid.js';
import { LiveStats } from './livestats.js';

// A value counts as stale after five poll periods without an update, and
// never sooner than 30 s (report-on-change points go quiet while steady).
const STALE_PERIODS = 5;
const STALE_MIN_MS = 30000;

export async function render(main, { gw, dev }) {
  const g = await get(`/gateways/${enc(gw)}`);
  const devices = dev ? [await get(`/gateways/${enc(gw)}/devices/${enc(dev)}`)] : await get(`/gateways/${enc(gw)}/devices`);
  const pointLists = await Promise.all(devices.map((d) => get(`/gateways/${enc(gw)}/devices/${enc(d.id)}/points`)));
  const rows = [];
  devices.forEach((d, i) => {
    for (const p of pointLists[i]) {
      rows.push({ full: `${gw}.${d.id}.${p.id}`, label: dev ? p.name : `${d.name}.${p.name}`, point: p });
    }
  });
  const index = new Map(rows.map((r, i) => [r.full, i]));
  const values = new Map();
  const results = new Map();
  const writable = canWrite() && rows.some((r) => r.point.access !== 'r');
  const stats = new LiveStats();
  window.iotosLive = stats;

  const columns = [
    { title: 'Point', width: 'minmax(160px, 2fr)' }, { title: 'Value', width: 'minmax(110px, 1fr)' },
    { title: 'Unit', width: '70px' }, { title: 'Quality', width: '90px' }, { title: 'Age', width: '90px' },
    writable ? { title: 'Write', width: 'minmax(300px, 2fr)' } : null, { title: '', width: '100px' },
  ].filter(Boolean);
  const grid = new VGrid({ columns, build: (i) => buildRow(rows[i]) });
  grid.el.id = 'live';
  grid.setEmptyText('This gateway has no points.');
  const status = h('span', { class: 'status-line', id: 'stream-status' }, h('span', { class: 'dot' }), 'connecting…');
  const filter = h('input', { type: 'search', placeholder: 'Jump to point…', oninput: () => {
    const q = filter.value.trim().toLowerCase();
    const i = q ? rows.findIndex((r) => r.label.toLowerCase().includes(q) || r.full.includes(q)) : 0;
    if (i >= 0) grid.scrollTo(i);
  } });
  const where = dev ? [h('a', { href: `#/gateways/${enc(gw)}` }, g.name), ' / ', devices[0].name] : [g.name];
  main.append(
    h('div', { class: 'crumbs' }, h('a', { href: '#/gateways' }, 'Gateways'), ' / ', h('a', { href: `#/gateways/${enc(gw)}` }, g.name),
      dev ? [' / ', h('a', { href: `#/gateways/${enc(gw)}/devices/${enc(dev)}` }, devices[0].name)] : null),
    h('h1', {}, 'Live: ', where, ' ', h('span', { class: 'muted' }, `${rows.length} points`)),
    h('div', { class: 'toolbar' }, status, h('span', { class: 'grow' }), filter),
    grid.el);
  grid.setCount(rows.length);

  function buildRow(r) {
    const s = values.get(r.full);
    const valueEl = h('div', { class: 'value', 'data-point': r.full });
    const row = h('div', { 'data-row': r.full },
      h('div', { title: r.full }, r.label),
      valueEl,
      h('div', { class: 'muted' }, r.point.unit || ''),
      h('div', { class: 'quality' }),
      h('div', { class: 'age' }),
      writable ? h('div', {}, r.point.access !== 'r' ? writeBox(r) : null) : null,
      h('div', {}, h('a', { href: `#/history/${enc(r.full)}`, class: 'btn small' }, 'History')));
    paint(row, r, s, Date.now());
    return row;
  }

  // paint writes one sample into a rendered row.
  function paint(row, r, s, now) {
    const [, valueEl, , qualityEl, ageEl] = row.children;
    // The snapshot lists points that never reported with ts 0.
    if (!s || !s.ts) {
      valueEl.textContent = '—';
      qualityEl.textContent = 'no value yet';
      ageEl.textContent = '';
      row.classList.remove('q-bad', 'q-uncertain', 'stale');
      return;
    }
    valueEl.textContent = s.quality === 'bad' && (s.value === null || s.value === undefined) ? 'bad' : fmtValue(s.value);
    qualityEl.textContent = s.code ? `${s.quality} (${s.code})` : s.quality;
    row.classList.toggle('q-bad', s.quality === 'bad');
    row.classList.toggle('q-uncertain', s.quality === 'uncertain');
    paintAge(row, r, s, now);
  }

  function paintAge(row, r, s, now) {
    const age = now - s.ts;
    row.children[4].textContent = fmtAge(age);
    const interval = r.point.interval_ms || 0;
    const stale = interval > 0 && age > Math.max(STALE_PERIODS * interval, STALE_MIN_MS);
    row.classList.toggle('stale', stale);
    row.title = stale ? `stale: no update for ${fmtAge(age)}` : '';
  }

  function writeBox(r) {
    const input = h('input', { 'data-write': r.full, placeholder: r.point.type === 'BOOL' ? 'true / false' : r.point.type.toLowerCase(),
      // The dialog opens on key-up: opened on key-down, the same Enter
      // would press its focused button and skip the confirmation.
      onkeydown: (e) => { if (e.key === 'Enter') e.preventDefault(); },
      onkeyup: (e) => { if (e.key === 'Enter') submit(); } });
    const result = h('span', { class: 'writeresult', 'data-write-result': r.full });
    const last = results.get(r.full);
    if (last) { result.textContent = last.text; result.classList.add(last.ok ? 'ok' : 'fail'); }
    const submit = async () => {
      const text = input.value.trim();
      if (text === '') return;
      const value = parseWrite(r.point.type, text);
      const ok = await confirm('Write value', h('div', {},
        h('p', {}, 'Write ', h('strong', { class: 'mono' }, JSON.stringify(value)), ' to ', h('strong', {}, r.label), '?'),
        h('p', { class: 'muted mono' }, r.full),
        h('p', { class: 'muted' }, 'The value goes to the device now; the result is the driver\'s own reply.')), 'Write');
      if (!ok) return;
      const env = await reply('PUT', `/points/${enc(r.full)}/value`, { value });
      const res = env.code === 0 ? { ok: true, text: `OK${env.msg ? `: ${env.msg}` : ''}` } : { ok: false, text: `code ${env.code}: ${env.msg}` };
      results.set(r.full, res);
      const el = grid.row(index.get(r.full))?.querySelector('[data-write-result]') || result;
      el.textContent = res.text;
      el.classList.toggle('ok', res.ok);
      el.classList.toggle('fail', !res.ok);
      toast(`${r.label}: ${res.text}`, !res.ok);
      if (res.ok) input.value = '';
    };
    return h('div', { class: 'writebox' }, input, h('button', { class: 'small', onclick: submit }, 'Write'), result);
  }

  // Samples are applied in one batch per frame.
  let dirty = new Set();
  let frame = 0;
  const flush = () => {
    frame = 0;
    const started = performance.now();
    const now = Date.now();
    for (const id of dirty) {
      const i = index.get(id);
      const row = grid.row(i);
      if (row) paint(row, rows[i], values.get(id), now);
    }
    stats.rendered(dirty, values, now, performance.now() - started);
    dirty = new Set();
  };
  const apply = (samples, replace) => {
    if (replace) values.clear();
    for (const s of samples) {
      if (!index.has(s.id)) continue;
      const prev = values.get(s.id);
      if (!replace && prev && prev.ts > s.ts) continue;
      values.set(s.id, s);
      dirty.add(s.id);
    }
    if (replace) for (const r of rows) dirty.add(r.full);
    if (!frame) frame = requestAnimationFrame(flush);
  };

  const setStatus = (on, text) => {
    status.replaceChildren(h('span', { class: on ? 'dot on' : 'dot off' }), text);
  };
  const stream = openStream(dev ? `gateway=${enc(gw)}&device=${enc(dev)}` : `gateway=${enc(gw)}`, {
    onFrame: (msg) => {
      if (msg.type === 'snapshot') apply(msg.data || [], true);
      else if (msg.type === 'samples') { stats.arrived(msg.data || [], Date.now()); apply(msg.data || [], false); }
      else if (msg.type === 'dropped') {
        // The server could not keep up with this browser; a fresh snapshot
        // follows, and the operator should know values were skipped.
        stats.dropped += msg.count || 0;
        setStatus(true, `live (resynchronised; ${stats.dropped} updates skipped so far)`);
      }
    },
    onState: setStatus,
  });
  const ager = setInterval(() => {
    const now = Date.now();
    for (const [i, row] of grid.rows) {
      const s = values.get(rows[i].full);
      if (s && s.ts) paintAge(row, rows[i], s, now);
    }
  }, 1000);
  stats.start();
  return () => {
    stream.close();
    clearInterval(ager);
    if (frame) cancelAnimationFrame(frame);
    stats.stop();
    grid.destroy();
  };
}

// parseWrite turns typed text into the JSON value for the point's type; text
// that does not convert is sent as a string so the platform's 516 reply
// explains the problem.
export function parseWrite(type, text) {
  if (type === 'BOOL') {
    const t = text.toLowerCase();
    if (['true', '1', 'on'].includes(t)) return true;
    if (['false', '0', 'off'].includes(t)) return false;
    return text;
  }
  if ((type === 'INT' || type === 'FLOAT') && text !== '' && Number.isFinite(Number(text))) return Number(text);
  return text;
}

// openStream keeps a WebSocket open, reconnecting with capped, jittered
// backoff; each (re)connection starts with a fresh snapshot from the server.
function openStream(query, { onFrame, onState }) {
  let ws = null;
  let closed = false;
  let attempt = 0;
  let timer = 0;
  const url = `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/api/v1/stream?${query}`;
  const connect = () => {
    ws = new WebSocket(url);
    ws.onopen = () => { attempt = 0; onState(true, 'live'); };
    ws.onmessage = (e) => {
      let msg;
      try { msg = JSON.parse(e.data); } catch { return; }
      onFrame(msg);
    };
    ws.onclose = (e) => {
      if (closed) return;
      const wait = Math.min(5000, 500 * 2 ** attempt++) * (0.5 + Math.random() / 2);
      onState(false, `disconnected${e.reason ? ` (${e.reason})` : ''}; reconnecting in ${Math.ceil(wait / 1000)} s`);
      timer = setTimeout(connect, wait);
    };
  };
  connect();
  return { close: () => { closed = true; clearTimeout(timer); ws?.close(); } };
}
