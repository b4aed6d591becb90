// The "Done when" facts of the faithful-model issue, checked through the
// public HTTP API of the real binary (not only the model's unit tests):
// real Kubernetes/OpenShift objects go in through `apply`, answers come
// from /api/load, /api/trace and /api/state.
import { test, expect, type APIRequestContext } from '@playwright/test';
import { advance, getState, postJSON, SHOP_URL } from './helpers';

test.describe.configure({ mode: 'serial' });

const apply = (request: APIRequestContext, object: unknown) =>
  postJSON(request, '/api/commands', { type: 'apply', object });

const loadScenario = (request: APIRequestContext, name: string) =>
  postJSON(request, `/api/scenarios/${name}/load`, {});

const trace = (request: APIRequestContext, url: string, client = 'curl') =>
  postJSON(request, '/api/trace', { url, client });

function route(name: string, spec: Record<string, unknown>, annotations?: Record<string, string>) {
  return {
    apiVersion: 'route.openshift.io/v1', kind: 'Route',
    metadata: { name, namespace: 'shop', ...(annotations ? { annotations } : {}) },
    spec: { host: 'shop.apps.demo.example.com', to: { kind: 'Service', name: 'shop', weight: 100 }, tls: { termination: 'edge' }, ...spec },
  };
}

test.beforeEach(async ({ request }) => {
  await loadScenario(request, 'shop');
  await postJSON(request, '/api/clock', { paused: true });
});

test.afterAll(async ({ request }) => {
  await loadScenario(request, 'shop');
  await postJSON(request, '/api/clock', { paused: false, speed: 1 });
});

test('route weights are per Service: 20 on 2 pods and 10 on 4 pods split about 67/33', async ({ request }) => {
  await postJSON(request, '/api/commands', { type: 'scale', namespace: 'shop', deployment: 'shop', replicas: 2 });
  await apply(request, {
    apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'shop-b', namespace: 'shop' },
    spec: {
      replicas: 4, selector: { matchLabels: { app: 'shop-b' } },
      template: { metadata: { labels: { app: 'shop-b' } }, spec: { containers: [{ name: 'app', image: 'shop:b', ports: [{ name: 'http', containerPort: 8080 }] }] } },
    },
  });
  await apply(request, {
    apiVersion: 'v1', kind: 'Service', metadata: { name: 'shop-b', namespace: 'shop' },
    spec: { selector: { app: 'shop-b' }, ports: [{ name: 'http', port: 80, targetPort: 8080 }] },
  });
  await apply(request, route('shop', {
    path: '/', to: { kind: 'Service', name: 'shop', weight: 20 },
    alternateBackends: [{ kind: 'Service', name: 'shop-b', weight: 10 }],
  }));
  await advance(request, 40_000);
  const res = await postJSON(request, '/api/load', { url: SHOP_URL, count: 3000, client: 'curl' });
  expect(res.statusCodes).toEqual({ '200': 3000 });
  const a = res.byService['shop/shop'] / 3000, b = res.byService['shop/shop-b'] / 3000;
  expect(a).toBeGreaterThan(0.62);
  expect(a).toBeLessThan(0.72);
  expect(b).toBeGreaterThan(0.28);
  expect(b).toBeLessThan(0.38);
  const state = await getState(request);
  expect(state.routes.find((r: any) => r.name === 'shop').balance).toBe('roundrobin');
});

test('/cartoon does not match a /cart route; /cart/x does', async ({ request }) => {
  await apply(request, route('cart', { path: '/cart' }));
  await advance(request, 6_000);
  expect((await trace(request, 'https://shop.apps.demo.example.com/cartoon')).route).toBe('shop/shop');
  expect((await trace(request, 'https://shop.apps.demo.example.com/cart/x')).route).toBe('shop/cart');
  expect((await trace(request, 'https://shop.apps.demo.example.com/cart')).route).toBe('shop/cart');
});

test('a second route for the same host and path is not admitted (the oldest wins)', async ({ request }) => {
  await apply(request, route('shop-copy', { path: '/' }));
  const state = await getState(request);
  const copy = state.routes.find((r: any) => r.name === 'shop-copy');
  expect(copy.admitted).toBe(false);
  expect(copy.reason).toContain('HostAlreadyClaimed');
  expect(state.routes.find((r: any) => r.name === 'shop').admitted).toBe(true);
});

test('default deny without the router allow gives 503, with it 200', async ({ request }) => {
  await apply(request, {
    apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name: 'default-deny', namespace: 'shop' },
    spec: { podSelector: {}, policyTypes: ['Ingress'] },
  });
  let t = await trace(request, SHOP_URL);
  expect(t.status).toBe(503);
  expect(t.reason).toContain('NetworkPolicy');
  await apply(request, {
    apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name: 'allow-from-openshift-ingress', namespace: 'shop' },
    spec: {
      podSelector: {}, policyTypes: ['Ingress'],
      ingress: [{ from: [{ namespaceSelector: { matchLabels: { 'policy-group.network.openshift.io/ingress': '' } } }] }],
    },
  });
  t = await trace(request, SHOP_URL);
  expect(t.status).toBe(200);
});

test('with 2 routers over 3 AZs and cross-zone off, one AZ leaves DNS', async ({ request }) => {
  const state = await getState(request);
  expect(state.routers).toHaveLength(2);
  expect(state.loadBalancer.crossZone).toBe(false);
  expect(state.dns.answer).toHaveLength(2);
  expect(state.loadBalancer.zones.filter((z: any) => !z.inDNS)).toHaveLength(1);
});

test('a browser sticks to one pod while curl spreads', async ({ request }) => {
  const browser = await postJSON(request, '/api/load', { url: SHOP_URL, count: 200, client: 'browser' });
  expect(Object.keys(browser.byPod)).toHaveLength(1);
  const curl = await postJSON(request, '/api/load', { url: SHOP_URL, count: 200, client: 'curl' });
  expect(Object.keys(curl.byPod)).toHaveLength(4);
});
