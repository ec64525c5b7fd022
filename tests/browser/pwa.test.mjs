// Offline PWA: installable manifest, offline reload after one visit, and a new
// deploy offered to the user instead of mixing old and new files.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { serve, launch, ready, shot, DIST } from './harness.mjs';

let server, ctx;
before(async () => { server = await serve(); ctx = await launch(); });
after(async () => { await ctx?.close(); await server?.stop(); });

const controlled = (page) => page.waitForFunction(() => navigator.serviceWorker.controller !== null, null, { timeout: 15000 });
const swVersion = (page) => page.evaluate(() => new Promise((resolve) => {
  navigator.serviceWorker.addEventListener('message', (e) => resolve(e.data.version), { once: true });
  navigator.serviceWorker.controller.postMessage('version');
}));

test('the manifest makes the app installable', async () => {
  const page = await ctx.newPage();
  await page.goto(server.url);
  await ready(page);
  await controlled(page);
  const cdp = await ctx.newCDPSession(page);
  const { installabilityErrors } = await cdp.send('Page.getInstallabilityErrors');
  assert.deepEqual(installabilityErrors, []);
  await page.close();
});

test('after one visit the calculator works offline, then a new deploy is offered and applied', async () => {
  const page = await ctx.newPage();
  await page.goto(`${server.url}?model=qwen3-8b&hardware=rtx-4090`);
  await ready(page);
  await controlled(page);
  const firstVersion = await swVersion(page);

  await ctx.setOffline(true);
  await page.reload();
  await ready(page);
  assert.ok(await page.$('#verdict'), 'a result computed offline');
  await page.selectOption('#workload', 'rag');
  await page.waitForFunction(() => new URL(location.href).searchParams.get('workload') === 'rag');
  const notCached = await page.evaluate(() => fetch('/not-cached.txt').then(() => 'fetched', () => 'failed'));
  assert.equal(notCached, 'failed', 'the network really is off');
  await shot(page, 'pwa-offline');
  await ctx.setOffline(false);

  // A new deploy on the same origin: different content, so a different version.
  const next = mkdtempSync(join(tmpdir(), 'runwell-next-'));
  cpSync(DIST, next, { recursive: true });
  const index = readFileSync(join(next, 'index.html'), 'utf8').replace('Nothing leaves your browser.', 'Nothing leaves your browser. (next build)');
  writeFileSync(join(next, 'index.html'), index);
  const sw = readFileSync(join(next, 'sw.js'), 'utf8').replace(`const VERSION = '${firstVersion}'`, `const VERSION = '${firstVersion}-next'`);
  assert.notEqual(sw, readFileSync(join(DIST, 'sw.js'), 'utf8'));
  writeFileSync(join(next, 'sw.js'), sw);
  const port = server.port;
  await server.stop();
  server = await serve(next, port);

  await page.reload();
  await ready(page);
  // The old version keeps serving until the user agrees.
  await page.evaluate(() => navigator.serviceWorker.getRegistration().then((r) => r.update()));
  await page.waitForSelector('#update-banner', { timeout: 15000 });
  assert.equal(await swVersion(page), firstVersion);
  assert.doesNotMatch(await page.textContent('footer'), /next build/);
  await shot(page, 'pwa-update-offered');
  await Promise.all([page.waitForEvent('load', { timeout: 15000 }), page.click('#update-banner button')]);
  await ready(page);
  assert.match(await page.textContent('footer'), /next build/);
  assert.equal(await swVersion(page), `${firstVersion}-next`);
  const caches = await page.evaluate(() => caches.keys());
  assert.deepEqual(caches, [`runwell-${firstVersion}-next`], 'the old cache is gone');
  await page.close();
});

// The pages that start the estimator preload its module, its .wasm and every catalog file, so they
// download beside the page's script instead of one import after another. A preload whose request
// differs from the real one (e.g. without crossorigin for fetch()) is fetched a second time.
test('the estimator pages preload the module and the catalog, and each is fetched once', async () => {
  const catalogFiles = JSON.parse(readFileSync(join(DIST, 'data', 'catalog-files.json'), 'utf8'));
  const expected = ['ui.mjs', 'runwell.mjs', 'runwell_wasm.mjs', 'runwell_wasm.wasm', 'data/catalog-files.json',
    ...catalogFiles.map((name) => `data/${name}`)];
  for (const path of ['', 'card.html?model=qwen3-8b&hardware=rtx-4090', 'models.html', 'device.html']) {
    const page = await ctx.newPage();
    const fetched = [];
    page.on('request', (r) => fetched.push(new URL(r.url()).pathname.slice(1)));
    await page.goto(server.url + path);
    await ready(page);
    const preloaded = await page.$$eval('link[rel=preload], link[rel=modulepreload]', (links) => links.map((l) => l.getAttribute('href')));
    assert.deepEqual(preloaded.sort(), [...expected].sort(), `preloads of /${path}`);
    for (const file of expected) assert.equal(fetched.filter((f) => f === file).length, 1, `${file} fetched once by /${path}`);
    await page.close();
  }
});
