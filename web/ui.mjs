// Small DOM helpers shared by the pages. Text always goes in as text nodes,
// never as HTML, so catalog or URL content cannot inject markup.

import { RunwellError, loadRunwell } from './runwell.mjs';

const SVG = 'http://www.w3.org/2000/svg';

export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  setAttrs(el, attrs);
  append(el, children);
  return el;
}

function s(tag, attrs = {}, ...children) {
  const el = document.createElementNS(SVG, tag);
  setAttrs(el, attrs);
  append(el, children);
  return el;
}

function setAttrs(el, attrs) {
  for (const [key, value] of Object.entries(attrs)) {
    if (value === null || value === undefined || value === false) continue;
    if (key.startsWith('on') && typeof value === 'function') el.addEventListener(key.slice(2), value);
    else el.setAttribute(key, value === true ? '' : String(value));
  }
}

function append(el, children) {
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    el.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
}

export function clear(el) {
  el.replaceChildren();  // one DOM operation; removing child by child cost ~10 ms per page update
}

// One formatter per number of decimals: toLocaleString with options builds a new one on every call,
// which took ~9 ms of each page update.
const numberFormats = new Map();
export function fmt(value, decimals = 1) {
  if (!Number.isFinite(value)) return '—';
  if (!numberFormats.has(decimals)) {
    numberFormats.set(decimals, new Intl.NumberFormat('en-US', { minimumFractionDigits: decimals, maximumFractionDigits: decimals }));
  }
  return numberFormats.get(decimals).format(value);
}

export const gib = (v) => `${fmt(v, v < 100 ? 1 : 0)} GiB`;

// The core's token_count rule (core/src/text.hpp): whole binary sizes as 8K/1M, counts below
// 10,000 in full, the rest in K rounded down so a figure never reads as more than it is.
export function tokens(t) {
  if (!Number.isFinite(t)) return '—';
  if (t >= 1024 && t % 1048576 === 0) return `${t / 1048576}M`;
  if (t >= 1024 && t % 1024 === 0) return `${t / 1024}K`;
  if (t < 10000) return fmt(t, 0);
  const [unit, suffix] = t >= 1048576 ? [1048576, 'M'] : [1024, 'K'];
  return `${fmt(Math.floor((t / unit) * 10) / 10, 1)}${suffix}`;
}

export const gradeClass = (g) => `grade-${String(g).toLowerCase()}`;
export const fitClass = (f) => `fit-${String(f).replace(/_/g, '-')}`;

// A stacked horizontal bar; parts: [{key, label, value}], scaled to `total`.
export function memoryBar(parts, total) {
  const bar = h('div', { class: 'membar', role: 'img',
    'aria-label': parts.map((p) => `${p.label} ${fmt(p.value, 1)} GiB`).join(', ') });
  for (const p of parts) {
    const pct = total > 0 ? Math.max(0, (100 * p.value) / total) : 0;
    if (pct < 0.05) continue;
    const seg = h('span', { class: `seg-${p.key}`, title: `${p.label}: ${fmt(p.value, 2)} GiB` });
    seg.style.width = `${pct.toFixed(2)}%`;  // CSSOM, not a style attribute: allowed by the CSP
    bar.append(seg);
  }
  return bar;
}

// A line chart over a log2 x axis (context) with one y axis per series; series: [{key, label, unit, cls}].
// A chart of series against a doubling x (context tokens, users), on a log axis.
export function lineChart(points, series, { width = 520, height = 220, x = 'context', xText = tokens } = {}) {
  const pad = { l: 70, r: 70, t: 12, b: 34 };  // room for the value and its unit
  const xs = points.map((p) => Math.log2(p[x]));
  const x0 = Math.min(...xs), x1 = Math.max(...xs);
  const X = (v) => pad.l + ((Math.log2(v) - x0) / Math.max(x1 - x0, 1e-9)) * (width - pad.l - pad.r);
  const svg = s('svg', { viewBox: `0 0 ${width} ${height}`, class: 'chart', role: 'img',
    'aria-label': series.map((se) => `${se.label}: ${points.map((p) => `${p[x]} → ${p[se.key]}`).join(', ')}`).join('; ') });
  svg.append(s('line', { x1: pad.l, y1: height - pad.b, x2: width - pad.r, y2: height - pad.b, class: 'axis' }));
  for (const p of points) {
    svg.append(s('text', { x: X(p[x]), y: height - pad.b + 16, class: 'tick', 'text-anchor': 'middle' }, xText(p[x])));
  }
  series.forEach((se, i) => {
    const max = Math.max(...points.map((p) => p[se.key]), 1e-9);
    const Y = (v) => height - pad.b - (v / max) * (height - pad.t - pad.b);
    const d = points.map((p, j) => `${j ? 'L' : 'M'}${X(p[x]).toFixed(1)},${Y(p[se.key]).toFixed(1)}`).join('');
    svg.append(s('path', { d, class: `line ${se.cls}` }));
    for (const p of points) svg.append(s('circle', { cx: X(p[x]), cy: Y(p[se.key]), r: 2.5, class: se.cls }, s('title', {}, `${xText(p[x])}: ${p[se.key]}`)));
    const axisX = i === 0 ? pad.l - 6 : width - pad.r + 6;
    svg.append(s('text', { x: axisX, y: pad.t + 8, class: `tick ${se.cls}`, 'text-anchor': i === 0 ? 'end' : 'start' }, `${fmt(max, max < 10 ? 1 : 0)} ${se.unit}`));
    svg.append(s('text', { x: axisX, y: height - pad.b, class: `tick ${se.cls}`, 'text-anchor': i === 0 ? 'end' : 'start' }, '0'));
  });
  const legend = h('p', { class: 'chart-legend' }, ...series.map((se) => h('span', { class: `key ${se.cls}` }, se.label)));
  return h('figure', { class: 'chart-box' }, svg, legend);
}

// A table's column headers; a column without a visible title (row links, row labels) still gets a
// name for screen readers.
export function headerRow(titles, unnamed = 'Open') {
  return h('tr', {}, ...titles.map((t) => h('th', { scope: 'col' }, t === '' ? h('span', { class: 'sr-only' }, unnamed) : t)));
}

export function copyButton(text) {
  const button = h('button', { type: 'button', class: 'copy', 'aria-label': 'Copy command' }, 'Copy');
  button.addEventListener('click', async () => {
    try {
      await navigator.clipboard.writeText(text);
      button.textContent = 'Copied';
    } catch {
      button.textContent = 'Select and copy';
    }
    setTimeout(() => { button.textContent = 'Copy'; }, 1500);
  });
  return button;
}

// The site's navigation, one definition for every page.
const PAGES = [
  ['./', 'Calculator'],
  ['device.html', 'What runs on my device'],
  ['models.html', 'Models'],
  ['compare.html', 'Compare'],
  ['custom.html', 'Bring your own'],
  ['accuracy.html', 'How accurate is this?'],
];

export function navBar(current) {
  const header = document.querySelector('header.top');
  if (!header) return;
  clear(header);
  // Keyboard users skip the navigation: the first Tab offers a jump to the page's content.
  const main = document.querySelector('main');
  if (main?.id) {
    main.tabIndex = -1;
    header.append(h('a', { class: 'skip', href: `#${main.id}` }, 'Skip to the content'));
  }
  header.append(h('a', { class: 'brand', href: './' }, 'runwell'),
    h('nav', { 'aria-label': 'Sections' }, ...PAGES.map(([href, label]) =>
      h('a', { href, 'aria-current': href === current ? 'page' : null }, label))));
}

// Each table cell gets its column's header as data-label, which the phone layout shows
// beside the value (style.css), and each table a caption; watches the page so tables drawn
// later get them too.
function labelTable(table) {
  // A caption for screen readers: the title of the section the table is in.
  const title = table.closest('section')?.querySelector('h2')?.textContent;
  if (!table.caption && title) table.prepend(h('caption', { class: 'sr-only' }, title));
  const heads = [...table.querySelectorAll('thead th')].map((th) => th.textContent.trim());
  if (!heads.length) return;
  for (const row of table.querySelectorAll('tbody tr')) {
    [...row.children].forEach((cell, i) => { if (heads[i] && cell.tagName === 'TD' && !cell.dataset.label) cell.dataset.label = heads[i]; });
  }
}

// Only the tables a change added or added rows to: text streaming into the page (the speed
// demo writes a word at a time) touches none.
function tablesTouchedBy(mutations) {
  const tables = new Set();
  for (const m of mutations) {
    for (const node of m.addedNodes) {
      if (node.nodeType !== Node.ELEMENT_NODE) continue;
      const around = node.closest('table');
      if (around) tables.add(around);
      for (const t of node.querySelectorAll('table')) tables.add(t);
    }
  }
  return tables;
}

export function watchTables() {
  for (const table of document.querySelectorAll('table')) labelTable(table);
  new MutationObserver((mutations) => { for (const table of tablesTouchedBy(mutations)) labelTable(table); })
    .observe(document.body, { childList: true, subtree: true });
}

// The user's own device, remembered in this browser only (localStorage), used where a link
// names none; storage may be unavailable (private mode, sandboxed frames): then nothing is kept.
const MY_DEVICE = 'runwell.my-device';
export function myDevice(catalog) {
  try {
    const id = localStorage.getItem(MY_DEVICE);
    return catalog.hardware.some((d) => d.id === id) ? id : null;
  } catch { return null; }
}
export function rememberDevice(id) { try { localStorage.setItem(MY_DEVICE, id); } catch { /* not kept */ } }
export function forgetDevice() { try { localStorage.removeItem(MY_DEVICE); } catch { /* nothing kept */ } }

// A personal calibration of one device (or list of cards): the core's {decode, prefill} ratios of the
// user's own llama-bench, kept in this browser only. Anything unexpected in storage is ignored.
const CALIBRATION = 'runwell.calibration.';
export function myCalibration(hardware) {
  try {
    const kept = JSON.parse(localStorage.getItem(CALIBRATION + hardware) ?? 'null');
    if (!kept || typeof kept !== 'object') return null;
    const out = {};
    for (const key of ['decode', 'prefill']) if (Number.isFinite(kept[key])) out[key] = kept[key];
    return Object.keys(out).length ? out : null;
  } catch { return null; }
}
export function keepCalibration(hardware, ratios) { try { localStorage.setItem(CALIBRATION + hardware, JSON.stringify(ratios)); } catch { /* not kept */ } }
export function forgetCalibration(hardware) { try { localStorage.removeItem(CALIBRATION + hardware); } catch { /* nothing kept */ } }

// Every page starts the same way: its navigation, then the estimator and its catalog.
// Returns {rw, catalog}, or null after handing the reason to showError.
export async function startPage(current, showError) {
  navBar(current);
  watchTables();
  try {
    const rw = await loadRunwell('./');
    return { rw, catalog: rw.catalog() };
  } catch (err) {
    showError(`The estimator could not start: ${err.message}`);
    return null;
  }
}

// Parses a JSON spec from a URL parameter; null when absent, a RunwellError naming the key when bad.
export function specParam(params, key, limit = 4096) {
  const text = params.get(key);
  if (text === null || text === '') return null;
  const bad = (why) => new RunwellError('bad_spec', `${key} ${why}`, key);
  if (text.length > limit) throw bad(`is longer than ${limit} characters`);
  let value;
  try { value = JSON.parse(text); } catch { throw bad('is not valid JSON'); }
  if (!value || typeof value !== 'object' || Array.isArray(value)) throw bad('must be a JSON object');
  return value;
}

// The catalog's defaults as URL-parameter strings (the core answers numbers as numbers).
export function defaultsOf(catalog) {
  return Object.fromEntries(Object.entries(catalog.meta.defaults).map(([key, value]) => [key, String(value)]));
}

export function pickerLabel(kind, entry) {
  if (kind === 'model') return `${entry.name} (${fmt(entry.params_b, entry.params_b < 10 ? 1 : 0)}B${entry.moe ? `, ${fmt(entry.active_params_b, 1)}B active` : ''})`;
  return `${entry.name} — ${fmt(entry.memory_gib, 0)} GiB, ${fmt(entry.bandwidth_gbs, 0)} GB/s`;
}

// Fills a <datalist> with catalog entries and maps between labels and ids: a label,
// an id or an exact name picks an entry; anything else picks the core's best search match
// (search: text -> [{id, name}], best first), so "qwen3 30b" or "4090" and Enter just work.
export function pickerIndex(kind, entries, list, search) {
  const byLabel = new Map();
  for (const e of entries) {
    const label = pickerLabel(kind, e);
    byLabel.set(label, e.id);
    list.append(h('option', { value: label }));
  }
  const idOf = (text) => {
    const t = text.trim();
    if (byLabel.has(t)) return byLabel.get(t);
    for (const [label, value] of byLabel) if (value === t || label.split(' (')[0].split(' — ')[0] === t) return value;
    return search?.(t)[0]?.id ?? null;
  };
  const labelOf = (value) => { for (const [label, v] of byLabel) if (v === value) return label; return value ?? ''; };
  return { idOf, labelOf };
}

// A searchable picker: <input list> over the catalog; returns {input, list, idOf, labelOf}.
export function searchablePicker(kind, entries, { id, placeholder }, search) {
  const list = h('datalist', { id: `${id}-list` });
  const input = h('input', { id, name: id, type: 'search', list: `${id}-list`, placeholder, autocomplete: 'off' });
  return { input, list, ...pickerIndex(kind, entries, list, search) };
}

// Asks the core; when it rejects a field of the query (its error names the path),
// that field goes back to the page's default (or is dropped) and the core is asked
// again, so a bad link still renders, with a note. The core stays the validator.
// fieldOf maps the core's field name to the query's (e.g. "quant" -> "quant_spec").
export function withRepairs(ask, query, defaults = {}, fieldOf = (field) => field) {
  let q = { ...query };
  const problems = [];
  for (let tries = 0; tries <= Object.keys(query).length; tries += 1) {
    try {
      return { result: ask(q), query: q, problems };
    } catch (err) {
      const key = fieldOf(String(err?.path ?? '').split(/[.[]/)[0], q);
      if (!(err instanceof RunwellError) || !(key in q) || q[key] === defaults[key]) throw err;
      problems.push(`${key}: ${err.message}`);
      q = { ...q };
      if (defaults[key] === undefined) delete q[key]; else q[key] = defaults[key];
    }
  }
  throw new RunwellError('unrepairable', 'the link could not be repaired');
}
