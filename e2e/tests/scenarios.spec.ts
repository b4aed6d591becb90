// The scenario library on the page: pick a built-in and load it, paste the
// output of `oc get deploy,svc,route -o yaml` and see the app, download the
// cluster as a scenario file and import it back to the same state. Every
// test replaces the whole cluster; the file loads shop back at the end so
// that the other specs find the cluster they expect.
import fs from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { test, expect, type Page, type APIRequestContext } from '@playwright/test';
import { getState, keepScreenshot, openLive, postJSON } from './helpers';

test.describe.configure({ mode: 'serial' });

const FIXTURE = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', '..', 'scenarios', 'testdata', 'oc-get-deploy-svc-route.yaml');

async function loadScenario(request: APIRequestContext, name: string) {
  return postJSON(request, `/api/scenarios/${name}/load`, {});
}

test.beforeAll(async ({ request }) => {
  await loadScenario(request, 'shop');
  await postJSON(request, '/api/clock', { paused: false, speed: 1 });
});

test.afterAll(async ({ request }) => {
  await loadScenario(request, 'shop');
});

/** Clicks a control that replaces the cluster and waits for the page to reload. */
async function clickAndReload(page: Page, testid: string) {
  const reloaded = page.waitForEvent('load');
  await page.getByTestId(testid).click();
  await reloaded;
  await expect(page.getByTestId('conn-status')).toHaveAttribute('data-state', 'open');
}

/** App pods drawn on the page in namespace ns: their nodes. */
async function drawnPodNodes(page: Page, ns: string): Promise<string[]> {
  return page
    .locator(`[data-testid="app-pod"][data-pod^="${ns}/"]`)
    .evaluateAll((els) => els.map((e) => e.getAttribute('data-node') ?? ''));
}

/** The part of /api/state an import must reproduce (docs/scenarios.md, "Export"). */
function sameState(s: any) {
  const byKey = (a: any, b: any) => (a.k < b.k ? -1 : a.k > b.k ? 1 : 0);
  return {
    cluster: s.cluster,
    nodes: s.nodes.map((n: any) => ({ name: n.name, zone: n.zone, ip: n.ip, ready: n.ready })),
    loadBalancer: { type: s.loadBalancer.type, crossZone: s.loadBalancer.crossZone },
    network: s.network,
    traffic: s.traffic,
    deployments: s.deployments,
    services: s.services.map((v: any) => ({ ...v, endpoints: v.endpoints.length })),
    routes: s.routes,
    networkPolicies: s.networkPolicies,
    routers: s.routers.map((r: any) => ({ k: r.node, ready: r.ready })).sort(byKey),
    pods: s.pods.filter((p: any) => !p.terminating).length,
  };
}

test('picking api-ingress shows 3 pods on two nodes, some requests crossing nodes over VXLAN', async ({ page, request }, testInfo) => {
  await openLive(page);
  await page.getByTestId('scenario-picker').selectOption('api-ingress');
  await clickAndReload(page, 'scenario-load');

  await expect(page.getByTestId('scenario-status')).toContainText('Loaded api-ingress');
  await expect(page.getByTestId('scenario-picker')).toHaveValue('api-ingress');
  await expect(page.locator('[data-testid="app-pod"][data-pod^="default/api-"]')).toHaveCount(3);
  const nodes = await drawnPodNodes(page, 'default');
  expect(new Set(nodes).size, `pods on ${nodes.join(', ')}`).toBe(2);
  await expect(page.locator('[data-testid="route-card"]').first()).toBeVisible();

  const state = await getState(request);
  expect(state.timeMs, 'the clock restarted').toBeLessThan(60_000);
  expect(state.seed).toBe(2);
  // Some requests cross nodes: when the router and the pod are on different
  // workers, the pod-network hop is VXLAN-encapsulated. A trace runs on a
  // copy of the current state, so step the clock between traces to draw
  // other requests; both kinds must show up among them.
  const seen = new Set<string>();
  for (let i = 0; i < 30 && seen.size < 2; i++) {
    const trace = await postJSON(request, '/api/trace', { url: 'https://api.hadywafa.com/api/v1/resource', client: 'curl' });
    expect(trace.status).toBe(200);
    const hop = trace.hops.find((h: any) => h.kind === 'podnet');
    seen.add(hop.encapsulation === 'vxlan' ? 'vxlan' : 'same-node');
    await postJSON(request, '/api/clock', { advanceMs: 250 });
  }
  expect([...seen].sort(), 'some requests cross nodes over VXLAN, some stay on one node').toEqual(['same-node', 'vxlan']);
  const load = await postJSON(request, '/api/load', { url: 'https://api.hadywafa.com/api/v1/resource', count: 300, client: 'curl' });
  expect(Object.keys(load.byPod).filter((k) => k.startsWith('default/'))).toHaveLength(3);
  await keepScreenshot(page, testInfo, 'scenario-api-ingress');
});

test('pasting `oc get deploy,svc,route -o yaml` output shows the app; a bad paste shows the error and changes nothing', async ({ page, request }, testInfo) => {
  await openLive(page);
  await page.getByTestId('import-open').click();
  await expect(page.getByTestId('import-text')).toBeVisible();

  // A broken file first: the error names document, line and field.
  const before = sameState(await getState(request));
  await page.getByTestId('import-text').fill('apiVersion: v1\nkind: List\nitems:\n- apiVersion: apps/v1\n  kind: Deployment\n  metadata: {name: web, namespace: x}\n  spec: {replicas: 900}\n');
  await page.getByTestId('import-apply').click();
  const error = page.getByTestId('import-error');
  await expect(error).toBeVisible();
  await expect(error).toContainText('document 1 item 1 (Deployment x/web)');
  await expect(error).toContainText('spec.replicas');
  expect(sameState(await getState(request))).toEqual(before);

  await page.getByTestId('import-text').fill(await fs.readFile(FIXTURE, 'utf8'));
  await clickAndReload(page, 'import-apply');
  await expect(page.getByTestId('scenario-status')).toContainText('Loaded imported');
  await expect(page.locator('[data-testid="app-pod"][data-pod^="myapp/frontend-"]')).toHaveCount(3);
  await expect(page.locator('[data-testid="route-card"][data-route="myapp/frontend"]')).toBeVisible();
  await expect(page.locator('[data-testid="app-pod"][data-pod^="shop/"]')).toHaveCount(0);
  const state = await getState(request);
  expect(state.deployments.find((d: any) => d.namespace === 'myapp' && d.name === 'frontend')?.replicas).toBe(3);
  await keepScreenshot(page, testInfo, 'scenario-imported-app');
});

test('at 1280×720 an import error is scrolled into view and focused', async ({ page, request }) => {
  await loadScenario(request, 'shop');
  await page.setViewportSize({ width: 1280, height: 720 });
  await openLive(page);
  await page.getByTestId('import-open').click();
  await page.getByTestId('import-text').fill('apiVersion: route.openshift.io/v1\nkind: Route\nmetadata: {name: x, namespace: shop}\nspec: {to: {name: shop}, port: 3}\n');
  await page.getByTestId('import-apply').click();
  const error = page.getByTestId('import-error');
  await expect(error).toContainText('spec.port');
  await expect(error).toBeInViewport({ ratio: 1 });
  await expect(error).toBeFocused();
  // Empty text: its message is shown the same way.
  await page.getByTestId('import-text').fill('');
  await page.getByTestId('import-apply').click();
  await expect(error).toContainText('Paste a scenario file');
  await expect(error).toBeInViewport({ ratio: 1 });
  await expect(error).toBeFocused();
});

test('a downloaded scenario imports back to the same state', async ({ page, request }) => {
  await loadScenario(request, 'shop');
  await postJSON(request, '/api/commands', { type: 'scale', namespace: 'shop', deployment: 'shop', replicas: 6 });
  await postJSON(request, '/api/commands', { type: 'setLoadBalancer', lbType: 'NLB', crossZone: true });
  await postJSON(request, '/api/commands', { type: 'setNetwork', encapsulation: 'IPIP', kubeProxyMode: 'ipvs' });
  await postJSON(request, '/api/commands', { type: 'setTraffic', rps: 5 });
  // Past pod start-up and readiness, the router reload and the NLB's health checks.
  await postJSON(request, '/api/clock', { advanceMs: 60_000 });

  await openLive(page);
  const downloading = page.waitForEvent('download');
  await page.getByTestId('export-download').click();
  const download = await downloading;
  expect(download.suggestedFilename()).toBe('shop.yaml');
  const file = await download.path();
  const yaml = await fs.readFile(file!, 'utf8');
  expect(yaml).toContain('kind: Scenario');
  expect(yaml).toContain('type: NLB');
  const before = sameState(await getState(request));
  expect(before.deployments.find((d: any) => d.name === 'shop')?.readyReplicas).toBe(6);

  // Import it through the file input, as a user would.
  await page.getByTestId('import-open').click();
  await page.getByTestId('import-file').setInputFiles({ name: 'shop.yaml', mimeType: 'application/yaml', buffer: Buffer.from(yaml) });
  await expect(page.getByTestId('import-text')).toHaveValue(yaml);
  await clickAndReload(page, 'import-apply');
  await expect(page.getByTestId('scenario-status')).toHaveText('Loaded shop');
  await expect(page.getByTestId('import-warnings')).toBeHidden();
  await expect(page.locator('[data-testid="app-pod"][data-pod^="shop/"]')).toHaveCount(6);
  expect(sameState(await getState(request))).toEqual(before);
});
