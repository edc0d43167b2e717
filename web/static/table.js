// table.js: point-table import and export (.tb, CSV, XLSX). An import is
// always checked first with a dry run that lists every problem; only a
// clean check enables the real import, which shows upload progress.
import { upload, download, enc } from './api.js';
import { h, dialog, saveBlob, guard, toast } from './ui.js';

const TYPES = {
  tb: 'application/json',
  csv: 'text/csv',
  xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
};

export function formatOf(filename) {
  const ext = filename.toLowerCase().split('.').pop();
  return ext === 'csv' ? 'csv' : ext === 'xlsx' ? 'xlsx' : 'tb';
}

export async function exportTable(gw, name, format) {
  const blob = await guard(() => download(`/gateways/${enc(gw)}/table?format=${format}`));
  if (blob) saveBlob(blob, `${name || gw}.${format}`);
}

// importDialog resolves true when a table was imported.
export async function importDialog(gw) {
  const file = h('input', { type: 'file', name: 'table-file', accept: '.tb,.json,.csv,.xlsx' });
  const format = h('select', { name: 'table-format' }, Object.keys(TYPES).map((f) => h('option', { value: f }, f.toUpperCase())));
  const bar = h('progress', { max: 1, value: 0, hidden: true });
  const out = h('div', { id: 'import-result' });
  let checked = null;
  file.addEventListener('change', () => {
    checked = null;
    out.replaceChildren();
    if (file.files[0]) format.value = formatOf(file.files[0].name);
  });
  format.addEventListener('change', () => { checked = null; });

  const send = async (dryRun) => {
    const f = file.files[0];
    if (!f) { out.replaceChildren(h('p', { class: 'error-text' }, 'Choose a file first.')); return null; }
    bar.hidden = false;
    bar.value = 0;
    const path = `/gateways/${enc(gw)}/table?format=${format.value}${dryRun ? '&dry_run=1' : ''}`;
    try {
      return await upload('PUT', path, f, TYPES[format.value], (done, total) => { bar.value = done / total; });
    } catch (e) {
      out.replaceChildren(h('p', { class: 'error-text' }, String(e)));
      return null;
    } finally {
      bar.value = 1;
    }
  };

  const body = h('div', {},
    h('p', {}, 'Replace this gateway\'s whole point table. Devices and points not in the file are removed.'),
    h('div', { class: 'toolbar' }, file, format), bar, out);
  const r = await dialog('Import point table', body, [
    { label: 'Cancel', value: 'cancel' },
    { label: 'Check', value: 'check', check: async () => {
      const env = await send(true);
      if (env) { checked = env.code === 0 ? file.files[0] : null; showResult(out, env, true); }
      return false;
    } },
    { label: 'Import', value: 'ok', class: 'primary', check: async () => {
      if (!checked || checked !== file.files[0]) {
        out.replaceChildren(h('p', { class: 'error-text' }, 'Check the file first; only a clean check can be imported.'));
        return false;
      }
      const env = await send(false);
      if (!env) return false;
      showResult(out, env, false);
      if (env.code !== 0) return false;
      toast(`Imported ${file.files[0].name}`);
      return true;
    } },
  ]);
  return r === 'ok';
}

function showResult(out, env, dryRun) {
  if (env.code === 514 && Array.isArray(env.data)) {
    out.replaceChildren(
      h('p', { class: 'error-text' }, `The table is not valid: ${env.data.length} problem${env.data.length === 1 ? '' : 's'}. Nothing was changed.`),
      h('ul', { class: 'problems', id: 'table-problems' }, env.data.map((p) =>
        h('li', {}, h('code', {}, p.path || '(table)'), p.field ? ` ${p.field}` : '', `: ${p.reason}`))));
    return;
  }
  if (env.code !== 0) {
    out.replaceChildren(h('p', { class: 'error-text' }, `code ${env.code}: ${env.msg}`));
    return;
  }
  const d = env.data || {};
  const line = (label, c) => c ? h('li', {}, `${label}: ${(c.added || []).length} added, ${(c.changed || []).length} changed, ${(c.removed || []).length} removed, ${c.unchanged || 0} unchanged`) : null;
  out.replaceChildren(h('div', {},
    h('p', { class: 'ok' }, dryRun ? 'The table is valid. Importing it will make these changes:' : 'Imported:'),
    h('ul', { id: 'table-summary' }, line('Devices', d.devices), line('Points', d.points)),
    (d.warnings || []).length ? h('div', {}, h('p', {}, 'Warnings:'), h('ul', { class: 'problems' },
      d.warnings.map((p) => h('li', {}, h('code', {}, p.path), p.field ? ` ${p.field}` : '', `: ${p.reason}`)))) : null));
}
