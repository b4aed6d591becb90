// Rooms: a presenter and a class of followers, each in their own browser
// context (their own localStorage, so their own token or none). A follower
// cannot change the presenter's cluster; every change the presenter makes
// reaches every follower's page (the delay is measured and reported; the
// target is 1 s); a fork is a private copy.
// And a room survives kill -9 of the server, with the open page resyncing.
import { test, expect, type Browser, type Page } from '@playwright/test';
import { type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { e2eBinary, killHard, spawnServer, waitHealthy } from './helpers';

const DEP = 'shop/shop';

/** The desired replicas the page's deployment control shows. */
async function shown(page: Page): Promise<number> {
  const text = await page.locator(`[data-testid="deployment-control"][data-deployment="${DEP}"] [data-testid="scale-replicas"]`).textContent();
  return Number((text ?? '').trim());
}

async function openFollower(browser: Browser, url: string): Promise<Page> {
  // A laptop-sized window: four browsers share this machine's cores.
  const ctx = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  const page = await ctx.newPage();
  await page.goto(url);
  await expect(page.getByTestId('conn-status')).toHaveAttribute('data-state', 'open');
  await expect(page.getByTestId('room-role')).toHaveAttribute('data-role', 'follower');
  return page;
}

/**
 * Resolves with Date.now() in the page when test(document) first holds,
 * watching the DOM (no polling interval in the way).
 */
function whenTrue(page: Page, fn: string, arg: unknown): Promise<number> {
  return page.evaluate(
    ([src, a]) =>
      new Promise<number>((resolve, reject) => {
        const test = new Function('a', src as string) as (a: unknown) => boolean;
        const check = () => {
          if (test(a)) {
            obs.disconnect();
            resolve(Date.now());
          }
        };
        const obs = new MutationObserver(check);
        obs.observe(document.body, { subtree: true, childList: true, characterData: true, attributes: true });
        setTimeout(() => reject(new Error('not seen within 10 s')), 10_000);
        check();
      }),
    [fn, arg] as const,
  );
}

const replicasAre = `const el = document.querySelector('[data-testid="deployment-control"][data-deployment="${DEP}"] [data-testid="scale-replicas"]');
  return !!el && el.textContent.trim() === String(a);`;
const pausedIs = `return document.querySelector('[data-testid="pause"]')?.getAttribute('aria-pressed') === String(a);`;
const appPodsAtLeast = `return document.querySelectorAll('[data-testid="app-pod"]').length >= a;`;

test('a presenter and three followers: followers cannot change the room and see every change (delays reported)', async ({ browser }, testInfo) => {
  const presenterCtx = await browser.newContext();
  const presenter = await presenterCtx.newPage();
  await presenter.goto('/');
  await presenter.getByTestId('room-start').click();
  await presenter.waitForURL(/\/r\/[a-z]+-[a-z]+-\d\d$/);
  const roomURL = presenter.url();
  const base = new URL(roomURL).pathname;
  await expect(presenter.getByTestId('room-role')).toHaveAttribute('data-role', 'presenter');
  await expect(presenter.getByTestId('room-share')).toHaveText(roomURL);
  await expect(presenter.getByTestId('room-qr')).toBeAttached();
  await expect(presenter.getByTestId('room-reset')).toBeVisible();
  await expect(presenter.getByTestId('conn-status')).toHaveAttribute('data-state', 'open');

  const followers = await Promise.all([1, 2, 3].map(() => openFollower(browser, roomURL)));
  const start = await shown(presenter);
  for (const f of followers) expect(await shown(f)).toBe(start);

  // A follower's presenter-only controls are disabled and say why; the presenter's are not.
  const scaleUp = (p: Page) => p.locator(`[data-testid="deployment-control"][data-deployment="${DEP}"] [data-testid="scale-up"]`);
  const because = /Only the presenter can change this room/;
  for (const id of ['pause', 'advance', 'speed', 'lb-type', 'lb-crosszone', 'traffic-rps', 'netpol-mode', 'scenario-load']) {
    await expect(followers[0].getByTestId(id)).toBeDisabled();
    await expect(followers[0].getByTestId(id)).toHaveAttribute('title', because);
    await expect(presenter.getByTestId(id)).toBeEnabled();
  }
  await expect(scaleUp(followers[0])).toBeDisabled();
  await expect(scaleUp(followers[0])).toHaveAttribute('title', because);
  await expect(followers[0].getByTestId('node-toggle').first()).toBeDisabled();
  await expect(scaleUp(presenter)).toBeEnabled();
  await expect(followers[0].getByTestId('room-fork')).toBeEnabled();

  // A follower's scale (its key, +) is refused: 403, whose API text stays
  // as scripts know it; the page says it in its own words, shows no oc
  // command, and nothing changes.
  const refused = followers[0].waitForResponse((r) => new URL(r.url()).pathname === `${base}/api/commands`);
  await followers[0].keyboard.press('+');
  const answer = await refused;
  expect(answer.status()).toBe(403);
  expect((await answer.json()).error).toContain("server: forbidden: only the room's presenter may change it");
  await expect(followers[0].getByTestId('error-toast')).toHaveText('Only the presenter can change this room — Fork it to experiment.');
  await expect.poll(() => shown(followers[0])).toBe(start);
  await followers[0].waitForTimeout(500); // a refused command's answer would be in by now
  await expect(followers[0].getByTestId('oc-command')).not.toContainText('oc scale');
  const state = await (await presenter.request.get(`${base}/api/state`)).json();
  expect(state.deployments.find((d: any) => `${d.namespace}/${d.name}` === DEP).replicas).toBe(start);
  expect(await shown(presenter)).toBe(start);

  // Presenter changes reach every follower within 1 s. First the clock:
  // paused, the pages draw only when a message comes (four browsers share
  // this machine's cores; in class each follower has their own).
  const delays: number[] = [];
  {
    const seen = followers.map((f) => whenTrue(f, pausedIs, true));
    const t0 = Date.now();
    await presenter.getByTestId('pause').dispatchEvent('click');
    delays.push(Math.max(...(await Promise.all(seen))) - t0);
  }
  for (const want of [start + 1, start + 2]) {
    const seen = followers.map((f) => whenTrue(f, replicasAre, want));
    const t0 = Date.now();
    await presenter.locator(`[data-testid="deployment-control"][data-deployment="${DEP}"] [data-testid="scale-up"]`).dispatchEvent('click');
    delays.push(Math.max(...(await Promise.all(seen))) - t0);
  }

  // A walkthrough step (the presenter's player calls the same API).
  const token = await presenter.evaluate(() => localStorage.getItem(`podpath.room.${location.pathname.split('/')[2]}.token`));
  expect(token).toBeTruthy();
  const step = (k: number) =>
    presenter.request.post(`${base}/api/walkthrough`, { data: { scenario: 'scaling', step: k }, headers: { Authorization: `Bearer ${token}` } });
  expect((await step(1)).ok()).toBe(true);
  await Promise.all(followers.map((f) => expect(f.getByTestId('app-pod')).toHaveCount(2)));
  {
    const seen = followers.map((f) => whenTrue(f, appPodsAtLeast, 5));
    const t0 = Date.now();
    expect((await step(3)).ok()).toBe(true);
    delays.push(Math.max(...(await Promise.all(seen))) - t0);
  }
  testInfo.annotations.push({ type: 'presenter → 3 followers (ms): pause, scale, scale, walkthrough step', description: delays.join(', ') });
  console.log(`presenter change seen by all 3 followers after ${delays.join(', ')} ms`);
  // Every change reached every follower (whenTrue fails after 10 s). The
  // 1 s target is a figure, reported above and in docs/reliability.md, not a
  // pass/fail timing: on a loaded 2-core machine four Chromiums share the CPU.
  expect(delays).toHaveLength(4);

  // A follower may vote while a prompt waits; the presenter sees the tally.
  expect((await step(2)).ok()).toBe(true);
  for (const [i, f] of followers.entries()) {
    const vote = await f.request.post(`${base}/api/walkthrough/vote`, { data: { choice: i % 2, voter: `follower-${i}-abc` } });
    expect(vote.status()).toBe(200);
  }
  const wt = await (await presenter.request.get(`${base}/api/walkthrough`)).json();
  expect(wt.tally.slice(0, 2)).toEqual([2, 1]);

  await presenterCtx.close();
  for (const f of followers) await f.context().close();
});

test('a follower forks a private copy, changes it, and returns', async ({ browser, request }) => {
  const created = await (await request.post('/api/rooms', { data: { scenario: 'shop' } })).json();
  const follower = await openFollower(browser, created.url);
  const start = await shown(follower);
  await follower.getByTestId('room-fork').click();
  await follower.waitForURL((u) => u.pathname !== created.url && /^\/r\//.test(u.pathname));
  await expect(follower.getByTestId('room-role')).toHaveAttribute('data-role', 'presenter');
  await expect(follower.getByTestId('conn-status')).toHaveAttribute('data-state', 'open');
  expect(await shown(follower)).toBe(start);

  await follower.locator(`[data-testid="deployment-control"][data-deployment="${DEP}"] [data-testid="scale-up"]`).dispatchEvent('click');
  await expect.poll(() => shown(follower)).toBe(start + 1);
  const original = await (await request.get(`${created.url}/api/state`)).json();
  expect(original.deployments.find((d: any) => `${d.namespace}/${d.name}` === DEP).replicas).toBe(start);

  await follower.getByTestId('room-return').click();
  await follower.waitForURL((u) => u.pathname === created.url);
  await expect(follower.getByTestId('room-role')).toHaveAttribute('data-role', 'follower');
  expect(await shown(follower)).toBe(start);
  await expect(follower.locator(`[data-testid="deployment-control"][data-deployment="${DEP}"] [data-testid="scale-up"]`)).toBeDisabled();
  await follower.context().close();
});

// --- kill -9 of a server with a state directory ----------------------------

const PORT = 18923; // not 18181/18182: other runs of the suite use those
const ORIGIN = `http://127.0.0.1:${PORT}`;

function startServer(bin: string, stateDir: string): ChildProcess {
  return spawnServer(bin, ['-addr', `127.0.0.1:${PORT}`, '-seed', '1', '-scenario', 'shop', '-state-dir', stateDir]);
}

test('a room survives kill -9: restored as it was, and the open page resyncs without a reload', async ({ page }, testInfo) => {
  const bin = e2eBinary(testInfo);
  const stateDir = fs.mkdtempSync(path.join(os.tmpdir(), 'podpath-state-'));
  let server = startServer(bin, stateDir);
  try {
    await waitHealthy(ORIGIN);
    const room = await (await fetch(`${ORIGIN}/api/rooms`, { method: 'POST', body: '{"scenario":"shop"}' })).json();
    const auth = { Authorization: `Bearer ${room.token}`, 'Content-Type': 'application/json' };
    const post = async (p: string, body: unknown) => {
      const res = await fetch(`${ORIGIN}${room.url}${p}`, { method: 'POST', headers: auth, body: JSON.stringify(body) });
      expect(res.status, `${p} → ${await res.clone().text()}`).toBe(200);
    };
    await post('/api/commands', { type: 'scale', namespace: 'shop', deployment: 'shop', replicas: 7 });
    await post('/api/clock', { speed: 2 });

    await page.goto(`${ORIGIN}${room.url}`);
    const conn = page.getByTestId('conn-status');
    await expect(conn).toHaveAttribute('data-state', 'open');
    expect(await shown(page)).toBe(7);
    await page.evaluate(() => ((window as any).__samePage = true));
    const before = await (await fetch(`${ORIGIN}${room.url}/api/state`)).json();
    await new Promise((r) => setTimeout(r, 500)); // past the 200 ms write coalescing

    await killHard(server);
    await expect(conn).not.toHaveAttribute('data-state', 'open', { timeout: 7_000 });
    server = startServer(bin, stateDir);
    const up = await waitHealthy(ORIGIN);
    // A hang fails (15 s); the 2 s target is a reported figure, not a timing test.
    await expect(conn).toHaveAttribute('data-state', 'open', { timeout: 15_000 });
    const resyncMs = Math.round(performance.now() - up);
    testInfo.annotations.push({ type: 'room page resync after kill -9 (ms)', description: String(resyncMs) });
    console.log(`room page open again ${resyncMs} ms after the restarted server answered /healthz`);
    expect(await page.evaluate(() => (window as any).__samePage)).toBe(true);

    const after = await (await fetch(`${ORIGIN}${room.url}/api/state`)).json();
    const reps = (s: any) => s.deployments.map((d: any) => `${d.namespace}/${d.name}=${d.replicas}`);
    expect(reps(after)).toEqual(reps(before));
    expect(after.timeMs).toBeGreaterThanOrEqual(before.timeMs - 5_000);
    expect(await shown(page)).toBe(7);
    // The token still makes its holder the presenter; others are still refused.
    const refused = await fetch(`${ORIGIN}${room.url}/api/commands`, { method: 'POST', body: '{"type":"scale","namespace":"shop","deployment":"shop","replicas":1}' });
    expect(refused.status).toBe(403);
    await post('/api/commands', { type: 'scale', namespace: 'shop', deployment: 'shop', replicas: 5 });
    await expect.poll(() => shown(page)).toBe(5);
  } finally {
    await killHard(server);
    fs.rmSync(stateDir, { recursive: true, force: true });
  }
});
