// @ts-check
// The metrics panel beyond the server-rendered counters: requests per
// second (from the metrics' request counter over virtual time), p50/p95
// latency (the model's metrics.latency: every request, not only those
// drawn), the chart over time (chart.js, loaded when the chart first
// scrolls into view), the split between a weighted route's Services, and
// the LB targets' health.

import { Lazy } from './lazy.js';

/** @param {number} ms */
export const fmtMs = (ms) => (!Number.isFinite(ms) ? '–' : ms >= 1000 ? `${(ms / 1000).toFixed(2)} s` : `${Math.round(ms)} ms`);

/** Requests per second over at least this much virtual time. */
const RATE_SPAN_MS = 3000;

export class Stats {
  /** @param {Document} doc */
  constructor(doc) {
    this.doc = doc;
    /** @type {{t: number, n: number}[]} request counter samples */
    this.samples = [];
    /** @type {import('./wire.js').Metrics | null} the newest metrics, for a chart that loads late */
    this.last = null;
    this.chart = new Lazy(() => import('./chart.js'), { make: (m) => new m.LatencyChart(doc), css: ['chart.css'] });
    const svg = doc.querySelector('[data-testid="latency-chart"]');
    if (svg && typeof IntersectionObserver === 'function') {
      const seen = new IntersectionObserver((entries) => {
        if (!entries.some((e) => e.isIntersecting)) return;
        seen.disconnect();
        // Loaded: start from the newest metrics, then the whole history of /api/state.
        this.chart
          .get()
          .then((c) => {
            if (this.last) c.update(this.last, true);
            c.refetch();
          })
          .catch(() => {});
      });
      seen.observe(svg);
    }
  }

  /** A whole new snapshot: the chart starts over. @param {import('./wire.js').Metrics} m */
  restart(m) {
    this.last = m;
    this.chart.value?.update(m, true);
  }

  /**
   * Updates the panel from fresh metrics.
   * @param {import('./wire.js').Metrics} m
   * @param {number} now virtual ms
   * @param {any} s the snapshot
   */
  sync(m, now, s) {
    const doc = this.doc;
    const set = (/** @type {string} */ id, /** @type {string} */ text) => {
      const el = doc.querySelector(`[data-testid="${id}"]`);
      if (el && el.textContent !== text) el.textContent = text;
    };
    // Requests per second over virtual time.
    const last = this.samples[this.samples.length - 1];
    if (last && (m.requests < last.n || now < last.t)) this.samples = []; // reset, reload, a walkthrough jump back
    const prev = this.samples[this.samples.length - 1];
    if (!prev || now > prev.t) this.samples.push({ t: now, n: m.requests });
    while (this.samples.length > 2 && now - this.samples[1].t >= RATE_SPAN_MS) this.samples.shift();
    const first = this.samples[0];
    const span = now - first.t;
    set('metric-rps', span >= 500 ? ((m.requests - first.n) / (span / 1000)).toFixed(1) : '–');

    // Latency: exact figures from the model; "–" without responses (or from a server without them).
    const l = m.latency;
    set('metric-p50', l?.count ? fmtMs(l.p50Ms) : '–');
    set('metric-p95', l?.count ? fmtMs(l.p95Ms) : '–');
    if (l) set('metric-latency-note', latencyNote(l.windowMs));
    this.last = m;
    this.chart.value?.update(m);

    // Per-Service split, for routes with more than one backend.
    const ul = doc.querySelector('[data-testid="service-split"]');
    if (ul && s) {
      const by = m.byService || {};
      const rows = [];
      for (const r of s.routes || []) {
        const to = r.to || [];
        if (to.length < 2) continue;
        const ids = to.map((/** @type {any} */ t) => `${r.namespace}/${t.service}`);
        const total = ids.reduce((a, id) => a + (by[id] || 0), 0);
        const wsum = to.reduce((/** @type {number} */ a, /** @type {any} */ t) => a + t.weight, 0);
        to.forEach((/** @type {any} */ t, /** @type {number} */ i) => {
          const n = by[ids[i]] || 0;
          const pct = total ? Math.round((n * 100) / total) : 0;
          const want = wsum ? Math.round((t.weight * 100) / wsum) : 0;
          rows.push({ key: `${r.namespace}/${r.name}>${t.service}`, text: `${r.name} → ${t.service}`, pct, detail: `${pct}% (weight ${want}%)` });
        });
      }
      const key = rows.map((r) => r.key).join(',');
      if (ul.getAttribute('data-key') !== key) {
        ul.setAttribute('data-key', key);
        ul.replaceChildren(
          ...rows.map((r) => {
            const li = doc.createElement('li');
            li.setAttribute('data-split', r.key);
            const name = doc.createElement('span');
            name.className = 'split-name';
            name.textContent = r.text;
            const meter = doc.createElement('meter');
            meter.min = 0;
            meter.max = 100;
            const pct = doc.createElement('span');
            pct.className = 'split-pct';
            li.append(name, meter, pct);
            return li;
          }),
        );
      }
      rows.forEach((r, i) => {
        const li = ul.children[i];
        const meter = /** @type {HTMLMeterElement} */ (li.querySelector('meter'));
        if (meter.value !== r.pct) meter.value = r.pct;
        const pct = li.querySelector('.split-pct');
        if (pct && pct.textContent !== r.detail) pct.textContent = r.detail;
      });
    }

    // LB target health per node.
    if (s?.loadBalancer) {
      const t = s.loadBalancer.targets || [];
      const healthy = t.filter((/** @type {any} */ x) => x.healthy).length;
      set(
        'lb-health',
        `LB targets ${healthy}/${t.length} healthy: ${t.map((/** @type {any} */ x) => `${x.healthy ? '✓' : '✗'} ${x.node.split('.')[0]}`).join(' · ')}${healthy < t.length ? ' (nodes without a ready router fail the health check by design)' : ''}`,
      );
    }
  }
}

/** What p50/p95 are (also in web/legend.templ). @param {number} ms */
function latencyNote(ms) {
  return `p50/p95 over the last ${ms / 1000} s of virtual time, every request, not only the drawn ones; from start to response (hops are stretched ~100× to be seen)`;
}
