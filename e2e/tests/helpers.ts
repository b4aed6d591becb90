// Shared helpers for the podpath Playwright specs. The specs share one server
// (workers: 1), so every spec file starts by resetting the cluster to the
// shop scenario's starting shape with resetCluster.
import path from 'node:path';
import fs from 'node:fs/promises';
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { expect, type APIRequestContext, type Page, type Locator, type TestInfo } from '@playwright/test';

export const NAMESPACE = 'shop';
export const DEPLOYMENT = 'shop';
export const SHOP_URL = 'https://shop.apps.demo.example.com/';

/** POST JSON and fail with the server's error body when the status is not 2xx. */
export async function postJSON(request: APIRequestContext, url: string, data: unknown): Promise<any> {
  const res = await request.post(url, { data });
  const body = await res.text();
  expect(res.ok(), `POST ${url} ${JSON.stringify(data)} → ${res.status()} ${body}`).toBe(true);
  return body ? JSON.parse(body) : undefined;
}

export async function getState(request: APIRequestContext): Promise<any> {
  const res = await request.get('/api/state');
  expect(res.ok(), `GET /api/state → ${res.status()}`).toBe(true);
  return res.json();
}

export function scale(request: APIRequestContext, replicas: number) {
  return postJSON(request, '/api/commands', { type: 'scale', namespace: NAMESPACE, deployment: DEPLOYMENT, replicas });
}

/** Fast-forwards virtual time deterministically (also while paused). */
export function advance(request: APIRequestContext, ms: number) {
  return postJSON(request, '/api/clock', { advanceMs: ms });
}

export function load(request: APIRequestContext, count: number): Promise<{
  count: number;
  statusCodes: Record<string, number>;
  byPod: Record<string, number>;
}> {
  return postJSON(request, '/api/load', { url: SHOP_URL, count, client: 'curl' });
}

/** The deployment's pods in the snapshot (router pods excluded). */
export function appPodsOf(state: any): any[] {
  return (state.pods ?? []).filter(
    (p: any) => p.namespace === NAMESPACE && !p.router && (p.owner === DEPLOYMENT || p.labels?.app === DEPLOYMENT),
  );
}

/** The app pods' entries of a byPod map (keys are "namespace/name"). */
export function appEntries(byPod: Record<string, number> | undefined): Record<string, number> {
  return Object.fromEntries(Object.entries(byPod ?? {}).filter(([k]) => k.startsWith(`${NAMESPACE}/`)));
}

/**
 * Brings the cluster back to the scenario's starting shape: clock running at
 * speed 1, the deployment at 4 replicas, every one of them ready and no pod
 * still terminating. Idempotent on a fresh server.
 */
export async function resetCluster(request: APIRequestContext, replicas = 4) {
  await postJSON(request, '/api/clock', { paused: false });
  await postJSON(request, '/api/clock', { speed: 1 });
  await scale(request, replicas);
  // Past pod start-up, the router's reload delay and the 30 s grace period.
  await advance(request, 35_000);
  await expect
    .poll(async () => {
      const pods = appPodsOf(await getState(request));
      return { total: pods.length, ready: pods.filter((p) => p.ready && !p.terminating).length };
    }, { message: `cluster reset to ${replicas} ready pods`, timeout: 30_000 })
    .toEqual({ total: replicas, ready: replicas });
}

/** Parses a counter's text: "1234", "1,234", "1.2k", "3 req" → a number. */
export function parseCount(text: string | null): number {
  const m = (text ?? '').replace(/[,\s]/g, '').match(/(\d+(?:\.\d+)?)([kKmM]?)/);
  if (!m) return NaN;
  const mult = { k: 1e3, K: 1e3, m: 1e6, M: 1e6 }[m[2]] ?? 1;
  return Number(m[1]) * mult;
}

/** Request counts shown inside each app pod, in DOM order. */
export async function podCounts(page: Page): Promise<number[]> {
  const texts = await page.getByTestId('app-pod').getByTestId('pod-count').allTextContents();
  return texts.map(parseCount);
}

export async function podCountTotal(page: Page): Promise<number> {
  return (await podCounts(page)).reduce((a, b) => a + (Number.isNaN(b) ? 0 : b), 0);
}

/** The desired replica count a deployment control shows (text or input value). */
export async function shownReplicas(control: Locator): Promise<number> {
  const el = control.getByTestId('scale-replicas');
  const text = await el.evaluate((e: any) => ('value' in e && typeof e.value === 'string' && e.value !== '' ? e.value : e.textContent));
  return parseCount(text);
}

/** Clicks scale-up/-down one step at a time until the control shows want. */
export async function scaleWithControl(control: Locator, want: number) {
  for (let guard = 0; guard < 20; guard++) {
    const now = await shownReplicas(control);
    if (now === want) return;
    const button = control.getByTestId(now < want ? 'scale-up' : 'scale-down');
    await button.click();
    const next = now < want ? now + 1 : now - 1;
    await expect.poll(() => shownReplicas(control), { message: `control shows ${next} replicas` }).toBe(next);
  }
  throw new Error(`deployment control never reached ${want} replicas`);
}

/**
 * A fingerprint of the request canvas: how many pixels are painted and a
 * hash over them. Two different hashes with paint mean the dots moved.
 */
export async function canvasSignature(page: Page): Promise<{ painted: number; hash: number; width: number; height: number }> {
  return page.getByTestId('request-canvas').evaluate((el: Element) => {
    const canvas = (el instanceof HTMLCanvasElement ? el : el.querySelector('canvas')) as HTMLCanvasElement | null;
    if (!canvas || canvas.width === 0 || canvas.height === 0) return { painted: 0, hash: 0, width: 0, height: 0 };
    const ctx = canvas.getContext('2d');
    if (!ctx) return { painted: 0, hash: 0, width: canvas.width, height: canvas.height };
    const data = ctx.getImageData(0, 0, canvas.width, canvas.height).data;
    let painted = 0;
    let hash = 2166136261;
    for (let i = 3; i < data.length; i += 4) {
      if (data[i] !== 0) {
        painted++;
        hash = Math.imul(hash ^ i, 16777619) >>> 0;
      }
    }
    return { painted, hash, width: canvas.width, height: canvas.height };
  });
}

/** Saves a screenshot under e2e/artifacts/ and attaches it to the report. */
export async function keepScreenshot(page: Page, testInfo: TestInfo, name: string) {
  const body = await page.screenshot({ animations: 'disabled', fullPage: true });
  const dir = path.join(path.dirname(testInfo.config.configFile ?? testInfo.config.rootDir), 'artifacts');
  await fs.mkdir(dir, { recursive: true });
  await fs.writeFile(path.join(dir, `${name}.png`), body);
  await testInfo.attach(name, { body, contentType: 'image/png' });
}

/** Opens the page and waits for the live stream. */
export async function openLive(page: Page) {
  await page.goto('/');
  await expect(page.getByTestId('topology')).toBeVisible();
  await expect(page.getByTestId('conn-status')).toHaveAttribute('data-state', 'open');
}

// --- Fault tests: another instance of the binary the config built ----------

/** bin/podpath-e2e-PORT, built by the config's webServer (one per port, so suites on several ports can run at once). */
export function e2eBinary(testInfo: TestInfo): string {
  const port = Number(process.env.PODPATH_E2E_PORT || 18080);
  return path.join(path.dirname(testInfo.config.configFile ?? testInfo.config.rootDir), '..', 'bin', `podpath-e2e-${port}`);
}

/** Starts the binary with args (its own -addr), output ignored. */
export function spawnServer(bin: string, args: string[]): ChildProcess {
  return spawn(bin, args, { stdio: 'ignore' });
}

/** kill -9, and waits for the exit. */
export async function killHard(proc: ChildProcess) {
  if (proc.exitCode !== null || proc.signalCode !== null) return;
  const exited = once(proc, 'exit');
  proc.kill('SIGKILL');
  await exited;
}

/** Waits until origin's /healthz answers; returns when it did (performance.now). */
export async function waitHealthy(origin: string): Promise<number> {
  const until = Date.now() + 30_000;
  while (Date.now() < until) {
    try {
      const res = await fetch(`${origin}/healthz`);
      if (res.ok) return performance.now();
    } catch {
      // not up yet
    }
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error(`${origin} did not come up`);
}
