// The native CLI's batch mode: a 1,000-line file with malformed lines gives
// exactly one JSON answer per line, in order, and the batch goes on.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(fileURLToPath(new URL('../..', import.meta.url)));
const cli = process.env.RUNWELL_CLI ?? join(root, 'build/core/runwell');

test('batch answers a 1,000-line file including malformed lines', () => {
  const models = ['qwen3-8b', 'kimi-linear-48b-a3b-instruct', 'llama-3.1-70b-instruct', 'gpt-oss-120b'];
  const devices = ['rtx-4090', 'l40', 'apple-m2-ultra-128gb', 'mi100', 'v100-32gb'];
  const lines = [];
  const expectOk = [];
  for (let i = 0; i < 1000; i++) {
    if (i % 10 === 3) { lines.push('{"model": "qwen3-8b", "hardware": '); expectOk.push(false); continue; }  // truncated JSON
    if (i % 10 === 7) { lines.push(JSON.stringify({ model: 'no-such', hardware: 'l40' })); expectOk.push(false); continue; }
    if (i % 50 === 11) { lines.push('null'); expectOk.push(false); continue; }
    lines.push(JSON.stringify({ model: models[i % 4], hardware: devices[i % 5], mode: i % 2 ? 'balanced' : 'scale-out' }));
    expectOk.push(true);
  }
  const out = execFileSync(cli, ['batch'], { input: `${lines.join('\n')}\n`, maxBuffer: 1 << 30 }).toString().trim().split('\n');
  assert.equal(out.length, 1000);
  out.forEach((line, i) => {
    const r = JSON.parse(line);
    assert.equal(r.ok, expectOk[i], `line ${i + 1}: ${line.slice(0, 120)}`);
    if (!r.ok) assert.ok(r.error.code && r.error.message);
  });
});

test('estimate --json prints the full result; bad flags are explained', () => {
  const r = JSON.parse(execFileSync(cli, ['estimate', '--model', 'kimi-linear-48b-a3b-instruct', '--hardware', 'l40', '--quant', 'Q4_K_M', '--json']).toString());
  for (const key of ['fit', 'memory_gib', 'decode_tps', 'ttft_s', 'safe_context', 'workloads', 'quants', 'limits', 'improvements', 'commands']) {
    assert.ok(key in r, key);
  }
  assert.throws(() => execFileSync(cli, ['estimate', '--model', 'qwen3-8b', '--hardware', 'l40', '--context', 'lots'], { stdio: 'pipe' }),
    (e) => /--context needs a number/.test(e.stderr.toString()));
  assert.throws(() => execFileSync(cli, ['estimate', '--model', 'nope', '--hardware', 'l40'], { stdio: 'pipe' }),
    (e) => /no model with id 'nope'/.test(e.stderr.toString()) && e.status === 1);
});
