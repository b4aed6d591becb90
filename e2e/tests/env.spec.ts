// Environment-variable discovery through the public HTTP API of the real
// binary: a pod's <SVC>_SERVICE_HOST variables (GET /api/state?env=…), a
// trace whose URL names them, and a Service deleted and created again
// while old pods keep its old ClusterIP.
import { test, expect, type APIRequestContext } from '@playwright/test';
import { advance, postJSON } from './helpers';

test.describe.configure({ mode: 'serial' });

const SERVICE = {
  apiVersion: 'v1', kind: 'Service', metadata: { name: 'shop', namespace: 'shop' },
  spec: { selector: { app: 'shop' }, ports: [{ name: 'http', port: 80, targetPort: 8080 }] },
};
const ENV_URL = 'http://$SHOP_SERVICE_HOST:$SHOP_SERVICE_PORT/';

async function stateWithEnv(request: APIRequestContext, pod: string): Promise<any> {
  const res = await request.get(`/api/state?env=${encodeURIComponent(pod)}`);
  expect(res.ok(), await res.text()).toBe(true);
  return res.json();
}

function envOf(state: any, pod: string): Record<string, string> {
  const p = state.pods.find((x: any) => `${x.namespace}/${x.name}` === pod);
  expect(p?.env, `env of ${pod}`).toBeTruthy();
  return Object.fromEntries(p.env.vars.map((v: any) => [v.name, v.value]));
}

test.beforeEach(async ({ request }) => {
  await postJSON(request, '/api/scenarios/shop/load', {});
  await postJSON(request, '/api/clock', { paused: true });
});

test.afterAll(async ({ request }) => {
  await postJSON(request, '/api/scenarios/shop/load', {});
  await postJSON(request, '/api/clock', { paused: false, speed: 1 });
});

test('a pod has the kubelet service variables, and a trace from it expands them', async ({ request }) => {
  const plain = await (await request.get('/api/state')).json();
  const shop = plain.services.find((s: any) => s.name === 'shop');
  const pod = plain.pods.find((p: any) => p.namespace === 'shop' && !p.router && p.ready);
  expect(plain.pods.every((p: any) => p.env === undefined), '/api/state leaves env out').toBe(true);
  const key = `shop/${pod.name}`;
  const env = envOf(await stateWithEnv(request, key), key);
  expect(env.SHOP_SERVICE_HOST).toBe(shop.clusterIP);
  expect(env.SHOP_SERVICE_PORT).toBe('80');
  expect(env.SHOP_PORT_80_TCP).toBe(`tcp://${shop.clusterIP}:80`);
  expect(env.KUBERNETES_SERVICE_HOST).toBe('172.30.0.1');

  const tr = await postJSON(request, '/api/trace', { url: ENV_URL, from: key });
  expect(tr.status).toBe(200);
  expect(tr.expandedURL).toBe(`http://${shop.clusterIP}:80/`);
  expect(tr.hops.some((h: any) => h.kind === 'dns')).toBe(false);
});

test('a Service created again gets a new ClusterIP; old pods time out on the old one until recreated', async ({ request }) => {
  const before = await (await request.get('/api/state')).json();
  const oldIP = before.services.find((s: any) => s.name === 'shop').clusterIP;
  const pod = before.pods.find((p: any) => p.namespace === 'shop' && !p.router && p.ready);
  const key = `shop/${pod.name}`;
  await postJSON(request, '/api/commands', { type: 'delete', kind: 'Service', namespace: 'shop', name: 'shop' });
  await postJSON(request, '/api/commands', { type: 'apply', object: SERVICE });
  await advance(request, 5000);
  const after = await stateWithEnv(request, key);
  const newIP = after.services.find((s: any) => s.name === 'shop').clusterIP;
  expect(newIP).not.toBe(oldIP);
  expect(envOf(after, key).SHOP_SERVICE_HOST).toBe(oldIP);

  const stale = await postJSON(request, '/api/trace', { url: ENV_URL, from: key });
  expect(stale.outcome).toBe('timeout');
  expect(stale.reason).toContain(`no Service has the ClusterIP ${oldIP}`);
  expect(stale.reason).toContain(`new ClusterIP ${newIP}`);
  const byName = await postJSON(request, '/api/trace', { url: 'http://shop.shop.svc.cluster.local/', from: key });
  expect(byName.status).toBe(200);

  // A new pod (the old one deleted, its replacement started) has the new address.
  await postJSON(request, '/api/commands', { type: 'deletePod', namespace: 'shop', pod: pod.name });
  await advance(request, 30000);
  const later = await (await request.get('/api/state?env=all')).json();
  const fresh = later.pods.filter((p: any) => p.namespace === 'shop' && !p.router && p.ready);
  expect(fresh.length).toBe(4);
  for (const p of fresh) {
    const e = Object.fromEntries(p.env.vars.map((v: any) => [v.name, v.value]));
    if (p.name !== pod.name && e.SHOP_SERVICE_HOST === newIP) {
      const ok = await postJSON(request, '/api/trace', { url: ENV_URL, from: `shop/${p.name}` });
      expect(ok.status).toBe(200);
      return;
    }
  }
  throw new Error('no recreated pod carries the new ClusterIP');
});

test('an unset variable is refused with a message that says why', async ({ request }) => {
  const s = await (await request.get('/api/state')).json();
  const pod = s.pods.find((p: any) => p.namespace === 'shop' && !p.router && p.ready);
  const res = await request.post('/api/trace', { data: { url: 'http://$CART_SERVICE_HOST/', from: `shop/${pod.name}` } });
  expect(res.status()).toBe(400);
  expect(await res.text()).toContain('$CART_SERVICE_HOST is not set');
});
