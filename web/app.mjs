// The calculator page: reads the state from the URL, asks the WebAssembly
// estimator, and draws the answer. No formula lives here: every figure shown
// comes from the module's JSON response.
import { RunwellError } from './runwell.mjs';
import { registerServiceWorker } from './pwa.mjs';
import { h, clear, fmt, gib, tokens, gradeClass, fitClass, lineChart, memoryBar, copyButton, startPage, pickerIndex, specParam, withRepairs, defaultsOf, myDevice, rememberDevice, forgetDevice, myCalibration, keepCalibration, forgetCalibration } from './ui.mjs';

// Custom entries travel in the URL as JSON (from the "Bring your own" page).
const SPECS = { model_spec: 'model', hardware_spec: 'hardware', quant_spec: 'quant' };

const $ = (id) => document.getElementById(id);
let rw;        // the estimator facade
let catalog;   // {models, hardware, quants, workloads, modes, meta}
let pickers;   // {model, hardware}: label <-> id for the searchable inputs
let DEFAULTS;    // the core's defaults, as URL strings
let QUERY_KEYS;  // the setup fields kept in the URL (the core's list)
let SERVE_KEYS;  // the serving planner's fields kept in the URL (the core's list)

function readState() {
  const params = new URLSearchParams(location.search);
  const state = { ...DEFAULTS };
  // A link without a device shows the device this browser remembers, if any.
  const mine = params.has('hardware') || params.has('hardware_spec') ? null : myDevice(catalog);
  if (mine) state.hardware = mine;
  for (const key of [...QUERY_KEYS, ...SERVE_KEYS]) if (params.has(key)) state[key] = params.get(key).slice(0, 200);
  for (const key of Object.keys(SPECS)) if (params.has(key)) state[key] = params.get(key);
  return state;
}

function writeState(state, push) {
  const params = new URLSearchParams();
  for (const key of [...QUERY_KEYS, ...SERVE_KEYS, ...Object.keys(SPECS)]) {
    if (state[key] !== undefined && state[key] !== null && state[key] !== '' && state[key] !== DEFAULTS[key]) params.set(key, state[key]);
  }
  const url = `${location.pathname}${params.toString() ? `?${params}` : ''}`;
  if (url !== `${location.pathname}${location.search}`) history[push ? 'pushState' : 'replaceState'](null, '', url);
}

function showMessage(text) {
  const box = $('message');
  box.hidden = !text;
  box.textContent = text ?? '';
}

// ---- pickers ---------------------------------------------------------------
function fillPickers() {
  pickers = {
    model: pickerIndex('model', catalog.models, $('model-list'), (q) => rw.search('model', q)),
    hardware: pickerIndex('hardware', catalog.hardware, $('hardware-list'), (q) => rw.search('hardware', q)),
  };
  for (const kv of catalog.meta.kv_types) $('kv').append(h('option', { value: kv }, kv));
  const quant = $('quant');
  for (const q of catalog.quants) quant.append(h('option', { value: q.id }, `${q.name} (${q.quality})`));
  const workload = $('workload');
  for (const w of catalog.workloads) workload.append(h('option', { value: w.id, title: w.why }, w.name));
  const modes = $('modes');
  for (const m of catalog.modes) {
    modes.append(h('label', { class: 'seg', title: m.description },
      h('input', { type: 'radio', name: 'mode', value: m.id }), h('span', {}, m.name)));
  }
}

const sharedMemory = (id) => catalog.hardware.find((d) => d.id === id)?.shared_memory ?? false;

// A setup's cards as the form shows them: the main GPU (times `gpus`) and one other model (times a count).
// The URL keeps the core's form: "main,main,other" (a comma list of GPU ids).
function cardsOf(hardware) {
  const ids = String(hardware ?? '').split(',');
  const main = ids[0];
  const same = ids.findIndex((id) => id !== main);
  const rest = same < 0 ? [] : ids.slice(same);
  return { main, count: same < 0 ? ids.length : same, more: rest[0] ?? '', moreCount: rest.length, uniform: rest.every((id) => id === rest[0]) };
}

function syncForm(state) {
  const custom = (key) => { try { return JSON.parse(state[key]).name ?? 'custom'; } catch { return 'custom'; } };
  $('model').value = state.model_spec ? `Custom: ${custom('model_spec')}` : pickers.model.labelOf(state.model);
  const cards = cardsOf(state.hardware);
  $('hardware').value = state.hardware_spec ? `Custom: ${custom('hardware_spec')}` : pickers.hardware.labelOf(cards.main);
  $('more_gpu').value = cards.more ? pickers.hardware.labelOf(cards.more) : '';
  $('more_count').value = cards.more ? cards.moreCount : 1;
  $('more-hint').textContent = cards.uniform ? '' : 'This link mixes more than two GPU models; the form shows the first two (the link keeps them all).';
  $('tensor_split').value = state.tensor_split ?? '';
  $('quant').value = state.quant ?? '';
  $('context').value = state.context ?? '';
  $('gpus').value = cards.count > 1 ? cards.count : state.gpus ?? DEFAULTS.gpus;
  $('host_ram_gib').value = state.host_ram_gib ?? '';
  $('gpu_memory_gib').value = state.gpu_memory_gib ?? '';
  $('gpu_memory_gib').disabled = !sharedMemory(state.hardware) && !state.hardware_spec;
  $('kv').value = state.kv ?? DEFAULTS.kv;
  $('workload').value = state.workload;
  for (const radio of document.querySelectorAll('input[name=mode]')) radio.checked = radio.value === state.mode;
}

function formState() {
  const state = readState();
  const pick = (kind) => pickers[kind].idOf($(kind).value);
  const model = pick('model');
  const hardware = pick('hardware');
  const keepCustom = (kind) => $(kind).value.startsWith('Custom: ') && state[`${kind}_spec`];
  $('model-hint').textContent = model || keepCustom('model') ? '' : 'No model matches — pick one from the list.';
  $('hardware-hint').textContent = hardware || keepCustom('hardware') ? '' : 'No device matches — pick one from the list.';
  // Other GPUs: the main card times "GPUs", then the other model times its count, as one list.
  const more = $('more_gpu').value.trim() ? pickers.hardware.idOf($('more_gpu').value) : null;
  $('more-hint').textContent = $('more_gpu').value.trim() && !more ? 'No device matches — pick one from the list.' : '';
  const main = hardware ?? cardsOf(state.hardware).main;
  const moreCount = Math.max(0, Math.min(7, Math.floor(Number($('more_count').value) || 0)));
  const mixed = Boolean(more) && moreCount > 0 && !(hardware === null && state.hardware_spec);
  const mainCount = Math.max(1, Math.min(8, Math.floor(Number($('gpus').value) || 1)));
  return {
    ...state,
    model: model ?? state.model,
    hardware: mixed ? [...Array(mainCount).fill(main), ...Array(moreCount).fill(more)].join(',') : main,
    model_spec: model ? null : state.model_spec,
    quant_spec: model || $('quant').value ? null : state.quant_spec,
    hardware_spec: hardware ? null : state.hardware_spec,
    quant: $('quant').value,
    context: $('context').value,
    gpus: mixed ? '' : $('gpus').value,
    tensor_split: $('tensor_split').value.trim(),
    host_ram_gib: $('host_ram_gib').value,
    // Only a unified-memory device has a GPU share to set; for others the field is off.
    gpu_memory_gib: sharedMemory(hardware ?? state.hardware) ? $('gpu_memory_gib').value : '',
    kv: $('kv').value,
    workload: $('workload').value,
    mode: document.querySelector('input[name=mode]:checked')?.value ?? state.mode,
  };
}

// ---- result ----------------------------------------------------------------
function section(title, id, ...children) {
  return h('section', { class: 'card', id, 'aria-labelledby': `${id}-h` }, h('h2', { id: `${id}-h` }, title), ...children);
}

// A titled, copyable snippet (run commands, embed snippets, CSV rows): `attrs` marks what it is.
function commandBlock(title, text, attrs) {
  return h('div', { class: 'command', ...attrs },
    h('div', { class: 'command-head' }, h('h3', {}, title), copyButton(text)), h('pre', {}, h('code', {}, text)));
}

function figure(label, value, note, cls = '', raw = '') {
  return h('div', { class: `figure ${cls}`, 'data-raw': raw }, h('span', { class: 'label' }, label), h('strong', { class: 'value' }, value),
    note ? h('span', { class: 'note' }, note) : null);
}

function verdict(r, onForget) {
  const band = r.error_band;
  // Each speed says what it rests on: the user's own measurement, or the public ones of its class.
  const basis = (kind) => r.basis[kind].kind === 'your_machine' ? 'calibrated on your machine' : `±${band[`${kind}_pct`]}%`;
  const mine = ['decode', 'prefill'].filter((k) => r.basis[k].kind === 'your_machine');
  const m = r.memory_gib;
  const offload = !r.runs ? '—' : !(r.offload.percent > 0) ? 'none'
    : `${fmt(r.offload.percent, 0)}% · ${gib(r.offload.host_ram_needed_gib)} host RAM`;
  return h('section', { class: `card verdict ${fitClass(r.fit)}`, id: 'verdict', 'aria-labelledby': 'verdict-h' },
    h('div', { class: 'verdict-head' },
      h('span', { class: `badge ${fitClass(r.fit)}`, 'data-testid': 'fit' }, r.fit_label),
      h('span', { class: `grade ${gradeClass(r.grade)}`, title: `score ${r.score}/100 for ${r.query.workload}` }, r.grade),
      h('h2', { id: 'verdict-h' }, `${r.model.name} on ${r.hardware_label}`)),
    h('p', { class: 'summary', 'data-testid': 'summary' }, r.summary),
    h('div', { class: 'figures' },
      figure('Decode', !r.runs ? '—' : `${fmt(r.decode_tps, 1)} tok/s`,
        r.query.concurrency > 1 ? `per user · ${r.query.concurrency} users together: ${fmt(r.aggregate_tps, 0)} tok/s on the ${r.speed_engine.label} · ${basis('decode')}`
          : `${basis('decode')} · at ${tokens(r.depth)} tokens`, 'decode', r.decode_tps),
      figure('Time to first token', !r.runs ? '—' : `${fmt(r.ttft_s, 2)} s`, `${tokens(r.prompt_tokens)}-token prompt · ${basis('prefill')}`, 'ttft', r.ttft_s),
      figure('Safe context', r.safe_context ? tokens(r.safe_context) : (r.offload_context ? `${tokens(r.offload_context)}*` : '—'),
        r.safe_context ? `model limit ${tokens(r.model.max_context)}` : (r.offload_context ? '* only with CPU offload' : 'nothing fits'), 'context', r.safe_context),
      figure('Memory', `${gib(m.total)} / ${gib(m.usable)}`, `used / usable of ${gib(m.device_total)} · ±${band.memory_pct}%`, 'memory', m.total),
      figure('Offload', offload, !r.runs ? 'does not run' : !(r.offload.percent > 0) ? 'all on the device' : `${r.offload.kind} in host RAM`, 'host-offload'),
      figure('Quantization', r.quant.name, `${r.quant.quality} quality${r.best_quant === r.quant.id ? ' · best here' : ''}`, 'quant')),
    h('p', { class: 'evidence', 'data-testid': 'evidence' }, `Error bands: ${band.evidence} `,
      h('a', { href: 'accuracy.html' }, 'How accurate is this?')),
    mine.length ? h('p', { class: 'note', id: 'calibrated' }, `Calibrated on your machine: ${mine.map((k) => `${k === 'decode' ? 'decode' : 'prompt speed'} × ${fmt(r.basis[k].scale, 2)}`).join(', ')} (from your llama-bench, kept in this browser only). `,
      h('button', { type: 'button', class: 'link', id: 'forget-calibration', onclick: onForget }, 'Forget it')) : null,
    caveatList(r.caveats, 'caveats'));
}

// The core's caveats ({code, text}) as a list, or nothing when there are none.
function caveatList(caveats, testid) {
  return caveats.length ? h('ul', { class: 'caveats', 'data-testid': testid }, ...caveats.map((c) => h('li', { 'data-code': c.code }, c.text))) : null;
}

function memorySection(r) {
  const m = r.memory_gib;
  const parts = [
    { key: 'weights', label: 'Weights', value: m.weights },
    { key: 'kv', label: 'KV cache', value: m.kv_cache + m.recurrent_state },
    { key: 'overhead', label: 'Runtime & buffers', value: m.compute + m.runtime },
    { key: 'free', label: 'Free', value: m.free },
  ];
  const f = r.formula;
  return section('Memory breakdown', 'memory',
    memoryBar(parts, Math.max(m.usable, m.total)),
    h('ul', { class: 'legend' }, ...parts.map((p) => h('li', { class: `swatch-${p.key}` }, `${p.label}: ${gib(p.value)}`))),
    m.host_weights > 0 ? h('p', { class: 'note' }, `Plus ${gib(m.host_weights)} of token embeddings that llama.cpp keeps in host RAM.`) : null,
    r.offload.percent > 0 ? h('p', { class: 'note' }, `${gib(r.offload.cpu_weights_gib)} of weights sit in host RAM (${fmt(r.offload.percent, 0)}% offloaded); the device holds the rest.`) : null,
    r.gpu_cards.length > 1 ? h('div', { class: 'table-wrap' }, h('table', { id: 'cards' },
      h('caption', {}, 'Each GPU (llama.cpp splits the layers; each card reads its share at its own speed)'),
      h('thead', {}, h('tr', {}, ...['GPU', 'Layers', 'Holds', 'Usable'].map((t) => h('th', { scope: 'col' }, t)))),
      h('tbody', {}, ...r.gpu_cards.map((c, i) => h('tr', {}, h('th', { scope: 'row' }, `${i}: ${c.name}`), h('td', {}, `${fmt(c.share * 100, 0)}%`),
        h('td', {}, gib(c.memory_gib)), h('td', {}, gib(c.usable_gib))))))) : null,
    h('details', { class: 'explain' }, h('summary', {}, 'How this is computed'),
      h('ul', {},
        h('li', {}, `Weights: parameters × ${fmt(f.memory.bpw_body, 2)} bits per weight (${r.quant.name}), embeddings and output head at their own precision.`),
        h('li', {}, `KV cache: ${fmt(f.memory.kv_bytes_per_token, 0)} bytes per token × ${tokens(r.query.context)} tokens${r.query.concurrency > 1 ? ` × ${r.query.concurrency} sequences` : ''} (${r.model.attention.toUpperCase()}${r.model.sliding_window ? `, sliding window ${r.model.sliding_window}` : ''}${r.model.linear_layers ? `, ${r.model.linear_layers} linear-attention layers with a fixed state` : ''}).`),
        h('li', {}, `Decode: ${fmt(f.decode.device_gb_per_token, 2)} GB read per token at ${fmt(f.decode.bandwidth_gbs, 0)} GB/s × ${f.decode.bandwidth_efficiency} efficiency${f.decode.host_gb_per_token > 0 ? `, plus ${fmt(f.decode.host_gb_per_token, 2)} GB from host RAM at ${fmt(f.decode.host_bandwidth_gbs, 0)} GB/s × ${f.decode.host_bandwidth_efficiency}` : ''}, plus ${fmt(f.decode.fixed_ms_per_token, 2)} ms fixed per token.`),
        h('li', {}, `Prefill: ${fmt(f.prefill.weight_gflops_per_token, 1)} GFLOP of weight matmuls${f.prefill.moe_prefill_factor > 1 ? ` (× ${f.prefill.moe_prefill_factor} for MoE routing)` : ''} + ${fmt(f.prefill.attention_gflops_per_token, 2)} GFLOP of attention (× ${f.prefill.attention_flops_weight}) per prompt token, at ${fmt(f.prefill.fp16_tflops, 1)} TFLOPS × ${f.prefill.prefill_efficiency} efficiency${f.prefill.weight_stream_ms_per_token > 0 ? `, plus ${fmt(f.prefill.weight_stream_ms_per_token, 3)} ms per token streaming the weights from memory (once per ${fmt(f.prefill.tokens_per_weight_pass, 0)} prompt tokens)` : ''}${f.prefill.linear_prefill_ms_per_token > 0 ? `, plus ${fmt(f.prefill.linear_prefill_ms_per_token, 3)} ms per token for the linear-attention layers, whose recurrence reads the prompt token by token` : ''}.`))));
}

function curveSection(r) {
  const pts = r.curve.filter((p) => p.runs);
  if (pts.length < 2) return section('Speed against context', 'curve', h('p', {}, 'Not enough room to chart: the model does not run at longer contexts.'));
  return section('Speed against context', 'curve',
    lineChart(pts, [
      { key: 'decode_tps', label: 'Decode tok/s', unit: 'tok/s', cls: 'series-a' },
      { key: 'ttft_s', label: 'TTFT s (prompt = context)', unit: 's', cls: 'series-b' },
    ]),
    h('p', { class: 'note' }, 'Decode slows as the cache it reads grows; time to first token grows with the prompt.'));
}

function notesSection(title, id, notes, empty) {
  return section(title, id, notes.length
    ? h('ul', { class: 'notes' }, ...notes.map((n) => h('li', { 'data-code': n.code }, h('strong', {}, n.title), ' — ', n.detail)))
    : h('p', {}, empty));
}

function workloadsSection(r) {
  return section('Performance by workload', 'workloads',
    h('div', { class: 'table-wrap' }, h('table', {},
      h('thead', {}, h('tr', {}, ...['Workload', 'Grade', 'Fit', 'Decode', 'TTFT', 'Context'].map((t) => h('th', { scope: 'col' }, t)))),
      h('tbody', {}, ...r.workloads.map((w) => h('tr', { 'data-workload': w.id },
        h('th', { scope: 'row', title: `${w.prompt_tokens} prompt + ${w.output_tokens} output tokens, wants ${tokens(w.context_tokens)} context` }, w.name),
        h('td', {}, h('span', { class: `grade ${gradeClass(w.grade)}` }, w.grade), ` ${w.score}`),
        h('td', {}, h('span', { class: `badge small ${fitClass(w.fit)}` }, w.fit_label)),
        h('td', {}, !w.runs ? '—' : `${fmt(w.decode_tps, 1)} tok/s`),
        h('td', {}, !w.runs ? '—' : `${fmt(w.ttft_s, 2)} s`),
        h('td', {}, w.safe_context ? tokens(w.safe_context) : '—')))))),
    h('p', { class: 'note' }, `Mode: ${catalog.modes.find((m) => m.id === r.query.mode)?.description ?? ''}`));
}

function quantsSection(r, select) {
  return section('Quantization options', 'quants',
    h('div', { class: 'table-wrap' }, h('table', {},
      h('thead', {}, h('tr', {}, ...['Quant', 'Bits', 'Memory', 'Quality', 'Fit', 'Decode'].map((t) => h('th', { scope: 'col' }, t)))),
      h('tbody', {}, ...r.quants.map((q) => h('tr', { class: q.id === r.quant.id ? 'selected' : '', 'data-quant': q.id },
        h('th', { scope: 'row' }, h('button', { type: 'button', class: 'link', onclick: () => select(q.id), 'aria-pressed': String(q.id === r.quant.id) }, q.name),
          q.best ? h('span', { class: 'best' }, 'Best') : null),
        h('td', {}, fmt(q.bpw, 2)),
        h('td', {}, gib(q.memory_gib)),
        h('td', {}, q.quality),
        h('td', {}, h('span', { class: `grade ${gradeClass(q.grade)}` }, `${q.grade}${q.score}`)),
        h('td', {}, !q.runs ? '—' : `${fmt(q.decode_tps, 1)} tok/s`)))))));
}

// Which runtimes run the model and since when, each with its source (the core's catalog answer).
function runtimesList(r) {
  if (!r.runtimes.length) return null;
  const status = (rt) => (!rt.supported ? 'does not run this model'
    : rt.since ? `runs it since ${rt.since}${rt.date ? ` (${rt.date})` : ''}` : 'runs it (first release not established)');
  return h('details', { class: 'explain', 'data-testid': 'runtimes' }, h('summary', {}, 'Runtime support'),
    h('ul', { class: 'notes' }, ...r.runtimes.map((rt) => h('li', { 'data-runtime': rt.runtime, title: rt.notes },
      h('strong', {}, rt.runtime), ` ${status(rt)} · `, h('a', { href: rt.source, rel: 'noopener noreferrer' }, 'source')))));
}

function downloadNote(r) {
  const d = r.download;
  if (!d) return r.runs && r.runtimes.length ? h('p', { class: 'note' }, `No public ${r.quant.id} file of this model is recorded: the commands expect your own.`) : null;
  return h('p', { class: 'note', 'data-testid': 'download' },
    d.exact ? `Downloads ${d.repo} (${d.quant}${d.size_gb ? `, ${fmt(d.size_gb, 1)} GB` : ''}${d.split ? ', split files' : ''}) · `
      : `No published ${r.quant.id} GGUF is recorded; the commands use ${d.quant} from ${d.repo}, the nearest · `,
    h('a', { href: d.source, rel: 'noopener noreferrer' }, 'where it was found'));
}

function commandsSection(r) {
  if (!r.commands.length) return section('Get started', 'commands', h('p', {}, r.runs ? 'No runtime command applies to this combination.' : 'Nothing to run: this setup does not fit. The advice above says what would.'), runtimesList(r));
  return section('Get started', 'commands', downloadNote(r), ...r.commands.map((c) => commandBlock(c.label, c.text, { 'data-runtime': c.runtime })),
    runtimesList(r));
}

function alsoRunsSection(ranked, current, selectModel) {
  const rows = ranked.models.filter((m) => m.id !== current).slice(0, 12);
  return section('Also runs on this device', 'also',
    rows.length ? h('div', { class: 'table-wrap' }, h('table', {},
      h('thead', {}, h('tr', {}, ...['Model', 'Params', 'Grade', 'Best quant', 'Decode'].map((t) => h('th', { scope: 'col' }, t)))),
      h('tbody', {}, ...rows.map((m) => h('tr', {},
        h('th', { scope: 'row' }, h('button', { type: 'button', class: 'link', onclick: () => selectModel(m.id) }, m.name)),
        h('td', {}, `${fmt(m.params_b, m.params_b < 10 ? 1 : 0)}B${m.moe ? ` (${fmt(m.active_params_b, 1)}B active)` : ''}`),
        h('td', {}, h('span', { class: `grade ${gradeClass(m.grade)}` }, m.grade), ` ${m.score}`),
        h('td', {}, m.best_quant),
        h('td', {}, `${fmt(m.decode_tps, 1)} tok/s`))))))
      : h('p', {}, 'No catalog model runs on this device.'));
}

const SAMPLE = 'Local inference is a memory-bandwidth problem: every generated token reads the active weights once, ' +
  'so the speed you feel is roughly bandwidth divided by bytes per token. Prompt processing is different — it batches ' +
  'hundreds of tokens into large matrix multiplications and is limited by compute instead. ';

function feelSection(r) {
  const out = h('p', { class: 'stream', 'aria-live': 'off' });
  const status = h('span', { class: 'note' });
  let timer = null;
  const play = () => {
    clearTimeout(timer);
    out.textContent = '';
    if (!r.runs) { status.textContent = 'This setup does not run.'; return; }
    const words = SAMPLE.repeat(3).split(/(?<= )/);
    const perToken = 1000 / Math.max(r.decode_tps, 0.1);
    if (matchMedia('(prefers-reduced-motion: reduce)').matches) {
      // No animation: the text at once, and the time it would take said in words.
      out.textContent = words.join('');
      status.textContent = `At ${fmt(r.decode_tps, 1)} tok/s this text (about ${Math.round(words.length * 1.3)} tokens) takes ` +
        `${fmt(r.ttft_s + (words.length * 1.3 * perToken) / 1000, 1)} s, first token after ${fmt(r.ttft_s, 2)} s.`;
      return;
    }
    status.textContent = `Waiting ${fmt(r.ttft_s, 2)} s for the first token…`;
    let i = 0;
    const step = () => {
      if (i >= words.length) { status.textContent = 'Done.'; return; }
      out.textContent += words[i++];
      status.textContent = `${fmt(r.decode_tps, 1)} tok/s`;
      // ~1.3 tokens per English word.
      timer = setTimeout(step, perToken * 1.3);
    };
    timer = setTimeout(step, Math.min(r.ttft_s * 1000, 30000));
  };
  return section('See how fast it feels', 'feel',
    h('button', { type: 'button', class: 'primary', onclick: play }, 'Play at this speed'), ' ', status, out);
}

function embedSection(state, r) {
  const base = new URL('./', location.href);
  const card = new URL('card.html', base);
  const attrs = {};
  for (const key of QUERY_KEYS) {
    if (state[key] !== undefined && state[key] !== '' && state[key] !== DEFAULTS[key]) attrs[key] = state[key];
  }
  attrs.model = state.model;
  attrs.hardware = state.hardware;
  for (const [k, v] of Object.entries(attrs)) card.searchParams.set(k, v);
  const esc = (v) => String(v).replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;');
  const title = `runwell fit card: ${r.model.name} on ${r.hardware_label}`;
  const iframe = `<iframe src="${esc(card.href)}" width="400" height="180" style="border:0;border-radius:12px" title="${esc(title)}" loading="lazy"></iframe>`;
  const element = `<script src="${esc(new URL('runwell-card.js', base).href)}" defer></script>\n` +
    `<runwell-card ${Object.entries(attrs).map(([k, v]) => `${k}="${esc(v)}"`).join(' ')} theme="auto"></runwell-card>`;
  const preview = h('iframe', { src: card.href, width: 400, height: 180, title: 'Preview of the fit card', class: 'card-preview', loading: 'lazy' });
  return section('Embed this result', 'embed',
    h('p', {}, 'Paste either snippet into any page to show a live fit card (400×180, light or dark, ', h('code', {}, 'accent="#hex"'), ' to recolour).'),
    preview,
    ...[['iframe', iframe], ['Custom element', element]].map(([label, text]) => commandBlock(label, text, { 'data-embed': label })));
}

// "Is this right for my box?": the user's llama-bench output against this estimate.
function checkSection(state, r) {
  const text = h('textarea', { id: 'bench', 'aria-label': 'llama-bench output', spellcheck: 'false',
    placeholder: '| model | size | params | backend | ngl | test | t/s |\n| … | pp512 | 7138.99 ± 12.3 |\n| … | tg128 | 186.21 ± 0.5 |' });
  const out = h('div', { id: 'check-result', role: 'status' });
  const run = () => {
    clear(out);
    try {
      const c = rw.check(query(state), text.value);
      const keep = Object.keys(c.calibration).length && !state.hardware_spec ? h('p', {},
        h('button', { type: 'button', id: 'keep-calibration', onclick: () => { keepCalibration(state.hardware, c.calibration); render(current, false); } },
          `Use this as my calibration for ${r.hardware_label}`),
        ' ', h('span', { class: 'muted' }, 'Kept in this browser only; the figures it changes say "calibrated on your machine".')) : null;
      const contribute = c.csv ? commandBlock('Your rows in the project\'s measurement format', c.csv, { 'data-runtime': 'csv' }) : null;
      out.append(h('p', {}, c.summary), keep, contribute, c.rows.length ? h('div', { class: 'table-wrap' }, h('table', {},
        h('thead', {}, h('tr', {}, ...['Test', 'Yours', 'Estimate', 'Difference', 'Within the band'].map((t) => h('th', { scope: 'col' }, t)))),
        h('tbody', {}, ...c.rows.map((row) => h('tr', { 'data-within': String(row.within_band) },
          h('th', { scope: 'row' }, row.test), h('td', {}, `${fmt(row.measured, 1)} tok/s`), h('td', {}, `${fmt(row.predicted, 1)} tok/s`),
          h('td', {}, `${row.difference_pct > 0 ? '+' : ''}${fmt(row.difference_pct, 0)}%`),
          h('td', {}, row.within_band ? `yes (±${row.band_pct}%)` : `no (±${row.band_pct}%)`)))))) : null);
    } catch (err) {
      out.append(h('p', { class: 'message' }, `${err.message}.`));
    }
  };
  return section('Check it on your machine', 'check',
    h('p', {}, 'Run the "Measure it (llama-bench)" command above (or any llama-bench run of this model) and paste its output — the table, ', h('code', {}, '-o csv'), ', ', h('code', {}, '-o json'),
      ', or llama-server timing lines: each row is compared with this estimate and its error band, and can become your own calibration of this device. Nothing leaves the page.'),
    text, h('p', {}, h('button', { type: 'button', class: 'primary', id: 'check-run', onclick: run }, 'Compare')), out);
}

// Serving many users: the core's capacity plan for the setup, the planner's targets in the URL.
function servingSection(state, update) {
  const q = query(state);
  for (const key of SERVE_KEYS) if (state[key]) q[key] = state[key];
  q.users = catalog.modes.find((m) => m.id === state.mode)?.concurrency ?? 1;
  let s = null;
  let problem = '';
  try {
    s = rw.serve(q);
  } catch (err) {
    if (!(err instanceof RunwellError)) throw err;
    problem = `${err.message}.`;
  }
  const change = (key) => (event) => update({ [key]: event.target.value });
  const input = (key, label, placeholder, attrs = {}) => h('label', { for: `serve-${key}` }, label,
    h('input', { id: `serve-${key}`, type: 'number', inputmode: 'decimal', min: '0', value: state[key] ?? '', placeholder, onchange: change(key), ...attrs }));
  const engines = s?.engines ?? [];
  const engine = h('select', { id: 'serve-engine', onchange: change('engine') },
    h('option', { value: '' }, 'Best for this quant'), ...engines.map((e) => h('option', { value: e.id }, e.label)));
  engine.value = state.engine ?? '';
  const form = h('div', { class: 'planner', id: 'planner' },
    h('label', { for: 'serve-engine' }, 'Engine', engine),
    input('target_tps', 'Speed per user (tok/s)', s ? String(s.load.target_tps) : ''),
    input('target_ttft_s', 'First token within (s)', s ? String(s.load.target_ttft_s) : '', { step: '0.1' }),
    input('tensor_parallel', 'GPUs per model copy', String(state.gpus || 1), { min: '1', step: '1' }),
    input('load_users', 'Users to serve', 'e.g. 500', { min: '1', step: '1' }));
  if (!s) return section('Serving many users', 'serving', form, h('p', { class: 'message', id: 'serving-message', role: 'status' }, problem));
  const plan = s.plan;
  const out = [h('p', { id: 'serving-summary' }, s.summary)];
  if (s.caveats.length) out.push(caveatList(s.caveats, 'serving-caveats'));
  if (plan.fits) {
    const cap = s.capacity;
    out.push(h('div', { class: 'figures four' },
      figure('Users at target', String(cap.users), `each ≥ ${fmt(s.load.target_tps, 0)} tok/s, first token ≤ ${fmt(s.load.target_ttft_s, 1)} s`, '', String(cap.users)),
      figure('Total', `${fmt(cap.total_tps, 0)} tok/s`, 'all users together', '', String(cap.total_tps)),
      figure('Each user', `${fmt(cap.per_user_tps, 1)} tok/s`, 'at that load', '', String(cap.per_user_tps)),
      figure('First token', `${fmt(cap.ttft_s, 2)} s`, 'at that load', '', String(cap.ttft_s))),
    h('p', { class: 'note' }, `Per GPU: weights ${gib(plan.weights_gib)}, the engine's working memory (activations, sampling) ${gib(plan.reserve_gib)}, KV pool ${gib(plan.kv_pool_gib)} — room for ${plan.max_sequences} requests per copy, each holding ${plan.held_tokens < s.load.input_tokens + s.load.output_tokens ? `${tokens(plan.held_tokens)} tokens on average (its prompt and half its answer: the pool hands out cache blocks as answers grow)` : `its whole ${tokens(plan.held_tokens)} tokens from the start`} (engine limit ${plan.engine_batch_limit}); ${plan.replicas} cop${plan.replicas === 1 ? 'y' : 'ies'} × ${plan.tensor_parallel} GPU${plan.tensor_parallel === 1 ? '' : 's'}.`));
    if (s.for_load) out.push(h('p', { id: 'serving-load' }, `${s.for_load.users} users need ${s.for_load.setups} of these setups (${s.for_load.gpus} GPUs).`));
    if (s.curve.length >= 2) {
      out.push(lineChart(s.curve, [
        { key: 'per_user_tps', label: 'Per-user tok/s', unit: 'tok/s', cls: 'series-a' },
        { key: 'total_tps', label: 'Total tok/s', unit: 'tok/s', cls: 'series-b' },
      ], { x: 'users', xText: (u) => String(u) }));
    }
    out.push(h('div', { class: 'table-wrap' }, h('table', { id: 'serving-curve' },
      h('caption', {}, `Speed against concurrent users, ${tokens(s.load.input_tokens)} tokens in, ${tokens(s.load.output_tokens)} out`),
      h('thead', {}, h('tr', {}, ...['Users', 'Running', 'Each user', 'Total', 'First token'].map((t) => h('th', { scope: 'col' }, t)))),
      h('tbody', {}, ...s.curve.map((p) => h('tr', {}, h('th', { scope: 'row' }, String(p.users)), h('td', {}, String(p.running)),
        h('td', {}, `${fmt(p.per_user_tps, 1)} tok/s`), h('td', {}, `${fmt(p.total_tps, 0)} tok/s`), h('td', {}, `${fmt(p.ttft_s, 2)} s`)))))));
    if (s.command) {
      out.push(commandBlock(`Serve it: ${s.command.label}`, s.command.text, { 'data-runtime': `serve-${s.command.runtime}` }));
    }
    const band = s.error_band;
    const sources = `${band.sources} ${band.sources === 1 ? 'source' : 'sources'}`;
    out.push(h('p', { class: 'note' }, !band.rows
      ? 'llama.cpp\'s parallel slots reuse the single-stream model (its bands are in the verdict above); no batched llama.cpp measurement checks these figures yet.'
      : band.checked_against === 'llama_batched_bench'
        ? `llama.cpp's parallel slots reuse the single-stream model, checked (never fitted) against ${band.rows} llama-batched-bench measurements of several sequences decoding together, from ${sources}: total throughput and each user's speed ±${band.user_tps_pct}% (80 % of the rows); nothing checks the first-token time under load.`
        : `Checked against ${band.rows} published batched-serving measurements from ${sources}: total throughput ±${band.total_tps_pct}%, each user's speed ±${band.user_tps_pct}%, first token ±${band.ttft_pct}% (80 % of the rows, each predicted without its own source).`));
  }
  return section('Serving many users', 'serving', h('p', {}, `${s.engine_label}: ${s.engine_how}`), form, ...out);
}

function faqSection(r) {
  return section('Questions', 'faq', ...r.faq.map((f) => h('details', {}, h('summary', {}, f.q), h('p', {}, f.a))));
}

let current;  // state currently shown
let rankTimer;  // pending "also runs" ranking

// The estimator query for a state: catalog ids, or the custom specs when present.
function query(state) {
  const q = {};
  for (const key of QUERY_KEYS) q[key] = state[key];
  // The user's own calibration of this device, from this browser (never in the link).
  const mine = state.hardware_spec ? null : myCalibration(state.hardware);
  if (mine) q.personal = mine;
  const params = new URLSearchParams();
  for (const [key, target] of Object.entries(SPECS)) {
    if (!state[key]) continue;
    params.set(key, state[key]);
    q[target] = specParam(params, key);
  }
  return q;
}

function render(state, push) {
  const started = performance.now();
  let r;
  try {
    r = rw.estimate(query(state));
  } catch (err) {
    if (!(err instanceof RunwellError)) throw err;
    // Keep what was shown; say what is wrong with the input.
    showMessage(`${err.message}.`);
    return false;
  }
  showMessage('');
  current = state;
  writeState(state, push);
  const q = query(state);
  const update = (patch) => { const next = { ...current, ...patch }; syncForm(next); render(next, true); };
  // The ranking of every other model is not needed for the first frame: fill it right after.
  const alsoRunsPlaceholder = section('Also runs on this device', 'also', h('p', { class: 'loading' }, 'Ranking the catalog…'));
  // The serving plan (a search over users) is not needed for the first frame either.
  const servingPlaceholder = r.runs ? section('Serving many users', 'serving', h('p', { class: 'loading' }, 'Planning for many users…')) : null;
  const root = $('result');
  clear(root);
  root.append(
    verdict(r, () => { forgetCalibration(state.hardware); render(current, false); }),
    h('div', { class: 'grid2' },
      notesSection('What limits this setup', 'limits', r.limits, 'Nothing significant: it fits with headroom and meets the workload targets.'),
      notesSection('Best improvement path', 'improve', r.improvements, 'Already the best choice for this device.')),
    h('div', { class: 'grid2' }, memorySection(r), curveSection(r)),
    workloadsSection(r),
    quantsSection(r, (quant) => update({ quant })),
    commandsSection(r),
    servingPlaceholder,
    alsoRunsPlaceholder,
    feelSection(r),
    state.model_spec || state.hardware_spec || state.quant_spec
      ? section('Embed this result', 'embed', h('p', {}, 'Fit cards show catalog entries; custom models and devices are shared with this page\'s link.'))
      : embedSection(state, r),
    checkSection(state, r),
    faqSection(r));
  clearTimeout(rankTimer);
  rankTimer = setTimeout(() => {
    if (servingPlaceholder) servingPlaceholder.replaceWith(servingSection(state, update));
    const ranked = rw.rank({ hardware: q.hardware, gpus: state.gpus, host_ram_gib: state.host_ram_gib, kv: state.kv,
      mode: state.mode, workload: state.workload, limit: 16 });
    alsoRunsPlaceholder.replaceWith(alsoRunsSection(ranked, r.model.id, (model) => update({ model, quant: '' })));
  }, 0);
  document.title = `${r.model.name} on ${r.hardware_label}: ${r.fit_label} — runwell`;
  // Screen readers hear one line per change (the verdict), not the whole result re-read.
  $('announce').textContent = `${r.model.name} on ${r.hardware_label}: ${r.fit_label}, grade ${r.grade}. ${r.summary}`;
  $('setup-summary').textContent = `${r.model.name} on ${r.hardware_label} · ${r.quant.id} — change`;
  document.body.dataset.renderMs = (performance.now() - started).toFixed(1);  // read by scripts/bench
  return true;
}

// A bad URL parameter must not blank the page: drop it, say so, use the default.
function repairState(state) {
  const problems = [];
  const known = {
    model: new Set(catalog.models.map((m) => m.id)),
    hardware: new Set(catalog.hardware.map((d) => d.id)),
    quant: new Set(['', ...catalog.quants.map((q) => q.id)]),
    mode: new Set(catalog.modes.map((m) => m.id)),
    workload: new Set(catalog.workloads.map((w) => w.id)),
    kv: new Set(catalog.meta.kv_types),
  };
  for (const [key, ids] of Object.entries(known)) {
    // hardware may be a list of GPU ids (mixed cards): each must be known.
    const values = key === 'hardware' ? String(state[key] ?? '').split(',') : [state[key]];
    if (state[key] !== undefined && !values.every((v) => ids.has(v))) {
      problems.push(`unknown ${key} "${String(state[key]).slice(0, 60)}"`);
      state[key] = DEFAULTS[key] ?? '';
    }
  }
  for (const key of Object.keys(SPECS)) {
    try {
      specParam(new URLSearchParams(state[key] ? { [key]: state[key] } : {}), key);
    } catch (err) {
      problems.push(err.message);
      delete state[key];
    }
  }
  for (const key of ['context', 'gpus', 'host_ram_gib', 'gpu_memory_gib']) {
    if (state[key] !== undefined && state[key] !== '' && !(Number(state[key]) >= 0 && Number(state[key]) <= 1e8)) {
      problems.push(`invalid ${key} "${String(state[key]).slice(0, 30)}"`);
      state[key] = DEFAULTS[key] ?? '';
    }
  }
  return problems;
}

function showState(push) {
  const state = readState();
  const problems = repairState(state);
  syncForm(state);
  const ok = render(state, push);
  if (problems.length) showMessage(`The link had ${problems.join(', ')}; showing the default instead.`);
  return ok;
}

async function main() {
  const started = await startPage('./', (text) => { clear($('result')); showMessage(text); });
  if (!started) return;
  ({ rw, catalog } = started);
  DEFAULTS = defaultsOf(catalog);
  QUERY_KEYS = catalog.meta.query_keys;
  SERVE_KEYS = catalog.meta.serve_keys;
  fillPickers();
  if (!showState(false)) {
    // The combination in the link is invalid as a whole (e.g. a context beyond the model's limit,
    // several GPUs of a Mac): the fields the core rejects go back to their defaults.
    let state = readState();
    let problems = repairState(state);
    try {
      const specOf = (field, s) => Object.keys(SPECS).find((key) => SPECS[key] === field && s[key]) ?? field;
      const asked = withRepairs((s) => rw.estimate(query(s)), state, DEFAULTS, specOf);
      state = asked.query;
      problems = [...problems, ...asked.problems];
    } catch {
      for (const key of Object.keys(SPECS)) delete state[key];
      problems.push('a custom entry the estimator cannot use');
    }
    syncForm(state);
    render(state, false);
    showMessage(`The link had ${problems.join('; ')} — showing the default instead.`);
  }
  // A picked search match replaces what was typed, so the field always names what is shown.
  // On a phone, a shared link opens on its verdict: the form folds under its summary line.
  if (location.search && matchMedia('(max-width: 700px)').matches) $('setup').open = false;
  const onChange = () => {
    const next = formState();
    if (!render(next, true)) return;
    syncForm(next);
    if (!next.hardware_spec && next.hardware !== DEFAULTS.hardware && !next.hardware.includes(',')) { rememberDevice(next.hardware); showMine(); }
  };
  // "My device": remembered when picked, shown beside the picker with a way to forget it.
  const showMine = () => {
    const id = myDevice(catalog);
    const hint = $('hardware-hint');
    if (!id || hint.textContent) return;
    const name = catalog.hardware.find((d) => d.id === id).name;
    hint.append(h('span', { class: 'muted' }, `Your device (remembered in this browser): ${name} · `),
      h('button', { type: 'button', class: 'link', id: 'forget-device', onclick: () => { forgetDevice(); hint.textContent = ''; } }, 'Forget'));
  };
  showMine();
  // While typing in a picker, the best match is announced once the typing pauses (Enter picks it).
  for (const kind of ['model', 'hardware']) {
    let timer;
    $(kind).addEventListener('input', () => {
      clearTimeout(timer);
      timer = setTimeout(() => {
        const typed = $(kind).value.trim();
        const id = typed ? pickers[kind].idOf(typed) : null;
        const label = id ? pickers[kind].labelOf(id) : '';
        $(`${kind}-hint`).textContent = !typed || label === typed ? '' : id ? `Enter picks: ${label}` : `No ${kind === 'model' ? 'model' : 'device'} matches — keep typing or pick from the list.`;
      }, 400);
    });
  }
  // Escape closes the folded setup form on a phone and returns to its summary line.
  $('setup').addEventListener('keydown', (e) => {
    if (e.key !== 'Escape' || !$('setup').open || !matchMedia('(max-width: 700px)').matches) return;
    $('setup').open = false;
    $('setup-summary').focus();
  });
  $('controls').addEventListener('change', onChange);
  $('controls').addEventListener('submit', (e) => { e.preventDefault(); onChange(); });
  window.addEventListener('popstate', () => showState(false));
  document.body.dataset.readyMs = String(Math.round(performance.now()));  // read by scripts/bench
  document.body.dataset.ready = 'true';
  registerServiceWorker(document.querySelector('main'));
}

main();
