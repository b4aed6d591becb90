// Router and admission facts checked against openshift/router (docs/fidelity.md,
// "Checked against the source: router and admission"), through the public HTTP
// API of the real binary: real Route objects go in through `apply`, answers come
// from /api/trace and /api/state.
import path from 'node:path';
import fs from 'node:fs/promises';
import { test, expect, type APIRequestContext } from '@playwright/test';
import { advance, getState, postJSON, SHOP_URL } from './helpers';

test.describe.configure({ mode: 'serial' });

const HOST = 'shop.apps.demo.example.com';

const apply = (request: APIRequestContext, object: unknown) =>
  postJSON(request, '/api/commands', { type: 'apply', object });

const trace = (request: APIRequestContext, url: string) =>
  postJSON(request, '/api/trace', { url, client: 'curl' });

function route(name: string, spec: Record<string, unknown>) {
  return {
    apiVersion: 'route.openshift.io/v1', kind: 'Route',
    metadata: { name, namespace: 'shop' },
    spec: { host: HOST, to: { kind: 'Service', name: 'shop', weight: 100 }, ...spec },
  };
}

const routeState = async (request: APIRequestContext, name: string) =>
  (await getState(request)).routes.find((r: any) => r.namespace === 'shop' && r.name === name);

test.beforeEach(async ({ request }) => {
  await postJSON(request, '/api/scenarios/shop/load', {});
  await postJSON(request, '/api/clock', { paused: true });
});

test.afterAll(async ({ request }) => {
  await postJSON(request, '/api/scenarios/shop/load', {});
  await postJSON(request, '/api/clock', { paused: false, speed: 1 });
});

test('http:// follows the most specific route: /cart edge None beside / Redirect is a 503, a plain /cart route a 200', async ({ request }) => {
  // shop/shop is edge on / with insecureEdgeTerminationPolicy Redirect.
  await apply(request, route('cart', { path: '/cart', tls: { termination: 'edge', insecureEdgeTerminationPolicy: 'None' } }));
  await advance(request, 6_000);
  let t = await trace(request, `http://${HOST}/cart`);
  expect(t.status).toBe(503);
  expect(t.reason).toContain('its first match for /cart is shop/cart, which does not redirect');
  expect((await trace(request, `http://${HOST}/other`)).status).toBe(302);

  await apply(request, route('cart', { path: '/cart' })); // plain: no TLS
  await advance(request, 6_000);
  t = await trace(request, `http://${HOST}/cart`);
  expect(t.status).toBe(200);
  expect(t.route).toBe('shop/cart');
});

test('a /cart/ route does not match /cart', async ({ request }) => {
  await apply(request, route('cart', { path: '/cart/', tls: { termination: 'edge' } }));
  await advance(request, 6_000);
  expect((await trace(request, `https://${HOST}/cart`)).route).toBe('shop/shop');
  expect((await trace(request, `https://${HOST}/cart/x`)).route).toBe('shop/cart');
});

test('a * host is invalid; a Subdomain wildcard route is not admitted under the default WildcardsDisallowed', async ({ request }) => {
  const res = await request.post('/api/commands', {
    data: { type: 'apply', object: route('star', { host: '*.team.apps.demo.example.com', wildcardPolicy: 'Subdomain' }) },
  });
  expect(res.status()).toBe(400);
  expect(await res.text()).toContain('spec.host');
  expect(await routeState(request, 'star')).toBeUndefined();

  await apply(request, route('team', { host: 'www.team.apps.demo.example.com', wildcardPolicy: 'Subdomain', tls: { termination: 'edge' } }));
  const team = await routeState(request, 'team');
  expect(team.admitted).toBe(false);
  expect(team.reason).toContain('wildcard routes are not allowed');
});

test('with WildcardsAllowed, www.team… serves one label below team…', async ({ request }, testInfo) => {
  // The team namespace of scenarios/testdata/wildcard-team.yaml (allowWildcardRoutes: true), plus a
  // Subdomain Route.
  const yaml = (await fs.readFile(path.join(path.dirname(testInfo.config.configFile ?? testInfo.config.rootDir), '..', 'scenarios', 'testdata', 'wildcard-team.yaml'), 'utf8')) + `---
apiVersion: route.openshift.io/v1
kind: Route
metadata: {name: team, namespace: team}
spec:
  host: www.team.apps.demo.example.com
  wildcardPolicy: Subdomain
  to: {kind: Service, name: web}
  tls: {termination: edge}
`;
  const res = await request.post('/api/import', { data: yaml, headers: { 'Content-Type': 'application/yaml' } });
  expect(res.ok(), await res.text()).toBe(true);
  await postJSON(request, '/api/clock', { paused: true });
  await advance(request, 30_000);
  const one = await trace(request, 'https://b.team.apps.demo.example.com/');
  expect(one.status).toBe(200);
  expect(one.route).toBe('team/team');
  expect((await trace(request, 'https://x.b.team.apps.demo.example.com/')).status).toBe(503);
});

test('targetPort names the endpoint port: 80 on a Service 80→8080 gets 503, 8080 and http 200', async ({ request }) => {
  const edge = { path: '/', tls: { termination: 'edge', insecureEdgeTerminationPolicy: 'Redirect' } };
  for (const [targetPort, status] of [[80, 503], [8080, 200], ['http', 200]] as const) {
    await apply(request, route('shop', { ...edge, port: { targetPort } }));
    await advance(request, 6_000);
    const t = await trace(request, SHOP_URL);
    expect(t.status, `${targetPort}: ${t.reason}`).toBe(status);
    if (status === 503) expect(t.reason).toContain('not the Service\'s port');
  }
});

test('a path-based TLS route on a passthrough host is rejected HostAlreadyClaimed', async ({ request }) => {
  await apply(request, route('bank', { host: 'bank.apps.demo.example.com', tls: { termination: 'passthrough' } }));
  await apply(request, route('bank-api', { host: 'bank.apps.demo.example.com', path: '/api', tls: { termination: 'edge' } }));
  const api = await routeState(request, 'bank-api');
  expect(api.admitted).toBe(false);
  expect(api.reason).toContain('HostAlreadyClaimed');
  expect(api.reason).toContain('passthrough');
  expect((await routeState(request, 'bank')).admitted).toBe(true);
});
