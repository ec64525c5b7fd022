// The fit card embedded in a host page served from a second origin, as the
// iframe snippet and as the <runwell-card> custom element, with valid and hostile input.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync, statSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { serve, launch, shot, DIST } from './harness.mjs';

let app, host, ctx, hostDir;

before(async () => {
  app = await serve();
  hostDir = mkdtempSync(join(tmpdir(), 'runwell-host-'));
  host = await serve(hostDir);
  ctx = await launch();
});
after(async () => { await ctx?.close(); await app?.stop(); await host?.stop(); });

// A third-party page with its own aggressive styles, which must not reach the card.
function hostPage(name, body) {
  writeFileSync(join(hostDir, name), `<!doctype html><html><head><meta charset="utf-8"><title>host</title>
<style>* { font-family: serif !important; color: red !important; } iframe { border: 5px solid lime; } .probe { color: rgb(1, 2, 3) !important; }</style>
</head><body><p class="probe" id="probe">host text</p>${body}</body></html>`);
  return host.url + name;
}

async function cardFrame(page, selector) {
  if (selector.startsWith('runwell-card')) {
    await page.waitForFunction((sel) => document.querySelector(sel), selector);
    // The element's shadow root is closed; find its frame through Playwright's frame tree.
  }
  for (let i = 0; i < 100; i++) {
    const frames = page.frames().filter((f) => f.url().includes('/card.html'));
    for (const f of frames) {
      if (await f.$('body[data-ready="true"]').catch(() => null)) return f;
    }
    await page.waitForTimeout(100);
  }
  throw new Error('card did not become ready');
}

test('the iframe snippet works from another origin and matches the calculator', async () => {
  const page = await ctx.newPage();
  const problems = [];
  page.on('pageerror', (e) => problems.push(e.message));
  const src = `${app.url}card.html?model=kimi-linear-48b-a3b-instruct&hardware=l40&quant=Q4_K_M`;
  await page.goto(hostPage('iframe.html', `<iframe src="${src}" width="400" height="180" style="border:0" title="runwell fit card"></iframe>`));
  const frame = await cardFrame(page, 'iframe');
  assert.equal(await frame.textContent('[data-testid=fit]'), 'Runs well');
  assert.match(await frame.textContent('[data-testid=decode]'), /tok\/s/);
  const link = await frame.getAttribute('.foot a', 'href');
  assert.ok(link.startsWith(app.url) && link.includes('model=kimi-linear-48b-a3b-instruct'));
  // Fits 400x180 without scrolling.
  const size = await frame.evaluate(() => [document.documentElement.scrollWidth, document.documentElement.scrollHeight]);
  assert.ok(size[0] <= 400 && size[1] <= 180, `card is ${size}`);
  await shot(page, 'widget-iframe', { fullPage: false, clip: { x: 0, y: 0, width: 440, height: 260 } });
  assert.deepEqual(problems, []);
  await page.close();
});

test('the custom element loads from one script tag, themes, and keeps styles apart', async () => {
  const page = await ctx.newPage();
  const problems = [];
  page.on('pageerror', (e) => problems.push(e.message));
  await page.goto(hostPage('element.html', `<script src="${app.url}runwell-card.js" defer></script>
<runwell-card model="llama-3.1-70b-instruct" hardware="rtx-4090" theme="dark" accent="#fb7185"></runwell-card>`));
  const frame = await cardFrame(page, 'runwell-card');
  assert.equal(await frame.textContent('[data-testid=fit]'), 'Needs CPU offload');
  // Inside the closed shadow root the frame is still a titled frame for assistive technology.
  assert.equal(await (await frame.frameElement()).getAttribute('title'), 'runwell fit card: llama-3.1-70b-instruct on rtx-4090');
  // The host's "* { color: red !important }" does not reach the card...
  const colour = await frame.$eval('.title', (el) => getComputedStyle(el).color);
  assert.notEqual(colour, 'rgb(255, 0, 0)');
  // ...the card's accent applies inside it, and the card does not restyle the host.
  // (an accent readable on the dark card: 6:1; a darker one would give way to the text colour, AA)
  assert.equal(await frame.$eval('.foot a', (el) => getComputedStyle(el).color), 'rgb(251, 113, 133)');
  assert.equal(await page.$eval('#probe', (el) => getComputedStyle(el).color), 'rgb(1, 2, 3)');
  // Changing an attribute updates the card.
  await page.$eval('runwell-card', (el) => el.setAttribute('hardware', 'h200'));
  await page.waitForFunction(() => true);
  for (let i = 0; i < 50; i++) {
    const f = page.frames().find((fr) => fr.url().includes('hardware=h200'));
    if (f && await f.$('body[data-ready="true"]').catch(() => null)) {
      assert.equal(await f.textContent('[data-testid=fit]'), 'Runs well');
      break;
    }
    if (i === 49) assert.fail('card did not update');
    await page.waitForTimeout(100);
  }
  await shot(page, 'widget-element-dark', { fullPage: false, clip: { x: 0, y: 0, width: 440, height: 260 } });
  assert.deepEqual(problems, []);
  await page.close();
});

test('hostile attributes and parameters give a readable message and inject nothing', async () => {
  const page = await ctx.newPage();
  const problems = [];
  page.on('pageerror', (e) => problems.push(e.message));
  page.on('dialog', (d) => { problems.push(`dialog ${d.message()}`); d.dismiss(); });
  await page.goto(hostPage('hostile.html', `<script src="${app.url}runwell-card.js" defer></script>
<runwell-card model="&quot;&gt;&lt;img src=x onerror=alert(1)&gt;" hardware="rtx-4090" accent="red;background:url(https://evil.example/x)" theme="&lt;script&gt;"></runwell-card>`));
  const frame = await cardFrame(page, 'runwell-card');
  assert.match(await frame.textContent('[data-testid=error]'), /no model with id/);
  assert.equal(await frame.$('img'), null);
  // An invalid accent is ignored, not applied.
  assert.notEqual(await frame.$eval('.foot a', (el) => getComputedStyle(el).color), 'rgb(255, 0, 0)');
  const direct = await ctx.newPage();
  await direct.goto(`${app.url}card.html?model=qwen3-8b&hardware=rtx-4090&context=NaN&gpus=-1`);
  await direct.waitForSelector('body[data-ready="true"]');
  assert.match(await direct.textContent('[data-testid=error]'), /expected a number|between/);
  await shot(page, 'widget-hostile', { fullPage: false, clip: { x: 0, y: 0, width: 440, height: 260 } });
  assert.deepEqual(problems, []);
  await direct.close();
  await page.close();
});

test('the card transfer size stays small', () => {
  // Everything card.html loads: page, styles, scripts, module, catalog (gzip, as served compressed).
  const catalog = JSON.parse(readFileSync(join(DIST, 'data/catalog-files.json'), 'utf8')).map((name) => `data/${name}`);
  const files = ['card.html', 'card.css', 'card.mjs', 'ui.mjs', 'runwell.mjs', 'runwell_wasm.mjs', 'runwell_wasm.wasm',
    'data/catalog-files.json', ...catalog];
  let raw = 0, gz = 0;
  for (const f of files) {
    const bytes = readFileSync(join(DIST, f));
    raw += statSync(join(DIST, f)).size;
    gz += gzipSync(bytes, { level: 9 }).length;
  }
  console.log(`# card transfer: ${raw} bytes raw, ${gz} bytes gzip`);
  assert.ok(gz < 400 * 1024, `card transfer ${gz} bytes gzip`);
});

// WCAG 2 contrast ratio of two CSS rgb() colours.
function contrast(a, b) {
  const lum = (c) => {
    const [r, g, bl] = c.match(/\d+(\.\d+)?/g).slice(0, 3).map(Number).map((v) => { const s = v / 255; return s <= 0.03928 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4; });
    return 0.2126 * r + 0.7152 * g + 0.0722 * bl;
  };
  const [hi, lo] = [lum(a), lum(b)].sort((x, y) => y - x);
  return (hi + 0.05) / (lo + 0.05);
}

test('at 400x180 the card names model and device, and every fit badge keeps AA contrast in every theme', async () => {
  const page = await ctx.newPage();
  await page.setViewportSize({ width: 400, height: 180 });
  // Every fit status of the core's classification (runs well, tight, offload, won't run) and the longest title.
  const setups = ['model=qwen3-8b&hardware=rtx-4090', 'model=qwen3-32b&hardware=rtx-4090&quant=Q4_K_M', 'model=kimi-linear-48b-a3b-instruct&hardware=rtx-pro-4500-blackwell',
    'model=llama-3.1-70b-instruct&hardware=rtx-4090&host_ram_gib=64', 'model=llama-3.1-405b-instruct&hardware=rtx-3060-12gb&host_ram_gib=0'];
  const seen = new Set();
  for (const scheme of ['light', 'dark']) {
    await page.emulateMedia({ colorScheme: scheme });
    for (const theme of ['light', 'dark', 'auto']) {
      for (const q of setups) {
        await page.goto(`${app.url}card.html?${q}&theme=${theme}`);
        await page.waitForSelector('body[data-ready="true"]');
        const r = await page.evaluate(() => {
          const badge = document.querySelector('[data-testid=fit]');
          const title = document.querySelector('.title');
          return { fit: [...badge.classList].find((c) => c.startsWith('fit-')), fg: getComputedStyle(badge).color, bg: getComputedStyle(badge).backgroundColor,
            clipped: title.scrollHeight > title.clientHeight + 1 };
        });
        seen.add(r.fit);
        assert.ok(contrast(r.fg, r.bg) >= 4.5, `${q} theme ${theme} on a ${scheme} system: ${r.fg} on ${r.bg} = ${contrast(r.fg, r.bg).toFixed(2)}:1`);
        assert.equal(r.clipped, false, `${q}: title cut`);
      }
    }
  }
  assert.equal(seen.size, 4, [...seen].join(' '));
  await page.close();
});

test('any accent a host picks: the grade and link stay at AA contrast on the card, light, dark and auto', async () => {
  const page = await ctx.newPage();
  await page.setViewportSize({ width: 400, height: 180 });
  // Pale, dark, mid-grey and saturated accents: each is used when readable, else the text colour takes over.
  const accents = ['#ffff66', '#000000', '#777777', '#fb7185', '#1d4ed8', '#00ff00', '#2dd4bf', '#7c3aed'];
  const used = new Set();
  for (const scheme of ['light', 'dark']) {
    await page.emulateMedia({ colorScheme: scheme });
    for (const theme of ['light', 'dark', 'auto']) {
      for (const accent of accents) {
        await page.goto(`${app.url}card.html?model=qwen3-8b&hardware=rtx-4090&theme=${theme}&accent=${encodeURIComponent(accent)}`);
        await page.waitForSelector('body[data-ready="true"]');
        const r = await page.evaluate(() => {
          // The colour behind an element: its nearest ancestor with an opaque background.
          const behind = (e) => {
            for (let x = e; x; x = x.parentElement) {
              const c = getComputedStyle(x).backgroundColor;
              if (c && c !== 'transparent' && !/rgba\(.*, 0\)$/.test(c)) return c;
            }
            return 'rgb(255, 255, 255)';
          };
          return [...document.querySelectorAll('.grade, .foot a')].map((e) => ({ fg: getComputedStyle(e).color, bg: behind(e) }));
        });
        assert.ok(r.length >= 2);
        for (const { fg, bg } of r) {
          used.add(fg);
          assert.ok(contrast(fg, bg) >= 4.5, `accent ${accent}, theme ${theme} on a ${scheme} system: ${fg} on ${bg} = ${contrast(fg, bg).toFixed(2)}:1`);
        }
      }
    }
  }
  assert.ok(used.size > 3, 'readable accents are used, not always replaced');
  await page.close();
});
