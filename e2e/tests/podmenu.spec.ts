// The pod menu and the "+N more pods" list at the review's window size
// (1280×720): the list gives way to the menu it opens, the menu sits
// beside its pod and closes after Delete, disabled buttons look disabled,
// a pod's request count never runs into its name (at 1× and zoomed), and
// the page asks for no /favicon.ico.
import { test, expect, type Page } from '@playwright/test';
import { advance, getState, keepScreenshot, openLive, postJSON, resetCluster, scale } from './helpers';

test.describe.configure({ mode: 'serial' });
test.use({ viewport: { width: 1280, height: 720 } });

test.beforeAll(async ({ request }) => {
  await resetCluster(request);
});

test.afterAll(async ({ request }) => {
  await postJSON(request, '/api/scenarios/shop/load', {});
  await resetCluster(request);
});

/** Whether two client rectangles overlap. */
function overlap(a: { x: number; y: number; width: number; height: number }, b: { x: number; y: number; width: number; height: number }) {
  return a.x < b.x + b.width && b.x < a.x + a.width && a.y < b.y + b.height && b.y < a.y + a.height;
}

/** Whether the element's centre is the element itself there (nothing covers it). */
function onTop(page: Page, testid: string) {
  return page.getByTestId(testid).evaluate((el) => {
    const r = el.getBoundingClientRect();
    return el.contains(document.elementFromPoint(r.left + r.width / 2, r.top + r.height / 2));
  });
}

test('a pod chosen in "+N more pods" opens its menu in place of the list, the list sorted by name', async ({ page, request }) => {
  await openLive(page);
  await scale(request, 37);
  await advance(request, 30_000);
  const overflow = page.locator('[data-testid="pod-overflow"][visibility="visible"]').first();
  await expect(overflow).toBeVisible();
  const node = (await overflow.getAttribute('data-node'))!;
  await overflow.focus(); // not a click: a passing dot would take it
  await page.keyboard.press('Enter');
  const list = page.getByTestId('overflow-list');
  await expect(list).toBeVisible();
  const items = page.getByTestId('overflow-pod');
  await expect(items.first()).toBeFocused();
  const ids = await items.evaluateAll((els) => els.map((e) => e.getAttribute('data-pod')!));
  expect(ids.length).toBeGreaterThan(1);
  expect(ids).toEqual([...ids].sort((a, b) => a.localeCompare(b, 'en', { numeric: true })));

  await items.nth(1).click();
  const menu = page.getByTestId('pod-menu');
  await expect(menu).toBeVisible();
  await expect(list).toBeHidden();
  await expect(page.getByTestId('pod-menu-title')).toHaveText(ids[1]);
  await expect(page.getByTestId('pod-delete')).toBeFocused();
  expect(await onTop(page, 'pod-menu-title')).toBe(true);
  expect(await onTop(page, 'pod-delete')).toBe(true);
  await keepScreenshot(page, test.info(), 'podmenu-from-overflow');

  // Escape: focus goes back to the node's "+N more pods".
  await page.keyboard.press('Escape');
  await expect(menu).toBeHidden();
  await expect(page.locator(`[data-testid="pod-overflow"][data-node="${node}"]`)).toBeFocused();
  await resetCluster(request);
});

test('the menu sits beside its pod, closes after Delete, and a disabled button looks disabled', async ({ page, request }) => {
  await openLive(page);
  const id = (await page.getByTestId('app-pod').first().getAttribute('data-pod'))!;
  const pod = page.locator(`[data-testid="app-pod"][data-pod="${id}"]`);
  await pod.focus();
  await page.keyboard.press('Enter');
  const menu = page.getByTestId('pod-menu');
  await expect(menu).toBeVisible();
  expect(overlap((await menu.boundingBox())!, (await pod.locator('.pod-box').boundingBox())!), 'menu beside the pod').toBe(false);

  // Paused: a drained pod goes at once, this one stays Terminating.
  await postJSON(request, '/api/clock', { paused: true });
  await page.getByTestId('pod-delete').click();
  await expect(menu).toBeHidden();
  await expect(pod).toBeFocused();
  await expect
    .poll(async () => (await getState(request)).pods.find((p: any) => `${p.namespace}/${p.name}` === id)?.terminating)
    .toBe(true);

  // Terminating: Delete is disabled, and looks it.
  await expect(pod).toHaveClass(/state-Terminating/);
  await pod.focus();
  await page.keyboard.press('Enter');
  await expect(menu).toBeVisible();
  const del = page.getByTestId('pod-delete');
  await expect(del).toBeDisabled();
  const look = await del.evaluate((el) => ({ opacity: Number(getComputedStyle(el).opacity), cursor: getComputedStyle(el).cursor }));
  expect(look.opacity).toBeLessThan(0.6);
  expect(look.cursor).toBe('not-allowed');
  const ready = await page.getByTestId('pod-ready-toggle').evaluate((el) => Number(getComputedStyle(el).opacity));
  expect(ready, 'an enabled button stays opaque').toBe(1);
  await page.keyboard.press('Escape');
  await expect(menu).toBeHidden();
  await resetCluster(request); // and the clock runs again
});

/** Every pod whose name runs into its count: [name, count], in SVG units and on screen. */
function collisions(page: Page) {
  return page.getByTestId('topology').evaluate((svg) =>
    Array.from(svg.querySelectorAll('g.pod'), (g) => {
      const name = g.querySelector('.pod-name') as SVGTextElement;
      const count = g.querySelector('.pod-count') as SVGTextElement;
      if (!count.textContent) return null;
      const [n, c] = [name.getBBox(), count.getBBox()];
      const [rn, rc] = [name.getBoundingClientRect(), count.getBoundingClientRect()];
      return n.x + n.width > c.x || rn.right > rc.left ? [name.textContent, count.textContent] : null;
    }).filter(Boolean),
  );
}

test('a busy pod’s count never runs into its name, at 1× and zoomed', async ({ page, request }) => {
  for (let i = 0; i < 5; i++) await advance(request, 120_000); // thousands of requests per pod
  await openLive(page);
  const counts = page.getByTestId('app-pod').getByTestId('pod-count');
  await expect.poll(async () => (await counts.allTextContents()).some((t) => /k$/.test(t))).toBe(true);
  await page.waitForTimeout(300);
  expect(await collisions(page)).toEqual([]);
  // The name gives up its owner before the suffix that tells pods apart.
  for (const g of await page.getByTestId('app-pod').all()) {
    const suffix = (await g.getAttribute('data-pod'))!.split('-').pop()!;
    await expect(g.locator('.pod-name')).toHaveText(new RegExp(`${suffix}$`));
  }
  await keepScreenshot(page, test.info(), 'busy-pods-1x');
  for (let i = 0; i < 4 && (await page.getByTestId('topology').getAttribute('data-zoom')) !== '2'; i++) await page.getByTestId('zoom-in').click();
  await expect(page.getByTestId('topology')).toHaveAttribute('data-zoom', '2');
  await page.waitForTimeout(300);
  expect(await collisions(page)).toEqual([]);
  await keepScreenshot(page, test.info(), 'busy-pods-2x');
});

test('the page carries its icon: no /favicon.ico request fails', async ({ page }) => {
  const failed: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error' && /Failed to load resource/.test(m.text())) failed.push(m.text());
  });
  await openLive(page);
  await expect(page.locator('link[rel="icon"]')).toHaveAttribute('href', /^data:image\/svg\+xml,/);
  // It draws (under the page's CSP: img-src allows data:).
  const href = (await page.locator('link[rel="icon"]').getAttribute('href'))!;
  expect(await page.evaluate(async (h) => { const i = new Image(); i.src = h; await i.decode(); return i.complete; }, href)).toBe(true);
  await page.waitForTimeout(1000);
  expect(failed).toEqual([]);
});

test('the walkthrough’s disabled Back looks disabled', async ({ page }) => {
  await page.goto('/?scenario=golden-path&step=1');
  await expect(page.getByTestId('walkthrough')).toBeVisible();
  await expect(page.getByTestId('wt-progress')).toHaveAttribute('data-step', '1');
  const back = page.getByTestId('wt-back');
  await expect(back).toBeDisabled();
  expect(await back.evaluate((el) => Number(getComputedStyle(el).opacity))).toBeLessThan(0.6);
  expect(await page.getByTestId('wt-next').evaluate((el) => Number(getComputedStyle(el).opacity))).toBe(1);
});
