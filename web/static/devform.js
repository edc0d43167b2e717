// devform.js: the device form, generated from the driver's config spec
// (GET /drivers), so every driver gets a form without console code of its
// own. Values are checked in the browser for quick feedback; the platform
// validates the config against the same spec.
import { get } from './api.js';
import { h, dialog, field, setFieldError } from './ui.js';

const REDACTED = '******';
const DURATION = /^([0-9]+(\.[0-9]+)?(ns|us|µs|ms|s|m|h))+$/;

let driversCache = null;

// drivers returns the registered drivers; an older platform without
// /drivers yields [], and the form falls back to raw JSON config.
export async function drivers() {
  if (!driversCache) {
    try { driversCache = await get('/drivers'); } catch { driversCache = []; }
  }
  return driversCache;
}

// deviceDialog edits a device (or a new one when dev is null) and resolves
// with the DeviceInput to send, or null when cancelled. save(input) is
// called from inside the dialog so server errors keep it open.
export async function deviceDialog(title, dev, save) {
  const list = await drivers();
  const name = h('input', { name: 'name', value: dev?.name || '' });
  const description = h('input', { name: 'description', value: dev?.description || '' });
  const enabled = h('input', { type: 'checkbox', name: 'enabled', checked: dev ? dev.enabled : true });
  const driverSel = list.length
    ? h('select', { name: 'driver' }, list.map((d) => h('option', { value: d.name }, d.name)))
    : h('input', { name: 'driver', value: dev?.driver || 'simulator' });
  if (dev?.driver) driverSel.value = dev.driver;
  const configBox = h('div', { id: 'driver-config' });
  const formError = h('p', { class: 'error-text' });
  let fields = [];
  const existing = parseObject(dev?.config);

  const redraw = () => {
    const spec = list.find((d) => d.name === driverSel.value);
    fields = spec ? specFields(spec.device || [], existing) : [rawConfigField(existing)];
    configBox.replaceChildren(h('div', {},
      spec?.description ? h('p', { class: 'muted' }, spec.description) : null,
      h('h2', {}, 'Driver configuration'),
      fields.map((f) => f.label)));
  };
  driverSel.addEventListener('change', redraw);
  redraw();

  const body = h('form', { class: 'device-form', onsubmit: (e) => e.preventDefault() },
    field('Name', name), field('Description', description), field('Driver', driverSel),
    h('label', { class: 'field' }, h('span', {}, enabled, ' Enabled (collect from this device)')),
    configBox, formError);

  const check = async () => {
    formError.textContent = '';
    let ok = true;
    if (!name.value.trim() || name.value.includes('.')) {
      setFieldError(name, 'A name is required and must not contain "."'); ok = false;
    } else setFieldError(name, '');
    let config = { ...existing };
    for (const f of fields) {
      const r = f.read();
      setFieldError(f.input, r.error || '');
      if (r.error) ok = false;
      else if (r.raw) config = r.value;
      else if (r.value === undefined) delete config[f.name];
      else config[f.name] = r.value;
    }
    if (!ok) return false;
    const input = {
      name: name.value.trim(), description: description.value, driver: driverSel.value.trim(),
      config, enabled: enabled.checked,
    };
    if (dev) Object.assign(input, { parent: dev.parent || '', subscribe: dev.subscribe || [], template: dev.template || '' });
    try {
      await save(input);
      return true;
    } catch (e) {
      formError.textContent = String(e);
      return false;
    }
  };
  return dialog(title, body, [
    { label: 'Cancel', value: 'cancel' },
    { label: dev ? 'Save' : 'Create', value: 'ok', class: 'primary', check },
  ]);
}

function parseObject(raw) {
  if (!raw) return {};
  if (typeof raw === 'object') return { ...raw };
  try { return JSON.parse(raw) || {}; } catch { return {}; }
}

// specFields builds one input per spec field, each with a read() that
// returns {value} (undefined = leave unset, so the driver's default
// applies) or {error}.
function specFields(spec, existing) {
  return spec.map((f) => {
    const cur = existing[f.name];
    const input = inputFor(f, cur);
    const help = [f.description, f.default !== undefined ? `Default: ${JSON.stringify(f.default)}.` : '',
      f.required ? 'Required.' : ''].filter(Boolean).join(' ');
    const label = field(f.name, input, help);
    return { name: f.name, input, label, read: () => readField(f, input) };
  });
}

function inputFor(f, cur) {
  const attrs = { name: `config.${f.name}`, 'data-type': f.type };
  switch (f.type) {
    case 'bool':
      return h('input', { ...attrs, type: 'checkbox', checked: cur ?? f.default ?? false });
    case 'enum':
      return withValue(h('select', attrs, f.required ? null : h('option', { value: '' }, '(default)'),
        (f.enum || []).map((v) => h('option', { value: v }, v))), cur ?? (f.required ? f.default : '') ?? '');
    case 'int': case 'float':
      return h('input', { ...attrs, type: 'number', step: f.type === 'int' ? '1' : 'any', value: cur ?? '', placeholder: f.default ?? '' });
    case 'list': case 'object':
      return h('textarea', { ...attrs, placeholder: f.type === 'list' ? '[ ]' : '{ }' }, cur === undefined ? '' : JSON.stringify(cur, null, 2));
    default:
      return h('input', { ...attrs, type: f.secret ? 'password' : 'text', value: cur ?? '', placeholder: f.default ?? '', autocomplete: 'off' });
  }
}

function withValue(el, v) { el.value = v; return el; }

function readField(f, input) {
  if (f.type === 'bool') return { value: input.checked };
  const text = input.value.trim();
  if (text === '') return f.required ? { error: 'Required.' } : { value: undefined };
  switch (f.type) {
    case 'int':
      return /^-?\d+$/.test(text) ? { value: Number(text) } : { error: 'Must be a whole number.' };
    case 'float':
      return Number.isFinite(Number(text)) ? { value: Number(text) } : { error: 'Must be a number.' };
    case 'duration':
      return DURATION.test(text) ? { value: text } : { error: 'A duration such as 500ms, 2s or 1m30s.' };
    case 'enum':
      return (f.enum || []).includes(text) ? { value: text } : { error: `One of ${(f.enum || []).join(', ')}.` };
    case 'list': case 'object':
      try {
        const v = JSON.parse(text);
        const okType = f.type === 'list' ? Array.isArray(v) : v !== null && typeof v === 'object' && !Array.isArray(v);
        return okType ? { value: v } : { error: f.type === 'list' ? 'A JSON array.' : 'A JSON object.' };
      } catch (e) { return { error: `Not JSON: ${e.message}` }; }
    default:
      // A secret left as the redaction marker keeps its stored value.
      return { value: text === REDACTED ? REDACTED : text };
  }
}

function rawConfigField(existing) {
  const input = h('textarea', { name: 'config' }, JSON.stringify(existing, null, 2));
  return {
    name: '', input, label: field('Config (JSON)', input, 'This driver publishes no config spec; edit its JSON directly.'),
    read: () => {
      try {
        const v = JSON.parse(input.value || '{}');
        return v && typeof v === 'object' && !Array.isArray(v) ? { value: v, raw: true } : { error: 'A JSON object.' };
      } catch (e) { return { error: `Not JSON: ${e.message}` }; }
    },
  };
}
