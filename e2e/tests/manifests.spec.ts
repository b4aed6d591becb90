// Real manifests, as a new user pastes them (issue 13): the output of
// `oc get deploy,dc,sts,ds,svc,route -o yaml`, an OpenShift Template with
// a parameter, and the Expose command — through the JSON API of the real
// binary only, no page clicks.
import fs from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { test, expect, type APIRequestContext } from '@playwright/test';
import { advance, getState, postJSON } from './helpers';

test.describe.configure({ mode: 'serial' });

const REAL = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', '..', 'scenarios', 'testdata', 'real');

async function importFile(request: APIRequestContext, name: string, query = ''): Promise<any> {
  const body = await fs.readFile(path.join(REAL, name));
  const res = await request.post(`/api/import${query}`, { data: body, headers: { 'Content-Type': 'application/yaml' } });
  expect(res.status(), await res.text()).toBe(200);
  return res.json();
}

async function trace(request: APIRequestContext, url: string): Promise<any> {
  return postJSON(request, '/api/trace', { url, client: 'curl' });
}

test.afterAll(async ({ request }) => {
  await postJSON(request, '/api/scenarios/shop/load', {});
});

test('an oc get deploy,dc,sts,ds,svc,route -o yaml paste runs every pod Ready and each Route answers 200', async ({ request }) => {
  const loaded = await importFile(request, 'oc-get-deploy-dc-sts-ds-svc-route.yaml');
  expect(loaded.scenario).toEqual({ name: 'imported', source: 'import' });
  const state = await getState(request);
  const kinds = Object.fromEntries(state.workloads.filter((w: any) => w.namespace === 'myapp').map((w: any) => [w.kind, w]));
  expect(Object.keys(kinds).sort()).toEqual(['DaemonSet', 'Deployment', 'DeploymentConfig', 'StatefulSet']);
  for (const w of Object.values<any>(kinds)) {
    expect(w.readyReplicas, `${w.kind} ${w.name}`).toBe(w.replicas);
  }
  expect(kinds.DaemonSet.replicas, 'node-exporter tolerates every taint: all 6 nodes').toBe(6);
  expect(kinds.DeploymentConfig.controller).toBe('ReplicationController/httpd-example-3');
  const pods = state.pods.filter((p: any) => p.namespace === 'myapp');
  expect(pods.length).toBe(2 + 2 + 3 + 6);
  for (const p of pods) {
    expect(p.ready, `${p.name} Ready`).toBe(true);
  }
  expect(pods.filter((p: any) => p.ownerKind === 'StatefulSet').map((p: any) => p.name).sort()).toEqual(['web-0', 'web-1', 'web-2']);
  expect(pods.find((p: any) => p.name === 'web-0').hostname).toBe('web-0.nginx.myapp.svc.cluster.local');
  for (const p of pods.filter((p: any) => p.ownerKind === 'DaemonSet')) {
    expect(p.hostNetwork).toBe(true);
    expect(p.ip, 'a hostNetwork pod has its node IP').toBe(state.nodes.find((n: any) => n.name === p.node).ip);
  }
  for (const url of [
    'https://podinfo-myapp.apps.demo.example.com/',
    'http://httpd-example-myapp.apps.demo.example.com/',
    'http://nginx-myapp.apps.demo.example.com/',
    'https://node-exporter-myapp.apps.demo.example.com/',
  ]) {
    const res = await trace(request, url);
    expect(res.status, `${url}: ${res.reason}`).toBe(200);
  }
});

test('an OpenShift Template imports with a parameter set, and export gives the processed objects', async ({ request }) => {
  const loaded = await importFile(request, 'openshift-library-httpd.json', '?param=NAME=site');
  expect(loaded.templates).toHaveLength(1);
  const params = Object.fromEntries(loaded.templates[0].parameters.map((p: any) => [p.name, p]));
  expect(params.NAME).toMatchObject({ value: 'site', source: 'given' });
  expect(params.GITHUB_WEBHOOK_SECRET.source).toBe('generated');
  expect(loaded.warnings.map((w: any) => w.text).join('\n')).toContain('podpath has no builds or image streams, so it runs the pods as if that image existed');
  const res = await trace(request, 'http://site-default.apps.demo.example.com/');
  expect(res.status, res.reason).toBe(200);
  const exported = await (await request.get('/api/export')).text();
  expect(exported).toContain('kind: DeploymentConfig');
  expect(exported).not.toContain('kind: Template');

  const bad = await request.post('/api/import?param=COLOUR=red', { data: await fs.readFile(path.join(REAL, 'openshift-library-httpd.json')) });
  expect(bad.status()).toBe(400);
  expect((await bad.json()).error).toContain('parameter COLOUR is not defined by any Template in the file');
});

test('expose makes the Route oc expose would, and it answers 200', async ({ request }) => {
  await importFile(request, 'istio-bookinfo.yaml');
  const before = await getState(request);
  expect(before.routes.map((r: any) => r.name)).toEqual(['productpage']);
  await postJSON(request, '/api/commands', { type: 'expose', namespace: 'default', service: 'details' });
  const state = await getState(request);
  const route = state.routes.find((r: any) => r.name === 'details');
  expect(route).toMatchObject({ host: 'details-default.apps.demo.example.com', targetPort: 'http', tls: null, admitted: true });
  const early = await trace(request, 'http://details-default.apps.demo.example.com/');
  expect(early.status, 'the routers have not reloaded yet').toBe(503);
  await advance(request, 6_000); // past the routers' reload interval (5 s)
  const res = await trace(request, 'http://details-default.apps.demo.example.com/');
  expect(res.status, res.reason).toBe(200);
  const again = await request.post('/api/commands', { data: { type: 'expose', namespace: 'default', service: 'details' } });
  expect(again.status()).toBe(409);
});
