// Browse and bring-your-own pages: device ranking, model tier list, compare,
// custom model (config.json and .gguf) and custom device, with bad input.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { serve, launch, ready, shot, DIST } from './harness.mjs';
import { ggufHeader } from '../support/gguf.mjs';

let server, ctx;
before(async () => { server = await serve(); ctx = await launch(); });
after(async () => { await ctx?.close(); await server?.stop(); });

async function open(path) {
  const page = await ctx.newPage();
  const problems = [];
  page.on('pageerror', (e) => problems.push(e.message));
  page.on('dialog', (d) => { problems.push(`dialog ${d.message()}`); d.dismiss(); });
  await page.setViewportSize({ width: 1200, height: 900 });
  await page.goto(server.url + path);
  await ready(page);
  return { page, problems };
}

const numbers = (page, sel) => page.$$eval(sel, (els) => els.map((e) => Number(e.dataset.decode)));

test('what runs on my device: ranked, filterable, sortable, in the URL', async () => {
  const { page, problems } = await open('device.html?hardware=apple-m2-ultra-128gb');
  const all = await page.locator('#ranking tbody tr').count();
  assert.ok(all >= 40, `${all} models`);
  await page.selectOption('#moe', 'moe');
  await page.waitForFunction(() => new URL(location.href).searchParams.get('moe') === 'moe');
  const params = await page.$$eval('#ranking tbody tr td:nth-child(2)', (els) => els.map((e) => e.textContent));
  assert.ok(params.length > 5 && params.length < all);
  assert.ok(params.every((t) => t.includes('active')), 'only MoE models');
  await page.selectOption('#sort', 'decode');
  await page.waitForFunction(() => new URL(location.href).searchParams.get('sort') === 'decode');
  const decode = await numbers(page, '#ranking tbody td[data-decode]');
  assert.deepEqual(decode, [...decode].sort((a, b) => b - a));
  await page.fill('#license', 'apache');
  await page.dispatchEvent('#license', 'change');
  await page.waitForFunction(() => new URL(location.href).searchParams.get('license') === 'apache');
  const licenses = await page.$$eval('#ranking tbody td.license', (els) => els.map((e) => e.textContent.toLowerCase()));
  assert.ok(licenses.length > 0 && licenses.every((l) => l.includes('apache')));
  await shot(page, 'device-m2-ultra');
  await page.goBack();
  await page.waitForFunction(() => !new URL(location.href).searchParams.has('license'));
  assert.deepEqual(problems, []);
  await page.close();
});

test('a custom device from the URL is ranked; a bad one is explained', async () => {
  const spec = JSON.stringify({ name: 'Lab box', kind: 'discrete_gpu', backend: 'cuda', memory_gib: 12, bandwidth_gbs: 500, fp16_tflops: 60 });
  const { page, problems } = await open(`device.html?hardware_spec=${encodeURIComponent(spec)}`);
  assert.match(await page.textContent('#title'), /Lab box/);
  assert.ok(await page.locator('#ranking tbody tr').count() > 10);
  await page.goto(`${server.url}device.html?hardware_spec=${encodeURIComponent('{"kind":"discrete_gpu","memory_gib":-3')}`);
  await page.waitForFunction(() => !document.getElementById('message').hidden);
  assert.match(await page.textContent('#message'), /not valid JSON/);
  await page.goto(`${server.url}device.html?hardware=%3Cb%3Enope`);
  await ready(page);
  assert.match(await page.textContent('#message'), /unknown device/i);
  assert.deepEqual(problems, []);
  await page.close();
});

test('a model page lists a tier list of devices; an unknown model is explained', async () => {
  const { page, problems } = await open('model.html?id=kimi-linear-48b-a3b-instruct');
  assert.match(await page.textContent('h1'), /Kimi Linear/);
  const tiers = await page.$$eval('#tiers .tier', (els) => els.map((e) => e.dataset.grade));
  assert.ok(tiers.length >= 1);
  assert.deepEqual(tiers, [...tiers].sort((a, b) => 'SABCDF'.indexOf(a) - 'SABCDF'.indexOf(b)));
  assert.ok(await page.locator('#tiers tbody tr').count() >= 20);
  await shot(page, 'model-kimi');
  await page.goto(`${server.url}model.html?id=no-such-model`);
  await ready(page);
  assert.match(await page.textContent('.message'), /No model "no-such-model"/);
  assert.deepEqual(problems, []);
  await page.close();
});

test('compare shows setups side by side, adds one, and isolates a bad one', async () => {
  const s = ['llama-3.1-8b-instruct,rtx-4090,Q4_K_M', 'llama-3.1-8b-instruct,apple-m4-pro-48gb,Q4_K_M', 'nope,rtx-4090,'];
  const { page, problems } = await open(`compare.html?${s.map((x) => `s=${encodeURIComponent(x)}`).join('&')}`);
  assert.equal(await page.locator('#compare [data-setup]').count(), 3);
  assert.match(await page.textContent('[data-setup="2"] .message'), /no model with id 'nope'/);
  assert.ok(await page.$('[data-setup="0"] table'));
  await page.click('#add');
  await page.waitForFunction(() => new URL(location.href).searchParams.getAll('s').length === 4);
  assert.equal(await page.locator('#compare [data-setup]').count(), 4);
  assert.equal(await page.$('#add'), null, 'at most four');
  await shot(page, 'compare');
  assert.deepEqual(problems, []);
  await page.close();
});

test('bring your own: config.json and .gguf open in the calculator; bad files are explained', async () => {
  const { page, problems } = await open('custom.html');
  await page.fill('#config', '{"model_type":"llama","hidden_size":4096');
  await page.click('#read-config');
  assert.match(await page.textContent('#model-status'), /not valid JSON/);
  await page.fill('#config', JSON.stringify({ _name_or_path: 'my-org/My-8B', model_type: 'llama', hidden_size: 4096, intermediate_size: 14336,
    num_hidden_layers: 32, num_attention_heads: 32, num_key_value_heads: 8, vocab_size: 128256, max_position_embeddings: 131072 }));
  await page.click('#read-config');
  assert.match(await page.textContent('#model-status'), /8\.03B parameters/);
  await page.setInputFiles('#gguf', { name: 'tiny.gguf', mimeType: 'application/octet-stream', buffer: ggufHeader() });
  await page.waitForFunction(() => /Tiny Test Llama/.test(document.getElementById('model-status').textContent));
  assert.match(await page.textContent('#model-status'), /bits per weight/);
  await page.setInputFiles('#gguf', { name: 'photo.gguf', mimeType: 'image/png', buffer: Buffer.from('\x89PNG\r\n\x1a\n not a model') });
  await page.waitForFunction(() => /not a GGUF file/.test(document.getElementById('model-status').textContent));
  // The device card still works after the failed file.
  await page.fill('#d-memory', '-5');
  await page.click('#device-form button[type=submit]');
  assert.match(await page.textContent('#device-status'), /memory_gib/);
  await page.fill('#d-memory', '16');
  await page.click('#device-form button[type=submit]');
  assert.match(await page.textContent('#device-status'), /What runs on it/);
  // Back to a good model, then open the shareable calculator link.
  await page.setInputFiles('#gguf', { name: 'tiny.gguf', mimeType: 'application/octet-stream', buffer: ggufHeader() });
  await page.waitForFunction(() => /Tiny Test Llama/.test(document.getElementById('model-status').textContent));
  await shot(page, 'custom');
  await page.click('#open-model');
  await ready(page);
  assert.match(await page.textContent('#verdict h2'), /Tiny Test Llama on My device/);
  assert.ok(new URL(page.url()).searchParams.has('model_spec'));
  assert.ok(new URL(page.url()).searchParams.has('quant_spec'));
  await shot(page, 'calculator-custom');
  assert.deepEqual(problems, []);
  await page.close();
});

test('import by Hugging Face repo id: fetched on request from a fixture hub, named after the repo; bad ids and offline fail cleanly', async () => {
  // A copy of the site with a fixture "hub" folder in Hugging Face's layout (owner/name/resolve/main/config.json).
  const site = mkdtempSync(join(tmpdir(), 'runwell-hub-'));
  cpSync(DIST, site, { recursive: true });
  const config = join(site, 'hub/Qwen/Qwen3-8B/resolve/main');
  mkdirSync(config, { recursive: true });
  // Qwen3-8B's published config.json fields (huggingface.co/Qwen/Qwen3-8B, 8.19B parameters).
  writeFileSync(join(config, 'config.json'), JSON.stringify({ architectures: ['Qwen3ForCausalLM'], model_type: 'qwen3', hidden_size: 4096,
    intermediate_size: 12288, num_hidden_layers: 36, num_attention_heads: 32, num_key_value_heads: 8, head_dim: 128,
    vocab_size: 151936, max_position_embeddings: 40960, tie_word_embeddings: false, torch_dtype: 'bfloat16' }));
  const hub = await serve(site);
  const page = await ctx.newPage();
  try {
    const problems = [];
    page.on('pageerror', (e) => problems.push(e.message));
    const requests = [];
    page.on('request', (r) => requests.push(r.url()));
    await page.goto(`${hub.url}custom.html?hf_base=/hub/`);
    await ready(page);
    assert.ok(!requests.some((u) => new URL(u).pathname.startsWith('/hub/')), 'nothing is fetched before the user asks');
    await page.fill('#hf-repo', 'Qwen/Qwen3-8B; rm -rf /');
    await page.click('#fetch-config');
    assert.match(await page.textContent('#model-status'), /Repository: .*owner\/name/);
    await page.fill('#hf-repo', 'Qwen/Qwen3-8B');
    await page.click('#fetch-config');
    await page.waitForFunction(() => /Qwen3-8B —/.test(document.getElementById('model-status').textContent));
    assert.match(await page.textContent('#model-status'), /8\.\d+B parameters, 36 layers/);
    await page.fill('#hf-repo', 'Qwen/Nope');
    await page.click('#fetch-config');
    await page.waitForFunction(() => /HTTP 404/.test(document.getElementById('model-status').textContent));
    await shot(page, 'custom-repo');
    // A foreign or protocol-relative hf_base is ignored: the fetch goes to the Hub itself (unreachable in the tests).
    for (const base of ['https://evil.example/', '//evil.example/', '/hub/../../x/']) {
      const other = await ctx.newPage();
      const asked = [];
      other.on('request', (r) => asked.push(new URL(r.url()).host));
      await other.goto(`${hub.url}custom.html?hf_base=${encodeURIComponent(base)}`);
      await ready(other);
      await other.fill('#hf-repo', 'Qwen/Qwen3-8B');
      await other.click('#fetch-config');
      await other.waitForFunction(() => /Could not reach https:\/\/huggingface\.co|Qwen3-8B —/.test(document.getElementById('model-status').textContent));
      assert.ok(!asked.includes('evil.example'), `${base}: ${asked.join(' ')}`);
      await other.close();
    }
    // Offline: the hub cannot be reached; the message says so and the other paths still work.
    await hub.stop();
    await page.fill('#hf-repo', 'Qwen/Qwen3-8B');
    await page.click('#fetch-config');
    await page.waitForFunction(() => /Could not reach/.test(document.getElementById('model-status').textContent));
    await page.setInputFiles('#gguf', { name: 'tiny.gguf', mimeType: 'application/octet-stream', buffer: ggufHeader() });
    await page.waitForFunction(() => /Tiny Test Llama/.test(document.getElementById('model-status').textContent));
    assert.deepEqual(problems, []);
  } finally {
    await page.close();
    await hub.stop();
    rmSync(site, { recursive: true });
  }
});

test('every page fits the viewport at 390 px and 1366 px: no page overflow, no table or command hiding columns', async () => {
  const pages = ['', '?model=llama-3.1-70b-instruct&hardware=rtx-4090&host_ram_gib=0', 'device.html?hardware=l40',
    'model.html?id=kimi-linear-48b-a3b-instruct', 'models.html', 'compare.html', 'custom.html', 'accuracy.html'];
  for (const width of [390, 1366]) {
    for (const path of pages) {
      const page = await ctx.newPage();
      await page.setViewportSize({ width, height: 900 });
      await page.goto(server.url + path);
      await ready(page);
      const overflow = await page.evaluate(() => ({
        page: document.documentElement.scrollWidth - document.documentElement.clientWidth,
        boxes: [...document.querySelectorAll('.table-wrap, pre')].filter((e) => e.scrollWidth > e.clientWidth + 1)
          .map((e) => `${e.closest('section')?.id || e.tagName}: ${e.scrollWidth} in ${e.clientWidth}`),
      }));
      assert.equal(overflow.page, 0, `${path || '/'} at ${width} px`);
      assert.deepEqual(overflow.boxes, [], `${path || '/'} at ${width} px`);
      if (width === 390) await shot(page, `phone-${(path.split('?')[0] || 'index').replace('.html', '')}`);
      await page.close();
    }
  }
});

test('custom.html: the model\'s calculator link follows a device set afterwards; an empty box asks for a config', async () => {
  const { page, problems } = await open('custom.html');
  await page.click('#read-config');
  assert.match(await page.textContent('#model-status'), /Paste a config\.json first/);
  await page.fill('#config', JSON.stringify({ model_type: 'llama', hidden_size: 2048, intermediate_size: 8192, num_hidden_layers: 16,
    num_attention_heads: 32, num_key_value_heads: 8, vocab_size: 128256, max_position_embeddings: 131072 }));
  await page.click('#read-config');
  await page.fill('#d-memory', '16');
  await page.click('#device-form button[type=submit]');
  const href = await page.getAttribute('#open-model', 'href');
  assert.ok(new URLSearchParams(href.split('?')[1]).has('hardware_spec'), href);
  assert.deepEqual(problems, []);
  await page.close();
});

test('the models index searches as people type, filters, and links each model to its page; the nav has it', async () => {
  const { page, problems } = await open('models.html');
  const all = await page.locator('#list tbody tr').count();
  assert.ok(all >= 80, `${all} models`);
  await page.fill('#q', 'qwen3 30b');
  await page.waitForFunction(() => document.querySelector('#list tbody tr')?.dataset.model === 'qwen3-30b-a3b');
  await page.selectOption('#moe', 'dense');
  await page.waitForSelector('[data-testid=no-match]');
  await page.selectOption('#moe', 'any');
  await page.fill('#q', 'kimi linear');
  await page.click('#list tbody tr th a');
  await ready(page);
  assert.match(page.url(), /model\.html\?id=kimi-linear-48b-a3b-instruct/);
  assert.equal(await page.getAttribute('header.top nav a[aria-current=page]', 'href'), 'models.html');
  assert.deepEqual(problems, []);
  await page.close();
});

test('compare grades every setup for one workload and mode, and names the winner of each row', async () => {
  const { page, problems } = await open('compare.html?s=qwen3-8b,rtx-4090,&s=qwen3-8b,apple-m4-16gb,');
  // The RTX 4090 (1008 GB/s) decodes Qwen3-8B faster than an M4 (120 GB/s): the decode winner is setup 1.
  const decodeWinner = await page.$$eval('#compare section', (cards) => cards.map((c) =>
    [...c.querySelectorAll('tr')].find((tr) => tr.querySelector('th').textContent === 'Decode').classList.contains('winner')));
  assert.deepEqual(decodeWinner, [true, false]);
  await page.selectOption('#workload', 'rag');
  await page.waitForFunction(() => new URL(location.href).searchParams.get('workload') === 'rag');
  await page.selectOption('#mode', 'interactive');
  await page.waitForFunction(() => new URL(location.href).searchParams.get('mode') === 'interactive');
  assert.equal(await page.inputValue('#workload'), 'rag');
  assert.ok(await page.locator('[data-testid=winner]').count() >= 3);
  assert.deepEqual(problems, []);
  await page.close();
});

test('the accuracy page reports serving error by source, engine and GPU vendor, as docs/accuracy.json has it', async () => {
  const report = JSON.parse(readFileSync(join(DIST, 'docs', 'accuracy.json'), 'utf8'));
  const { page, problems } = await open('accuracy.html');
  await page.waitForSelector('#serving');
  for (const [key, label] of [['source', 'source'], ['engine', 'engine'], ['vendor', 'GPU vendor']]) {
    const rows = await page.$$eval(`#serving [aria-label="Serving error by ${label}"] tbody tr`, (trs) =>
      trs.map((tr) => [tr.querySelector('th').textContent, tr.querySelectorAll('td')[0].textContent]));
    // One row per quantity and group of the report, with the group's row count.
    const expected = Object.values(report.serving.quantities).flatMap((e) => Object.entries(e.groups[key]).map(([name, g]) => [name, String(g.out_of_sample.n)]));
    assert.equal(rows.length, expected.length, key);
    assert.ok(expected.length > 0, `${key}: the report has groups`);
    rows.forEach(([th, n], i) => { assert.ok(th.endsWith(`: ${expected[i][0]}`), `${th} vs ${expected[i][0]}`); assert.equal(n, expected[i][1]); });
  }
  assert.deepEqual(problems, []);
  await page.close();
});
