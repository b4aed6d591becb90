// The picture fits the window: at 1280×720 the large scenario's diagram
// fills most of the stage (its cards in rows, not one tall column), the
// top bar stays on one line, and presentation mode gives the diagram the
// whole window without the legend or the zoom bar over it.
import { test, expect, type Page } from '@playwright/test';
import { e2eBinary, killHard, openLive, spawnServer, waitHealthy } from './helpers';

type Box = { left: number; top: number; right: number; bottom: number; width: number; height: number };

/** The boxes of the stage, the svg, the diagram as drawn (its viewBox at the svg's scale), the legend, the zoom bar. */
function boxes(page: Page) {
  return page.evaluate(() => {
    const r = (sel: string): Box => {
      const b = document.querySelector(sel)!.getBoundingClientRect();
      return { left: b.left, top: b.top, right: b.right, bottom: b.bottom, width: b.width, height: b.height };
    };
    const svg = document.getElementById('topology') as unknown as SVGSVGElement;
    const m = svg.getScreenCTM()!;
    const vb = svg.viewBox.baseVal;
    const left = m.e + vb.x * m.a;
    const top = m.f + vb.y * m.d;
    const drawn = { left, top, right: left + vb.width * m.a, bottom: top + vb.height * m.d, width: vb.width * m.a, height: vb.height * m.d };
    return { stage: r('.stage-inner'), svg: r('#topology'), drawn, legend: r('.legend'), zoom: r('.zoom-bar'), topbar: r('.topbar'), vw: innerWidth, vh: innerHeight };
  });
}

const overlaps = (a: Box, b: Box) => a.left < b.right - 0.5 && b.left < a.right - 0.5 && a.top < b.bottom - 0.5 && b.top < a.bottom - 0.5;

test.describe('large scenario at 1280×720', () => {
  const PORT = Number(process.env.PODPATH_E2E_PORT || 18080) + 17;
  const ORIGIN = `http://127.0.0.1:${PORT}`;
  test.use({ viewport: { width: 1280, height: 720 } });

  test('the diagram uses most of the stage and stays above the legend', async ({ page }, testInfo) => {
    const server = spawnServer(e2eBinary(testInfo), ['-addr', `127.0.0.1:${PORT}`, '-seed', '1', '-scenario', 'large', '-state-dir', '']);
    try {
      await waitHealthy(ORIGIN);
      await page.goto(ORIGIN + '/');
      await expect(page.getByTestId('route-card')).toHaveCount(20);
      const b = await boxes(page);
      expect(b.drawn.width / b.stage.width, 'drawn width / stage width').toBeGreaterThanOrEqual(0.6);
      expect(b.drawn.bottom).toBeLessThanOrEqual(b.stage.bottom + 0.5);
      expect(overlaps(b.drawn, b.legend), 'diagram under the legend').toBe(false);
      expect(overlaps(b.drawn, b.zoom), 'zoom bar over the diagram').toBe(false);
      expect(b.topbar.height, 'the top bar is one line').toBeLessThan(50);
    } finally {
      await killHard(server);
    }
  });
});

for (const [w, h] of [
  [1280, 720],
  [1920, 1080],
]) {
  test.describe(`${w}×${h}`, () => {
    test.use({ viewport: { width: w, height: h } });

    test('the top bar stays on one line', async ({ page }) => {
      await openLive(page);
      const wraps = await page.evaluate(() =>
        Array.from(document.querySelectorAll('.topbar > *, .topbar .room > *'))
          .filter((e) => (e as HTMLElement).offsetParent !== null && e.getBoundingClientRect().height > 40)
          .map((e) => e.textContent?.trim()),
      );
      expect(wraps, 'top bar items on two lines').toEqual([]);
      expect((await boxes(page)).topbar.height).toBeLessThan(50);
    });

    test('presentation mode: the diagram takes the window, legend and zoom bar off it', async ({ page }) => {
      await openLive(page);
      const before = await boxes(page);
      await page.keyboard.press('p');
      await expect(page.locator('body')).toHaveClass(/present/);
      await page.mouse.move(w / 2, h / 2); // away from the top bar
      await expect.poll(async () => (await boxes(page)).topbar.bottom, { message: 'the top bar slides away' }).toBeLessThanOrEqual(8);
      const b = await boxes(page);
      expect(b.drawn.width, 'the diagram grows').toBeGreaterThan(before.drawn.width * 1.05);
      // As large as fits: it touches the stage's sides or its bottom.
      expect(Math.max(b.drawn.width / b.stage.width, b.drawn.height / b.stage.height)).toBeGreaterThan(0.98);
      expect(b.drawn.bottom).toBeLessThanOrEqual(b.stage.bottom + 0.5);
      expect(overlaps(b.drawn, b.legend), 'diagram under the legend').toBe(false);
      expect(overlaps(b.drawn, b.zoom), 'zoom bar over the diagram').toBe(false);
      expect(b.legend.bottom, 'the legend is not cut off').toBeLessThanOrEqual(b.vh);
      const cut = await page.evaluate(() => {
        const ul = document.querySelector('.legend')!.getBoundingClientRect();
        return Array.from(document.querySelectorAll('.legend li'))
          .filter((li) => getComputedStyle(li).display !== 'none')
          .filter((li) => li.getBoundingClientRect().bottom > Math.min(ul.bottom, innerHeight) + 0.5)
          .map((li) => li.textContent);
      });
      expect(cut, 'legend items cut off').toEqual([]);
      // The top bar comes back under the pointer.
      await page.mouse.move(w / 2, 2);
      await expect.poll(async () => (await boxes(page)).topbar.top).toBeGreaterThanOrEqual(0);
      await page.mouse.move(w / 2, h / 2);
      await page.keyboard.press('p');
      await expect(page.getByTestId('controls')).toBeVisible();
    });
  });
}
