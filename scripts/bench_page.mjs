// Time from navigation to the first computed result of the calculator page in
// headless Chromium, cold (empty profile) and warm (service worker cache). Prints ms.
import { serve, launch } from '../tests/browser/harness.mjs';

const server = await serve();
const ctx = await launch();
const times = [];
for (let i = 0; i < 4; i++) {
  const page = await ctx.newPage();
  await page.goto(`${server.url}?model=kimi-linear-48b-a3b-instruct&hardware=l40`);
  await page.waitForSelector('body[data-ready="true"]', { timeout: 30000 });
  // Navigation start to the first rendered result, measured by the page itself.
  times.push(Number(await page.getAttribute('body', 'data-ready-ms')));
  await page.close();
}
// A change of selection: estimate + ranking + DOM, measured inside the page.
const page = await ctx.newPage();
await page.goto(`${server.url}?model=kimi-linear-48b-a3b-instruct&hardware=l40`);
await page.waitForSelector('body[data-ready="true"]');
const updates = [];
for (const quant of ['Q8_0', 'Q4_K_M', 'Q6_K', 'Q5_K_M', 'Q3_K_M']) {
  await page.selectOption('#quant', quant);
  await page.waitForFunction((q) => new URL(location.href).searchParams.get('quant') === q, quant);
  updates.push(Number(await page.getAttribute('body', 'data-render-ms')));
}
console.log(`update_ms ${updates.sort((a, b) => a - b)[2]}`);
await ctx.close();
await server.stop();
console.log(`first_result_cold_ms ${times[0]}`);
console.log(`first_result_warm_ms ${Math.min(...times.slice(1))}`);
