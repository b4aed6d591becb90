// Services, load balancer and failure facts of issue 12, checked through
// the public HTTP API of the real binary: real manifests go in through
// `apply`, answers come from /api/trace, /api/load and /api/state, and
// virtual time moves only with /api/clock (docs/fidelity.md, "Checked
// against the source: Services, load balancer and failures").
import { test, expect, type APIRequestContext } from '@playwright/test';
import { advance, getState, postJSON, SHOP_URL } from './helpers';

test.describe.configure({ mode: 'serial' });

const command = (request: APIRequestContext, cmd: Record<string, unknown>) => postJSON(request, '/api/commands', cmd);
const apply = (request: APIRequestContext, object: unknown) => command(request, { type: 'apply', object });
const trace = (request: APIRequestContext, body: Record<string, unknown>) => postJSON(request, '/api/trace', body);

const SHOP_SVC = 'http://shop.shop.svc.cluster.local';

/** A ready pod of a Deployment, as "namespace/name", optionally on (or off) a node. */
async function podOf(request: APIRequestContext, owner: string, where?: { on?: string; off?: string }): Promise<any> {
  const pods = (await getState(request)).pods.filter(
    (p: any) => p.namespace === 'shop' && p.owner === owner && p.ready && !p.terminating &&
      (!where?.on || p.node === where.on) && (!where?.off || p.node !== where.off),
  );
  expect(pods.length, `a ready ${owner} pod ${JSON.stringify(where ?? {})}`).toBeGreaterThan(0);
  return pods[0];
}

const key = (p: any) => `${p.namespace}/${p.name}`;

test.beforeEach(async ({ request }) => {
  await postJSON(request, '/api/scenarios/shop/load', {});
  await postJSON(request, '/api/clock', { paused: true });
});

test.afterAll(async ({ request }) => {
  await postJSON(request, '/api/scenarios/shop/load', {});
  await postJSON(request, '/api/clock', { paused: false, speed: 1 });
});

test('a deleted router pod keeps serving while the load balancer drains its node: nothing is dropped', async ({ request }) => {
  const router = (await getState(request)).routers[0];
  await command(request, { type: 'deletePod', namespace: 'openshift-ingress', pod: router.name });
  const res = await postJSON(request, '/api/load', { url: SHOP_URL, count: 1200, rps: 20, clients: 50, client: 'curl' });
  expect(res.statusCodes).toEqual({ '200': 1200 });
  await advance(request, 11_000);
  const state = await getState(request);
  expect(state.loadBalancer.targets.find((t: any) => t.node === router.node).healthy).toBe(false);
  expect(state.pods.find((p: any) => p.name === router.name)?.terminating).toBe(true);
  await advance(request, 40_000);
  expect((await getState(request)).pods.find((p: any) => p.name === router.name)).toBeUndefined();
});

test('a pod reaches a Route host out through its node and the NAT gateway and back through the load balancer', async ({ request }) => {
  const from = await podOf(request, 'shop');
  const t = await trace(request, { url: SHOP_URL, from: key(from) });
  expect(t.status).toBe(200);
  const kinds = t.hops.filter((h: any) => !h.response).map((h: any) => h.kind);
  expect(kinds).toEqual(expect.arrayContaining(['dns', 'egress', 'internet', 'lb', 'nodeport', 'podnet', 'app']));
  const egress = t.hops.find((h: any) => h.kind === 'egress');
  expect(egress.nat).toContain(`SNAT ${from.ip} →`);
  const out = t.hops.find((h: any) => h.kind === 'internet');
  expect(out.from).toBe(`node:${from.node}`);
  expect(t.hops[1].note).toContain('private hosted zone');
});

test('an egress default-deny fails the DNS lookup before any connection', async ({ request }) => {
  await apply(request, {
    apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name: 'deny-egress', namespace: 'shop' },
    spec: { podSelector: {}, policyTypes: ['Egress'] },
  });
  const from = await podOf(request, 'shop');
  const t = await trace(request, { url: `${SHOP_SVC}/`, from: key(from) });
  expect(t.outcome).toBe('dns-timeout');
  expect(t.reason).toContain('UDP 5353');
  expect(t.hops).toHaveLength(1);
});

test('the Classic ELB cuts a 90 s answer at its 60 s idle timeout whatever the route timeout; the NLB does not', async ({ request }) => {
  await apply(request, {
    apiVersion: 'apps/v1', kind: 'Deployment',
    metadata: { name: 'shop', namespace: 'shop', annotations: { 'podpath.dev/service-ms': '90000' } },
    spec: {
      replicas: 4, selector: { matchLabels: { app: 'shop' } },
      template: { metadata: { labels: { app: 'shop' } }, spec: { containers: [{ name: 'shop', image: 'shop:1', ports: [{ name: 'http', containerPort: 8080 }] }] } },
    },
  });
  await apply(request, {
    apiVersion: 'route.openshift.io/v1', kind: 'Route',
    metadata: { name: 'shop', namespace: 'shop', annotations: { 'haproxy.router.openshift.io/timeout': '2m' } },
    spec: { host: 'shop.apps.demo.example.com', path: '/', to: { kind: 'Service', name: 'shop', weight: 100 }, tls: { termination: 'edge', insecureEdgeTerminationPolicy: 'Redirect' } },
  });
  await advance(request, 6_000); // the routers' reload
  let t = await trace(request, { url: SHOP_URL });
  expect(t.outcome).toBe('reset');
  expect(t.status).toBe(0);
  expect(t.reason).toContain("60 s, the Classic ELB's idle timeout");
  await command(request, { type: 'setLoadBalancer', lbType: 'NLB' });
  t = await trace(request, { url: SHOP_URL });
  expect(t.status).toBe(200);
});

test('a ClusterIP port the Service does not define hangs with iptables and is refused with nftables', async ({ request }) => {
  const from = key(await podOf(request, 'shop'));
  let t = await trace(request, { url: `${SHOP_SVC}:81/`, from });
  expect(t.outcome).toBe('timeout');
  expect(t.reason).toContain('has no port 81');
  await command(request, { type: 'setNetwork', kubeProxyMode: 'nftables' });
  t = await trace(request, { url: `${SHOP_SVC}:81/`, from });
  expect(t.outcome).toBe('refused');
  t = await trace(request, { url: `${SHOP_SVC}/`, from });
  expect(t.status).toBe(200);
});

test('internalTrafficPolicy Local without a local endpoint drops the connection instead of refusing it', async ({ request }) => {
  await command(request, { type: 'scale', namespace: 'shop', deployment: 'shop', replicas: 1 });
  await apply(request, {
    apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'client', namespace: 'shop' },
    spec: {
      replicas: 3, selector: { matchLabels: { app: 'client' } },
      template: { metadata: { labels: { app: 'client' } }, spec: { containers: [{ name: 'client', image: 'client:1' }] } },
    },
  });
  await apply(request, {
    apiVersion: 'v1', kind: 'Service', metadata: { name: 'shop', namespace: 'shop' },
    spec: { selector: { app: 'shop' }, internalTrafficPolicy: 'Local', ports: [{ name: 'http', port: 80, targetPort: 8080 }] },
  });
  await advance(request, 40_000);
  const shop = await podOf(request, 'shop');
  let t = await trace(request, { url: `${SHOP_SVC}/`, from: key(await podOf(request, 'client', { off: shop.node })) });
  expect(t.outcome).toBe('timeout');
  expect(t.reason).toContain('DROP');
  t = await trace(request, { url: `${SHOP_SVC}/`, from: key(await podOf(request, 'client', { on: shop.node })) });
  expect(t.status).toBe(200);
});
