// The JS facade over the WebAssembly module: normalises arguments (URL
// strings become numbers, empty values are dropped) and turns every error
// answer into one typed RunwellError. No estimator logic lives here.
import createRunwellModule from './runwell_wasm.mjs';


export class RunwellError extends Error {
  constructor(code, message, { path = '', problems = [] } = {}) {
    super(message);
    this.name = 'RunwellError';
    this.code = code;
    this.path = path;
    this.problems = problems;
  }
}

const NUMERIC = new Set(['context', 'gpus', 'host_ram_gib', 'host_bandwidth_gbs', 'limit', 'prompt_tokens', 'depth',
  'gpu_layers', 'cpu_moe_layers', 'gpu_memory_gib', 'tensor_parallel', 'max_sequences', 'input_tokens', 'output_tokens',
  'target_tps', 'target_ttft_s', 'users', 'load_users', 'memory_fraction']);

// Query values from forms and URLs arrive as strings: numbers become numbers
// (a non-number is passed through so the core reports it), blanks disappear.
export function normalise(query) {
  const out = {};
  for (const [key, value] of Object.entries(query ?? {})) {
    if (value === undefined || value === null || value === '') continue;
    if (NUMERIC.has(key) && typeof value === 'string' && value.trim() !== '' && Number.isFinite(Number(value))) {
      out[key] = Number(value);
    } else {
      out[key] = value;
    }
  }
  return out;
}

function answer(module, request) {
  let text;
  try {
    text = module.call(JSON.stringify(request));
  } catch (err) {
    throw new RunwellError('module_failure', `the estimator failed: ${err?.message ?? err}`);
  }
  const result = JSON.parse(text);
  if (!result.ok) throw new RunwellError(result.error.code, result.error.message, result.error);
  return result;
}

// Reads only the header of a .gguf File/Blob: 4 MiB first, then as much as the
// core asks for while the header continues (the core bounds it). Nothing is uploaded.
const GGUF_FIRST_READ = 4 << 20;
async function importGguf(module, file) {
  if (!file || typeof file.slice !== 'function' || !Number.isFinite(file.size)) throw new RunwellError('bad_file', 'expected a file');
  let length = Math.min(GGUF_FIRST_READ, file.size);
  for (;;) {
    const bytes = new Uint8Array(await file.slice(0, length).arrayBuffer());
    let result;
    try {
      result = JSON.parse(module.importGguf(bytes, file.size));
    } catch (err) {
      throw new RunwellError('module_failure', `the estimator failed: ${err?.message ?? err}`);
    }
    if (result.ok) return result;
    if (result.error.code !== 'truncated') throw new RunwellError(result.error.code, result.error.message, result.error);
    if (length >= file.size || !(result.bytes_needed > length)) {
      throw new RunwellError('truncated', 'the file ends inside its header: it is incomplete', result.error);
    }
    length = Math.min(file.size, result.bytes_needed);
  }
}

// files: {name: text} holding at least the catalog files the module names (catalogFiles),
// or a promise of it (fetched while the module compiles); wasmBinary: optional bytes (Node).
export async function createRunwell({ files, wasmBinary, locateFile } = {}) {
  const options = {};
  if (wasmBinary) options.wasmBinary = wasmBinary;
  if (locateFile) options.locateFile = locateFile;
  let module;
  [module, files] = await Promise.all([createRunwellModule(options), files]);
  for (const name of JSON.parse(module.catalogFiles())) {
    if (typeof files?.[name] !== 'string') throw new RunwellError('catalog_missing', `catalog file ${name} is missing`);
    module.addCatalogFile(name, files[name]);
  }
  const loaded = JSON.parse(module.finishCatalog());
  if (!loaded.ok) {
    const first = loaded.problems[0];
    throw new RunwellError('catalog_invalid', `catalog problem at ${first.path}: ${first.message}`, loaded);
  }
  return {
    estimate: (query) => answer(module, { ...normalise(query), op: 'estimate' }),
    rank: (query) => answer(module, { ...normalise(query), op: 'rank' }),
    serve: (query) => answer(module, { ...normalise(query), op: 'serve' }),
    check: (query, bench) => answer(module, { ...normalise(query), op: 'check', bench: String(bench).slice(0, 65536) }),
    devices: (query) => answer(module, { ...normalise(query), op: 'devices' }),
    catalog: () => answer(module, { op: 'catalog' }),
    meta: () => answer(module, { op: 'meta' }),
    search: (kind, q) => answer(module, { op: 'search', kind, q: String(q).slice(0, 200) }).matches,
    importConfig: (text, repo) => answer(module, { op: 'import_config', config: String(text), ...(repo ? { repo: String(repo) } : {}) }),
    hfConfigPath: (repo) => answer(module, { op: 'hf_config_path', repo: String(repo) }).path,
    importGguf: (file) => importGguf(module, file),
  };
}

// Browser helper: fetch the catalog next to the page and start the module. The build lists
// the catalog's files in data/catalog-files.json (from the core), so they load while the module compiles.
export async function loadRunwell(base = './') {
  const at = (name) => new URL(`data/${name}`, new URL(base, location.href));
  const get = async (name) => {
    const res = await fetch(at(name));
    if (!res.ok) throw new RunwellError('catalog_missing', `could not load data/${name} (HTTP ${res.status})`);
    return res.text();
  };
  const texts = get('catalog-files.json').then((list) => Promise.all(JSON.parse(list).map(async (name) => [name, await get(name)])));
  return createRunwell({ files: texts.then(Object.fromEntries) });
}
