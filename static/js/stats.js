// @ts-check
// Metrics the page works out from the stream: requests per second (from
// the metrics' request counter over virtual time), p50/p95 latency (from
// the requests the stream showed — sampled when the server samples), the
// split between a weighted route's Services, and the LB targets' health.

/** Latency window: the last this many requests shown. */
const WINDOW = 400;
/** Requests per second over at least this much virtual time. */
const RATE_SPAN_MS = 3000;

/**
 * The q-quantile (0..1) of sorted numbers, nearest rank.
 * @param {number[]} sorted
 * @param {number} q
 */
export function quantile(sorted, q) {
  if (!sorted.length) return NaN;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1));
  return sorted[i];
}

/** @param {number} ms */
export function fmtMs(ms) {
  if (!Number.isFinite(ms)) return '–';
  return ms >= 1000 ? `${(ms / 1000).toFixed(2)} s` : `${Math.round(ms)} ms`;
}

export class Stats {
  /** @param {Document} doc */
  constructor(doc) {
    this.doc = doc;
    /** @type {number[]} ring of durations, virtual ms */
    this.durations = [];
    this.next = 0;
    /** @type {Set<number>} ids already counted */
    this.seen = new Set();
    /** @type {{t: number, n: number}[]} request counter samples */
    this.samples = [];
    this.dirty = false;
  }

  /**
   * Records the requests of a frame (each once).
   * @param {import('./protocol.js').Request[]} reqs
   */
  addRequests(reqs) {
    for (const r of reqs) {
      if (this.seen.has(r.id)) continue;
      this.seen.add(r.id);
      const d = r.endMs - r.startMs;
      if (this.durations.length < WINDOW) this.durations.push(d);
      else this.durations[this.next] = d;
      this.next = (this.next + 1) % WINDOW;
      this.dirty = true;
    }
    if (this.seen.size > 4 * WINDOW) this.seen = new Set(Array.from(this.seen).slice(-WINDOW));
  }

  /**
   * Updates the panel from fresh metrics.
   * @param {import('./protocol.js').Metrics} m
   * @param {number} now virtual ms
   * @param {any} s the snapshot
   * @param {number} sampled 1 in k requests shown
   */
  sync(m, now, s, sampled) {
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

    if (this.dirty) {
      this.dirty = false;
      const sorted = [...this.durations].sort((a, b) => a - b);
      set('metric-p50', fmtMs(quantile(sorted, 0.5)));
      set('metric-p95', fmtMs(quantile(sorted, 0.95)));
    }
    set(
      'metric-latency-note',
      `latency from start to response, virtual time (hops are stretched ~100× to be seen), over the last ${this.durations.length} requests drawn${sampled > 1 ? ` (1 in ${sampled} sampled)` : ''}`,
    );

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
