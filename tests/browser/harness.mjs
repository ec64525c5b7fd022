// Shared by the browser tests: a static server for dist/ on a free loopback
// port, and Debian's Chromium driven by playwright-core (no browser download).
import { spawn } from 'node:child_process';
import { mkdtempSync, mkdirSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

export const ROOT = resolve(fileURLToPath(new URL('../..', import.meta.url)));
export const DIST = process.env.RUNWELL_DIST ?? join(ROOT, 'dist');
export const SHOTS = join(ROOT, 'test-results', 'screenshots');
mkdirSync(SHOTS, { recursive: true });

async function freePort() {
  return new Promise((ok, fail) => {
    const srv = createServer();
    srv.once('error', fail);
    srv.listen(0, '127.0.0.1', () => { const { port } = srv.address(); srv.close(() => ok(port)); });
  });
}

// Starts scripts/static_server.py on DIR (on PORT, or a free one); resolves to {url, port, stop}.
export async function serve(dir = DIST, port = 0) {
  port ||= await freePort();
  const child = spawn('python3', [join(ROOT, 'scripts/static_server.py'), dir, String(port)], { stdio: 'ignore' });
  const url = `http://127.0.0.1:${port}/`;
  for (let i = 0; i < 100; i++) {
    try { if ((await fetch(url)).ok) break; } catch { /* not up yet */ }
    await new Promise((r) => setTimeout(r, 50));
  }
  const exited = new Promise((resolve) => child.once('exit', resolve));
  return { url, port, stop: async () => { child.kill(); await exited; } };
}

export async function launch() {
  return chromium.launchPersistentContext(mkdtempSync(join(tmpdir(), 'runwell-chromium-')), {
    executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
}

export async function ready(page) {
  await page.waitForSelector('body[data-ready="true"]', { timeout: 15000 });
}

export const shot = (page, name, opts = {}) => page.screenshot({ path: join(SHOTS, `${name}.png`), fullPage: true, ...opts });
