// Renders docs/accuracy.json (written by scripts/accuracy) as the "How accurate is this?" page.
import { h, headerRow, clear, fmt, navBar, watchTables } from './ui.mjs';

const LABELS = { decode: 'Decode', prefill: 'Prompt' };
const GROUPS = { backend: 'Runtime backend', arch: 'Architecture class', family: 'Device family', kind: 'Kind of source' };

const pct = (v) => (Number.isFinite(v) ? `${fmt(v, 1)}%` : '—');
const stat = (s) => (s?.n ? `${pct(s.median)} (${fmt(s.within25, 0)}% within ±25%)` : '—');

// The caption names the table for screen readers; the section heading above says it visually.
function table(caption, head, rows) {
  return h('div', { class: 'table-wrap', tabindex: '0', role: 'region', 'aria-label': caption }, h('table', {},
    h('caption', { class: 'sr-only' }, caption),
    h('thead', {}, headerRow(head, 'Measurements')), h('tbody', {}, ...rows)));
}

function summary(report) {
  const rows = [];
  for (const [q, info] of Object.entries(report.quantities)) {
    for (const [label, key] of [['in sample', 'in_sample'], ['held-out sources', 'out_of_sample'], ['held-out device families', 'out_of_sample_by_family']]) {
      const s = info[key];
      rows.push(h('tr', { 'data-quantity': q, 'data-kind': key }, h('th', { scope: 'row' }, `${LABELS[q]}, ${label}`), h('td', {}, String(s.n)),
        h('td', {}, pct(s.median)), h('td', {}, pct(s.within25)), h('td', {}, `±${s.p80}%`), h('td', {}, `${s.bias > 0 ? '+' : ''}${fmt(s.bias, 1)}%`)));
    }
  }
  return table('Error against measurements', ['', 'Rows', 'Median', '±25%', 'p80', 'Bias'], rows);
}

async function main() {
  navBar('accuracy.html');
  watchTables();
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
  root.append(h('section', { class: 'card', id: 'summary' }, h('h2', {}, 'Error against measurements'), summary(report),
    h('p', { class: 'note' }, `${report.rows} measurements of llama.cpp and mlx-lm builds from ${report.build_range}. `
      + 'Median: median |error|; ±25%: share of rows within ±25%; p80: 80th percentile of |error|. Held out: each row is '
      + 'predicted by constants fitted without its whole source (or its whole device family).'),
    report.missed.length ? h('div', { class: 'message', id: 'missed' }, h('strong', {}, 'Targets not met yet: '), report.missed.join('; '), '.') : null));
  root.append(h('div', { class: 'grid2' },
    ...Object.keys(report.quantities).map((q) => h('section', { class: 'card' }, h('h2', {}, `${LABELS[q]}: predicted vs measured (out of sample)`),
      h('img', { src: `docs/accuracy-${q}.svg`, alt: `Log-log scatter of out-of-sample predictions against measured ${LABELS[q].toLowerCase()}; the numbers are in the tables below`, class: 'chart' })))));
  for (const [q, info] of Object.entries(report.quantities)) {
    const rows = [];
    for (const [key, label] of Object.entries(GROUPS)) {
      for (const [name, g] of Object.entries(info.groups[key])) {
        rows.push(h('tr', {}, h('th', { scope: 'row' }, `${label}: ${name}`), h('td', {}, String(g.out_of_sample.n)),
          h('td', {}, stat(g.in_sample)), h('td', {}, stat(g.out_of_sample)), h('td', {}, stat(g.out_of_sample_by_family))));
      }
    }
    root.append(h('section', { class: 'card', 'data-quantity': q }, h('h2', {}, LABELS[q]),
      table(`${LABELS[q]} by group`, ['Group', 'Rows', 'In sample', 'Out of sample (source)', 'Out of sample (family)'], rows),
      h('h3', {}, 'Worst rows (out of sample)'),
      table(`${LABELS[q]}: worst rows`, ['Error', 'Device', 'Model', 'Quant', 'Backend', 'Measured', 'Predicted', 'Source'], info.worst.map((w) => h('tr', {},
        h('td', {}, `${fmt(w.error_pct, 0)}%`), h('td', {}, w.device), h('td', {}, w.model), h('td', {}, w.quant), h('td', {}, w.backend),
        h('td', {}, String(w.measured)), h('td', {}, String(w.predicted)),
        h('td', {}, h('a', { href: w.url, rel: 'noopener noreferrer' }, w.source)))))));
  }
  root.append(h('section', { class: 'card', id: 'bands' }, h('h2', {}, 'Error bands shown with results'),
    h('p', {}, 'Each result shows the 80th percentile of the out-of-sample error of its class (architecture × backend). A class with fewer than 8 rows or 3 sources shows the wider of its own and its parent classes\' bands.'),
    table('Error bands', ['Quantity', 'Architecture', 'Backend', 'Band', 'Rows', 'Sources'], report.bands.map((b) => h('tr', {},
      h('td', {}, b.quantity), h('td', {}, b.arch), h('td', {}, b.backend), h('td', {}, `±${b.pct}%`), h('td', {}, String(b.rows)), h('td', {}, String(b.sources)))))));
  // Serving many users: the batched engines' figures (fitted, out of sample by source) and llama.cpp's slots (never fitted).
  const serving = report.serving;
  if (serving) {
    const names = { serving_total_tps: 'Total throughput', serving_user_tps: 'Speed each user sees', serving_ttft: 'Time to first token under load' };
    const rows = Object.entries(serving.quantities).filter(([, e]) => e.out_of_sample.n).map(([q, e]) => h('tr', { 'data-quantity': q },
      h('th', { scope: 'row' }, names[q] ?? q), h('td', {}, String(e.out_of_sample.n)), h('td', {}, stat(e.in_sample)), h('td', {}, stat(e.out_of_sample)),
      h('td', {}, `±${e.out_of_sample.p80}%`)));
    // One table per grouping (source, engine, vendor): each group's rows, predicted without their source.
    const grouped = (key) => {
      const out = [];
      for (const [q, e] of Object.entries(serving.quantities)) {
        for (const [name, g] of Object.entries(e.groups[key] ?? {})) {
          out.push(h('tr', {}, h('th', { scope: 'row' }, `${names[q] ?? q}: ${name}`), h('td', {}, String(g.out_of_sample.n)), h('td', {}, stat(g.out_of_sample))));
        }
      }
      return out;
    };
    root.append(h('section', { class: 'card', id: 'serving' }, h('h2', {}, 'Serving many users'),
      h('p', {}, `The serving model (continuous batching: vLLM and TensorRT-LLM with the prompts in the decode steps, SGLang with prefill passes of their own) against ${serving.rows} published batched-serving measurements; each source predicted by constants fitted without it.`),
      table('Serving error', ['Quantity', 'Rows', 'In sample', 'Out of sample (source)', 'p80'], rows),
      h('h3', {}, 'By source (out of sample)'),
      table('Serving error by source', ['Quantity and source', 'Rows', 'Out of sample'], grouped('source')),
      h('h3', {}, 'By engine (out of sample)'),
      table('Serving error by engine', ['Quantity and engine', 'Rows', 'Out of sample'], grouped('engine')),
      h('h3', {}, 'By GPU vendor (out of sample)'),
      table('Serving error by GPU vendor', ['Quantity and vendor', 'Rows', 'Out of sample'], grouped('vendor')),
      serving.slots?.n ? h('p', { class: 'note' }, `llama.cpp's parallel slots reuse the single-stream model, never fitted on batched rows: against ${serving.slots.n} llama-batched-bench rows (DGX Spark), ${stat(serving.slots)}, bias ${serving.slots.bias > 0 ? '+' : ''}${fmt(serving.slots.bias, 1)}%.`) : null));
  }
  root.append(h('section', { class: 'card', id: 'llamafile' }, h('h2', {}, 'A different runtime as a check: llamafile (LocalScore)'),
    h('p', {}, `LocalScore's public results measure llamafile, not the llama.cpp builds runwell predicts, so they are not fitted. Decode: ${stat(report.llamafile.decode)} over ${report.llamafile.decode.n} results; runwell's estimates run ${report.llamafile.decode.bias > 0 ? 'above' : 'below'} them by a median ${fmt(Math.abs(report.llamafile.decode.bias), 0)}%.`)));
  root.append(h('section', { class: 'card', id: 'excluded' }, h('h2', {}, 'Rows not used, and why'),
    table('Rows not used', ['Rows', 'Reason'], Object.entries(report.excluded).map(([why, n]) => h('tr', {}, h('td', {}, String(n)), h('td', {}, why))))));
  document.body.dataset.ready = 'true';
}

main();
