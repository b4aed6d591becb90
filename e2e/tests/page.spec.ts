// The live page, as a new user meets it: the topology is drawn by the
// server, requests flow as dots and raise the pods' counters, and the
// deployment control scales the app up and down.
import { test, expect } from '@playwright/test';
import {
  advance,
  appPodsOf,
  canvasSignature,
  getState,
  keepScreenshot,
  load,
  appEntries,
  openLive,
  podCounts,
  podCountTotal,
  resetCluster,
  scaleWithControl,
} from './helpers';

// The tests build on each other's cluster changes (4 → 6 → 1 pods).
test.describe.configure({ mode: 'serial' });

test.beforeAll(async ({ request }) => {
  await resetCluster(request);
});

test('the server-rendered page shows the topology before any WebSocket message', async ({ browser, request, baseURL }) => {
  // The HTML as served, before any script runs.
  const res = await request.get('/');
  expect(res.ok()).toBe(true);
  expect(res.headers()['content-type']).toContain('text/html');
  // <template> holds the prototypes the scripts clone later; it is not content.
  const html = (await res.text()).replace(/<template[\s\S]*?<\/template>/g, '');
  expect(html.match(/data-testid="topology"/g) ?? []).toHaveLength(1);
  expect(html.match(/data-testid="app-pod"/g) ?? []).toHaveLength(4);
  expect(html.match(/data-testid="router-pod"/g) ?? []).toHaveLength(2);

  // The same page in a browser with JavaScript off: no socket can open.
  const context = await browser.newContext({ javaScriptEnabled: false, baseURL });
  try {
    const page = await context.newPage();
    await page.goto('/');
    await expect(page.getByTestId('topology')).toBeVisible();
    await expect(page.getByTestId('app-pod')).toHaveCount(4);
    await expect(page.getByTestId('router-pod')).toHaveCount(2);
    await expect(page.getByTestId('internet')).toHaveCount(1);
    await expect(page.getByTestId('dns')).toHaveCount(1);
    await expect(page.getByTestId('load-balancer')).toHaveCount(1);
    await expect(page.getByTestId('zone-lane')).toHaveCount(3);
    await expect(page.getByTestId('route-card')).toHaveCount(1);
    await expect(page.getByTestId('service-card')).toHaveCount(1);
    for (const pod of await page.getByTestId('app-pod').all()) {
      await expect(pod).toHaveAttribute('data-pod', /^shop\/shop-/);
    }
    for (const pod of await page.getByTestId('router-pod').all()) {
      await expect(pod).toHaveAttribute('data-pod', /^openshift-ingress\/router-default-/);
    }
    // The two routers run on two different workers.
    const routerNodes = await page.getByTestId('router-pod').evaluateAll((els) => els.map((e) => e.getAttribute('data-node')));
    expect(new Set(routerNodes).size).toBe(2);
  } finally {
    await context.close();
  }
});

test('requests flow: dots move on the canvas and the pods count requests', async ({ page }, testInfo) => {
  await openLive(page);
  await expect(page.getByTestId('app-pod')).toHaveCount(4);
  await expect(page.getByTestId('router-pod')).toHaveCount(2);

  // Dots: some paint on the canvas, then different paint a moment later.
  await expect
    .poll(async () => (await canvasSignature(page)).painted, { message: 'request dots painted on the canvas', timeout: 30_000 })
    .toBeGreaterThan(0);
  const first = await canvasSignature(page);
  await expect
    .poll(async () => {
      const now = await canvasSignature(page);
      return now.painted > 0 && now.hash !== first.hash;
    }, { message: 'request dots moved', timeout: 30_000 })
    .toBe(true);

  // Counters: the pods' request counts rise while we watch.
  await expect.poll(() => podCountTotal(page), { message: 'pod counters shown', timeout: 30_000 }).toBeGreaterThan(0);
  const before = await podCountTotal(page);
  await expect.poll(() => podCountTotal(page), { message: 'pod counters rise', timeout: 30_000 }).toBeGreaterThan(before);

  await keepScreenshot(page, testInfo, 'live-4-pods');
});

test('scaling to 6 with the control shows 6 pods that turn ready and take traffic', async ({ page, request }, testInfo) => {
  await openLive(page);
  const control = page.locator('[data-testid="deployment-control"][data-deployment="shop/shop"]');
  await expect(control).toBeVisible();

  await scaleWithControl(control, 6);
  await expect(page.getByTestId('app-pod')).toHaveCount(6);
  expect((await getState(request)).deployments.find((d: any) => d.namespace === 'shop' && d.name === 'shop')?.replicas).toBe(6);

  // New pods go Pending → Running → Ready; jump past that and the router's reload.
  await advance(request, 30_000);
  await expect(page.locator('[data-testid="app-pod"][data-ready="true"]')).toHaveCount(6);

  // Every one of the 6 pods now takes live traffic…
  await expect
    .poll(async () => (await podCounts(page)).filter((n) => n > 0).length, {
      message: 'all 6 pods show requests',
      timeout: 60_000,
    })
    .toBe(6);
  // …and a load run on a copy of the state reaches all 6 too.
  const res = await load(request, 1200);
  expect(Object.keys(appEntries(res.byPod)).sort()).toEqual(
    appPodsOf(await getState(request)).map((p: any) => `${p.namespace}/${p.name}`).sort(),
  );

  await keepScreenshot(page, testInfo, 'live-6-pods');
});

test('scaling to 1 with the control leaves one pod', async ({ page, request }, testInfo) => {
  await openLive(page);
  const control = page.locator('[data-testid="deployment-control"][data-deployment="shop/shop"]');
  await scaleWithControl(control, 1);

  // Terminating pods finish their in-flight requests within the 30 s grace period.
  await advance(request, 35_000);
  await expect(page.getByTestId('app-pod')).toHaveCount(1);
  await expect(page.locator('[data-testid="app-pod"][data-ready="true"]')).toHaveCount(1);
  await expect.poll(async () => appPodsOf(await getState(request)).length).toBe(1);

  await keepScreenshot(page, testInfo, 'live-1-pod');
});

test.afterAll(async ({ request }) => {
  await resetCluster(request);
});
