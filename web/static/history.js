// history.js: one point's stored samples as a uPlot chart, with a range
// picker, drag-to-zoom (which refetches at the finer resolution) and a CSV
// download of the raw samples in the range.
import uPlot from '/vendor/uplot.esm.js';
import { get, enc } from './api.js';
import { h, guard, saveBlob, fmtTime } from './ui.js';

const RANGES = [['15m', 15 * 60e3], ['1h', 3600e3], ['6h', 6 * 3600e3], ['24h', 86400e3], ['7d', 7 * 86400e3], ['30d', 30 * 86400e3]];
// About one chart point per horizontal pixel is as much as a chart can show.
const MAX_POINTS = 1500;
const CSV_LIMIT = 100000;

export async function render(main, { full }) {
  const [gw, dev, pt] = full.split('.');
  const point = await guard(() => get(`/gateways/${enc(gw)}/devices/${enc(dev)}/points/${enc(pt)}`));
  const title = point ? `${point.name}${point.unit ? ` (${point.unit})` : ''}` : full;
  const rangeSel = h('select', { name: 'range' }, RANGES.map(([label]) => h('option', { value: label }, `Last ${label}`)),
    h('option', { value: 'custom' }, 'Custom'));
  rangeSel.value = '15m';
  const fromIn = h('input', { type: 'datetime-local', name: 'from' });
  const toIn = h('input', { type: 'datetime-local', name: 'to' });
  const info = h('span', { class: 'status-line', id: 'history-info' });
  const chartEl = h('div', { class: 'chart', id: 'chart' });
  let range = null;
  let plot = null;
  let samples = [];

  main.append(
    h('div', { class: 'crumbs' }, h('a', { href: '#/gateways' }, 'Gateways'), ' / ', h('a', { href: `#/gateways/${enc(gw)}` }, gw.slice(0, 8) + '…'),
      ' / ', h('a', { href: `#/gateways/${enc(gw)}/devices/${enc(dev)}` }, dev), ' / ', pt),
    h('h1', {}, 'History: ', title, ' ', h('span', { class: 'muted mono' }, full)),
    h('div', { class: 'toolbar' }, rangeSel, fromIn, toIn,
      h('button', { onclick: () => { rangeSel.value = 'custom'; load(); } }, 'Apply'),
      h('button', { onclick: () => { rangeSel.value = rangeSel.value === 'custom' ? '15m' : rangeSel.value; load(); } }, 'Reset zoom'),
      h('span', { class: 'grow' }), info,
      h('button', { id: 'history-csv', onclick: downloadCSV }, 'Download CSV')),
    chartEl);

  rangeSel.addEventListener('change', () => load());

  function currentRange() {
    if (rangeSel.value === 'custom') {
      const from = Date.parse(fromIn.value);
      const to = Date.parse(toIn.value);
      if (Number.isFinite(from) && Number.isFinite(to) && from < to) return [from, to];
    }
    const span = (RANGES.find(([l]) => l === rangeSel.value) || RANGES[1])[1];
    const now = Date.now();
    return [now - span, now];
  }

  async function load(explicit) {
    range = explicit || currentRange();
    const [from, to] = range;
    fromIn.value = localInput(from);
    toIn.value = localInput(to);
    const stepS = Math.max(1, Math.floor((to - from) / MAX_POINTS / 1000));
    const numeric = !point || ['INT', 'FLOAT', 'BOOL'].includes(point.type);
    const q = numeric && stepS > 1 ? `&step=${stepS}s&agg=avg` : `&limit=${MAX_POINTS * 4}`;
    const data = await guard(() => get(`/points/${enc(full)}/history?from=${from}&to=${to}${q}`));
    if (!data) return;
    samples = data.samples || [];
    info.textContent = `${samples.length} samples${data.step_ms ? `, ${data.agg || 'avg'} per ${data.step_ms / 1000} s` : ''}${data.truncated ? ' (truncated)' : ''}`;
    draw(numeric);
  }

  function draw(numeric) {
    if (plot) { plot.destroy(); plot = null; }
    if (!numeric) {
      chartEl.replaceChildren(h('table', { class: 'list' }, h('thead', {}, h('tr', {}, h('th', {}, 'Time'), h('th', {}, 'Value'), h('th', {}, 'Quality'))),
        h('tbody', {}, samples.slice(-500).reverse().map((s) => h('tr', {}, h('td', {}, fmtTime(s.ts)), h('td', {}, String(s.value)), h('td', {}, s.quality))))));
      return;
    }
    chartEl.replaceChildren();
    const xs = samples.map((s) => s.ts / 1000);
    const ys = samples.map((s) => (s.value === true ? 1 : s.value === false ? 0 : s.quality === 'bad' ? null : s.value));
    const width = Math.max(400, chartEl.clientWidth - 16);
    plot = new uPlot({
      width, height: 400,
      scales: { x: { time: true, min: range[0] / 1000, max: range[1] / 1000 } },
      series: [{}, { label: title, stroke: '#1f6feb', width: 1.5, fill: 'rgba(31,111,235,0.08)', spanGaps: false }],
      axes: [{}, { label: point?.unit || '' }],
      cursor: { drag: { x: true, y: false } },
      hooks: { setSelect: [(u) => {
        if (u.select.width < 5) return;
        const from = u.posToVal(u.select.left, 'x') * 1000;
        const to = u.posToVal(u.select.left + u.select.width, 'x') * 1000;
        rangeSel.value = 'custom';
        load([Math.floor(from), Math.ceil(to)]);
      }] },
    }, [xs, ys], chartEl);
    if (!samples.length) chartEl.append(h('p', { class: 'empty' }, 'No samples in this range.'));
  }

  async function downloadCSV() {
    const [from, to] = range || currentRange();
    const data = await guard(() => get(`/points/${enc(full)}/history?from=${from}&to=${to}&limit=${CSV_LIMIT}`));
    if (!data) return;
    const lines = ['id,ts,time,value,quality'];
    for (const s of data.samples || []) {
      lines.push([full, s.ts, new Date(s.ts).toISOString(), csvCell(s.value), s.quality].join(','));
    }
    saveBlob(new Blob([lines.join('\n') + '\n'], { type: 'text/csv' }), `${full}.csv`);
  }

  const onResize = () => { if (plot) plot.setSize({ width: Math.max(400, chartEl.clientWidth - 16), height: 400 }); };
  window.addEventListener('resize', onResize);
  await load();
  return () => { window.removeEventListener('resize', onResize); if (plot) plot.destroy(); };
}

// csvCell quotes a value and defuses spreadsheet formulas (a cell starting
// with = + - @ is prefixed with ') so a downloaded file is safe to open.
function csvCell(v) {
  if (v === null || v === undefined) return '';
  let s = String(v);
  if (typeof v === 'string' && /^[=+\-@\t\r]/.test(s)) s = `'${s}`;
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

function localInput(ms) {
  const d = new Date(ms - new Date(ms).getTimezoneOffset() * 60000);
  return d.toISOString().slice(0, 16);
}
