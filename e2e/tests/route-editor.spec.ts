// The route editor: one atomic apply of the whole Route, validation errors
// inline next to the field the server names, the oc equivalent, and
// hostile strings shown as text, never as HTML.
import { test, expect } from '@playwright/test';
import { getState, keepScreenshot, openLive, postJSON, resetCluster } from './helpers';

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
  await expect(err).toContainText('spec.host');
  await expect(err).toContainText(HOSTILE);
  await expect(page.getByTestId('re-host')).toHaveAttribute('aria-invalid', 'true');
  await expect(page.locator('img[src="x"]')).toHaveCount(0);
  expect(dialogs).toBe(0);
  // Atomic: the other change did not apply either.
  expect((await getState(request)).routes.find((r: any) => r.name === 'shop')).toEqual(before);
  await page.getByTestId('re-cancel').click();
  await expect(page.getByTestId('route-editor')).toBeHidden();
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
  await postJSON(request, '/api/commands', { type: 'delete', kind: 'Service', namespace: 'shop', name: 'shop-b' });
  await resetCluster(request);
});
