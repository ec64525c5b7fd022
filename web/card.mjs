// The embeddable fit card (card.html?model=…&hardware=…): verdict, decode, TTFT and
// memory for one setup, linking to the full result. Every parameter is untrusted:
// values reach the page only as text and through the estimator's own validation.
import { loadRunwell } from './runwell.mjs';
import { h, clear, fmt, gib, fitClass } from './ui.mjs';

const params = new URLSearchParams(location.search);
const card = document.getElementById('card');

// Theme and accent are presentation only: an allow-list and a strict colour pattern.
const theme = ['light', 'dark', 'auto'].includes(params.get('theme')) ? params.get('theme') : 'auto';
document.documentElement.classList.add(theme);
const accent = params.get('accent') ?? '';
if (/^#[0-9a-fA-F]{3,8}$/.test(accent)) document.documentElement.style.setProperty('--accent', accent);

// Text in the accent colour (grade, link) must stay readable (WCAG AA 4.5:1) on the card's
// background whatever accent a host picks: otherwise it is drawn in the text colour.
function luminance(color) {
  const [r, g, b] = color.match(/[\d.]+/g).slice(0, 3).map(Number)
    .map((v) => { const s = v / 255; return s <= 0.03928 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4; });
  return 0.2126 * r + 0.7152 * g + 0.0722 * b;
}
function keepInkReadable() {
  const probe = document.createElement('span');
  probe.style.color = 'var(--accent)';
  document.body.append(probe);
  const ink = getComputedStyle(probe).color;
  probe.remove();
  const bg = getComputedStyle(card).backgroundColor;
  const [hi, lo] = [luminance(ink), luminance(bg)].sort((x, y) => y - x);
  document.documentElement.style.setProperty('--ink', (hi + 0.05) / (lo + 0.05) >= 4.5 ? 'var(--accent)' : 'var(--fg)');
}
keepInkReadable();
matchMedia('(prefers-color-scheme: dark)').addEventListener('change', keepInkReadable);

// The setup fields of the link, by the core's list of query keys.
function query(keys) {
  const q = {};
  for (const key of keys) if (params.has(key)) q[key] = params.get(key).slice(0, 120);
  return q;
}

function fullResultUrl(q) {
  const url = new URL('./', location.href);
  for (const [k, v] of Object.entries(q)) url.searchParams.set(k, v);
  return url.href;
}

function show(...children) {
  clear(card);
  card.append(...children);
  document.body.dataset.ready = 'true';
}

async function main() {
  let rw, q = {};
  try {
    rw = await loadRunwell('./');
    q = query(rw.meta().query_keys);
  } catch (err) {
    show(h('p', { class: 'error', 'data-testid': 'error' }, `Can't show this result: ${err.message}.`), footer(q));
    return;
  }
  if (!q.model || !q.hardware) {
    show(h('p', { class: 'error' }, 'This card needs a model and a hardware id.'), footer(q));
    return;
  }
  let r;
  try {
    r = rw.estimate(q);
  } catch (err) {
    show(h('p', { class: 'error', 'data-testid': 'error' }, `Can't show this result: ${err.message}.`), footer(q));
    return;
  }
  const m = r.memory_gib;
  const scale = Math.max(m.usable, m.total);
  const bar = h('div', { class: 'bar', role: 'img', 'aria-label': `${fmt(m.total, 1)} of ${fmt(m.usable, 1)} GiB usable` });
  for (const [cls, v] of [['w', m.weights], ['k', m.kv_cache + m.recurrent_state], ['o', m.compute + m.runtime]]) {
    const seg = h('span', { class: cls });
    seg.style.width = `${((100 * v) / scale).toFixed(2)}%`;
    bar.append(seg);
  }
  const runs = r.runs;
  show(
    h('div', { class: 'head' },
      h('span', { class: `badge ${fitClass(r.fit)}`, 'data-testid': 'fit' }, r.fit_label),
      h('span', { class: 'grade', title: `grade for ${r.query.workload}` }, r.grade),
      h('h1', { class: 'title', title: `${r.model.name} on ${r.hardware.name}` }, `${r.model.name} · ${r.hardware.name}`)),
    h('div', { class: 'figures' },
      h('div', {}, h('span', {}, 'Decode'), h('strong', { 'data-testid': 'decode' }, runs ? `${fmt(r.decode_tps, 1)} tok/s` : '—')),
      h('div', {}, h('span', {}, 'First token'), h('strong', {}, runs ? `${fmt(r.ttft_s, 2)} s` : '—')),
      h('div', {}, h('span', {}, 'Memory'), h('strong', {}, `${gib(m.total)} / ${gib(m.usable)}`))),
    bar,
    footer(q, `${r.quant.id} · ${r.offload.percent > 0 ? `${fmt(r.offload.percent, 0)}% offloaded · ` : ''}grade ${r.grade}`));
}

function footer(q, detail = '') {
  return h('div', { class: 'foot' },
    h('a', { href: fullResultUrl(q), target: '_blank', rel: 'noopener noreferrer' }, 'Full result →'),
    h('span', { class: 'muted' }, detail ? `${detail} · runwell` : 'runwell'));
}

main();
