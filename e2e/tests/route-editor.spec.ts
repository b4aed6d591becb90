// The route editor: one atomic apply of the whole Route, validation errors
// shortened under the field the server names (the full text kept), the oc
// equivalent, warnings before Apply for what OpenShift accepts but breaks
// traffic, and hostile strings shown as text, never as HTML.
import { test, expect, type APIRequestContext, type Page } from '@playwright/test';
import { advance, getState, keepScreenshot, openLive, postJSON, resetCluster, SHOP_URL } from './helpers';

test.describe.configure({ mode: 'serial' });

const HOSTILE = '<img src=x onerror=alert(1)>';
let original: any;

test.beforeAll(async ({ request }) => {
  await resetCluster(request);
  original = (await getState(request)).routes.find((r: any) => r.namespace === 'shop' && r.name === 'shop');
  await postJSON(request, '/api/commands', {
    type: 'apply',
    object: {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: 'shop-b', namespace: 'shop' },
      spec: { selector: { app: 'shop' }, ports: [{ name: 'http', port: 80, targetPort: 8080 }] },
    },
  });
});

test('an alternate backend with weights is applied as one Route', async ({ page, request }, testInfo) => {
  await openLive(page);
  await page.locator('[data-testid="route-card"][data-route="shop/shop"]').click();
  const editor = page.getByTestId('route-editor');
  await expect(editor).toBeVisible();
  await expect(page.getByTestId('re-host')).toHaveValue(original.host);

  await page.getByTestId('re-alt-add').click();
  await page.getByTestId('re-alt-service').first().selectOption('shop-b');
  await page.getByTestId('re-weight').fill('200');
  await page.getByTestId('re-alt-weight').first().fill('50');
  await page.getByTestId('re-balance').selectOption('roundrobin');
  await page.getByTestId('re-cookies').uncheck();
  await expect(page.getByTestId('re-oc')).toContainText('oc apply -f -');
  await expect(page.getByTestId('re-oc')).toContainText('alternateBackends:');
  await keepScreenshot(page, testInfo, 'route-editor');
  await page.getByTestId('re-apply').click();
  await expect(editor).toBeHidden();

  await expect
    .poll(async () => (await getState(request)).routes.find((r: any) => r.name === 'shop'), { timeout: 15_000 })
    .toMatchObject({
      to: [
        { service: 'shop', weight: 200 },
        { service: 'shop-b', weight: 50 },
      ],
      balance: 'roundrobin',
      cookies: false,
    });
  await expect(page.getByTestId('oc-command')).toContainText('haproxy.router.openshift.io/disable_cookies: "true"');
  // The card is drawn again with the new split, and the metrics show it.
  await expect(page.locator('[data-testid="route-card"][data-route="shop/shop"]')).toContainText('shop-b');
  await expect(page.locator('[data-testid="service-split"] li')).toHaveCount(2, { timeout: 20_000 });
});

test('an invalid field is refused as a whole and shown inline, as text', async ({ page, request }) => {
  await openLive(page);
  const before = (await getState(request)).routes.find((r: any) => r.name === 'shop');
  let dialogs = 0;
  page.on('dialog', (d) => {
    dialogs++;
    d.dismiss();
  });
  await page.locator('[data-testid="route-card"][data-route="shop/shop"]').click();
  await page.getByTestId('re-host').fill(HOSTILE);
  await page.getByTestId('re-alt-weight').first().fill('10'); // also changed: nothing may apply
  await page.getByTestId('re-apply').click();
  const err = page.getByTestId('re-error');
  await expect(err).toBeVisible();
  // Short, by the field; the server's full message in a details element.
  const note = page.locator('[data-testid="re-note"][data-note="host"]');
  await expect(note).toBeVisible();
  await expect(note).toHaveAttribute('data-kind', 'error');
  await expect(note).toContainText(`host: "${HOSTILE}" is not a valid host name`);
  await expect(note).not.toContainText('regex');
  await expect(page.getByTestId('re-error-short')).toHaveText('Not applied: see host above.');
  await expect(page.getByTestId('re-error-full')).toBeHidden();
  await expect(page.getByTestId('re-host')).toBeFocused();
  await err.locator('summary').click();
  await expect(page.getByTestId('re-error-full')).toContainText('object.spec.host');
  await expect(page.getByTestId('re-error-full')).toContainText(HOSTILE);
  await expect(page.getByTestId('re-error-full')).toContainText('regex used for validation');
  await expect(page.getByTestId('re-host')).toHaveAttribute('aria-invalid', 'true');
  await expect(page.locator('img[src="x"]')).toHaveCount(0);
  expect(dialogs).toBe(0);
  // Atomic: the other change did not apply either.
  expect((await getState(request)).routes.find((r: any) => r.name === 'shop')).toEqual(before);
  await page.getByTestId('re-cancel').click();
  await expect(page.getByTestId('route-editor')).toBeHidden();
});

/** Puts Route shop/shop back as the scenario has it: spec.to shop only. */
async function restoreRoute(request: APIRequestContext) {
  const r = original;
  await postJSON(request, '/api/commands', {
    type: 'apply',
    object: {
      apiVersion: 'route.openshift.io/v1',
      kind: 'Route',
      metadata: { name: 'shop', namespace: 'shop' },
      spec: {
        host: r.host,
        path: r.path || undefined,
        to: { kind: 'Service', name: 'shop', weight: 100 },
        port: { targetPort: 'http' },
        tls: r.tls ? { termination: r.tls.termination, insecureEdgeTerminationPolicy: r.tls.insecureEdgeTerminationPolicy || undefined } : undefined,
      },
    },
  });
}

async function openEditor(page: Page) {
  await page.locator('[data-testid="route-card"][data-route="shop/shop"]').click();
  await expect(page.getByTestId('route-editor')).toBeVisible();
}

const note = (page: Page, name: string) => page.locator(`[data-testid="re-note"][data-note="${name}"]`);

test('at 1280×720 a long server error stays short by its field and Apply stays in view', async ({ page }) => {
  await page.setViewportSize({ width: 1280, height: 720 });
  await openLive(page);
  await openEditor(page);
  await page.getByTestId('re-host').fill('Not_A-Host.example.com');
  await page.getByTestId('re-apply').click();
  await expect(note(page, 'host')).toHaveAttribute('data-kind', 'error');
  await expect(note(page, 'host')).toBeInViewport();
  await expect(page.getByTestId('re-apply')).toBeInViewport({ ratio: 1 });
  // Fixing the field takes its error away.
  await page.getByTestId('re-host').fill('shop.apps.demo.example.com');
  await expect(note(page, 'host')).toBeHidden();
  await page.getByTestId('re-cancel').click();
});

test('warnings before Apply: a target port no Service port has, an empty host, every weight 0', async ({ page, request }, testInfo) => {
  await restoreRoute(request);
  await page.setViewportSize({ width: 1280, height: 720 });
  await openLive(page);
  await openEditor(page);
  for (const n of ['host', 'port', 'backends']) await expect(note(page, n)).toBeHidden();

  await page.getByTestId('re-port').fill('nope');
  await expect(note(page, 'port')).toHaveAttribute('data-kind', 'warning');
  await expect(note(page, 'port')).toContainText('No endpoint port of Service shop (http 80→8080) is named or numbered “nope”');
  await expect(note(page, 'port')).toContainText('503');

  await page.getByTestId('re-host').fill('');
  await expect(note(page, 'host')).toContainText('An empty host makes OpenShift generate shop-shop.apps.demo.example.com');
  await expect(note(page, 'host')).toContainText(`clients of the old host ${original.host} will get 503`);

  await page.getByTestId('re-weight').fill('0');
  await expect(note(page, 'backends')).toContainText('Every backend has weight 0');
  await keepScreenshot(page, testInfo, 'route-editor-warnings');
  await page.getByTestId('re-weight').fill('100');
  await expect(note(page, 'backends')).toBeHidden();
  await page.getByTestId('re-host').fill(original.host);
  await expect(note(page, 'host')).toBeHidden();

  // A warning, not an error: OpenShift accepts the Route, and the 503 says why.
  await page.getByTestId('re-apply').click();
  await expect(page.getByTestId('route-editor')).toBeHidden();
  await expect.poll(async () => (await getState(request)).routes.find((r: any) => r.name === 'shop').targetPort).toBe('nope');
  await advance(request, 6_000); // the router's reload
  const tr = await postJSON(request, '/api/trace', { url: SHOP_URL });
  expect(tr.status).toBe(503);
  expect(tr.reason).toContain('targetPort "nope" names no endpoint port of Service shop/shop');
  await restoreRoute(request);
});

test('+ alternate backend offers only Services not on the route, and says when there is none', async ({ page, request }) => {
  await restoreRoute(request);
  await openLive(page);
  await openEditor(page);
  const add = page.getByTestId('re-alt-add');
  await expect(add).toBeEnabled();
  await expect(page.getByTestId('re-alt-hint')).toBeHidden();
  await add.click();
  const alt = page.getByTestId('re-alt-service').first();
  await expect(alt).toHaveValue('shop-b');
  expect(await alt.locator('option').evaluateAll((os) => os.map((o) => (o as HTMLOptionElement).value))).toEqual(['shop-b']);
  // spec.to no longer offers the Service the alternate uses.
  expect(await page.getByTestId('re-service').locator('option').evaluateAll((os) => os.map((o) => (o as HTMLOptionElement).value))).toEqual(['shop']);
  await expect(add).toBeDisabled();
  await expect(page.getByTestId('re-alt-hint')).toHaveText('no other Service in namespace shop');
  await page.getByTestId('re-alt-remove').first().click();
  await expect(add).toBeEnabled();
  await page.getByTestId('re-cancel').click();

  // With only the Service already used, the button is disabled from the start.
  await postJSON(request, '/api/commands', { type: 'delete', kind: 'Service', namespace: 'shop', name: 'shop-b' });
  await openEditor(page);
  await expect(add).toBeDisabled();
  await expect(page.getByTestId('re-alt-hint')).toHaveText('no other Service in namespace shop');
  await page.getByTestId('re-cancel').click();
});

test('switching to passthrough clears the path and says why; switching back gives it back', async ({ page }) => {
  await openLive(page);
  await openEditor(page);
  await expect(page.getByTestId('re-path')).toHaveValue(original.path || '/');
  await page.getByTestId('re-tls').selectOption('passthrough');
  await expect(page.getByTestId('re-path')).toHaveValue('');
  await expect(page.getByTestId('re-path')).toBeDisabled();
  await expect(note(page, 'path')).toContainText('passthrough route matches on the TLS server name (SNI) only and cannot have a path');
  await expect(page.getByTestId('re-oc')).not.toContainText('path:');
  await page.getByTestId('re-tls').selectOption('edge');
  await expect(page.getByTestId('re-path')).toHaveValue(original.path || '/');
  await expect(note(page, 'path')).toBeHidden();
  await page.getByTestId('re-cancel').click();
});

test('hostile text in a trace URL stays text, also in the server\'s error', async ({ page }) => {
  await openLive(page);
  let dialogs = 0;
  page.on('dialog', (d) => {
    dialogs++;
    d.dismiss();
  });
  await page.getByTestId('trace-open').click();
  await page.getByTestId('trace-url').fill(`https://shop.apps.demo.example.com/${HOSTILE}`);
  await page.getByTestId('trace-run').click();
  await expect(page.getByTestId('inspector-hop').first()).toBeVisible();
  await expect(page.getByTestId('oc-command')).toContainText(HOSTILE);

  // A URL the server refuses: its error, quoting the hostile host, is text.
  await page.getByTestId('trace-url').fill(`https://${HOSTILE}/`);
  await page.getByTestId('trace-url').evaluate((el: HTMLInputElement) => el.form!.requestSubmit());
  await expect(page.getByTestId('inspector-status')).toHaveAttribute('data-kind', 'error');
  await expect(page.locator('img[src="x"]')).toHaveCount(0);
  expect(dialogs).toBe(0);
});

test.afterAll(async ({ request }) => {
  await restoreRoute(request);
  await request.post('/api/commands', { data: { type: 'delete', kind: 'Service', namespace: 'shop', name: 'shop-b' } }); // gone already if its test ran
  await resetCluster(request);
});
