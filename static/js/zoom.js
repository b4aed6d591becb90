// @ts-check
// Zoom and pan: owns the view (k, centre cx/cy in SVG units), kept as the
// topology's viewBox. A change marks render.js's geometry dirty (dots follow
// the elements) and asks app.js's loop for a frame. Steps are instant, so
// reduced motion needs nothing. From 2× pod IPs turn full contrast (CSS).

const MAX = 8;
/** @param {number} v @param {number} lo @param {number} hi */
const clamp = (v, lo, hi) => Math.min(hi, Math.max(lo, v));

/** @param {{doc: Document, renderer: import('./render.js').Renderer, schedule: () => void}} o */
export function wireZoom({ doc, renderer, schedule }) {
  const stage = /** @type {HTMLElement} */ (doc.querySelector('.stage-inner'));
  const bar = doc.querySelector('.zoom-bar');
  if (!stage || !bar) return;
  const el = (/** @type {string} */ id) => /** @type {HTMLButtonElement} */ (bar.querySelector(`[data-testid="zoom-${id}"]`));
  let [k, cx, cy, base] = [1, 0, 0, [0, 0, 1, 1]];
  /** @type {Element | null} the svg whose own viewBox is base */
  let cur = null;

  function apply() {
    const svg = renderer.svg;
    if (svg !== cur) {
      cur = svg;
      base = (svg.getAttribute('viewBox') || '0 0 1 1').split(/[\s,]+/).map(Number);
      if (k === 1) [cx, cy] = [base[0] + base[2] / 2, base[1] + base[3] / 2];
    }
    const [x, y, w, h] = base;
    k = clamp(k, 1, MAX);
    const [vw, vh] = [w / k, h / k];
    cx = clamp(cx, x + vw / 2, x + w - vw / 2); // the view stays on the diagram
    cy = clamp(cy, y + vh / 2, y + h - vh / 2);
    svg.setAttribute('viewBox', [cx - vw / 2, cy - vh / 2, vw, vh].map((n) => +n.toFixed(3)).join(' '));
    svg.setAttribute('data-zoom', String(+k.toFixed(2)));
    svg.classList.toggle('zoom-detail', k >= 2);
    stage.classList.toggle('zoomed', k > 1);
    el('level').textContent = `${Math.round(k * 100)}%`;
    el('in').disabled = k >= MAX;
    el('out').disabled = k <= 1;
    renderer.geometryDirty = true;
    schedule();
  }

  /** Zooms to k2 keeping client point (px, py) still. */
  function zoomAt(/** @type {number} */ k2, /** @type {number} */ px, /** @type {number} */ py) {
    const m = renderer.svg.getScreenCTM();
    if (m) {
      const p = new DOMPoint(px, py).matrixTransform(m.inverse());
      const f = clamp(k2, 1, MAX) / k;
      [cx, cy] = [p.x + (cx - p.x) / f, p.y + (cy - p.y) / f];
    }
    k = k2;
    apply();
  }
  /** Moves the picture by client (dx, dy). */
  function pan(/** @type {number} */ dx, /** @type {number} */ dy) {
    const s = renderer.svg.getScreenCTM()?.a || 1;
    [cx, cy] = [cx - dx / s, cy - dy / s];
    apply();
  }
  /** One step on the √2 ladder (100, 141, 200 … 800 %); dir 0 resets. */
  function step(/** @type {number} */ dir) {
    const e = Math.log2(k) * 2;
    k = dir ? 2 ** ((dir > 0 ? Math.floor(e + 1e-6) + 1 : Math.ceil(e - 1e-6) - 1) / 2) : 1;
    apply();
  }

  // Bar clicks must not reach extras.js (a dot under the bar).
  bar.addEventListener('click', (e) => {
    e.stopPropagation();
    const id = /** @type {Element} */ (e.target).closest('button')?.getAttribute('data-testid');
    if (id) step({ 'zoom-in': 1, 'zoom-out': -1 }[id] || 0);
  });

  // Plain wheel zooms: the page never scrolls (body overflow: hidden), so
  // no scroll is stolen. Ctrl/⌘+wheel too: a trackpad pinch sends it.
  const wheel = (/** @type {WheelEvent} */ e) => {
    e.preventDefault();
    zoomAt(k * Math.exp(-e.deltaY * [1, 16, 400][e.deltaMode] * (e.ctrlKey ? 0.01 : 0.002)), e.clientX, e.clientY);
  };
  stage.addEventListener('wheel', wheel, { passive: false });

  // One pointer pans (when zoomed), two pinch; under 5 px a press stays a click.
  /** @type {Map<number, {x: number, y: number}>} */
  const pts = new Map();
  let [dragged, sx, sy] = [false, 0, 0];
  stage.addEventListener('pointerdown', (e) => {
    if (e.button || bar.contains(/** @type {Node} */ (e.target))) return;
    pts.set(e.pointerId, { x: e.clientX, y: e.clientY });
    if (pts.size === 1) [dragged, sx, sy] = [false, e.clientX, e.clientY];
  });
  stage.addEventListener('pointermove', (e) => {
    const p = pts.get(e.pointerId);
    if (!p || (pts.size < 2 && k <= 1)) return;
    if (!dragged) {
      if (pts.size < 2 && Math.hypot(e.clientX - sx, e.clientY - sy) < 5) return;
      dragged = true;
      stage.setPointerCapture(e.pointerId);
      stage.classList.add('panning');
      doc.getSelection()?.removeAllRanges();
    }
    const [a, b = a] = pts.values();
    const [d0, mx, my] = [Math.hypot(a.x - b.x, a.y - b.y), (a.x + b.x) / 2, (a.y + b.y) / 2];
    [p.x, p.y] = [e.clientX, e.clientY];
    const [nx, ny] = [(a.x + b.x) / 2, (a.y + b.y) / 2];
    if (a !== b) zoomAt((k * Math.hypot(a.x - b.x, a.y - b.y)) / (d0 || 1), nx, ny);
    pan(nx - mx, ny - my);
  });
  // On the document: a press may end outside the stage.
  const end = (/** @type {PointerEvent} */ e) => pts.delete(e.pointerId) && !pts.size && stage.classList.remove('panning');
  doc.addEventListener('pointerup', end);
  doc.addEventListener('pointercancel', end);
  // The click ending a drag is no click (capture: before extras.js).
  const click = (/** @type {Event} */ e) => {
    if (dragged) e.stopPropagation();
    dragged = false;
  };
  stage.addEventListener('click', click, true);

  // Keyboard focus out of view pans to it.
  stage.addEventListener('focusin', (e) => {
    const t = /** @type {Element} */ (e.target);
    const [r, v] = [t.getBoundingClientRect(), renderer.svg.getBoundingClientRect()];
    if (k > 1 && t.matches(':focus-visible') && !bar.contains(t) && (r.left < v.left || r.right > v.right || r.top < v.top || r.bottom > v.bottom)) {
      pan(v.left + v.width / 2 - r.left - r.width / 2, v.top + v.height / 2 - r.top - r.height / 2);
    }
  });

  doc.addEventListener('keydown', (e) => {
    const dir = { ']': 1, '[': -1, 0: 0 }[e.key];
    if (dir === undefined || e.ctrlKey || e.metaKey || e.altKey) return;
    if (/** @type {Element} */ (e.target).closest?.('input, select, textarea, [contenteditable]')) return;
    e.preventDefault();
    step(dir);
  });

  // refreshTopology swaps the <svg>: re-apply the view before paint.
  new MutationObserver(() => renderer.svg !== cur && apply()).observe(stage, { childList: true });
  apply();
}
