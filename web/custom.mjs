// Bring your own: a Hugging Face config.json (pasted or opened) or a local .gguf
// (only its header is read, in the browser), and a custom device. Results open in
// the calculator with the specs in the URL, so they can be shared.
import { h, clear, fmt, tokens, startPage } from './ui.mjs';

const main = document.getElementById('page');
let rw;
let meta;              // the core's vocabulary: device kinds, backends, defaults
let imported = null;   // {model, quant?}
let device = null;     // inline device spec

function link(path, extra = {}) {
  const p = new URLSearchParams();
  if (imported) {
    p.set('model_spec', JSON.stringify(imported.model));
    if (imported.quant) p.set('quant_spec', JSON.stringify(imported.quant));
  }
  if (device) p.set('hardware_spec', JSON.stringify(device));
  for (const [k, v] of Object.entries(extra)) p.set(k, v);
  return `${path}?${p}`;
}

// A link that always carries the current model and device, whichever was set last.
function liveLink(path, attrs, text) {
  return h('a', { href: link(path), 'data-path': path, ...attrs }, text);
}

function refreshLinks() {
  for (const a of main.querySelectorAll('a[data-path]')) a.href = link(a.dataset.path);
}

function status(box, kind, ...children) {
  clear(box);
  box.className = kind === 'error' ? 'message' : 'ok-box';
  box.hidden = false;
  box.setAttribute('role', kind === 'error' ? 'alert' : 'status');
  box.append(...children);
}

function modelSummary(r) {
  const m = r.model;
  const a = m.attention;
  const attention = a.kind === 'mla' ? `MLA (latent ${a.kv_lora_rank})` : `${a.kind.toUpperCase()} ${a.heads}/${a.kv_heads} heads × ${a.head_dim}`;
  return h('div', {},
    h('p', {}, h('strong', { 'data-testid': 'imported-name' }, m.name), ` — ${fmt(m.params_b, 2)}B parameters${m.moe ? ` (${fmt(m.active_params_b, 2)}B active, ${m.moe.experts} experts, ${m.moe.active_experts} per token)` : ''}, ${m.layers} layers, ${attention}${a.window_layers ? `, ${a.window_layers} sliding-window layers` : ''}${a.linear_layers ? `, ${a.linear_layers} linear-attention layers` : ''}, context ${tokens(m.max_context)}.`),
    r.quant ? h('p', {}, `File precision: ${fmt(r.quant.bpw_body, 2)} bits per weight (${fmt(r.file_weight_gib, 2)} GiB of tensors).`) : null,
    ...(r.notes ?? []).map((n) => h('p', { class: 'note' }, `Assumption: ${n}.`)),
    h('p', {}, liveLink('./', { id: 'open-model' }, 'Open in the calculator →')));
}

// Where config.json files are fetched from: the Hugging Face Hub, or (for tests and mirrors)
// a folder of this site given as ?hf_base=/path/ — never another origin (the CSP allows only these two).
function hubBase() {
  const asked = new URLSearchParams(location.search).get('hf_base') ?? '';
  const samePath = /^\/[A-Za-z0-9_.-][A-Za-z0-9/_.-]{0,200}\/$/.test(asked) && !asked.includes('..') && !asked.includes('//');
  return samePath ? new URL(asked, location.href).href : 'https://huggingface.co/';
}

// Import by repository id: fetches that repo's config.json on this explicit action only.
function repoImport(box, text) {
  const repo = h('input', { id: 'hf-repo', type: 'text', placeholder: 'owner/name, e.g. Qwen/Qwen3-8B', maxlength: 200, autocomplete: 'off', spellcheck: 'false', 'aria-label': 'Hugging Face repository' });
  const fetchButton = h('button', { type: 'submit', class: 'primary', id: 'fetch-config' }, 'Fetch config.json');
  const form = h('form', { id: 'repo-form', class: 'row' }, repo, fetchButton);
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    const id = repo.value.trim();
    let url;
    try {
      url = new URL(rw.hfConfigPath(id), hubBase());  // the core validates the id and builds the path
    } catch (err) {
      status(box, 'error', `Repository: ${err.message}.`);
      return;
    }
    status(box, 'ok', `Fetching ${url.href}…`);
    fetchButton.disabled = true;
    try {
      const res = await fetch(url, { credentials: 'omit', redirect: 'follow' });
      if (!res.ok) throw new Error(res.status === 404 ? `${id} has no config.json (HTTP 404): check the name, or the repo may be gated` : `HTTP ${res.status}`);
      const body = await res.text();
      if (body.length > 1 << 20) throw new Error('the answer is too large to be a config.json');
      text.value = body;
      imported = rw.importConfig(body, id);
      status(box, 'ok', modelSummary(imported));
      refreshLinks();
    } catch (err) {
      const offline = err instanceof TypeError;  // fetch's network failure
      status(box, 'error', offline ? `Could not reach ${url.origin} (offline, or blocked). Paste the config.json or open a .gguf instead.`
        : `${id}: ${err.message}.`);
    } finally {
      fetchButton.disabled = false;
    }
  });
  return form;
}

function modelCard() {
  const box = h('div', { id: 'model-status', hidden: true });
  const text = h('textarea', { id: 'config', 'aria-label': 'config.json', placeholder: '{ "model_type": "llama", "hidden_size": 4096, … }', spellcheck: 'false' });
  const read = h('button', { type: 'button', class: 'primary', id: 'read-config' }, 'Read config.json');
  read.addEventListener('click', () => {
    try {
      imported = rw.importConfig(text.value);
      status(box, 'ok', modelSummary(imported));
      refreshLinks();
    } catch (err) {
      status(box, 'error', text.value.trim() ? `${err.message}.` : 'Paste a config.json first (or name a repository above).');
    }
  });
  const file = h('input', { type: 'file', id: 'gguf', accept: '.gguf,.json', 'aria-label': 'Open a .gguf or config.json file' });
  file.addEventListener('change', async () => {
    const f = file.files[0];
    if (!f) return;
    status(box, 'ok', `Reading the header of ${f.name}…`);
    try {
      if (f.name.endsWith('.json')) {
        if (f.size > 1 << 20) throw new Error('a config.json is a few kilobytes; this file is too large to be one');
        text.value = await f.text();
        imported = rw.importConfig(text.value);
      } else {
        imported = await rw.importGguf(f);
      }
      status(box, 'ok', modelSummary(imported));
      refreshLinks();
    } catch (err) {
      status(box, 'error', `${f.name}: ${err.message}.`);
    }
  });
  return h('section', { class: 'card custom', id: 'custom-model' }, h('h2', {}, 'Your model'),
    h('p', {}, 'Name a Hugging Face repository, paste a config.json, or open a local .gguf: only its header (metadata and tensor table) is read, in this page; nothing is uploaded.'),
    h('label', { for: 'hf-repo' }, 'A Hugging Face repository (its config.json is fetched from the Hub when you ask, nothing else is sent)'),
    repoImport(box, text),
    h('p', {}, 'Or paste a config.json:'),
    text, h('p', {}, read), h('label', {}, 'Or open a file (.gguf or config.json)', file), box);
}

function deviceCard() {
  const box = h('div', { id: 'device-status', hidden: true });
  const field = (id, label, attrs) => h('label', {}, label, h('input', { id, name: id, ...attrs }));
  // novalidate: the core checks the numbers and names the bad field itself.
  const form = h('form', { id: 'device-form', novalidate: true },
    h('div', { class: 'row' },
      field('d-name', 'Name', { type: 'text', value: 'My device', maxlength: 80 }),
      h('label', {}, 'Kind', h('select', { id: 'd-kind' }, ...meta.device_kinds.map((k) => h('option', { value: k.id }, k.name)))),
      h('label', {}, 'Backend', h('select', { id: 'd-backend' }, ...meta.backends.map((b) => h('option', { value: b }, b)))),
      field('d-memory', 'Memory (GiB)', { type: 'number', min: 0.5, max: 65536, step: 'any', value: 24 }),
      field('d-bandwidth', 'Bandwidth (GB/s)', { type: 'number', min: 1, max: 100000, step: 'any', value: 1000 }),
      field('d-tflops', 'FP16 TFLOPS (dense)', { type: 'number', min: 0.01, max: 100000, step: 'any', value: 100 })),
    h('p', {}, h('button', { type: 'submit', class: 'primary' }, 'Use this device')), box);
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    const spec = { name: form.querySelector('#d-name').value.slice(0, 80) || 'My device', kind: form.querySelector('#d-kind').value,
      backend: form.querySelector('#d-backend').value, memory_gib: Number(form.querySelector('#d-memory').value),
      bandwidth_gbs: Number(form.querySelector('#d-bandwidth').value), fp16_tflops: Number(form.querySelector('#d-tflops').value) };
    try {
      // Validated by the core with a catalog model, so the message names the bad field.
      rw.estimate({ model: meta.defaults.model, hardware: spec });
      device = spec;
      status(box, 'ok', h('p', {}, `${spec.name}: ${fmt(spec.memory_gib, 0)} GiB, ${fmt(spec.bandwidth_gbs, 0)} GB/s. `,
        liveLink('device.html', { id: 'open-device' }, 'What runs on it →'), ' · ', liveLink('./', {}, 'Open in the calculator →')));
      refreshLinks();
    } catch (err) {
      device = null;
      status(box, 'error', `Device: ${err.message}.`);
    }
  });
  return h('section', { class: 'card custom', id: 'custom-device' }, h('h2', {}, 'Your device'), form);
}

async function start() {
  const started = await startPage('custom.html', (text) => { clear(main); main.append(h('div', { class: 'message', role: 'alert' }, text)); });
  if (!started) return;
  rw = started.rw;
  meta = started.catalog.meta;
  clear(main);
  main.append(h('h1', {}, 'Bring your own model or device'),
    h('p', { class: 'lede' }, 'Anything not in the catalog can be estimated: the same physics, your numbers.'), modelCard(), deviceCard());
  document.body.dataset.ready = 'true';
}

start();
