// Node tests of the built WebAssembly module through its JS facade.
// RUNWELL_WASM_DIR points at the folder with runwell_wasm.mjs/.wasm and runwell.mjs.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync, copyFileSync, mkdtempSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { join, resolve } from 'node:path';
import { tmpdir } from 'node:os';
import { pathToFileURL, fileURLToPath } from 'node:url';
import { ggufHeader } from '../support/gguf.mjs';

const root = resolve(fileURLToPath(new URL('../..', import.meta.url)));
const wasmDir = process.env.RUNWELL_WASM_DIR ?? join(root, 'build-wasm/wasm');
const cli = process.env.RUNWELL_CLI ?? join(root, 'build/core/runwell');
// The facade imports ./runwell_wasm.mjs, so put both in one folder.
const dir = mkdtempSync(join(tmpdir(), 'runwell-node-'));
for (const f of ['runwell_wasm.mjs', 'runwell_wasm.wasm']) copyFileSync(join(wasmDir, f), join(dir, f));
copyFileSync(join(root, 'wasm/runwell.mjs'), join(dir, 'runwell.mjs'));
const { createRunwell, normalise, RunwellError } = await import(pathToFileURL(join(dir, 'runwell.mjs')).href);

const wasmBinary = readFileSync(join(dir, 'runwell_wasm.wasm'));
// Every file of the data folder: the module takes the ones it names.
const files = Object.fromEntries(readdirSync(join(root, 'data')).filter((n) => n.endsWith('.json')).map((n) => [n, readFileSync(join(root, 'data', n), 'utf8')]));
const rw = await createRunwell({ files, wasmBinary });

function viaCli(request) {
  return JSON.parse(execFileSync(cli, ['batch'], { input: JSON.stringify(request) + '\n' }).toString());
}

test('estimate in wasm equals the native CLI for the same query', () => {
  const q = { model: 'kimi-linear-48b-a3b-instruct', hardware: 'l40', quant: 'Q4_K_M' };
  const a = rw.estimate(q);
  const b = viaCli({ ...q, op: 'estimate' });
  assert.equal(a.fit, b.fit);
  assert.equal(a.decode_tps, b.decode_tps);
  assert.equal(a.memory_gib.total, b.memory_gib.total);
  assert.equal(a.safe_context, b.safe_context);
  assert.deepEqual(a.workloads.map((w) => w.grade), b.workloads.map((w) => w.grade));
});

test('a serving plan for a day the engines run equals the native CLI\'s, the young model\'s caveat with it', () => {
  // GLM-4.7-Flash came out on 2026-01-19 (data/models.json): a day later its kernels count as young.
  const q = { model: 'glm-4.7-flash', hardware: 'b200', quant: 'BF16', engine: 'sglang', users: 16, as_of: '2026-01-20' };
  const a = rw.serve(q);
  const b = viaCli({ ...q, op: 'serve' });
  assert.deepEqual(a.point, b.point);
  assert.deepEqual(a.caveats, b.caveats);
  assert.equal(a.caveats[0].code, 'young_model');
  assert.throws(() => rw.serve({ ...q, as_of: '2026-02-30' }), (e) => e instanceof RunwellError && e.code === 'bad_date');
});

test('rank and catalog are bound', () => {
  const ranked = rw.rank({ hardware: 'rtx-4090', mode: 'balanced', limit: 5 });
  assert.equal(ranked.models.length, 5);
  const cat = rw.catalog();
  assert.ok(cat.models.length >= 60);
  assert.ok(cat.hardware.length >= 80);
});

test('URL strings are normalised to numbers and blanks dropped', () => {
  assert.deepEqual(normalise({ context: '8192', gpus: '2', quant: '', mode: undefined, model: 'x' }),
    { context: 8192, gpus: 2, model: 'x' });
  const r = rw.estimate({ model: 'qwen3-8b', hardware: 'rtx-4090', context: '16384', gpus: '1' });
  assert.equal(r.query.context, 16384);
});

test('errors become one typed RunwellError with the core code', () => {
  const cases = [
    [{ model: 'nope', hardware: 'l40' }, 'unknown_model'],
    [{ model: 'qwen3-8b', hardware: 'nope' }, 'unknown_hardware'],
    [{ model: 'qwen3-8b', hardware: 'l40', context: 'NaN' }, 'wrong_type'],
    [{ model: 'qwen3-8b', hardware: 'l40', context: '-1' }, 'out_of_range'],
    [{ model: 'qwen3-8b', hardware: 'l40', gpus: '1e9' }, 'out_of_range'],
    [{ model: '<img src=x onerror=alert(1)>', hardware: 'l40' }, 'unknown_model'],
  ];
  for (const [q, code] of cases) {
    assert.throws(() => rw.estimate(q), (e) => e instanceof RunwellError && e.code === code, JSON.stringify(q));
  }
  // The module survives bad input: a good query still works afterwards.
  assert.equal(rw.estimate({ model: 'qwen3-8b', hardware: 'l40' }).ok, true);
});

test('a broken catalog is refused with every problem listed', async () => {
  const broken = { ...files, 'models.json': '{"models":[{"id":"x"}]}' };
  await assert.rejects(createRunwell({ files: broken, wasmBinary }), (e) => {
    return e instanceof RunwellError && e.code === 'catalog_invalid' && e.problems.length > 3;
  });
  await assert.rejects(createRunwell({ files: { ...files, 'quants.json': undefined }, wasmBinary }),
    (e) => e.code === 'catalog_missing');
});

test('config.json and GGUF imports are bound; the GGUF reader reads only as much as the header needs', async () => {
  const cfg = rw.importConfig(JSON.stringify({ model_type: 'llama', hidden_size: 4096, intermediate_size: 14336, num_hidden_layers: 32,
    num_attention_heads: 32, num_key_value_heads: 8, vocab_size: 128256, max_position_embeddings: 131072 }));
  assert.ok(Math.abs(cfg.model.params_b - 8.03) < 0.1);
  assert.throws(() => rw.importConfig('{"hidden_size": 40'), (e) => e.code === 'bad_json');
  // A GGUF header followed by 40 MiB of "tensor data": the reader must stop at the header.
  const header = new Uint8Array(ggufHeader());
  const data = new Uint8Array(40 << 20);
  let largestRead = 0;
  const file = {
    size: header.length + data.length,
    slice(start, end) {
      largestRead = Math.max(largestRead, end - start);
      const whole = new Uint8Array(end - start);
      whole.set(header.subarray(0, Math.min(end, header.length)));
      return { arrayBuffer: async () => whole.buffer };
    },
  };
  const imp = await rw.importGguf(file);
  assert.equal(imp.model.layers, 2);
  assert.ok(largestRead <= 4 << 20, `read ${largestRead} bytes`);
  const est = rw.estimate({ model: imp.model, hardware: 'rtx-4090', quant: imp.quant });
  assert.equal(est.ok, true);
  const notGguf = { size: 10, slice: () => ({ arrayBuffer: async () => new TextEncoder().encode('not a gguf').buffer }) };
  await assert.rejects(rw.importGguf(notGguf), (e) => e.code === 'not_gguf');
});

test('the pages define no catalog id, enum value or default of their own: the core\'s meta answer has them all', () => {
  const catalog = rw.catalog();
  const meta = catalog.meta;
  // What the core defines, as the strings a page could spell out.
  const defined = new Set([
    ...['models', 'hardware', 'quants', 'workloads', 'modes'].flatMap((list) => catalog[list].map((e) => e.id)),
    ...meta.kv_types, ...meta.backends, ...meta.device_kinds.map((k) => k.id), ...meta.fits.map((f) => f.id),
  ]);
  assert.ok(defined.has(meta.defaults.model) && defined.has(meta.defaults.hardware) && defined.size > 100);
  const webDir = join(root, 'web');
  const offenders = [];
  for (const name of readdirSync(webDir).filter((f) => /\.(mjs|js|html)$/.test(f))) {
    const text = readFileSync(join(webDir, name), 'utf8');
    for (const [, literal] of text.matchAll(/['"`]([A-Za-z0-9_.-]+)['"`]/g)) {
      if (defined.has(literal)) offenders.push(`${name}: '${literal}'`);
    }
  }
  // Control: the check sees a literal when one is there.
  assert.ok(`'${meta.defaults.model}'`.match(/['"`]([A-Za-z0-9_.-]+)['"`]/)[1] === meta.defaults.model);
  assert.deepEqual(offenders, []);
});
