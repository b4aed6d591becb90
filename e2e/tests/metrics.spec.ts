// The metrics panel's latency over time (issue #5): the headline p50/p95
// are the model's metrics.latency (every request), the chart draws
// metrics.history — the page merges the frames' newest 5 points into the
// snapshot's whole history — and starts over after a reset.
import path from 'node:path';
import fs from 'node:fs/promises';
import { test, expect, type Page, type TestInfo } from '@playwright/test';
import { advance, getState, openLive, postJSON, resetCluster } from './helpers';

test.describe.configure({ mode: 'serial' });

test.beforeAll(async ({ request }) => {
  await resetCluster(request);
});

test.afterAll(async ({ request }) => {
  await resetCluster(request);
});

/** The page's formatting of a latency (static/js/chart.js fmtMs). */
function fmtMs(ms: number): string {
  return ms >= 1000 ? `${(ms / 1000).toFixed(2)} s` : `${Math.round(ms)} ms`;
}

/** The polyline's vertices, [x, y] in viewBox units. */
async function vertices(page: Page, id: string): Promise<number[][]> {
  const pts = (await page.getByTestId(id).getAttribute('points')) ?? '';
  return pts.trim() ? pts.trim().split(/\s+/).map((p) => p.split(',').map(Number)) : [];
}

/** Saves a screenshot of the metrics panel under e2e/artifacts/. */
async function keepPanel(page: Page, testInfo: TestInfo, name: string) {
  const body = await page.getByTestId('metrics').screenshot({ animations: 'disabled' });
  const dir = path.join(path.dirname(testInfo.config.configFile ?? testInfo.config.rootDir), 'artifacts');
  await fs.mkdir(dir, { recursive: true });
  await fs.writeFile(path.join(dir, `${name}.png`), body);
  await testInfo.attach(name, { body, contentType: 'image/png' });
}

test('the chart shows p50/p95 and requests per second over virtual time; the headline is metrics.latency', async ({ page, request }, testInfo) => {
  await openLive(page);
  const chart = page.getByTestId('latency-chart');
  await expect(chart).toHaveAttribute('role', 'img');
  await expect(page.getByTestId('metric-latency-note')).toContainText('every request, not only the drawn ones');
  await chart.scrollIntoViewIfNeeded(); // chart.js loads when the chart is first seen

  // Paused, then fast-forwarded, with no router for 8 s (the nodes drop the
  // packets: errors and a high p95): each frame brings only the newest 5
  // points, the page fills the gaps from /api/state. Everything is stable
  // from here.
  await postJSON(request, '/api/clock', { paused: true });
  await advance(request, 10_000);
  await postJSON(request, '/api/commands', { type: 'scaleRouters', replicas: 0 });
  try {
    await advance(request, 8_000);
  } finally {
    await postJSON(request, '/api/commands', { type: 'scaleRouters', replicas: 2 });
  }
  await advance(request, 3_000);
  const state = await getState(request);
  const { latency, history } = state.metrics;
  expect(history.length, 'history points after 56 s of traffic').toBeGreaterThanOrEqual(50);
  const failed = history.filter((p: any) => p.errors > 0);
  expect(failed.length, 'seconds with errors while there was no router').toBeGreaterThan(0);
  expect(history.length).toBeLessThanOrEqual(120);
  expect(latency.count).toBeGreaterThan(0);
  await expect(chart).toHaveAttribute('data-points', String(history.length));

  // The headline: exactly the model's figures, formatted as the page does.
  await expect(page.getByTestId('metric-p50')).toHaveText(fmtMs(latency.p50Ms));
  await expect(page.getByTestId('metric-p95')).toHaveText(fmtMs(latency.p95Ms));

  // Per second, p95 ≥ p50 in the model, and so in the picture: the p95
  // line is never below the p50 line at the same second (SVG y grows down).
  const seen = history.filter((p: any) => p.requests > 0);
  for (const p of history) {
    expect(p.p95Ms, `p95 ≥ p50 at t=${p.t}`).toBeGreaterThanOrEqual(p.p50Ms);
    expect(p.errors).toBeLessThanOrEqual(p.requests);
  }
  const p50 = await vertices(page, 'latency-chart-p50');
  const p95 = await vertices(page, 'latency-chart-p95');
  expect(p50).toHaveLength(seen.length);
  expect(p95).toHaveLength(seen.length);
  p95.forEach(([x, y], i) => {
    expect(x).toBeCloseTo(p50[i][0], 5);
    expect(y, `p95 above p50 at vertex ${i}`).toBeLessThanOrEqual(p50[i][1]);
  });
  // The bars, one per second: requests that did not fail, errors at the foot.
  const bars = async (nth: number) => ((await page.getByTestId('rps-bars').locator('path').nth(nth).getAttribute('d')) ?? '').match(/M/g)?.length ?? 0;
  expect(await bars(0)).toBe(history.filter((p: any) => p.requests > p.errors).length);
  expect(await bars(1)).toBe(failed.length);

  // The summary in words, with the newest second's figures.
  const last = seen[seen.length - 1];
  await expect(chart).toHaveAttribute('aria-label', new RegExp(`p50 now ${fmtMs(last.p50Ms)} .*p95 now ${fmtMs(last.p95Ms)}`));
  await keepPanel(page, testInfo, 'metrics-latency-chart');
  await page.emulateMedia({ colorScheme: 'dark' });
  await keepPanel(page, testInfo, 'metrics-latency-chart-dark');
});

test('the chart loads when it scrolls into view, with the whole history', async ({ page, request }) => {
  await page.setViewportSize({ width: 1280, height: 720 });
  const scripts: string[] = [];
  page.on('request', (r) => scripts.push(r.url()));
  await openLive(page);
  const chart = page.getByTestId('latency-chart');
  await expect(chart).not.toBeInViewport();
  await page.waitForTimeout(500);
  expect(scripts.filter((u) => /\/chart\.(js|css)$/.test(u)), 'nothing of the chart before it is seen').toEqual([]);
  await postJSON(request, '/api/clock', { paused: true });
  await chart.scrollIntoViewIfNeeded();
  const state = await getState(request);
  await expect(chart).toHaveAttribute('data-points', String(state.metrics.history.length));
  expect(scripts.filter((u) => /\/chart\.(js|css)$/.test(u))).toHaveLength(2);
  await postJSON(request, '/api/clock', { paused: false });
});

test('after a reset the chart starts over', async ({ page, request }) => {
  await openLive(page);
  const chart = page.getByTestId('latency-chart');
  await chart.scrollIntoViewIfNeeded();
  await postJSON(request, '/api/clock', { paused: true });
  await expect.poll(async () => Number(await chart.getAttribute('data-points'))).toBeGreaterThanOrEqual(50);

  await postJSON(request, '/api/reset', {});
  const fresh = await getState(request);
  expect(fresh.metrics.history.length).toBeLessThanOrEqual(1);
  await expect(chart).toHaveAttribute('data-points', String(fresh.metrics.history.length));
  await expect(page.getByTestId('metric-p50')).toHaveText(fresh.metrics.latency.count ? fmtMs(fresh.metrics.latency.p50Ms) : '–');

  // A few seconds later: only the new run's points, the frames' 5 newest.
  await advance(request, 4_000);
  const after = await getState(request);
  expect(after.metrics.history.length).toBeGreaterThan(0);
  expect(after.metrics.history.length).toBeLessThanOrEqual(5);
  await expect(chart).toHaveAttribute('data-points', String(after.metrics.history.length));
  await postJSON(request, '/api/clock', { paused: false });
});

test('the event log keeps one line for repeated commands on one object, and logs the rest', async ({ page }) => {
  await openLive(page);
  const dep = page.locator('[data-testid="deployment-control"][data-deployment="shop/shop"]');
  const replicas = Number(await dep.getByTestId('scale-replicas').textContent());
  for (let i = 1; i <= 3; i++) {
    await dep.getByTestId('scale-up').click();
    await expect(dep.getByTestId('scale-replicas')).toHaveText(String(replicas + i));
  }
  const commands = page.locator('[data-testid="event-log"] li[data-kind="command"][data-object="deploy:shop/shop"]');
  await expect(commands.first()).toContainText(`scaled to ${replicas + 3}`);
  await expect(commands).toHaveCount(1);
  // The pods those clicks made are logged as usual.
  await expect(page.locator('[data-testid="event-log"] li[data-kind="pod"]').first()).toBeVisible();
  await dep.getByTestId('scale-down').click();
  await expect(commands).toHaveCount(1);
  await expect(commands.first()).toContainText(`scaled to ${replicas + 2}`);
});
