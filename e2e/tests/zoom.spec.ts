// Zoom and pan of the topology (static/js/zoom.js): the buttons and keys
// change the SVG's viewBox (data-zoom, zoom-level), the wheel zooms around
// the pointer, a drag pans, reset fits the whole diagram again; the dots
// stay on the elements they travel between, clicks still reach pods and
// dots, pod IPs read at 2×, and the view survives a refetched topology,
// presentation mode and a window resize.
import { test, expect, type Page } from '@playwright/test';
import { getState, keepScreenshot, openLive, postJSON, resetCluster } from './helpers';

test.describe.configure({ mode: 'serial' });
// Reduced motion: a dot sits at the end of its hop (frac = 1), exactly on
// an element's centre, which makes "the dot is on the diagram" checkable.
test.use({ reducedMotion: 'reduce' });

test.beforeAll(async ({ request }) => {
  await resetCluster(request);
});

const EXTRA_SERVICE = { type: 'delete', kind: 'Service', namespace: 'shop', name: 'zoom-extra' };

test.afterAll(async ({ request }) => {
  await postJSON(request, '/api/clock', { paused: false });
  await request.post('/api/commands', { data: EXTRA_SERVICE }); // may not exist: ignore the answer
});

type Box = { x: number; y: number; width: number; height: number };

async function zoomTo(page: Page, zoom: string) {
  await page.getByTestId('zoom-reset').click();
  for (let i = 0; i < 8 && (await page.getByTestId('topology').getAttribute('data-zoom')) !== zoom; i++) {
    await page.getByTestId('zoom-in').click();
  }
  await expect(page.getByTestId('topology')).toHaveAttribute('data-zoom', zoom);
}

/** Two animation frames: the loop has drawn what the last event asked for. */
const frames = (page: Page) => page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));

async function box(page: Page, selector: string): Promise<Box> {
  const b = await page.locator(selector).first().boundingBox();
  expect(b, selector).not.toBeNull();
  return b!;
}

/** The first app pod whose box is wholly inside the SVG's box. */
async function podInView(page: Page): Promise<string> {
  const id = await page.evaluate(() => {
    const v = document.getElementById('topology')!.getBoundingClientRect();
    for (const g of document.querySelectorAll('#topology [data-testid="app-pod"]')) {
      const r = g.getBoundingClientRect();
      if (r.left >= v.left && r.right <= v.right && r.top >= v.top && r.bottom <= v.bottom - 50) return g.getAttribute('data-pod');
    }
    return null;
  });
  expect(id, 'an app pod in view').not.toBeNull();
  return `#topology [data-pod="${id}"]`;
}

/**
 * The opaque request/response fill pixels on the canvas, and those farther
 * than 8 CSS px from every hop endpoint's centre (measured from the DOM now).
 */
function dotPixels(page: Page): Promise<{ dots: number; off: number[][] }> {
  return page.evaluate(() => {
    const c = document.querySelector('[data-testid="request-canvas"]') as HTMLCanvasElement;
    const cb = c.getBoundingClientRect();
    const dpr = c.width / cb.width;
    const ends = Array.from(
      document.querySelectorAll('#topology [data-el], #topology .client[data-client], #topology .overflow[data-node]'),
      (el) => {
        const r = el.getBoundingClientRect();
        return [r.left - cb.left + r.width / 2, r.top - cb.top + r.height / 2];
      },
    );
    const fills = [
      [0x00, 0x72, 0xb2],
      [0x00, 0x9e, 0x73],
    ];
    const d = c.getContext('2d')!.getImageData(0, 0, c.width, c.height).data;
    let dots = 0;
    const off: number[][] = [];
    for (let i = 0; i < d.length; i += 4) {
      if (d[i + 3] < 250 || !fills.some((f) => Math.abs(d[i] - f[0]) < 8 && Math.abs(d[i + 1] - f[1]) < 8 && Math.abs(d[i + 2] - f[2]) < 8)) continue;
      dots++;
      const x = ((i / 4) % c.width) / dpr;
      const y = Math.floor(i / 4 / c.width) / dpr;
      if (!ends.some(([ex, ey]) => Math.hypot(ex - x, ey - y) <= 8)) off.push([x, y]);
    }
    return { dots, off: off.slice(0, 5).concat(off.length > 5 ? [[off.length]] : []) };
  });
}

/**
 * A point 2 px inside the topmost request or response dot that nothing
 * covers (a myth card, the zoom buttons), in page coordinates; null when none.
 */
function firstDot(page: Page): Promise<{ x: number; y: number } | null> {
  return page.getByTestId('request-canvas').evaluate((el: Element) => {
    const c = el as HTMLCanvasElement;
    const cb = c.getBoundingClientRect();
    const d = c.getContext('2d')!.getImageData(0, 0, c.width, c.height).data;
    const dpr = c.width / cb.width;
    for (let i = 0; i < d.length; i += 4) {
      const fill = (g: number, b: number) => Math.abs(d[i]) < 8 && Math.abs(d[i + 1] - g) < 8 && Math.abs(d[i + 2] - b) < 8;
      if (d[i + 3] > 250 && (fill(0x72, 0xb2) || fill(0x9e, 0x73))) {
        const p = { x: cb.left + ((i / 4) % c.width) / dpr, y: cb.top + Math.floor(i / 4 / c.width) / dpr + 2 };
        const top = document.elementFromPoint(p.x, p.y);
        if (top && (top === c || top.closest('#topology'))) return p;
      }
    }
    return null;
  });
}

/** Pauses with dots on the canvas (resumes and retries when none are in flight). */
async function pauseWithDots(page: Page, request: any) {
  for (let i = 0; i < 20; i++) {
    await postJSON(request, '/api/clock', { paused: true });
    await expect(page.getByTestId('pause')).toHaveAttribute('aria-pressed', 'true');
    await frames(page);
    if ((await dotPixels(page)).dots > 0) return;
    await postJSON(request, '/api/clock', { paused: false });
    await page.waitForTimeout(400);
  }
  throw new Error('no request dot on the canvas');
}

/** Drags with the mouse from (x, y) by (dx, dy), in steps. */
async function drag(page: Page, x: number, y: number, dx: number, dy: number) {
  await page.mouse.move(x, y);
  await page.mouse.down();
  await page.mouse.move(x + dx, y + dy, { steps: 8 });
  await page.mouse.up();
}

const centre = (b: Box) => ({ x: b.x + b.width / 2, y: b.y + b.height / 2 });

test('buttons and keys step the zoom: data-zoom and zoom-level follow, limits hold', async ({ page }) => {
  await openLive(page);
  const svg = page.getByTestId('topology');
  const level = page.getByTestId('zoom-level');
  await expect(svg).toHaveAttribute('data-zoom', '1');
  await expect(level).toHaveText('100%');
  await expect(page.getByTestId('zoom-out')).toBeDisabled();

  await page.getByTestId('zoom-in').click();
  await expect(svg).toHaveAttribute('data-zoom', '1.41');
  await expect(level).toHaveText('141%');
  await page.getByTestId('zoom-in').click();
  await expect(svg).toHaveAttribute('data-zoom', '2');
  await expect(level).toHaveText('200%');
  await page.getByTestId('zoom-out').click();
  await expect(svg).toHaveAttribute('data-zoom', '1.41');
  await page.getByTestId('zoom-reset').click();
  await expect(svg).toHaveAttribute('data-zoom', '1');
  await expect(level).toHaveText('100%');

  // Keys: ] in, [ out, 0 fits; the limit is 8×.
  await page.locator('body').click({ position: { x: 5, y: 5 } });
  await page.keyboard.press(']');
  await page.keyboard.press(']');
  await expect(svg).toHaveAttribute('data-zoom', '2');
  await page.keyboard.press('[');
  await expect(svg).toHaveAttribute('data-zoom', '1.41');
  for (let i = 0; i < 10; i++) await page.keyboard.press(']');
  await expect(svg).toHaveAttribute('data-zoom', '8');
  await expect(level).toHaveText('800%');
  await expect(page.getByTestId('zoom-in')).toBeDisabled();
  await page.keyboard.press('0');
  await expect(svg).toHaveAttribute('data-zoom', '1');
  // The help lists the keys.
  await page.getByTestId('help-open').click();
  await expect(page.getByTestId('help-overlay')).toBeVisible();
  await expect(page.getByTestId('help-overlay')).toContainText('zoom the diagram');
  await page.getByTestId('help-close').click();
});

test('zooming in enlarges the pods; the wheel zooms around the pointer; reset restores every rect', async ({ page }) => {
  await openLive(page);
  const pods = page.locator('#topology g.pod');
  const before = await pods.evaluateAll((els) => els.map((e) => e.getBoundingClientRect().toJSON()));
  const pod = await podInView(page);
  const b0 = await box(page, pod);

  await zoomTo(page, '2');
  const b1 = await box(page, pod);
  expect(b1.width / b0.width).toBeCloseTo(2, 1);
  expect(b1.height / b0.height).toBeCloseTo(2, 1);

  // The wheel over a pod: it grows, and its centre stays under the pointer.
  await page.getByTestId('zoom-reset').click();
  const c0 = centre(await box(page, pod));
  await page.mouse.move(c0.x, c0.y);
  for (let i = 0; i < 3; i++) await page.mouse.wheel(0, -200);
  await expect.poll(async () => Number(await page.getByTestId('topology').getAttribute('data-zoom'))).toBeGreaterThan(2);
  const b2 = await box(page, pod);
  expect(b2.width).toBeGreaterThan(b0.width * 2);
  expect(Math.abs(centre(b2).x - c0.x)).toBeLessThan(2);
  expect(Math.abs(centre(b2).y - c0.y)).toBeLessThan(2);

  await page.getByTestId('zoom-reset').click();
  const after = await pods.evaluateAll((els) => els.map((e) => e.getBoundingClientRect().toJSON()));
  expect(after.length).toBe(before.length);
  after.forEach((r: Box, i: number) => {
    for (const k of ['x', 'y', 'width', 'height'] as const) expect(Math.abs(r[k] - before[i][k])).toBeLessThan(0.5);
  });
});

test('a drag pans by the drag distance; the click that ends it opens nothing', async ({ page }) => {
  await openLive(page);
  await zoomTo(page, '2');
  const pod = await podInView(page);
  const b0 = await box(page, pod);
  // Start the drag on the pod itself: a drag is not a click, so no menu.
  const c = centre(b0);
  await drag(page, c.x, c.y, -120, -60);
  const b1 = await box(page, pod);
  expect(Math.abs(b1.x - b0.x + 120)).toBeLessThan(3);
  expect(Math.abs(b1.y - b0.y + 60)).toBeLessThan(3);
  await expect(page.getByTestId('pod-menu')).toBeHidden();
  await expect(page.getByTestId('inspector')).toBeHidden();

  // Panning is clamped: however far we drag, the diagram stays in view.
  const svg = await box(page, '#topology');
  for (let i = 0; i < 4; i++) await drag(page, svg.x + svg.width - 60, svg.y + svg.height - 60, -svg.width + 120, -svg.height + 120);
  const vb = (await page.getByTestId('topology').getAttribute('viewBox'))!.split(' ').map(Number);
  const server = await viewBoxOfServedPage(page);
  expect(vb[0] + vb[2]).toBeLessThanOrEqual(server[0] + server[2] + 0.01);
  expect(vb[1] + vb[3]).toBeLessThanOrEqual(server[1] + server[3] + 0.01);
  expect(vb[2]).toBeCloseTo(server[2] / 2, 1);
});

test('reset after a pan restores the original rects', async ({ page }) => {
  await openLive(page);
  const pod = await podInView(page);
  const b0 = await box(page, pod);
  await zoomTo(page, '2');
  const svg = await box(page, '#topology');
  await drag(page, svg.x + svg.width / 2, svg.y + 40, 150, 90);
  await page.keyboard.press('0');
  const b1 = await box(page, pod);
  for (const k of ['x', 'y', 'width', 'height'] as const) expect(Math.abs(b1[k] - b0[k])).toBeLessThan(0.5);
});

test('at 2× every pod shows its IP from /api/state, large enough to read', async ({ page, request }, testInfo) => {
  await openLive(page);
  const ipHeight1 = (await box(page, '#topology g.pod .pod-ip')).height;
  await zoomTo(page, '2');
  await expect(page.getByTestId('topology')).toHaveClass(/zoom-detail/);
  const state = await getState(request);
  const drawn = await page.locator('#topology g.pod[data-pod]').evaluateAll((els) =>
    els.map((g) => ({ id: g.getAttribute('data-pod'), ip: g.querySelector('.pod-ip')?.textContent, title: g.querySelector('title')?.textContent })),
  );
  expect(drawn.length).toBeGreaterThan(0);
  for (const d of drawn) {
    const p = state.pods.find((x: any) => `${x.namespace}/${x.name}` === d.id);
    expect(p, d.id!).toBeTruthy();
    expect(p.ip).toMatch(/^\d+\.\d+\.\d+\.\d+$/);
    expect(d.ip).toBe(p.ip);
    expect(d.title).toContain(p.ip); // and on hover
  }
  const pod = await podInView(page);
  await expect(page.locator(`${pod} .pod-ip`)).toBeVisible();
  expect((await box(page, `${pod} .pod-ip`)).height).toBeGreaterThan(ipHeight1 * 1.8);
  await keepScreenshot(page, testInfo, 'zoom-2x');
});

test('after zoom and pan the dots sit on their hop elements, and a click on a dot or a pod still works', async ({ page, request }, testInfo) => {
  await openLive(page);
  await pauseWithDots(page, request);
  const at1 = await dotPixels(page);
  expect(at1.off, 'dots off their elements at 1×').toEqual([]);

  // Paused: only the zoom can move the dots. With few requests in flight a
  // zoom around the centre can leave every dot out of view, so the wheel
  // zooms around a dot (which stays under the pointer) and the drag moves it
  // towards the middle of the diagram.
  const svg = await box(page, '#topology');
  const dot = await firstDot(page);
  expect(dot, 'a dot on the canvas').not.toBeNull();
  await page.mouse.move(dot!.x, dot!.y);
  for (let i = 0; i < 2; i++) await page.mouse.wheel(0, -200);
  await expect.poll(async () => Number(await page.getByTestId('topology').getAttribute('data-zoom'))).toBeGreaterThan(2);
  const mid = centre(svg);
  await drag(page, mid.x, mid.y, Math.sign(mid.x - dot!.x) * 80, Math.sign(mid.y - dot!.y) * 40);
  await frames(page);
  const at2 = await dotPixels(page);
  expect(at2.dots).toBeGreaterThan(0);
  expect(at2.off, 'dots off their elements at 2×, panned').toEqual([]);
  await keepScreenshot(page, testInfo, 'zoom-2x-dots');

  // A click on a dot opens the inspector (hitTest uses the zoomed positions).
  const spot = await firstDot(page);
  expect(spot, 'a dot on the canvas').not.toBeNull();
  await page.mouse.click(spot!.x, spot!.y);
  await expect(page.getByTestId('inspector')).toBeVisible();
  await expect(page.getByTestId('inspector-origin')).toContainText('fresh trace of the same URL');
  await page.getByTestId('inspector-close').click();

  // At 2× around the centre (where the pods are), a click on a pod opens its
  // menu (off its centre, where a dot may sit).
  await zoomTo(page, '2');
  const pod = await podInView(page);
  const pb = await box(page, pod);
  await page.mouse.click(pb.x + 15, pb.y + 15);
  await expect(page.getByTestId('pod-menu')).toBeVisible();
  await expect(page.getByTestId('pod-menu')).toHaveAttribute('data-pod', (await page.locator(pod).getAttribute('data-pod'))!);
  await page.keyboard.press('Escape');
  await expect(page.getByTestId('pod-menu')).toBeHidden();
  await postJSON(request, '/api/clock', { paused: false });
});

test('the view survives a refetched topology, presentation mode and a window resize', async ({ page, request }) => {
  await openLive(page);
  await zoomTo(page, '2');
  const svg = await box(page, '#topology');
  await drag(page, svg.x + svg.width / 2, svg.y + svg.height / 2, 100, 50);
  const vb0 = await page.getByTestId('topology').getAttribute('viewBox');

  // A new Service is a new card: the page fetches the topology again and swaps the <svg>.
  await page.getByTestId('topology').evaluate((el) => el.setAttribute('data-old', ''));
  await postJSON(request, '/api/commands', {
    type: 'apply',
    object: {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: 'zoom-extra', namespace: 'shop' },
      spec: { selector: { app: 'shop' }, ports: [{ name: 'http', port: 80, targetPort: 8080 }] },
    },
  });
  await expect(page.locator('[data-testid="service-card"][data-service="shop/zoom-extra"]')).toHaveCount(1, { timeout: 20_000 });
  await expect(page.locator('#topology[data-old]')).toHaveCount(0);
  await expect(page.getByTestId('topology')).toHaveAttribute('data-zoom', '2');
  await expect(page.getByTestId('zoom-level')).toHaveText('200%');
  const server = await viewBoxOfServedPage(page);
  const vb1 = (await page.getByTestId('topology').getAttribute('viewBox'))!.split(' ').map(Number);
  expect(vb1[2]).toBeCloseTo(server[2] / 2, 1);
  expect(vb1[3]).toBeCloseTo(server[3] / 2, 1);
  if (server[3] === Number(vb0!.split(' ')[3]) * 2) expect(vb1.join(' ')).toBe(vb0); // same base: same view

  // The dots follow in presentation mode and in a smaller window.
  await pauseWithDots(page, request);
  await page.keyboard.press('p');
  await expect(page.locator('body')).toHaveClass(/present/);
  await frames(page);
  await expect(page.getByTestId('topology')).toHaveAttribute('data-zoom', '2');
  expect((await dotPixels(page)).off, 'dots off their elements in presentation mode').toEqual([]);
  await page.keyboard.press('p');

  await page.setViewportSize({ width: 1100, height: 760 });
  await expect.poll(async () => (await box(page, '#topology')).width).toBeLessThan(svg.width);
  await frames(page);
  await expect(page.getByTestId('topology')).toHaveAttribute('data-zoom', '2');
  expect((await dotPixels(page)).off, 'dots off their elements after a resize').toEqual([]);
  await postJSON(request, '/api/clock', { paused: false });
  await postJSON(request, '/api/commands', EXTRA_SERVICE);
});

/** The viewBox the server draws now (the whole diagram, zoom 1). */
async function viewBoxOfServedPage(page: Page): Promise<number[]> {
  const html = await (await page.request.get('/')).text();
  const m = html.match(/<svg[^>]*id="topology"[^>]*viewBox="([^"]+)"/);
  expect(m, 'the served topology has a viewBox').not.toBeNull();
  return m![1].split(/[\s,]+/).map(Number);
}
