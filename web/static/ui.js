// ui.js: the few DOM helpers every view uses — an element builder, in-page
// dialogs (never window.confirm, which blocks the page and the live stream),
// toasts and formatting.

// h builds an element: h('button', {class: 'primary', onclick}, 'Save').
// Attributes starting with "on" become listeners; children may be strings,
// nodes, arrays, or null (skipped). Text is always set as text, never HTML.
export function h(tag, attrs, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === undefined || v === null || v === false) continue;
    if (k.startsWith('on') && typeof v === 'function') el.addEventListener(k.slice(2), v);
    else if (k === 'class') el.className = v;
    else if (k === 'value') el.value = v;
    else if (k === 'checked') el.checked = !!v;
    else if (k === 'style' && typeof v === 'object') Object.assign(el.style, v);
    else el.setAttribute(k, v === true ? '' : v);
  }
  append(el, children);
  return el;
}

function append(el, children) {
  for (const c of children) {
    if (c === null || c === undefined || c === false) continue;
    if (Array.isArray(c)) append(el, c);
    else el.append(c instanceof Node ? c : String(c));
  }
}

// dialog opens a modal with a body and buttons; it resolves with the value
// of the button pressed, or null when dismissed with Escape. A button's
// check() may return false to keep the dialog open (form validation).
export function dialog(title, body, buttons) {
  return new Promise((resolve) => {
    const dlg = h('dialog', { class: 'dlg' });
    const finish = (v) => { dlg.close(); dlg.remove(); resolve(v); };
    const foot = h('div', { class: 'dlg-foot' }, buttons.map((b) => h('button', {
      class: b.class || '', type: 'button', 'data-action': b.value,
      onclick: async () => { if (!b.check || (await b.check())) finish(b.value); },
    }, b.label)));
    dlg.append(h('div', { class: 'dlg-head' }, title), h('div', { class: 'dlg-body' }, body), foot);
    dlg.addEventListener('cancel', (e) => { e.preventDefault(); finish(null); });
    document.body.append(dlg);
    dlg.showModal();
    const first = dlg.querySelector('input, select, textarea');
    (first || foot.lastElementChild).focus();
  });
}

// confirm asks a yes/no question in the page.
export async function confirm(title, message, okLabel = 'Confirm', danger = false) {
  const v = await dialog(title, typeof message === 'string' ? h('p', {}, message) : message, [
    { label: 'Cancel', value: 'cancel' },
    { label: okLabel, value: 'ok', class: danger ? 'primary danger' : 'primary' },
  ]);
  return v === 'ok';
}

export function toast(message, fail = false) {
  const t = h('div', { class: fail ? 'toast fail' : 'toast' }, message);
  document.getElementById('toasts').append(t);
  setTimeout(() => t.remove(), fail ? 8000 : 4000);
}

// guard runs an action and reports its error as a toast, so a failed click
// never fails silently.
export async function guard(fn) {
  try {
    return await fn();
  } catch (e) {
    toast(String(e), true);
    return undefined;
  }
}

export function fmtTime(t) {
  if (!t) return '—';
  const d = typeof t === 'number' ? new Date(t) : new Date(t);
  return isNaN(d) ? '—' : d.toLocaleString();
}

export function fmtAge(ms) {
  if (ms < 0) ms = 0;
  if (ms < 1000) return `${ms} ms`;
  const s = Math.round(ms / 1000);
  if (s < 60) return `${s} s`;
  if (s < 3600) return `${Math.floor(s / 60)} min ${s % 60} s`;
  if (s < 86400) return `${Math.floor(s / 3600)} h ${Math.floor((s % 3600) / 60)} min`;
  return `${Math.floor(s / 86400)} d`;
}

export function fmtValue(v) {
  if (v === null || v === undefined) return '—';
  if (typeof v === 'number' && !Number.isInteger(v)) return String(Math.round(v * 1e6) / 1e6);
  return String(v);
}

export function fmtBytes(n) {
  if (!n) return '0 B';
  const u = ['B', 'KiB', 'MiB', 'GiB'];
  let i = 0;
  while (n >= 1024 && i < u.length - 1) { n /= 1024; i++; }
  return `${n.toFixed(i ? 1 : 0)} ${u[i]}`;
}

// saveBlob offers a Blob as a file download.
export function saveBlob(blob, name) {
  const url = URL.createObjectURL(blob);
  const a = h('a', { href: url, download: name });
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10000);
}

// copyText copies to the clipboard; plain-HTTP consoles have no Clipboard
// API, so it falls back to a selected textarea.
export async function copyText(text) {
  try {
    await navigator.clipboard.writeText(text);
  } catch {
    const ta = h('textarea', { style: { position: 'fixed', opacity: '0' } }, text);
    document.body.append(ta);
    ta.select();
    document.execCommand('copy');
    ta.remove();
  }
  toast('Copied to the clipboard');
}

// field wraps an input with its label, help text and an error slot.
export function field(label, input, help) {
  return h('label', { class: 'field' }, h('span', { class: 'name' }, label), input,
    help ? h('span', { class: 'help' }, help) : null, h('span', { class: 'err' }));
}

export function setFieldError(input, msg) {
  input.classList.toggle('invalid', !!msg);
  const err = input.closest('label.field')?.querySelector('.err');
  if (err) err.textContent = msg || '';
}
