// Accessibility (issue #16): axe-core (pinned in package-lock.json) on every page in its meaningful
// states, light and dark, at phone and desktop width. No "serious" or "critical" violation may remain.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
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

test('keyboard only: a skip link first, then the form in reading order, each focus visible', async () => {
  const page = await ctx.newPage();
  await page.setViewportSize({ width: 1366, height: 900 });
  await page.goto(server.url);
  await ready(page);
  const focused = async () => page.evaluate(() => {
    const e = document.activeElement;
    const cs = getComputedStyle(e);
    return { id: e.id, text: e.textContent.trim().slice(0, 30), visible: cs.outlineStyle !== 'none' && parseFloat(cs.outlineWidth) > 0 };
  });
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
