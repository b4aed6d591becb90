// @ts-check
// The metrics panel's chart (web/legend.templ): p50/p95 latency and
// requests/s, errors at the foot, per second of the last 2 minutes of
// virtual time. Owns the history merged from metrics.history (frames carry
// only its newest 5 points, docs/api.md). Stats feeds it; it draws at most
// 4 times a second, only when the history changed.

import { apiURL } from './base.js';
import { fmtMs } from './stats.js';

const KEEP = 120, SPAN = KEEP * 1000; // points, one per second; the x axis, virtual ms
const X0 = 42, X1 = 276, L = [20, 80], B = [104, 128]; // plots, viewBox units: x, latency y, bars y


/** The smallest round number ≥ v > 0. @param {number} v */
function nice(v) {
  const e = 10 ** Math.floor(Math.log10(v));
  return [1, 1.5, 2, 3, 4, 5, 6, 8, 10].map((k) => k * e).find((n) => n >= v) || 10 * e;
}

export class LatencyChart {
  /** @param {Document} doc */
  constructor(doc) {
    this.doc = doc;
    this.svg = doc.querySelector('[data-testid="latency-chart"]');
    /** @type {import('./wire.js').MetricsPoint[]} oldest first */
    this.hist = [];
    this.n = 0; // metrics.requests last seen
    this.gen = 0; // bumped on a start over: drops a late /api/state of the old run
    this.fetchedAt = this.drawnAt = -Infinity;
    this.timer = this.fetching = 0;
    this.stale = false; // a gap to fill from /api/state
    /** @type {Record<string, Element>} */
    this.el = {};
  }

  /**
   * Merges metrics.history by t, keeps the newest 120; starts over on a
   * snapshot (fresh: every reset, load or walkthrough step sends one).
   * Metrics older than what it holds (a frame applied after a newer
   * /api/state) are stale and skipped. After a gap (a hidden tab, a
   * fast-forward), refetches.
   * @param {import('./wire.js').Metrics} m
   */
  update(m, fresh = false) {
    const pts = m.history || [], a = pts[0], z = pts[pts.length - 1];
    let h = this.hist;
    if (!fresh && h.length && z && m.requests < this.n && z.t < h[h.length - 1].t) return; // stale
    this.n = m.requests;
    let changed = fresh || !this.el.p50; // the axes come with the first draw
    if (fresh) {
      h = this.hist = [];
      this.gen++;
    }
    const gap = h.length && a && a.t > h[h.length - 1].t + 1000;
    for (const p of pts) {
      let i = h.length;
      while (i && h[i - 1].t > p.t) i--;
      const q = h[i - 1];
      if (q?.t !== p.t) h.splice(i, 0, p);
      else if (q.requests !== p.requests || q.errors !== p.errors || q.p50Ms !== p.p50Ms || q.p95Ms !== p.p95Ms) h[i - 1] = p;
      else continue;
      changed = true;
    }
    h.splice(0, h.length - KEEP);
    if (gap) {
      // Missed points (a frame carries at most 5): ask for all of them.
      this.stale = true;
      this.refetch();
    }
    if (changed && this.svg && !this.timer) {
      this.timer = setTimeout(() => {
        this.timer = 0;
        this.drawnAt = performance.now();
        this.draw();
      }, Math.max(0, this.drawnAt + 250 - performance.now()));
    }
  }

  /** Merges the whole history of GET /api/state, at most every 5 s, until nothing is missing. */
  refetch() {
    if (this.fetching) return;
    this.fetching = setTimeout(() => {
      this.stale = false;
      this.fetchedAt = performance.now();
      const gen = this.gen;
      fetch(apiURL('/api/state'))
        .then((r) => r.json())
        .then((s) => s.metrics && gen === this.gen && this.update(s.metrics))
        .catch(() => {})
        .finally(() => {
          this.fetching = 0;
          if (this.stale) this.refetch();
        });
    }, Math.max(0, this.fetchedAt + 5000 - performance.now()));
  }

  draw() {
    const svg = /** @type {Element} */ (this.svg), el = this.el;
    /** @type {(tag: string, a: Record<string, any>, text?: string, to?: Element) => Element} */
    const add = (tag, a, text = '', to = svg) => {
      const e = this.doc.createElementNS('http://www.w3.org/2000/svg', tag);
      for (const k in a) e.setAttribute(k, a[k]);
      e.textContent = text;
      to.append(e);
      return e;
    };
    /** @type {(x: number, y: number, text?: string, cls?: string) => Element} */
    const txt = (x, y, text = '', cls = 'lc-end') => add('text', { x, y, class: cls }, text);
    if (!el.p50) {
      // Axes; legends: a sample and the newest value; tick labels; the series.
      add('path', { class: 'lc-axis', d: `M${X0} ${L[0]}V${L[1]}H${X1}M${X0} ${B[0]}V${B[1]}H${X1}` });
      for (const [c, d] of [['p50', 'M0 8h16'], ['p95', 'M132 8h16'], ['req', 'M4 86h9v9h-9z'], ['err', 'M136 86h9v9h-9z']]) {
        add('path', { class: `lc-${c}`, d });
      }
      [el.v50, el.v95, el.vReq, el.vErr] = [[20, 12], [152, 12], [18, 95], [150, 95]].map(([x, y]) => txt(x, y, '', 'lc-val'));
      [el.lTop, el.rTop] = [txt(X0 - 4, L[0] + 4), txt(X0 - 4, B[0] + 4)];
      txt(X0 - 4, L[1], '0 ms');
      txt(X0 - 4, B[1], '0');
      txt(X0, 142, '−2 min', '');
      txt(161, 142, 'virtual time', 'lc-mid');
      txt(X1, 142, 'now');
      const g = add('g', { 'data-testid': 'rps-bars' });
      [el.req, el.err] = ['lc-req', 'lc-err'].map((c) => add('path', { class: c }, '', g));
      el.p50 = add('polyline', { class: 'lc-p50', 'data-testid': 'latency-chart-p50' });
      el.p95 = add('polyline', { class: 'lc-p95', 'data-testid': 'latency-chart-p95' });
    }
    const h = this.hist, end = h.length ? h[h.length - 1].t + 1000 : SPAN;
    const pts = h.filter((p) => p.t >= end - SPAN);
    const seen = pts.filter((p) => p.requests > 0); // a second without responses has no latency
    const p50 = seen.map((p) => p.p50Ms), p95 = seen.map((p) => p.p95Ms), rps = pts.map((p) => p.requests);
    const lmax = nice(Math.max(10, ...p95, ...p50)), rmax = nice(Math.max(5, ...rps));
    const x = (/** @type {number} */ t) => (X0 + ((t - end + SPAN) * (X1 - X0)) / SPAN).toFixed(1);
    const ly = (/** @type {number} */ v) => (L[1] - (v * (L[1] - L[0])) / lmax).toFixed(1);
    const by = (/** @type {number} */ v) => (B[1] - (v * (B[1] - B[0])) / rmax).toFixed(1);
    const line = (/** @type {number[]} */ v) => seen.map((p, i) => `${x(p.t + 500)},${ly(v[i])}`).join(' ');
    /** Bars 1.6 wide, one a second, from lo to hi. @type {(lo: (p: any) => number, hi: (p: any) => number) => string} */
    const bars = (lo, hi) => pts.map((p) => (hi(p) > lo(p) ? `M${x(p.t)} ${by(lo(p))}h1.6V${by(hi(p))}h-1.6z` : '')).join('');
    el.p50.setAttribute('points', line(p50));
    el.p95.setAttribute('points', line(p95));
    el.req.setAttribute('d', bars((p) => p.errors, (p) => p.requests));
    el.err.setAttribute('d', bars(() => 0, (p) => p.errors));

    const last = pts[pts.length - 1], s = seen[seen.length - 1];
    const now50 = fmtMs(s ? s.p50Ms : NaN), now95 = fmtMs(s ? s.p95Ms : NaN);
    const range = (/** @type {number[]} */ v) => `${fmtMs(Math.min(...v))} to ${fmtMs(Math.max(...v))}`;
    el.v50.textContent = `p50 ${now50}`;
    el.v95.textContent = `p95 ${now95}`;
    el.vReq.textContent = `${last?.requests || 0} req/s`;
    el.vErr.textContent = `${last?.errors || 0} errors/s`;
    el.lTop.textContent = fmtMs(lmax);
    el.rTop.textContent = `${rmax}/s`;
    svg.setAttribute('data-points', String(pts.length));
    svg.setAttribute(
      'aria-label',
      s
        ? `Latency, last ${pts.length} s of virtual time: p50 now ${now50} (${range(p50)}), p95 now ${now95} (${range(p95)}); ` +
            `${last.requests} requests/s now, ${last.errors} errors, at most ${Math.max(...rps)}/s`
        : 'Latency and requests/s over virtual time: no responses yet',
    );
  }
}
