// The JSON API's load endpoint: N requests run on a copy of the live state.
import { test, expect } from '@playwright/test';
import { advance, appEntries, appPodsOf, getState, load, resetCluster, scale } from './helpers';

test.describe.configure({ mode: 'serial' });

test.beforeAll(async ({ request }) => {
  await resetCluster(request);
});

test('4000 curl requests spread over the 4 pods, each within ±15% of 1000', async ({ request }) => {
  const before = await getState(request);
  const res = await load(request, 4000);
  expect(res.count).toBe(4000);
  expect(res.statusCodes).toEqual({ '200': 4000 });

  const byPod = appEntries(res.byPod);
  expect(Object.keys(byPod).sort()).toEqual(appPodsOf(before).map((p: any) => `${p.namespace}/${p.name}`).sort());
  expect(Object.keys(byPod)).toHaveLength(4);
  for (const [pod, n] of Object.entries(byPod)) {
    expect(n, `${pod} got ${n} of 4000`).toBeGreaterThanOrEqual(850);
    expect(n, `${pod} got ${n} of 4000`).toBeLessThanOrEqual(1150);
  }

  // A load run does not disturb the live run's state.
  const after = await getState(request);
  expect(appPodsOf(after).map((p: any) => p.name)).toEqual(appPodsOf(before).map((p: any) => p.name));
});

test('after scaling to 8 and advancing 30 s, the same load reaches all 8', async ({ request }) => {
  await scale(request, 8);
  await advance(request, 30_000);
  const state = await getState(request);
  const pods = appPodsOf(state);
  expect(pods).toHaveLength(8);

  const res = await load(request, 4000);
  expect(res.count).toBe(4000);
  const byPod = appEntries(res.byPod);
  expect(Object.keys(byPod).sort()).toEqual(pods.map((p: any) => `${p.namespace}/${p.name}`).sort());
  for (const [pod, n] of Object.entries(byPod)) {
    expect(n, `${pod} got ${n} of 4000`).toBeGreaterThan(0);
  }
});

test.afterAll(async ({ request }) => {
  await resetCluster(request);
});
