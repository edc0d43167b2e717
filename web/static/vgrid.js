// vgrid.js: a virtualised grid. Only the rows in view (plus a margin) exist
// in the DOM, so a plant with 10,000 points scrolls and updates as fast as
// one with 50. Small grids (up to fullMax rows) render every row, so each of
// their points is always in the page.
import { h } from './ui.js';

export class VGrid {
  // columns: [{title, width}] with CSS grid widths; build(i) returns the
  // row element for index i (the grid positions it).
  constructor({ columns, build, rowHeight = 32, fullMax = 1000, overscan = 12 }) {
    this.build = build;
    this.rowHeight = rowHeight;
    this.fullMax = fullMax;
    this.overscan = overscan;
    this.count = 0;
    this.rows = new Map();
    this.template = columns.map((c) => c.width || '1fr').join(' ');
    this.head = h('div', { class: 'head', style: { gridTemplateColumns: this.template } },
      columns.map((c) => h('div', { title: c.title }, c.title)));
    this.spacer = h('div', { class: 'spacer' });
    this.body = h('div', { class: 'body' }, this.spacer);
    this.empty = h('div', { class: 'empty' });
    this.el = h('div', { class: 'vgrid' }, this.head, this.body);
    this.body.addEventListener('scroll', () => this.schedule(), { passive: true });
    this.resize = new ResizeObserver(() => this.schedule());
    this.resize.observe(this.body);
  }

  setEmptyText(text) { this.empty.textContent = text; }

  // setCount changes the number of rows and rebuilds the rows in view.
  setCount(n) {
    this.count = n;
    this.spacer.style.height = `${n * this.rowHeight}px`;
    if (n === 0) this.body.append(this.empty); else this.empty.remove();
    this.rebuild();
  }

  // rebuild discards every rendered row (the data behind them changed).
  rebuild() {
    for (const row of this.rows.values()) row.remove();
    this.rows.clear();
    this.render();
  }

  schedule() {
    if (this.pending) return;
    this.pending = requestAnimationFrame(() => { this.pending = 0; this.render(); });
  }

  range() {
    if (this.count <= this.fullMax) return [0, this.count];
    const top = this.body.scrollTop;
    const height = this.body.clientHeight || 600;
    const start = Math.max(0, Math.floor(top / this.rowHeight) - this.overscan);
    const end = Math.min(this.count, Math.ceil((top + height) / this.rowHeight) + this.overscan);
    return [start, end];
  }

  render() {
    const [start, end] = this.range();
    for (const [i, row] of this.rows) {
      if (i < start || i >= end) { row.remove(); this.rows.delete(i); }
    }
    const frag = document.createDocumentFragment();
    for (let i = start; i < end; i++) {
      if (this.rows.has(i)) continue;
      const row = this.build(i);
      row.classList.add('row');
      row.style.gridTemplateColumns = this.template;
      row.style.top = `${i * this.rowHeight}px`;
      this.rows.set(i, row);
      frag.append(row);
    }
    this.spacer.append(frag);
  }

  // row returns the rendered row of index i, or undefined when out of view.
  row(i) { return this.rows.get(i); }

  scrollTo(i) { this.body.scrollTop = i * this.rowHeight; this.render(); }

  destroy() {
    this.resize.disconnect();
    if (this.pending) cancelAnimationFrame(this.pending);
  }
}
