// Writes docs/screenshot.png from the running app: builds the binary, starts
// it on a spare port with the shop scenario, waits until requests flow, and
// takes a screenshot in Debian's Chromium.
//
//   cd e2e && node screenshot.mjs        (or: make screenshot)
import { spawn, execFileSync } from 'node:child_process';
import path from 'node:path';
import { chromium } from '@playwright/test';

const here = import.meta.dirname;
const root = path.resolve(here, '..');
const port = Number(process.env.PODPATH_SCREENSHOT_PORT || 18090);
const base = `http://127.0.0.1:${port}`;
const out = path.join(root, 'docs', 'screenshot.png');
const bin = path.join(root, 'bin', 'podpath-screenshot');

execFileSync('go', ['build', '-o', bin, '.'], { cwd: root, stdio: 'inherit' });
const server = spawn(bin, ['-addr', `127.0.0.1:${port}`, '-seed', '1', '-scenario', 'shop'], { stdio: 'inherit' });

async function waitHealthy(deadline) {
  while (Date.now() < deadline) {
    try {
      if ((await fetch(`${base}/healthz`)).ok) return;
    } catch {}
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`${base}/healthz did not answer`);
}

let browser;
try {
  await waitHealthy(Date.now() + 30_000);
  browser = await chromium.launch({
    executablePath: process.env.PODPATH_CHROMIUM || '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update',
      '--disable-sync', '--no-first-run', '--disable-quic'],
  });
  const page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
  await page.goto(base);
  await page.getByTestId('conn-status').and(page.locator('[data-state="open"]')).waitFor();
  // Fast-forward a little so every pod has served requests, then wait for
  // the counters to show it and for dots in flight on the canvas.
  const adv = await fetch(`${base}/api/clock`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ advanceMs: 20_000 }),
  });
  if (!adv.ok) throw new Error(`POST /api/clock: ${adv.status} ${await adv.text()}`);
  await page.waitForFunction(() => {
    const counts = [...document.querySelectorAll('[data-testid="app-pod"] [data-testid="pod-count"]')];
    return counts.length > 0 && counts.every((c) => /[1-9]/.test(c.textContent ?? ''));
  }, null, { timeout: 30_000 });
  await page.waitForFunction(() => {
    const c = document.querySelector('canvas[data-testid="request-canvas"]');
    if (!c || !c.width || !c.height) return false;
    const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
    for (let i = 3; i < d.length; i += 4) if (d[i]) return true;
    return false;
  }, null, { timeout: 30_000, polling: 100 });
  await page.screenshot({ path: out, animations: 'disabled' });
  console.log(`wrote ${path.relative(root, out)}`);
} finally {
  await browser?.close();
  server.kill('SIGTERM');
}
