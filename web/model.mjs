// A model's page: its architecture as the estimator sees it, and a tier list of
// every catalog device for it (best quant, grade, speed), computed in the module.
import { h, headerRow, clear, fmt, tokens, gib, gradeClass, fitClass, startPage, withRepairs } from './ui.mjs';

const main = document.getElementById('page');

function fail(text) {
  clear(main);
  main.append(h('h1', {}, 'Model'), h('div', { class: 'message', role: 'alert' }, text),
    h('p', {}, h('a', { href: 'models.html' }, 'All models'), ' · ', h('a', { href: 'device.html' }, 'The models that run on a device')));
  document.body.dataset.ready = 'true';
}

async function start() {
  const params = new URLSearchParams(location.search);
  const id = (params.get('id') ?? '').slice(0, 120);
  const started = await startPage('models.html', fail);
  if (!started) return;
  const { rw, catalog } = started;
  const defaults = catalog.meta.defaults;
  let mode = (params.get('mode') ?? defaults.mode).slice(0, 60);
  let workload = (params.get('workload') ?? defaults.workload).slice(0, 60);
  const m = catalog.models.find((x) => x.id === id);
  if (!m) { fail(id ? `No model "${id}" in the catalog.` : 'Which model? Pick one from the models list.'); return; }
  let tiers, problems;
  try {
    const asked = withRepairs(rw.devices, { model: id, mode, workload }, { mode: defaults.mode, workload: defaults.workload });
    ({ result: tiers, problems } = asked);
    ({ mode, workload } = asked.query);
  } catch (err) { fail(`${err.message}.`); return; }
  document.title = `${m.name} — which devices run it? — runwell`;
  const sel = (name, options, value) => h('select', { name, id: name }, ...options.map((o) => h('option', { value: o.id, selected: o.id === value }, o.name)));
  const form = h('form', { class: 'controls', id: 'controls' },
    h('label', {}, 'Workload', sel('workload', catalog.workloads, workload)), h('label', {}, 'Operating mode', sel('mode', catalog.modes, mode)));
  form.addEventListener('change', () => {
    const p = new URLSearchParams({ id, workload: form.workload.value, mode: form.mode.value });
    location.search = p.toString();
  });
  const byGrade = new Map();
  for (const d of tiers.devices) {
    if (!d.runs) continue;
    if (!byGrade.has(d.grade)) byGrade.set(d.grade, []);
    byGrade.get(d.grade).push(d);
  }
  clear(main);
  main.append(
    h('h1', {}, m.name),
    problems.length ? h('div', { class: 'message', role: 'alert', id: 'message' }, `The link had ${problems.join('; ')} — showing the default instead.`) : null,
    h('p', { class: 'lede' }, `${fmt(m.params_b, m.params_b < 10 ? 2 : 1)}B parameters${m.moe ? ` (${fmt(m.active_params_b, 1)}B active per token, mixture of experts)` : ''} · ${m.layers} layers · ${m.attention.toUpperCase()} attention${m.sliding_window ? `, sliding window ${m.sliding_window}` : ''}${m.linear_layers ? `, ${m.linear_layers} linear-attention layers` : ''} · context ${tokens(m.max_context)} · ${m.license}`),
    h('p', {}, h('a', { href: `https://huggingface.co/${m.hf_repo}`, rel: 'noopener noreferrer' }, m.hf_repo), ' · ',
      h('a', { href: `./?model=${encodeURIComponent(id)}` }, 'Open in the calculator')),
    form,
    h('section', { class: 'card', id: 'tiers' }, h('h2', {}, 'Tier list: which devices run it'),
      ...[...byGrade.entries()].map(([grade, devices]) => h('div', { class: 'tier', 'data-grade': grade },
        h('h3', {}, h('span', { class: `grade ${gradeClass(grade)}` }, grade), ` ${devices.length} device${devices.length > 1 ? 's' : ''}`),
        h('div', { class: 'table-wrap' }, h('table', {},
          h('thead', {}, headerRow(['Device', 'Fit', 'Best quant', 'Decode', 'TTFT', 'Memory', ''])),
          h('tbody', {}, ...devices.map((d) => h('tr', { 'data-device': d.id },
            h('th', { scope: 'row' }, h('a', { href: `device.html?hardware=${encodeURIComponent(d.id)}` }, d.name)),
            h('td', {}, h('span', { class: `badge small ${fitClass(d.fit)}` }, d.fit.replace('_', ' '))),
            h('td', {}, d.best_quant),
            h('td', {}, `${fmt(d.decode_tps, 1)} tok/s`),
            h('td', {}, `${fmt(d.ttft_s, 2)} s`),
            h('td', {}, `${gib(d.needed_gib)} / ${gib(d.usable_gib)}`),
            h('td', {}, h('a', { href: `./?model=${encodeURIComponent(id)}&hardware=${encodeURIComponent(d.id)}&quant=${encodeURIComponent(d.best_quant)}` }, 'Open')))))))))),
    h('p', { class: 'note' }, `${catalog.hardware.length - tiers.devices.length} of ${catalog.hardware.length} catalog devices cannot run it at any quantization.`));
  document.body.dataset.ready = 'true';
}

start();
