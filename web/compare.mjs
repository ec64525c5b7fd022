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

function save(list, push = true) {
  const p = new URLSearchParams();
  for (const s of list) p.append('s', `${s.model},${s.hardware},${s.quant ?? ''}`);
  history[push ? 'pushState' : 'replaceState'](null, '', `${location.pathname}?${p}`);
}

const ROWS = [
  ['Fit', (r) => h('span', { class: `badge small ${fitClass(r.fit)}` }, r.fit_label)],
  ['Grade', (r) => h('span', {}, h('span', { class: `grade ${gradeClass(r.grade)}` }, r.grade), ` ${r.score}`)],
  ['Quantization', (r) => `${r.quant.name}${r.best_quant === r.quant.id ? ' (best)' : ''}`],
  ['Decode', (r) => (!r.runs ? '—' : `${fmt(r.decode_tps, 1)} tok/s`)],
  ['Time to first token', (r) => (!r.runs ? '—' : `${fmt(r.ttft_s, 2)} s`)],
  ['Memory used / usable', (r) => `${gib(r.memory_gib.total)} / ${gib(r.memory_gib.usable)}`],
  ['Offload', (r) => (!r.runs ? '—' : !(r.offload.percent > 0) ? 'none' : `${fmt(r.offload.percent, 0)}%`)],
  ['Safe context', (r) => (r.safe_context ? tokens(r.safe_context) : '—')],
];

function render(list) {
  clear(main);
  main.append(h('h1', {}, 'Compare setups'), h('p', { class: 'lede' }, 'Two to four model × device × quantization setups side by side.'));
  const grid = h('div', { class: 'compare', id: 'compare' });
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
    try {
      const { result: r, problems } = withRepairs(rw.estimate, { model: s.model, hardware: s.hardware, quant: s.quant },
        { model: s.model, hardware: s.hardware });  // only the quantization can fall back (to the best one)
      body = h('div', {}, problems.length ? h('p', { class: 'message', role: 'alert' }, `The link had ${problems.join('; ')}: dropped.`) : null,
        h('table', {}, h('tbody', {}, ...ROWS.map(([label, cell]) => h('tr', {}, h('th', { scope: 'row' }, label), h('td', {}, cell(r)))))));
    } catch (err) {
      body = h('p', { class: 'message', role: 'alert' }, `${err.message}.`);
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
