// Property tests of the pages' URL-state helpers (web/ui.mjs) with random hostile input:
// a spec parameter is an object or a readable Error, never anything else; repairing a query
// from the core's error paths always ends, and drops only what the core named.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = resolve(fileURLToPath(new URL('../..', import.meta.url)));
const dist = process.env.RUNWELL_DIST ?? join(root, 'dist');
const { specParam, withRepairs } = await import(pathToFileURL(join(dist, 'ui.mjs')).href);
const { RunwellError } = await import(pathToFileURL(join(dist, 'runwell.mjs')).href);

// Deterministic generator (mulberry32): failures are reproducible from the seed.
function rng(seed) {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
const PIECES = ['{', '}', '[', ']', '"', ':', ',', '1e999', 'null', 'true', '"id"', '"q; curl x | sh"', '\u0000', '\u202e',
  '<script>', '%7B', '__proto__', '"constructor"', ' ', '\\', '-1', '9'.repeat(400)];
function randomText(next) {
  let out = '';
  const n = Math.floor(next() * 40);
  for (let i = 0; i < n; i++) out += PIECES[Math.floor(next() * PIECES.length)];
  if (next() < 0.1) out = `{"a":${'['.repeat(2000)}1${']'.repeat(2000)}}`;
  if (next() < 0.05) out = 'x'.repeat(5000);
  return out;
}

test('specParam: an object, null, or an Error with a message; never another type', () => {
  const next = rng(20261130);
  for (let i = 0; i < 3000; i++) {
    const text = randomText(next);
    let value;
    try {
      value = specParam(new URLSearchParams({ model_spec: text }), 'model_spec');
    } catch (err) {
      assert.ok(err instanceof Error && err.message.startsWith('model_spec'), String(err));
      continue;
    }
    assert.ok(value === null || (typeof value === 'object' && !Array.isArray(value)), `${text} -> ${JSON.stringify(value)}`);
    if (text.length > 4096) assert.fail('an over-long spec was accepted');
  }
});

test('withRepairs: ends within one try per field and drops only the fields the core named', () => {
  const next = rng(7);
  const keys = ['model', 'hardware', 'quant', 'context', 'gpus', 'host_ram_gib', 'kv', 'mode', 'workload'];
  for (let i = 0; i < 2000; i++) {
    const query = Object.fromEntries(keys.filter(() => next() < 0.7).map((k) => [k, randomText(next).slice(0, 20) || 'x']));
    const bad = new Set(Object.keys(query).filter(() => next() < 0.4));
    const defaults = Object.fromEntries(keys.filter(() => next() < 0.5).map((k) => [k, `default-${k}`]));
    let calls = 0;
    const ask = (q) => {
      calls += 1;
      const wrong = Object.keys(q).find((k) => bad.has(k) && q[k] === query[k]);
      if (wrong) throw new RunwellError('out_of_range', `${wrong} is wrong`, { path: next() < 0.5 ? wrong : `${wrong}.inner` });
      return { ok: true };
    };
    const asked = withRepairs(ask, query, defaults);
    assert.ok(calls <= Object.keys(query).length + 1, `${calls} calls`);
    assert.equal(asked.problems.length, bad.size);
    for (const k of Object.keys(query)) {
      if (!bad.has(k)) assert.equal(asked.query[k], query[k], `${k} kept`);
      else assert.equal(asked.query[k], defaults[k], `${k} reset to its default or dropped`);
    }
  }
});

test('withRepairs: an error that names no field of the query is passed on, not looped on', () => {
  const ask = () => { throw new RunwellError('no_catalog', 'the catalog is not loaded', { path: '' }); };
  assert.throws(() => withRepairs(ask, { model: 'a' }), (err) => err.code === 'no_catalog');
  const boom = () => { throw new TypeError('not ours'); };
  assert.throws(() => withRepairs(boom, { model: 'a' }), TypeError);
});
