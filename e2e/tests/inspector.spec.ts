// The inspector: "Trace one request" lists the same hops as POST /api/trace
// for the same URL, a click on a moving dot re-traces that request's URL,
// and the path is highlighted on the diagram.
import { test, expect } from '@playwright/test';
import { SHOP_URL, keepScreenshot, openLive, postJSON, resetCluster } from './helpers';

test.describe.configure({ mode: 'serial' });

test.beforeAll(async ({ request }) => {
  await resetCluster(request);
});

test('trace one request: hops match /api/trace (count, kinds, src/dst)', async ({ page, request }, testInfo) => {
  await openLive(page);
  // Pause so the live state (and so the trace) stays the same between the two traces.
  await postJSON(request, '/api/clock', { paused: true });
  await page.getByTestId('trace-open').click();
  await expect(page.getByTestId('inspector')).toBeVisible();
  await page.getByTestId('trace-url').fill(SHOP_URL);
  await page.getByTestId('trace-client').selectOption('curl');
  await page.getByTestId('trace-run').click();
  await expect(page.getByTestId('inspector-status')).toHaveAttribute('data-status', '200');

  const api = await postJSON(request, '/api/trace', { url: SHOP_URL, client: 'curl' });
  const hops = page.getByTestId('inspector-hop');
  await expect(hops).toHaveCount(api.hops.length);
  const shown = await hops.evaluateAll((els) =>
    els.map((e) => ({
      kind: e.getAttribute('data-kind'),
      index: e.getAttribute('data-index'),
      from: e.getAttribute('data-from'),
      to: e.getAttribute('data-to'),
      addr: e.querySelector('.hop-addr')?.textContent ?? '',
      note: e.querySelector('.hop-note')?.textContent ?? '',
    })),
  );
  api.hops.forEach((h: any, i: number) => {
    expect(shown[i].kind).toBe(h.kind);
    expect(shown[i].index).toBe(String(i));
    expect(shown[i].from).toBe(h.from);
    expect(shown[i].to).toBe(h.to);
    if (h.src || h.dst) expect(shown[i].addr).toBe(`${h.src || '–'} → ${h.dst || '–'}`);
    expect(shown[i].note).toBe(h.note ?? '');
  });
  // The DNAT at the node and the headers at the pod are spelled out.
  await expect(page.locator('[data-testid="inspector-hop"][data-kind="nodeport"] .hop-nat').first()).toContainText('DNAT');
  await expect(page.locator('[data-testid="inspector-hop"][data-kind="podnet"] .hop-header').first()).toContainText('X-Forwarded-For');
  await expect(page.getByTestId('inspector-status')).toContainText(api.pod);

  // The path is highlighted on the diagram: the serving pod and the route.
  await expect(page.locator(`[data-testid="app-pod"][data-pod="${api.pod}"]`)).toHaveClass(/on-path/);
  await expect(page.locator('[data-testid="route-card"]').first()).toHaveClass(/on-path/);
  await expect(page.getByTestId('oc-command')).toHaveText(`curl -v ${SHOP_URL}`);
  await keepScreenshot(page, testInfo, 'inspector-open');

  await page.getByTestId('inspector-close').click();
  await expect(page.getByTestId('inspector')).toBeHidden();
  await expect(page.locator('.on-path')).toHaveCount(0);
  await postJSON(request, '/api/clock', { paused: false });
});

test('a failed trace shows its status and reason', async ({ page }) => {
  await openLive(page);
  await page.getByTestId('trace-open').click();
  await page.getByTestId('trace-url').fill('https://nothing-here.apps.demo.example.com/');
  await page.getByTestId('trace-run').click();
  await expect(page.getByTestId('inspector-status')).toHaveAttribute('data-status', '503');
  await expect(page.getByTestId('inspector-status')).toHaveAttribute('data-kind', 'error');
});

test('clicking a moving dot opens the inspector on a fresh trace of its URL', async ({ page, request }) => {
  await openLive(page);
  // Pause with dots in flight (they stay put), find a request dot's pixels
  // on the canvas (its fill colour) and click there.
  let spot: { x: number; y: number } | null = null;
  for (let i = 0; i < 20 && !spot; i++) {
    await postJSON(request, '/api/clock', { paused: true });
    await page.waitForTimeout(400);
    spot = await page.getByTestId('request-canvas').evaluate((el: Element) => {
      const c = el as HTMLCanvasElement;
      const ctx = c.getContext('2d')!;
      const d = ctx.getImageData(0, 0, c.width, c.height).data;
      // The request fill in the light theme: #0072b2.
      for (let i = 0; i < d.length; i += 4) {
        if (Math.abs(d[i] - 0x00) < 8 && Math.abs(d[i + 1] - 0x72) < 8 && Math.abs(d[i + 2] - 0xb2) < 8 && d[i + 3] > 250) {
          const px = (i / 4) % c.width;
          const py = Math.floor(i / 4 / c.width);
          const dpr = c.width / c.getBoundingClientRect().width;
          return { x: px / dpr, y: py / dpr + 2 };
        }
      }
      return null;
    });
    if (!spot) {
      await postJSON(request, '/api/clock', { paused: false });
      await page.waitForTimeout(300);
    }
  }
  expect(spot, 'a request dot on the canvas').not.toBeNull();
  const canvas = await page.getByTestId('request-canvas').boundingBox();
  await page.mouse.click(canvas!.x + spot!.x, canvas!.y + spot!.y);
  await expect(page.getByTestId('inspector')).toBeVisible();
  await expect(page.getByTestId('inspector-origin')).toContainText('fresh trace of the same URL');
  await expect(page.getByTestId('inspector-hop').first()).toBeVisible();
  await expect(page.getByTestId('trace-url')).toHaveValue(/^https?:\/\//);
});

test.afterAll(async ({ request }) => {
  await postJSON(request, '/api/clock', { paused: false });
});
