// "What runs on my device": the whole catalog ranked by the module for one device
// (a catalog id or a custom device from the URL), with filters and sorting in the URL.
import { h, headerRow, clear, fmt, tokens, gradeClass, fitClass, startPage, searchablePicker, specParam, withRepairs, defaultsOf, myDevice, rememberDevice } from './ui.mjs';

// This page's own filters; the setup fields start from the core's defaults (set at start-up).
const PAGE_FILTERS = { sort: 'grade', moe: 'any', max_b: '', min_ctx: '', license: '' };
let FILTERS;
const $ = (id) => document.getElementById(id);
let rw, catalog, picker;
let rebuilding = false;  // removing a focused, edited input fires "change": not a user edit

function state() {
  const p = new URLSearchParams(location.search);
  const s = { ...FILTERS };
  const mine = p.has('hardware') || p.has('hardware_spec') ? null : myDevice(catalog);  // a link without a device: yours
  if (mine) s.hardware = mine;
  for (const k of Object.keys(FILTERS)) if (p.has(k)) s[k] = p.get(k).slice(0, 120);
  s.hardware_spec = p.get('hardware_spec');
  return s;
}

function save(s, push) {
  const p = new URLSearchParams();
  for (const [k, v] of Object.entries(s)) if (v !== null && v !== undefined && v !== '' && v !== FILTERS[k]) p.set(k, v);
  const url = `${location.pathname}${p.toString() ? `?${p}` : ''}`;
  if (url !== `${location.pathname}${location.search}`) history[push ? 'pushState' : 'replaceState'](null, '', url);
}

function select(id, label, options, value) {
  return h('label', {}, label, h('select', { id, name: id }, ...options.map(([v, t]) => h('option', { value: v, selected: v === value }, t))));
}

function buildControls(s) {
  picker = searchablePicker('hardware', catalog.hardware, { id: 'hardware', placeholder: 'Type to search GPUs, Macs, CPUs' }, (q) => rw.search('hardware', q));
  picker.input.value = s.hardware_spec ? 'Custom device' : picker.labelOf(s.hardware);
  const form = $('controls');
  rebuilding = true;
  clear(form);
  rebuilding = false;
  form.append(
    h('label', { class: 'wide' }, 'Device', picker.input, picker.list),
    h('label', {}, 'GPUs', h('input', { id: 'gpus', name: 'gpus', type: 'number', min: 1, max: 64, value: s.gpus })),
    select('mode', 'Operating mode', catalog.modes.map((m) => [m.id, m.name]), s.mode),
    select('workload', 'Workload', catalog.workloads.map((w) => [w.id, w.name]), s.workload),
    select('sort', 'Sort by', [['grade', 'Grade, then size'], ['decode', 'Decode speed'], ['params', 'Parameters'], ['context', 'Context']], s.sort),
    select('moe', 'Architecture', [['any', 'Dense and MoE'], ['moe', 'MoE only'], ['dense', 'Dense only']], s.moe),
    select('max_b', 'Size', [['', 'Any size'], ['4', '≤ 4B'], ['10', '≤ 10B'], ['35', '≤ 35B'], ['80', '≤ 80B'], ['150', '≤ 150B']], s.max_b),
    select('min_ctx', 'Context at least', [['', 'Any'], ['8192', '8K'], ['32768', '32K'], ['131072', '128K']], s.min_ctx),
    h('label', {}, 'License contains', h('input', { id: 'license', name: 'license', type: 'search', value: s.license, placeholder: 'e.g. Apache, MIT' })));
}

function readControls(s) {
  const id = picker.idOf($('hardware').value);
  const next = { ...s };
  if (id) {
    if (id !== next.hardware) rememberDevice(id);
    next.hardware = id;
    next.hardware_spec = null;
  }
  for (const k of ['gpus', 'mode', 'workload', 'sort', 'moe', 'max_b', 'min_ctx', 'license']) next[k] = $(k).value;
  return next;
}

function deviceQuery(s) {
  return s.hardware_spec ? specParam(new URLSearchParams({ hardware_spec: s.hardware_spec }), 'hardware_spec') : s.hardware;
}

// notes: what was wrong with the link, shown above the result.
function render(s, push, notes = []) {
  let ranked, hardware;
  const box = $('message');
  const show = (list) => { box.hidden = !list.length; box.textContent = list.length ? `The link had ${list.join('; ')} — showing the default instead.` : ''; };
  try {
    hardware = deviceQuery(s);
  } catch (err) {
    notes.push(err.message);
    s.hardware_spec = null;
    hardware = s.hardware;
  }
  try {
    const asked = withRepairs(rw.rank, { hardware, gpus: s.gpus, mode: s.mode, workload: s.workload }, FILTERS);
    ranked = asked.result;
    for (const key of ['gpus', 'mode', 'workload']) s[key] = String(asked.query[key] ?? FILTERS[key]);
    show([...notes, ...asked.problems]);
  } catch (err) {
    box.hidden = false;
    box.textContent = `${err.message}.`;
    return;
  }
  save(s, push);
  const d = typeof hardware === 'string' ? catalog.hardware.find((x) => x.id === hardware) : { name: hardware.name ?? 'Custom device', ...hardware };
  $('title').textContent = `What runs on ${d.name}${Number(s.gpus) > 1 ? ` ×${s.gpus}` : ''}?`;
  const specs = $('specs');
  specs.hidden = false;
  clear(specs);
  specs.append(h('h2', {}, d.name), h('p', {}, `${fmt(d.memory_gib, 0)} GiB ${d.memory_type ?? ''} · ${fmt(d.bandwidth_gbs, 0)} GB/s · ${fmt(d.fp16_tflops, 1)} TFLOPS FP16 · ${d.backend}${d.usable_gib ? ` · ${fmt(d.usable_gib, 1)} GiB usable` : ''}${d.release_year ? ` · ${d.release_year}` : ''}`));
  let rows = ranked.models;
  if (s.moe !== 'any') rows = rows.filter((m) => (s.moe === 'moe') === m.moe);
  if (s.max_b) rows = rows.filter((m) => m.params_b <= Number(s.max_b));
  if (s.min_ctx) rows = rows.filter((m) => m.safe_context >= Number(s.min_ctx));
  if (s.license) rows = rows.filter((m) => m.license.toLowerCase().includes(s.license.toLowerCase()));
  const key = { decode: (m) => -m.decode_tps, params: (m) => -m.params_b, context: (m) => -m.safe_context }[s.sort];
  if (key) rows = [...rows].sort((a, b) => key(a) - key(b));
  const calc = (m) => {
    const p = new URLSearchParams({ model: m.id, quant: m.best_quant, mode: s.mode, workload: s.workload });
    if (typeof hardware === 'string') p.set('hardware', hardware); else p.set('hardware_spec', s.hardware_spec);
    if (Number(s.gpus) > 1) p.set('gpus', s.gpus);
    return `./?${p}`;
  };
  const table = $('ranking');
  clear(table);
  table.append(h('h2', {}, `${rows.length} of ${ranked.models.length} models that run`),
    rows.length ? h('div', { class: 'table-wrap' }, h('table', {},
      h('thead', {}, headerRow(['Model', 'Params', 'Grade', 'Fit', 'Best quant', 'Decode', 'TTFT', 'Context', 'License', ''])),
      h('tbody', {}, ...rows.map((m) => h('tr', { 'data-model': m.id },
        h('th', { scope: 'row' }, h('a', { href: `model.html?id=${encodeURIComponent(m.id)}` }, m.name)),
        h('td', {}, `${fmt(m.params_b, m.params_b < 10 ? 1 : 0)}B${m.moe ? ` (${fmt(m.active_params_b, 1)}B active)` : ''}`),
        h('td', {}, h('span', { class: `grade ${gradeClass(m.grade)}` }, m.grade), ` ${m.score}`),
        h('td', {}, h('span', { class: `badge small ${fitClass(m.fit)}` }, m.fit.replace('_', ' '))),
        h('td', {}, m.best_quant),
        h('td', { 'data-decode': m.decode_tps }, `${fmt(m.decode_tps, 1)} tok/s`),
        h('td', {}, `${fmt(m.ttft_s, 2)} s`),
        h('td', {}, m.safe_context ? tokens(m.safe_context) : '—'),
        h('td', { class: 'license' }, m.license.slice(0, 40)),
        h('td', {}, h('a', { href: calc(m) }, 'Open'))))))) : h('p', {}, 'No model matches these filters.'));
  document.body.dataset.ready = 'true';
}

async function main() {
  const started = await startPage('device.html', (text) => { $('message').hidden = false; $('message').textContent = text; });
  if (!started) return;
  ({ rw, catalog } = started);
  const { hardware, gpus, mode, workload } = defaultsOf(catalog);
  FILTERS = { hardware, gpus, mode, workload, ...PAGE_FILTERS };
  let s = state();
  const notes = [];
  if (!s.hardware_spec && !catalog.hardware.some((d) => d.id === s.hardware)) {
    notes.push(`unknown device "${s.hardware.slice(0, 60)}"`);
    s.hardware = FILTERS.hardware;
  }
  render(s, false, notes);
  buildControls(s);
  $('controls').addEventListener('change', () => {
    if (rebuilding) return;
    s = readControls(s);
    render(s, true);
  });
  $('controls').addEventListener('submit', (e) => e.preventDefault());
  window.addEventListener('popstate', () => { s = state(); render(s, false); buildControls(s); });
}

main();
