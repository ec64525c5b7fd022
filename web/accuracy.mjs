// Renders docs/accuracy.json (written by scripts/accuracy) as the "How accurate is this?" page.
import { h, clear, fmt, navBar } from './ui.mjs';

const LABELS = { decode: 'Decode speed', prefill: 'Prompt processing', gguf_size: 'GGUF file size', memory_at_load: 'Memory at load' };

function statsRow(name, s) {
  return h('tr', {}, h('th', { scope: 'row' }, String(name)), h('td', {}, String(s.n)), h('td', {}, `${fmt(s.median_ape, 1)}%`),
    h('td', {}, `${fmt(s.within25, 1)}%`), h('td', {}, `${s.bias > 0 ? '+' : ''}${fmt(s.bias, 1)}%`));
}

function table(head, rows) {
  return h('div', { class: 'table-wrap' }, h('table', {},
    h('thead', {}, h('tr', {}, ...head.map((t) => h('th', { scope: 'col' }, t)))), h('tbody', {}, ...rows)));
}

async function main() {
  navBar('accuracy.html');
  const root = document.getElementById('report');
  let report;
  try {
    const res = await fetch('docs/accuracy.json');
    if (!res.ok) throw new Error(`HTTP ${res.status}`);
    report = await res.json();
  } catch (err) {
    clear(root);
    const box = document.getElementById('message');
    box.hidden = false;
    box.textContent = `The accuracy report could not be loaded (${err.message}).`;
    return;
  }
  clear(root);
  const summary = table(['Quantity', 'Rows', 'Median error', 'Within ±25%', 'Target', 'Met'],
    Object.entries(report.quantities).map(([q, info]) => {
      const t = report.targets[q];
      const target = `≤ ${t.median_ape_max}%${t.within25_min ? `, ≥ ${t.within25_min}% within ±25%` : ''}`;
      return h('tr', { 'data-quantity': q }, h('th', { scope: 'row' }, LABELS[q] ?? q), h('td', {}, String(info.summary.n)),
        h('td', {}, `${fmt(info.summary.median_ape, 1)}%`), h('td', {}, `${fmt(info.summary.within25, 1)}%`), h('td', {}, target),
        h('td', {}, h('span', { class: `badge small ${info.ok ? 'fit-runs-well' : 'fit-wont-run'}` }, info.ok ? 'yes' : 'no')));
    }));
  root.append(h('section', { class: 'card', id: 'summary' }, h('h2', {}, 'Error against measurements'), summary,
    h('p', { class: 'note' }, `${report.rows_used} rows compared. Error = |predicted − measured| / measured. Bias = median of log(predicted / measured).`)));
  root.append(h('div', { class: 'grid2' },
    ...['decode', 'prefill'].map((q) => h('section', { class: 'card' }, h('h2', {}, `${LABELS[q]}: predicted vs measured`),
      h('img', { src: `docs/accuracy-${q}.svg`, alt: `Log-log scatter of predicted against measured ${LABELS[q].toLowerCase()}`, class: 'chart' })))));
  for (const [q, info] of Object.entries(report.quantities)) {
    const groups = [];
    for (const byKey of Object.values(info.breakdown)) for (const [name, s] of Object.entries(byKey)) groups.push(statsRow(name, s));
    root.append(h('section', { class: 'card' }, h('h2', {}, LABELS[q] ?? q),
      table(['Group', 'Rows', 'Median error', 'Within ±25%', 'Bias'], groups),
      h('h3', {}, 'Worst rows'),
      table(['Row', 'Hardware', 'Model', 'Quant', 'Measured', 'Predicted', 'Error'], info.worst.map((w) => h('tr', {},
        h('td', {}, String(w.id)), h('td', {}, w.hardware), h('td', {}, w.model), h('td', {}, w.quant),
        h('td', {}, String(w.measured)), h('td', {}, String(w.predicted)), h('td', {}, `${fmt(w.error_pct, 0)}%`))))));
  }
  root.append(h('section', { class: 'card', id: 'excluded' }, h('h2', {}, 'Rows not used, and why'),
    table(['Rows', 'Reason'], Object.entries(report.excluded).map(([why, n]) => h('tr', {}, h('td', {}, String(n)), h('td', {}, why))))));
  document.body.dataset.ready = 'true';
}

main();
