// @ts-check
// The inspector: one request explained hop by hop. "Trace one request"
// (or a click on a moving dot) asks POST /api/trace, which runs a fresh
// request on a copy of the current state, and lists its hops: kind,
// from → to, src → dst, NAT, encapsulation and outer header, headers,
// the decision and why, timings; the hops' elements are highlighted on
// the diagram. Live requests carry no notes, so a dot is explained by
// tracing its URL and client kind again — the panel says so.

import { postJSON } from './controls.js';

/** @typedef {import('./wire.js').Hop & {nat?: string, outer?: string, headers?: string[], note?: string}} TraceHop */

/**
 * @typedef {object} TraceResult
 * @property {number} status
 * @property {string} outcome
 * @property {string} [pod]
 * @property {string} [service]
 * @property {string} [route]
 * @property {string} [reason]
 * @property {TraceHop[]} hops
 * @property {string} oc  its curl equivalent, computed by the server
 */

/** What each hop kind is, in words. */
const KIND_TEXT = {
  dns: 'DNS lookup',
  internet: 'Internet → AWS LB',
  lb: 'LB → NodePort',
  nodeport: 'kube-proxy DNAT → router',
  podnet: 'router → pod (Calico)',
  service: 'ClusterIP (kube-proxy)',
  app: 'app serves',
  response: 'response',
};

/**
 * Short name of a topology element id for the hop list.
 * @param {string} id
 */
export function elName(id) {
  const i = id.indexOf(':');
  if (i < 0) return id;
  const kind = id.slice(0, i);
  const rest = id.slice(i + 1);
  switch (kind) {
    case 'client':
      return `client ${rest}`;
    case 'lb':
      return `LB node ${rest}`;
    case 'node':
      return `node ${rest.split('.')[0]}`;
    case 'pod':
      return `pod ${rest.split('/').pop()}`;
    default:
      return id;
  }
}

export class Inspector {
  /**
   * @param {object} opts
   * @param {Document} opts.doc
   * @param {(ids: string[]) => void} opts.highlight  marks the path's elements on the diagram
   * @param {(oc: string) => void} opts.showOC  shows the trace's curl equivalent (the server's text)
   */
  constructor({ doc, highlight, showOC }) {
    this.doc = doc;
    this.highlight = highlight;
    this.showOC = showOC;
    const q = (/** @type {string} */ id) => /** @type {any} */ (doc.querySelector(`[data-testid="${id}"]`));
    this.panel = /** @type {HTMLElement | null} */ (q('inspector'));
    this.form = /** @type {HTMLFormElement | null} */ (q('trace-form'));
    this.url = /** @type {HTMLInputElement | null} */ (q('trace-url'));
    this.client = /** @type {HTMLSelectElement | null} */ (q('trace-client'));
    this.status = /** @type {HTMLElement | null} */ (q('inspector-status'));
    this.origin = /** @type {HTMLElement | null} */ (q('inspector-origin'));
    this.list = /** @type {HTMLOListElement | null} */ (q('inspector-hops'));
    this.seq = 0;
    // The first URL: the page's (web.traceURL), on the trace button.
    if (this.url && !this.url.value) this.url.value = q('trace-open')?.getAttribute('data-url') || '';
  }

  /** The panel's own controls; its opener (trace-open) calls toggle. */
  wire() {
    this.doc.querySelector('[data-testid="inspector-close"]')?.addEventListener('click', () => this.close());
    this.form?.addEventListener('submit', (ev) => {
      ev.preventDefault();
      this.run(this.url?.value || '', this.client?.value || 'curl', 'form');
    });
  }

  isOpen() {
    return !!this.panel && !this.panel.hidden;
  }

  toggle() {
    if (this.isOpen()) this.close();
    else this.open();
  }

  open() {
    if (!this.panel) return;
    this.panel.hidden = false;
    this.doc.body.classList.add('inspecting');
    this.doc.querySelector('[data-testid="trace-open"]')?.setAttribute('aria-pressed', 'true');
    this.url?.focus();
  }

  close() {
    if (!this.panel) return;
    this.panel.hidden = true;
    this.doc.body.classList.remove('inspecting');
    this.doc.querySelector('[data-testid="trace-open"]')?.setAttribute('aria-pressed', 'false');
    this.highlight([]);
  }

  /**
   * Explains a live request by tracing its URL and client kind again.
   * @param {import('./wire.js').Request} r
   */
  explain(r) {
    const client = r.clientKind === 'browser' ? 'browser' : 'curl';
    if (this.url) this.url.value = r.url;
    if (this.client) this.client.value = client;
    const live = `You clicked request #${r.id} (${r.clientKind} ${r.client}, ${r.status ? `HTTP ${r.status}` : r.outcome}${r.pod ? `, served by ${r.pod}` : ''}). Live requests carry no notes, so this is a fresh trace of the same URL and client kind on the current state; its choices (LB node, router, pod) may differ.`;
    this.run(r.url, client, live);
  }

  /**
   * Traces one request and shows it.
   * @param {string} url
   * @param {string} client
   * @param {string} origin 'form' or a sentence about where it came from
   * @param {string} [from] namespace/pod: a request from inside the cluster
   */
  async run(url, client, origin, from) {
    this.open();
    const seq = ++this.seq;
    if (this.url && url) this.url.value = url;
    if (this.client) this.client.value = client;
    this.setStatus('tracing…', 'busy');
    if (this.origin) this.origin.textContent = origin === 'form' ? 'A fresh request on a copy of the current state; the live cluster is not touched.' : origin;
    /** @type {TraceResult} */
    let res;
    try {
      res = await postJSON('/api/trace', from ? { url, client, from } : { url, client });
    } catch (err) {
      if (seq !== this.seq) return;
      this.list?.replaceChildren();
      this.highlight([]);
      this.setStatus(err instanceof Error ? err.message : String(err), 'error');
      return;
    }
    if (seq !== this.seq) return;
    this.showOC(res.oc);
    this.render(res);
  }

  /**
   * @param {string} text
   * @param {string} kind
   */
  setStatus(text, kind) {
    if (!this.status) return;
    this.status.textContent = text;
    this.status.setAttribute('data-kind', kind);
  }

  /** @param {TraceResult} res */
  render(res) {
    const doc = this.doc;
    const ok = res.outcome === 'ok';
    const what = res.status ? `HTTP ${res.status}` : 'no HTTP answer';
    const parts = [`${what} · ${res.outcome}`];
    if (res.route) parts.push(`route ${res.route}`);
    if (res.service) parts.push(`service ${res.service}`);
    if (res.pod) parts.push(`pod ${res.pod}`);
    const hops = res.hops || [];
    if (hops.length) parts.push(`${hops[hops.length - 1].endMs - hops[0].startMs} ms virtual`);
    this.setStatus(parts.join(' · ') + (res.reason ? ` — ${res.reason}` : ''), ok ? 'ok' : 'error');
    this.status?.setAttribute('data-status', String(res.status));
    this.status?.setAttribute('data-outcome', res.outcome);

    const items = hops.map((h, i) => {
      const li = doc.createElement('li');
      li.className = 'hop';
      li.setAttribute('data-testid', 'inspector-hop');
      li.setAttribute('data-kind', h.kind);
      li.setAttribute('data-index', String(i));
      li.setAttribute('data-from', h.from);
      li.setAttribute('data-to', h.to);
      if (h.response) li.classList.add('is-response');
      if (h.failed) li.classList.add('is-failed');
      const head = doc.createElement('p');
      head.className = 'hop-head';
      head.append(
        el(doc, 'span', 'hop-kind', `${h.response && h.kind !== 'response' ? '↩ ' : ''}${KIND_TEXT[/** @type {keyof typeof KIND_TEXT} */ (h.kind)] || h.kind}${h.failed ? ' ✗' : ''}`),
        el(doc, 'span', 'hop-time', `${h.startMs}–${h.endMs} ms (${h.endMs - h.startMs})`),
      );
      li.append(head, el(doc, 'p', 'hop-path', `${elName(h.from)} → ${elName(h.to)}`));
      const dl = doc.createElement('dl');
      /** @param {string} k @param {string | undefined} v @param {string} cls */
      const row = (k, v, cls) => {
        if (!v) return;
        dl.append(el(doc, 'dt', '', k), el(doc, 'dd', cls, v));
      };
      row('packet', h.src || h.dst ? `${h.src || '–'} → ${h.dst || '–'}` : '', 'hop-addr mono');
      row('NAT', h.nat || (h.kind === 'podnet' ? 'none: a new connection from the router pod' : ''), 'hop-nat');
      row('encap', h.encapsulation ? `${h.encapsulation.toUpperCase()}${h.outer ? `, outer ${h.outer}` : ''}` : '', 'hop-encap mono');
      for (const hd of h.headers || []) row('header', hd, 'hop-header mono');
      li.append(dl);
      if (h.note) li.append(el(doc, 'p', 'hop-note', h.note));
      return li;
    });
    this.list?.replaceChildren(...items);
    /** @type {string[]} */
    const ids = [];
    for (const h of hops) ids.push(h.from, h.to);
    if (res.route) ids.push(`route:${res.route}`);
    if (res.service) ids.push(`svc:${res.service}`);
    this.highlight(ids);
  }
}

/**
 * @param {Document} doc
 * @param {string} tag
 * @param {string} cls
 * @param {string} text
 */
function el(doc, tag, cls, text) {
  const e = doc.createElement(tag);
  if (cls) e.className = cls;
  e.textContent = text;
  return e;
}
