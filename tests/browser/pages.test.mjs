// Browse and bring-your-own pages: device ranking, model tier list, compare,
// custom model (config.json and .gguf) and custom device, with bad input.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { serve, launch, ready, shot } from './harness.mjs';
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
