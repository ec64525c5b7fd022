// Accessibility (issue #16): axe-core (pinned in package-lock.json) on every page in its meaningful
// states, light and dark, at phone and desktop width. No "serious" or "critical" violation may remain.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { serve, launch, ready, ROOT } from './harness.mjs';

const AXE = readFileSync(join(ROOT, 'node_modules/axe-core/axe.min.js'), 'utf8');
let server, ctx;
before(async () => { server = await serve(); ctx = await launch(); });
after(async () => { await ctx?.close(); await server?.stop(); });

// Runs axe in the page (evaluate is not subject to the page's CSP, which forbids injected scripts).
async function violations(page) {
  await page.evaluate(AXE);
  return page.evaluate(async () => (await window.axe.run(document, { resultTypes: ['violations'] })).violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.id} (${v.impact}): ${v.nodes.slice(0, 3).map((n) => n.target.join(' ')).join(', ')}`));
}

const STATES = [
  ['calculator, runs well', ''],
  ['calculator, needs offload', '?model=llama-3.1-70b-instruct&hardware=rtx-4090&host_ram_gib=64'],
  ["calculator, won't run", '?model=llama-3.1-70b-instruct&hardware=rtx-4090&host_ram_gib=0'],
  ['calculator, a bad link', '?model=nope&context=-5'],
  ['calculator, serving plan', '?model=llama-3.1-8b-instruct&hardware=h100-sxm&quant=FP8&mode=scale-out&load_users=500'],
  ['device ranking', 'device.html?hardware=l40'],
  ['models index', 'models.html'],
  ['model tier list', 'model.html?id=kimi-linear-48b-a3b-instruct'],
  ['compare', 'compare.html'],
  ['bring your own', 'custom.html'],
  ['accuracy report', 'accuracy.html'],
  ['fit card, auto theme', 'card.html?model=llama-3.1-70b-instruct&hardware=rtx-4090&host_ram_gib=64'],
  ['fit card, a pale accent', 'card.html?model=qwen3-8b&hardware=rtx-4090&accent=%23ffff66&theme=light'],
];

test('no serious or critical axe violation on any page, state, theme or width', async () => {
  const found = [];
  for (const scheme of ['light', 'dark']) {
    for (const width of [390, 1366]) {
      for (const [name, path] of STATES) {
        const page = await ctx.newPage();
        await page.setViewportSize({ width, height: 900 });
        await page.emulateMedia({ colorScheme: scheme });
        await page.goto(server.url + path);
        await ready(page);
        for (const v of await violations(page)) found.push(`${name} (${scheme}, ${width} px): ${v}`);
        await page.close();
      }
    }
  }
  assert.deepEqual(found, []);
});

test('a host page with the <runwell-card> element passes axe, light and dark, at both widths', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'runwell-a11y-host-'));
  writeFileSync(join(dir, 'index.html'), `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>A host</title></head>
<body><main><h1>A host page</h1><script src="${server.url}runwell-card.js" defer></script>
<runwell-card model="llama-3.1-70b-instruct" hardware="rtx-4090" host_ram_gib="64" theme="auto"></runwell-card></main></body></html>`);
  const host = await serve(dir);
  try {
    const found = [];
    for (const scheme of ['light', 'dark']) {
      for (const width of [390, 1366]) {
        const page = await ctx.newPage();
        await page.setViewportSize({ width, height: 700 });
        await page.emulateMedia({ colorScheme: scheme });
        await page.goto(host.url);
        await page.waitForFunction(() => customElements.get('runwell-card'));
        const frame = await (async () => {
          for (let i = 0; i < 100; i++) {
            for (const f of page.frames()) if (await f.$('body[data-ready="true"]').catch(() => null)) return f;
            await page.waitForTimeout(100);
          }
          throw new Error('card did not load');
        })();
        for (const v of await violations(page)) found.push(`host (${scheme}, ${width} px): ${v}`);
        await frame.evaluate(AXE);
        const inner = await frame.evaluate(async () => (await window.axe.run(document, { resultTypes: ['violations'] })).violations
          .filter((v) => v.impact === 'serious' || v.impact === 'critical').map((v) => v.id));
        for (const v of inner) found.push(`card in host (${scheme}, ${width} px): ${v}`);
        await page.close();
      }
    }
    assert.deepEqual(found, []);
  } finally {
    await host.stop();
  }
});

test('a picker with no match is announced, and its state passes axe', async () => {
  const page = await ctx.newPage();
  await page.goto(server.url);
  await ready(page);
  await page.fill('#model', 'zzzz qqqq');
  await page.press('#model', 'Enter');
  await page.waitForFunction(() => /No model matches/.test(document.getElementById('model-hint').textContent));
  // The hint is tied to the field and is a live status, so a screen reader announces it.
  assert.equal(await page.getAttribute('#model', 'aria-describedby'), 'model-hint');
  assert.equal(await page.getAttribute('#model-hint', 'role'), 'status');
  assert.deepEqual(await violations(page), []);
  await page.close();
});

test('with reduced motion the speed demo shows its text at once and says how long it would take', async () => {
  const page = await ctx.newPage();
  await page.emulateMedia({ reducedMotion: 'reduce' });
  await page.goto(server.url);
  await ready(page);
  await page.click('#feel button');
  assert.ok((await page.textContent('#feel .stream')).length > 500, 'the whole text, not a word at a time');
  assert.match(await page.textContent('#feel .note'), /takes [\d.,]+ s, first token after/);
  await page.close();
});

test('every table has a caption and scoped headers', async () => {
  for (const path of ['', 'device.html', 'models.html', 'model.html?id=qwen3-8b', 'compare.html', 'accuracy.html']) {
    const page = await ctx.newPage();
    await page.goto(server.url + path);
    await ready(page);
    await page.waitForTimeout(200);  // the ranking fills after the first frame
    const bare = await page.$$eval('table', (tables) => tables.filter((t) => !t.caption?.textContent.trim()
      || [...t.querySelectorAll('th')].some((th) => !th.getAttribute('scope'))).length);
    assert.equal(bare, 0, path || '/');
    await page.close();
  }
});

// What has the keyboard focus (run in the page): enough to find it and to see that it shows.
const describeFocus = () => {
  const e = document.activeElement;
  const cs = getComputedStyle(e);
  return { id: e.id, tag: e.tagName, name: e.getAttribute('name') ?? '', text: e.textContent.trim().slice(0, 40),
    section: e.closest('section')?.id ?? '', visible: cs.outlineStyle !== 'none' && parseFloat(cs.outlineWidth) > 0 };
};

test('keyboard only: a skip link first, then the form in reading order, each focus visible', async () => {
  const page = await ctx.newPage();
  await page.setViewportSize({ width: 1366, height: 900 });
  await page.goto(server.url);
  await ready(page);
  const focused = () => page.evaluate(describeFocus);
  await page.keyboard.press('Tab');
  const skip = await focused();
  assert.equal(skip.text, 'Skip to the content');
  assert.ok(skip.visible);
  await page.keyboard.press('Enter');
  const order = [];
  for (let i = 0; i < 9; i++) {
    await page.keyboard.press('Tab');
    const f = await focused();
    assert.ok(f.visible, `focus on ${f.id || f.text} is visible`);
    if (f.id) order.push(f.id);
  }
  // Straight into the form, in the order it reads (the GPU-memory field is off for this discrete GPU).
  assert.deepEqual(order.slice(0, 7), ['model', 'hardware', 'quant', 'context', 'gpus', 'host_ram_gib', 'kv']);
  await page.close();
});

// Presses Tab until `match` holds for the focused element (at most `limit` times); every focus on
// the way must be visible. Returns what was focused.
async function tabTo(page, match, limit = 80) {
  for (let i = 0; i < limit; i++) {
    await page.keyboard.press('Tab');
    let f = await page.evaluate(describeFocus);
    if (f.tag === 'IFRAME') {
      // Focus is inside the frame (the embed preview): its own element must show it.
      const frame = await (await page.evaluateHandle(() => document.activeElement)).asElement().contentFrame();
      f = { ...(await frame.evaluate(describeFocus)), section: f.section };
    }
    assert.ok(f.visible || f.tag === 'BODY', `focus on ${f.id || f.text || f.tag} is visible`);
    if (match(f)) return f;
  }
  assert.fail('not reached by Tab');
}

test('keyboard only: pick model, device and quant, change mode and workload, copy commands, open compare, read a config', async () => {
  const page = await ctx.newPage();
  await page.setViewportSize({ width: 1366, height: 900 });
  await page.goto(server.url);
  await ready(page);
  await tabTo(page, (f) => f.id === 'model');
  await page.keyboard.press('Control+A');
  await page.keyboard.type('qwen3 8b');
  await page.waitForFunction(() => /Enter picks: Qwen3-8B/.test(document.getElementById('model-hint').textContent));  // announced, once typing pauses
  await page.keyboard.press('Enter');
  await page.waitForURL(/model=qwen3-8b/);
  await tabTo(page, (f) => f.id === 'hardware');
  await page.keyboard.press('Control+A');
  await page.keyboard.type('l40s');
  await page.keyboard.press('Enter');
  await page.waitForURL(/hardware=l40s/);
  assert.match(await page.textContent('#announce'), /^Qwen3-8B on [^:]*L40S[^:]*: /);  // one line, in the live region
  await tabTo(page, (f) => f.id === 'quant');
  await page.keyboard.press('ArrowDown');
  await page.waitForURL(/quant=/);
  await tabTo(page, (f) => f.name === 'mode');
  await page.keyboard.press('ArrowRight');
  await page.waitForURL(/mode=/);
  await tabTo(page, (f) => f.id === 'workload');
  await page.keyboard.press('ArrowDown');
  await page.waitForURL(/workload=/);
  // A run command and an embed snippet are copied from the keyboard.
  for (const section of ['commands', 'embed']) {
    const copy = await tabTo(page, (f) => f.section === section && f.text === 'Copy', 400);
    assert.equal(copy.text, 'Copy');
    await page.keyboard.press('Enter');
    await page.waitForFunction(() => ['Copied', 'Select and copy'].includes(document.activeElement.textContent));
  }
  // The navigation reaches the compare page.
  await page.goto(server.url);
  await ready(page);
  await tabTo(page, (f) => f.tag === 'A' && f.text === 'Compare');
  await page.keyboard.press('Enter');
  await page.waitForURL(/compare\.html/);
  await ready(page);
  await tabTo(page, (f) => f.tag === 'INPUT' || f.tag === 'SELECT');
  // A config.json is read with the keyboard alone.
  await page.goto(`${server.url}custom.html`);
  await ready(page);
  await tabTo(page, (f) => f.id === 'config');
  await page.keyboard.type(JSON.stringify({ model_type: 'llama', hidden_size: 4096, num_hidden_layers: 32, num_attention_heads: 32,
    num_key_value_heads: 8, vocab_size: 128256, intermediate_size: 14336, max_position_embeddings: 131072 }));
  await tabTo(page, (f) => f.id === 'read-config', 3);
  await page.keyboard.press('Enter');
  await page.waitForFunction(() => !document.getElementById('model-status').hidden);
  assert.doesNotMatch(await page.textContent('#model-status'), /error|Paste/i);
  await page.close();
});

test('on a phone Escape closes the opened setup form and returns to its summary', async () => {
  const page = await ctx.newPage();
  await page.setViewportSize({ width: 390, height: 800 });
  await page.goto(`${server.url}?model=qwen3-8b&hardware=rtx-4090`);
  await ready(page);
  assert.equal(await page.$eval('#setup', (d) => d.open), false);
  await page.focus('#setup-summary');
  await page.keyboard.press('Enter');
  assert.equal(await page.$eval('#setup', (d) => d.open), true);
  await page.keyboard.press('Tab');
  await page.keyboard.press('Escape');
  assert.equal(await page.$eval('#setup', (d) => d.open), false);
  assert.equal(await page.evaluate(() => document.activeElement.id), 'setup-summary');
  await page.close();
});

test('200 % zoom: at 320 CSS px every page keeps its content in view (no page overflow)', async () => {
  // A 640 px window at 200 % zoom lays out like a 320 px one (WCAG 1.4.10 reflow).
  for (const path of ['', '?model=llama-3.1-8b-instruct&hardware=h100-sxm&quant=FP8&mode=scale-out', 'device.html?hardware=l40',
    'model.html?id=kimi-linear-48b-a3b-instruct', 'models.html', 'compare.html', 'custom.html', 'accuracy.html',
    'card.html?model=qwen3-8b&hardware=rtx-4090']) {
    const page = await ctx.newPage();
    await page.setViewportSize({ width: 320, height: 640 });
    await page.goto(server.url + path);
    await ready(page);
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    assert.equal(overflow, 0, `${path || '/'} overflows at 320 px by ${overflow} px`);
    await page.close();
  }
});
