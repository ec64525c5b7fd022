// Compare two to four setups side by side; each setup is "model,hardware,quant"
// in a repeated ?s= parameter, so a comparison is a link.
import { h, clear, fmt, gib, tokens, gradeClass, fitClass, startPage, searchablePicker, withRepairs } from './ui.mjs';

const main = document.getElementById('page');
let rw, catalog;

function setups() {
  const list = new URLSearchParams(location.search).getAll('s').slice(0, 4).map((s) => s.slice(0, 200));
  if (!list.length) return catalog.meta.compare.map(({ model, hardware }) => ({ model, hardware, quant: '' }));  // the core's starting pair
  return list.map((s) => { const [model = '', hardware = '', quant = ''] = s.split(','); return { model, hardware, quant }; });
}

// The workload and mode every setup is graded for (the core's defaults when the link names none).
function shared() {
  const p = new URLSearchParams(location.search);
  const d = catalog.meta.defaults;
  return { workload: (p.get('workload') ?? d.workload).slice(0, 60), mode: (p.get('mode') ?? d.mode).slice(0, 60) };
}

function save(list, push = true, grading = shared()) {
  const p = new URLSearchParams();
  for (const s of list) p.append('s', `${s.model},${s.hardware},${s.quant ?? ''}`);
  if (grading.workload !== catalog.meta.defaults.workload) p.set('workload', grading.workload);
  if (grading.mode !== catalog.meta.defaults.mode) p.set('mode', grading.mode);
  history[push ? 'pushState' : 'replaceState'](null, '', `${location.pathname}?${p}`);
}

// [label, cell, merit]: merit ranks the setups on that row (higher is better) to name a winner.
const ROWS = [
  ['Fit', (r) => h('span', { class: `badge small ${fitClass(r.fit)}` }, r.fit_label)],
  ['Grade', (r) => h('span', {}, h('span', { class: `grade ${gradeClass(r.grade)}` }, r.grade), ` ${r.score}`), (r) => r.score],
  ['Quantization', (r) => `${r.quant.name}${r.best_quant === r.quant.id ? ' (best)' : ''}`],
  ['Decode', (r) => (!r.runs ? '—' : `${fmt(r.decode_tps, 1)} tok/s`), (r) => (r.runs ? r.decode_tps : null)],
  ['Time to first token', (r) => (!r.runs ? '—' : `${fmt(r.ttft_s, 2)} s`), (r) => (r.runs ? -r.ttft_s : null)],
  ['Memory used / usable', (r) => `${gib(r.memory_gib.total)} / ${gib(r.memory_gib.usable)}`],
  ['Offload', (r) => (!r.runs ? '—' : !(r.offload.percent > 0) ? 'none' : `${fmt(r.offload.percent, 0)}%`)],
  ['Safe context', (r) => (r.safe_context ? tokens(r.safe_context) : '—'), (r) => r.safe_context],
];

// For each row with a merit: the best value across the setups, when they differ.
function winners(results) {
  return ROWS.map(([, , merit]) => {
    if (!merit) return null;
    const values = results.map((r) => (r ? merit(r) : null)).filter((v) => v !== null && Number.isFinite(v));
    if (values.length < 2 || Math.max(...values) === Math.min(...values)) return null;
    return Math.max(...values);
  });
}

function render(list) {
  clear(main);
  const grading = shared();
  const select = (id, label, options, value) => h('label', {}, label, h('select', { id, name: id,
    onchange: (e) => { save(list, true, { ...grading, [id]: e.target.value }); render(list); } },
  ...options.map((o) => h('option', { value: o.id, selected: o.id === value }, o.name))));
  main.append(h('h1', {}, 'Compare setups'), h('p', { class: 'lede' }, 'Two to four model × device × quantization setups side by side.'),
    h('form', { class: 'controls', id: 'controls', onsubmit: (e) => e.preventDefault() },
      select('workload', 'Workload', catalog.workloads, grading.workload), select('mode', 'Operating mode', catalog.modes, grading.mode)));
  const grid = h('div', { class: 'compare', id: 'compare' });
  // Every setup first, so each row can name its winner.
  const answers = list.map((s) => {
    try {
      return withRepairs(rw.estimate, { model: s.model, hardware: s.hardware, quant: s.quant, ...grading },
        { ...catalog.meta.defaults, model: s.model, hardware: s.hardware });  // quant, workload and mode can fall back
    } catch (err) {
      return { error: err };
    }
  });
  const best = winners(answers.map((a) => a.result ?? null));
  list.forEach((s, i) => {
    const mp = searchablePicker('model', catalog.models, { id: `model-${i}`, placeholder: 'Model' }, (q) => rw.search('model', q));
    const hp = searchablePicker('hardware', catalog.hardware, { id: `hardware-${i}`, placeholder: 'Device' }, (q) => rw.search('hardware', q));
    mp.input.value = mp.labelOf(s.model);
    hp.input.value = hp.labelOf(s.hardware);
    const quant = h('select', { id: `quant-${i}`, 'aria-label': 'Quantization' }, h('option', { value: '' }, 'Best for the device'),
      ...catalog.quants.map((q) => h('option', { value: q.id, selected: q.id === s.quant }, q.name)));
    const update = () => {
      const next = { model: mp.idOf(mp.input.value) ?? s.model, hardware: hp.idOf(hp.input.value) ?? s.hardware, quant: quant.value };
      list[i] = next;
      save(list);
      render(list);
    };
    for (const el of [mp.input, hp.input, quant]) el.addEventListener('change', update);
    let body;
    const { result: r, problems, error } = answers[i];
    if (r) {
      body = h('div', {}, problems.length ? h('p', { class: 'message', role: 'alert' }, `The link had ${problems.join('; ')}: dropped.`) : null,
        h('table', {}, h('tbody', {}, ...ROWS.map(([label, cell, merit], row) => {
          const wins = best[row] !== null && merit(r) === best[row];
          return h('tr', { class: wins ? 'winner' : null }, h('th', { scope: 'row' }, label),
            h('td', {}, cell(r), wins ? h('span', { class: 'best', 'data-testid': 'winner' }, 'Best') : null));
        }))));
    } else {
      body = h('p', { class: 'message', role: 'alert' }, `${error.message}.`);
    }
    const remove = h('button', { type: 'button', class: 'link', disabled: list.length <= 2 }, 'Remove');
    remove.addEventListener('click', () => { list.splice(i, 1); save(list); render(list); });
    grid.append(h('section', { class: 'card', 'data-setup': i }, h('h2', {}, `Setup ${i + 1}`),
      h('label', {}, 'Model', mp.input, mp.list), h('label', {}, 'Device', hp.input, hp.list), h('label', {}, 'Quantization', quant),
      body, remove));
  });
  main.append(grid);
  if (list.length < 4) {
    const add = h('button', { type: 'button', class: 'primary', id: 'add' }, 'Add a setup');
    add.addEventListener('click', () => { list.push({ ...list[list.length - 1] }); save(list); render(list); });
    main.append(add);
  }
  document.body.dataset.ready = 'true';
}

async function start() {
  const started = await startPage('compare.html', (text) => { clear(main); main.append(h('div', { class: 'message', role: 'alert' }, text)); });
  if (!started) return;
  ({ rw, catalog } = started);
  const list = setups();
  while (list.length < 2) list.push({ ...list[0] });
  save(list, false);
  render(list);
  window.addEventListener('popstate', () => render(setups()));
}

start();
