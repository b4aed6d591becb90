// Every cluster control changes /api/state as expected, the UI follows the
// streamed state (a second viewer sees the change), and each action shows
// its oc equivalent in the "on a real cluster" strip.
import { test, expect, type Page, type APIRequestContext } from '@playwright/test';
import { advance, appPodsOf, getState, keepScreenshot, openLive, postJSON, resetCluster } from './helpers';

test.describe.configure({ mode: 'serial' });

test.beforeAll(async ({ request }) => {
  await resetCluster(request);
});

function pollState(request: APIRequestContext, pick: (s: any) => unknown) {
  return expect.poll(async () => pick(await getState(request)), { timeout: 15_000 });
}

async function ocShows(page: Page, text: string | RegExp) {
  await expect(page.getByTestId('oc-command')).toContainText(text);
}

test('load balancer, Calico, kube-proxy and version controls change the state', async ({ page, request, browser, baseURL }) => {
  await openLive(page);
  // A second viewer: what it shows must follow the stream, not its own clicks.
  const other = await browser.newPage({ baseURL });
  await openLive(other);

  await page.getByTestId('lb-type').selectOption('NLB');
  await pollState(request, (s) => s.loadBalancer.type).toBe('NLB');
  await ocShows(page, 'oc patch ingresscontroller/default -n openshift-ingress-operator');
  await expect(other.getByTestId('lb-type')).toHaveValue('NLB');

  await page.getByTestId('lb-crosszone').check();
  await pollState(request, (s) => s.loadBalancer.crossZone).toBe(true);
  await expect(other.getByTestId('lb-crosszone')).toBeChecked();

  await page.getByTestId('net-encap').selectOption('IPIP');
  await pollState(request, (s) => s.network.encapsulation).toBe('IPIP');
  await ocShows(page, 'oc patch ippool/default-ipv4-ippool');
  await expect(other.getByTestId('net-encap')).toHaveValue('IPIP');

  await page.getByTestId('net-srcdst').uncheck();
  await pollState(request, (s) => s.network.sourceDestCheck).toBe(false);
  await ocShows(page, '--no-source-dest-check');

  await page.getByTestId('net-kubeproxy').selectOption('ipvs');
  await pollState(request, (s) => s.network.kubeProxyMode).toBe('ipvs');
  await ocShows(page, 'network.operator.openshift.io/cluster');

  await page.getByTestId('ocp-version').selectOption('4.10');
  await pollState(request, (s) => s.cluster.openShiftVersion).toBe('4.10');
  await expect(other.getByTestId('ocp-version')).toHaveValue('4.10');

  // Changed by someone else (the API): this page follows.
  await postJSON(request, '/api/commands', { type: 'setLoadBalancer', lbType: 'Classic', crossZone: false });
  await expect(page.getByTestId('lb-type')).toHaveValue('Classic');
  await expect(page.getByTestId('lb-crosszone')).not.toBeChecked();

  await postJSON(request, '/api/commands', { type: 'setNetwork', encapsulation: 'VXLAN', kubeProxyMode: 'iptables', sourceDestCheck: true });
  await postJSON(request, '/api/commands', { type: 'setOpenShiftVersion', version: '4.16' });
  await expect(page.getByTestId('net-encap')).toHaveValue('VXLAN');
  await expect(page.getByTestId('ocp-version')).toHaveValue('4.16');
  await other.close();
});

test('traffic rate and client mix', async ({ page, request }) => {
  await openLive(page);
  const before = (await getState(request)).traffic;
  await page.getByTestId('traffic-rps').fill('12');
  await page.getByTestId('traffic-rps').press('Enter');
  await pollState(request, (s) => s.traffic.rps).toBe(12);

  await page.getByTestId('traffic-browser').fill('100');
  await pollState(request, (s) => s.traffic.mix.filter((m: any) => !m.from && m.client === 'curl').reduce((a: number, m: any) => a + m.weight, 0)).toBe(0);
  await expect(page.getByTestId('traffic-browser-pct')).toHaveText('100%');

  await postJSON(request, '/api/commands', { type: 'setTraffic', rps: before.rps, clients: before.clients, mix: before.mix });
  await expect(page.getByTestId('traffic-rps')).toHaveValue(String(before.rps));
});

test('the diagram and the top bar follow the settings without a reload', async ({ page, request }) => {
  await openLive(page);
  const topo = page.getByTestId('topology');
  const line = page.getByTestId('cluster-line');
  await expect(topo).toContainText('Classic · cross-zone off');
  await expect(topo).toContainText('kube-proxy iptables');
  await expect(line).toContainText('OpenShift 4.16');
  await page.evaluate(() => ((window as any).notReloaded = true));

  // kube-proxy alone changes nothing else that is drawn.
  await page.getByTestId('net-kubeproxy').selectOption('ipvs');
  await expect(topo).toContainText('kube-proxy ipvs');
  await page.getByTestId('lb-type').selectOption('NLB');
  await page.getByTestId('lb-crosszone').check();
  await page.getByTestId('net-encap').selectOption('IPIP');
  await page.getByTestId('ocp-version').selectOption('4.10');
  await pollState(request, (s) => s.cluster.openShiftVersion).toBe('4.10');
  await expect(topo).toContainText('NLB · cross-zone on');
  await expect(topo).toContainText('Calico IPIP');
  await expect(topo).toContainText('kube-proxy ipvs');
  await expect(line).toContainText('OpenShift 4.10');
  await expect(topo).toHaveAttribute('data-settings', 'NLB|true|IPIP|ipvs|4.10');

  // Someone else changes them back (the API): this page follows too.
  await postJSON(request, '/api/commands', { type: 'setLoadBalancer', lbType: 'Classic', crossZone: false });
  await postJSON(request, '/api/commands', { type: 'setNetwork', encapsulation: 'VXLAN', kubeProxyMode: 'iptables' });
  await postJSON(request, '/api/commands', { type: 'setOpenShiftVersion', version: '4.16' });
  await expect(topo).toContainText('Classic · cross-zone off');
  await expect(topo).toContainText('kube-proxy iptables');
  await expect(line).toContainText('OpenShift 4.16');
  expect(await page.evaluate(() => (window as any).notReloaded)).toBe(true);
  // Settled: the topology is not fetched again and again (a refetch waits 3 s).
  let refetches = 0;
  page.on('request', (r) => void (new URL(r.url()).pathname === '/' && refetches++));
  await page.waitForTimeout(4000);
  expect(refetches).toBe(0);
});

test('a refused command shows no oc command and its control goes back to the state', async ({ page, request }) => {
  await openLive(page);
  const rps = String((await getState(request)).traffic.rps);
  const oc = page.getByTestId('oc-command');
  const before = await oc.textContent();
  await page.getByTestId('traffic-rps').fill('-3');
  await page.getByTestId('traffic-rps').press('Enter');
  await expect(page.getByTestId('error-toast')).toBeVisible();
  await expect(page.getByTestId('error-toast')).toContainText('rps');
  await expect(page.getByTestId('traffic-rps')).toHaveValue(rps);
  await page.waitForTimeout(500); // a refused command's answer would be in by now
  await expect(oc).toHaveText(before ?? '');
  await expect(oc).not.toContainText('requests per second');
  // An accepted one shows.
  await page.getByTestId('traffic-rps').fill('7');
  await page.getByTestId('traffic-rps').press('Enter');
  await ocShows(page, '7 requests per second');
  await pollState(request, (s) => s.traffic.rps).toBe(7);
  await postJSON(request, '/api/commands', { type: 'setTraffic', rps: Number(rps) });
});

test('shortcuts act wherever the focus is but a field: Space and → after clicking a button', async ({ page, request }) => {
  await openLive(page);
  await postJSON(request, '/api/clock', { paused: true });
  await expect(page.getByTestId('pause')).toHaveAttribute('aria-pressed', 'true');
  const t0 = (await getState(request)).timeMs;
  await page.getByTestId('advance').click(); // the button keeps the focus
  await pollState(request, (s) => s.timeMs).toBe(t0 + 1000);
  await expect(page.getByTestId('advance')).toBeFocused();
  await page.keyboard.press('ArrowRight');
  await pollState(request, (s) => s.timeMs).toBe(t0 + 2000);
  await page.keyboard.press(' '); // play, not a second click on "+1 s"
  await expect(page.getByTestId('pause')).toHaveAttribute('aria-pressed', 'false');
  await page.keyboard.press(' ');
  await expect(page.getByTestId('pause')).toHaveAttribute('aria-pressed', 'true');
  // In a field, the keys are the field's.
  await page.getByTestId('traffic-rps').focus();
  await page.keyboard.press(' ');
  await page.waitForTimeout(300);
  await expect(page.getByTestId('pause')).toHaveAttribute('aria-pressed', 'true');
  await page.getByTestId('traffic-rps').blur();
  await postJSON(request, '/api/clock', { paused: false });
});

test('fail and recover a node and an AZ', async ({ page, request }) => {
  await openLive(page);
  const node = page.getByTestId('node-toggle').first();
  const name = await node.getAttribute('data-node');
  await node.click();
  await pollState(request, (s) => s.nodes.find((n: any) => n.name === name).instanceUp).toBe(false);
  await expect(node).toHaveAttribute('data-ready', 'false');
  await expect(node).toHaveText('Recover node');
  await ocShows(page, `oc get node ${name}`);
  await node.click();
  await pollState(request, (s) => s.nodes.find((n: any) => n.name === name).instanceUp).toBe(true);

  const zone = page.getByTestId('zone-toggle').last();
  const z = await zone.getAttribute('data-zone');
  await zone.click();
  await pollState(request, (s) => s.nodes.filter((n: any) => n.zone === z && n.role === 'worker').every((n: any) => !n.instanceUp)).toBe(true);
  await expect(zone).toHaveAttribute('data-down', 'true');
  await zone.click();
  await pollState(request, (s) => s.nodes.filter((n: any) => n.zone === z && n.role === 'worker').every((n: any) => n.instanceUp)).toBe(true);
  await expect(zone).toHaveAttribute('data-down', 'false');
  await resetCluster(request);
});

test('NetworkPolicy: default deny + router allow, deny only, off', async ({ page, request }) => {
  await openLive(page);
  const names = (s: any) => s.networkPolicies.filter((p: any) => p.namespace === 'shop').map((p: any) => p.name).sort();
  await page.getByTestId('netpol-mode').selectOption('deny-allow');
  await pollState(request, names).toEqual(['allow-from-openshift-ingress', 'default-deny']);
  await ocShows(page, 'kind: NetworkPolicy');
  await page.getByTestId('netpol-mode').selectOption('deny');
  await pollState(request, names).toEqual(['default-deny']);
  await ocShows(page, 'oc delete networkpolicy/allow-from-openshift-ingress -n shop');
  await page.getByTestId('netpol-mode').selectOption('off');
  await pollState(request, names).toEqual([]);
  await expect(page.getByTestId('netpol-mode')).toHaveValue('off');
});

test('pod menu: fail readiness, restore it, fail liveness, delete', async ({ page, request }) => {
  await openLive(page);
  const pod = page.getByTestId('app-pod').first();
  const id = (await pod.getAttribute('data-pod'))!;
  const [ns, name] = id.split('/');
  const find = (s: any) => s.pods.find((p: any) => p.namespace === ns && p.name === name);

  // Focus and Enter, not a click: a request dot passing over the pod would
  // take the click (and open the inspector, as a click on a dot should).
  await pod.focus();
  await page.keyboard.press('Enter');
  const menu = page.getByTestId('pod-menu');
  await expect(menu).toBeVisible();
  await expect(page.getByTestId('pod-menu-title')).toHaveText(id);
  await expect(menu.locator('[data-oc="pod-delete"]')).toHaveText(`oc delete pod ${name} -n ${ns}`);

  await page.getByTestId('pod-ready-toggle').click();
  await pollState(request, (s) => find(s)?.ready).toBe(false);
  await expect(page.getByTestId('pod-ready-toggle')).toHaveText('Restore readiness');
  await expect(pod).toHaveAttribute('data-ready', 'false');
  await ocShows(page, 'readiness probe fails');
  await page.getByTestId('pod-ready-toggle').click();
  await pollState(request, (s) => find(s)?.ready).toBe(true);

  await page.getByTestId('pod-live-fail').click();
  await pollState(request, (s) => find(s)?.live).toBe(false);
  await ocShows(page, 'liveness probe fails');

  await page.getByTestId('pod-delete').click();
  await pollState(request, (s) => find(s)?.terminating ?? true).toBe(true);
  await ocShows(page, `oc delete pod ${name} -n ${ns}`);
  await page.keyboard.press('Escape');
  await expect(menu).toBeHidden();
  await resetCluster(request);
});

test('a mouse click on a busy pod opens its menu, not the inspector of a dot resting on it', async ({ page, request }) => {
  // Reduced motion: every dot sits at the end of its hop, so none is in
  // flight across the pod's centre (one that is takes the click, rightly).
  await page.emulateMedia({ reducedMotion: 'reduce' });
  await openLive(page);
  const before = (await getState(request)).traffic;
  await postJSON(request, '/api/commands', { type: 'setTraffic', rps: 60 });
  await page.waitForTimeout(3000); // requests being served: their dots rest on the pods
  await postJSON(request, '/api/clock', { paused: true });
  await expect(page.getByTestId('pause')).toHaveAttribute('aria-pressed', 'true');
  const pod = page.getByTestId('app-pod').first();
  const box = (await pod.boundingBox())!;
  await page.mouse.click(box.x + box.width / 2, box.y + box.height / 2);
  await expect(page.getByTestId('pod-menu')).toBeVisible();
  await expect(page.getByTestId('pod-menu-title')).toHaveText((await pod.getAttribute('data-pod'))!);
  await expect(page.getByTestId('inspector')).toBeHidden();
  await page.keyboard.press('Escape');
  await postJSON(request, '/api/commands', { type: 'setTraffic', rps: before.rps, clients: before.clients, mix: before.mix });
  await postJSON(request, '/api/clock', { paused: false });
});

test('router replicas show their oc equivalent', async ({ page, request }) => {
  await openLive(page);
  const routers = page.locator('[data-testid="deployment-control"][data-command="scaleRouters"]');
  await routers.getByTestId('scale-up').click();
  await pollState(request, (s) => s.deployments.find((d: any) => d.name === 'router-default').replicas).toBe(3);
  await expect(page.getByTestId('oc-command')).toHaveText(
    `oc patch ingresscontroller/default -n openshift-ingress-operator --type=merge -p '{"spec":{"replicas":3}}'`,
  );
  await postJSON(request, '/api/commands', { type: 'scaleRouters', replicas: 2 });
  const shop = page.locator('[data-testid="deployment-control"][data-deployment="shop/shop"]');
  await shop.getByTestId('scale-up').click();
  await expect(page.getByTestId('oc-command')).toHaveText('oc scale deployment/shop -n shop --replicas=5');
  await resetCluster(request);
});

test('scaling 4 → 40 never moves the existing pods, and the overflow expands', async ({ page, request }, testInfo) => {
  await openLive(page);
  await expect(page.getByTestId('app-pod')).toHaveCount(4);
  const boxes = async () => {
    const out: Record<string, any> = {};
    for (const el of await page.getByTestId('app-pod').all()) {
      out[(await el.getAttribute('data-pod'))!] = await el.locator('.pod-box').boundingBox();
    }
    return out;
  };
  const before = await boxes();
  await postJSON(request, '/api/commands', { type: 'scale', namespace: 'shop', deployment: 'shop', replicas: 40 });
  await expect.poll(async () => (await page.getByTestId('app-pod').count()) > 4).toBe(true);
  await advance(request, 30_000);
  await expect.poll(async () => appPodsOf(await getState(request)).filter((p: any) => p.ready).length).toBe(40);
  await page.waitForTimeout(500);
  const after = await boxes();
  for (const [id, box] of Object.entries(before)) {
    expect(after[id], `pod ${id} still drawn`).toBeTruthy();
    expect(after[id], `pod ${id} did not move`).toEqual(box);
  }
  // Some node cannot draw all its pods: "+N more pods" lists them on click.
  const overflow = page.locator('[data-testid="pod-overflow"][visibility="visible"]').first();
  await expect(overflow).toBeVisible();
  await overflow.focus(); // not a click: a passing dot would take it
  await page.keyboard.press('Enter');
  await expect(page.getByTestId('overflow-list')).toBeVisible();
  const listed = await page.getByTestId('overflow-pod').count();
  expect(listed).toBeGreaterThan(0);
  await expect(page.getByTestId('overflow-title')).toContainText(`${listed} more pod`);
  await keepScreenshot(page, testInfo, 'scaled-40-overflow');
  await page.getByTestId('overflow-pod').first().click();
  await expect(page.getByTestId('pod-menu')).toBeVisible();
  await page.keyboard.press('Escape');
  await resetCluster(request);
});

test('help overlay, theme toggle and presentation mode', async ({ page }, testInfo) => {
  await openLive(page);
  await page.keyboard.press('?');
  await expect(page.getByTestId('help-overlay')).toBeVisible();
  await expect(page.getByTestId('help-overlay')).toContainText('space');
  await page.keyboard.press('Escape');
  await expect(page.getByTestId('help-overlay')).toBeHidden();

  const bgOf = () => page.evaluate(() => getComputedStyle(document.body).backgroundColor);
  await page.getByTestId('theme-toggle').click(); // auto → light
  await expect(page.locator('html')).toHaveAttribute('data-theme', 'light');
  const light = await bgOf();
  await page.getByTestId('theme-toggle').click(); // light → dark
  await expect(page.locator('html')).toHaveAttribute('data-theme', 'dark');
  expect(await bgOf()).not.toBe(light);
  await page.getByTestId('theme-toggle').click(); // back to auto
  await expect(page.locator('html')).not.toHaveAttribute('data-theme', /./);

  await page.getByTestId('presentation').click();
  await expect(page.locator('body')).toHaveClass(/present/);
  await expect(page.getByTestId('controls')).toBeHidden();
  await keepScreenshot(page, testInfo, 'presentation');
  await page.evaluate(() => (document.activeElement as HTMLElement | null)?.blur());
  await page.keyboard.press('p');
  await expect(page.getByTestId('controls')).toBeVisible();
  await keepScreenshot(page, testInfo, 'default');
});

test.afterAll(async ({ request }) => {
  await postJSON(request, '/api/commands', { type: 'setLoadBalancer', lbType: 'Classic', crossZone: false });
  await postJSON(request, '/api/commands', { type: 'setNetwork', encapsulation: 'VXLAN', kubeProxyMode: 'iptables', sourceDestCheck: true });
  await postJSON(request, '/api/commands', { type: 'setOpenShiftVersion', version: '4.16' });
  await resetCluster(request);
});
