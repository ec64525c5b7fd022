// The model index: every catalog model, searchable as people type (the core's search) and
// filterable, each linking to its page (which devices run it) and to the calculator.
import { h, headerRow, clear, fmt, tokens, startPage } from './ui.mjs';

const main = document.getElementById('page');

function table(rows) {
  if (!rows.length) return h('p', { 'data-testid': 'no-match' }, 'No model matches. Try fewer words, e.g. "qwen3" or "70b".');
  return h('div', { class: 'table-wrap' }, h('table', {},
    h('caption', { class: 'sr-only' }, 'Catalog models'),
    h('thead', {}, headerRow(['Model', 'Parameters', 'Context', 'License', 'Released', ''])),
    h('tbody', {}, ...rows.map((m) => h('tr', { 'data-model': m.id },
      h('th', { scope: 'row' }, h('a', { href: `model.html?id=${encodeURIComponent(m.id)}` }, m.name)),
      h('td', {}, `${fmt(m.params_b, m.params_b < 10 ? 1 : 0)}B${m.moe ? ` (${fmt(m.active_params_b, 1)}B active)` : ''}`),
      h('td', {}, tokens(m.max_context)),
      h('td', {}, m.license.slice(0, 40)),
      h('td', {}, m.release),
      h('td', {}, h('a', { href: `./?model=${encodeURIComponent(m.id)}` }, 'Calculator')))))));
}

async function start() {
  const started = await startPage('models.html', (text) => { clear(main); main.append(h('div', { class: 'message', role: 'alert' }, text)); });
  if (!started) return;
  const { rw, catalog } = started;
  const params = new URLSearchParams(location.search);
  const query = h('input', { id: 'q', type: 'search', value: (params.get('q') ?? '').slice(0, 200), placeholder: 'e.g. qwen3 30b, llama 70b, kimi',
    autocomplete: 'off', 'aria-label': 'Search models' });
  const moe = h('select', { id: 'moe', 'aria-label': 'Architecture' }, ...[['any', 'Dense and MoE'], ['moe', 'MoE only'], ['dense', 'Dense only']]
    .map(([v, t]) => h('option', { value: v, selected: params.get('moe') === v }, t)));
  const count = h('p', { class: 'note', role: 'status', 'aria-live': 'polite' });
  const list = h('div', { id: 'list' });
  const byId = new Map(catalog.models.map((m) => [m.id, m]));
  const show = () => {
    const q = query.value.trim();
    // The core ranks matches (case, spaces and punctuation do not matter); no query lists all, newest first.
    let rows = q ? rw.search('model', q).map((m) => byId.get(m.id)) : [...catalog.models].sort((a, b) => b.release.localeCompare(a.release));
    if (moe.value !== 'any') rows = rows.filter((m) => m.moe === (moe.value === 'moe'));
    count.textContent = `${rows.length} of ${catalog.models.length} models`;
    clear(list);
    list.append(table(rows));
    const p = new URLSearchParams();
    if (q) p.set('q', q);
    if (moe.value !== 'any') p.set('moe', moe.value);
    history.replaceState(null, '', `${location.pathname}${p.toString() ? `?${p}` : ''}`);
  };
  query.addEventListener('input', show);
  moe.addEventListener('change', show);
  clear(main);
  main.append(h('h1', {}, 'Models'), h('p', { class: 'lede' }, 'Every model in the catalog. Open one to see which devices run it, and how well.'),
    h('form', { class: 'controls', role: 'search', onsubmit: (e) => e.preventDefault() }, h('label', { class: 'wide' }, 'Search', query), h('label', {}, 'Architecture', moe)),
    count, list);
  show();
  document.body.dataset.ready = 'true';
}

start();
