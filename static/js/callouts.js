// @ts-check
// Misconception call-outs (domain.md §8): when the live picture shows one,
// a note at the bottom-left, above the legend, says what really happens;
// once per session (sessionStorage), one at a time. Its × ends them for
// the session (seen holds 0): the next scenario brings none back. Not
// loaded on first use (lazy.js): misconception #1 shows within a second
// of traffic through a router, on the first visit of a session.

const KEY = 'podpath.misconceptions';
const WINDOW_MS = 30_000; // request patterns: the last 30 s of virtual time

/** §8 number → [myth, fact]. */
const NOTES = {
  1: ['“The router forwards to the Service ClusterIP.”', 'It does not: HAProxy reads the Service’s endpoints and connects straight to a pod IP (the router → pod hop). The ClusterIP is not on the path.'],
  5: ['“An Unhealthy load balancer target means breakage.”', 'Expected with externalTrafficPolicy: Local: only nodes running a ready router pod pass the health check, so the others are Unhealthy by design while requests succeed.'],
  8: ['“No pods behind a Route gives a 404.”', 'The Route matched but its Service has no ready endpoint: the router answers 503 “Application is not available” (as for an unknown host). A 404 needs a custom error page.'],
  10: ['“Sticky sessions are opt-in.”', 'The router sets a cookie by default: a browser that sends it back stays on one pod, while curl (no cookies) spreads over all of them.'],
  17: ['“Cross-zone load balancing is on.”', 'It is off as OpenShift creates the load balancer: an AZ whose load balancer node has no healthy target leaves the DNS answer; its clients go to the other zones.'],
  18: ['“Endpoint changes reach the router instantly.”', 'The endpoints changed, but HAProxy picks them up at its next batched reload, up to 5 s later; until then it uses the old list.'],
  19: ['“A Route’s targetPort is the Service’s port.”', 'It names an endpoint port: the Service port’s name or the pod’s port number. On a Service 80→8080, targetPort 80 matches no endpoint, so the router has no server and answers 503.'],
};

export class Callouts {
  /** @param {{doc: Document, snapshot: () => any}} o */
  constructor({ doc, snapshot }) {
    this.doc = doc;
    this.snapshot = snapshot;
    this.box = doc.querySelector('[data-testid="callouts"]');
    /** @type {Set<number>} */
    this.seen = new Set();
    try {
      for (const id of JSON.parse(sessionStorage.getItem(KEY) || '[]')) this.seen.add(id);
    } catch {}
    /** @type {number[]} */
    this.queue = [];
    /** @type {{c: string, b: boolean, pod: string, t: number}[]} requests served lately */
    this.recent = [];
    this.okAt = -Infinity;
    this.eps = '';
    this.box?.addEventListener('click', (ev) => {
      const note = /** @type {Element} */ (ev.target).closest?.('[data-testid="misconception-close"]')?.parentElement;
      if (!note) return;
      note.remove();
      this.queue = [];
      this.show(0);
    });
    // Above the legend, however tall (it wraps; presentation mode enlarges it).
    this.legend = doc.querySelector('.legend');
    if (this.legend) new ResizeObserver(() => this.place()).observe(this.legend);
  }

  /** A frame's requests. @param {any[]} reqs */
  onRequests(reqs) {
    const s = this.snapshot();
    let t = 0;
    for (const r of reqs) {
      t = Math.max(t, r.startMs);
      if (r.outcome === 'ok' && r.status < 500) {
        this.okAt = r.startMs;
        if (r.pod) this.recent.push({ c: r.client, b: r.clientKind === 'browser', pod: r.pod, t: r.startMs });
      }
      if (!this.seen.has(1) && (r.hops || []).some((h) => h.kind === 'podnet' && h.from.startsWith('pod:openshift-ingress/'))) this.show(1);
      if (r.status === 503 && s && noReadyBackend(s, r)) this.show(8);
      if (r.status === 503 && s && servicePortTarget(s, r)) this.show(19);
    }
    if (s && this.okAt > t - WINDOW_MS && idleTargets(s).length) this.show(5);
    this.recent = this.recent.filter((x) => x.t > t - WINDOW_MS).slice(-400);
    if (!this.seen.has(10) && sticky(this.recent)) this.show(10);
  }

  /** A new snapshot. */
  onState() {
    const s = this.snapshot();
    if (!s) return;
    const lb = s.loadBalancer || {};
    if (!lb.crossZone && (lb.zones || []).some((z) => !z.inDNS)) this.show(17);
    const eps = (s.services || []).map((v) => (v.endpoints || []).filter((e) => e.ready).map((e) => e.pod)).join(';');
    if (this.eps && eps !== this.eps && (s.routers || []).some((r) => r.pendingReload)) this.show(18);
    this.eps = eps;
  }

  /** @param {number} id */
  show(id) {
    if (this.seen.has(0) || this.seen.has(id) || !this.box) return;
    this.seen.add(id);
    try {
      sessionStorage.setItem(KEY, JSON.stringify([...this.seen]));
    } catch {}
    if (id) this.queue.push(id);
    this.pump();
  }

  /** Shows waiting notes while there is room. */
  pump() {
    const { box, doc } = this;
    this.place();
    while (box && this.queue.length && !box.children.length) box.append(note(doc, /** @type {number} */ (this.queue.shift())));
  }

  /** The notes' bottom edge just above the legend's top. */
  place() {
    const box = /** @type {HTMLElement | null} */ (this.box);
    const top = this.legend?.getBoundingClientRect().top || 0;
    if (box && top > 0) box.style.bottom = `${Math.max(8, Math.round(innerHeight - top + 6))}px`;
  }
}

/** Whether a 503's Route has no Service with a ready endpoint. @param {any} s @param {any} r */
function noReadyBackend(s, r) {
  const [ns, name] = (r.route || '').split('/');
  const route = (s.routes || []).find((x) => x.namespace === ns && x.name === name);
  const names = r.service ? [r.service] : (route?.to || []).map((t) => `${ns}/${t.service}`);
  return names.length > 0 && names.every((n) => {
    const v = (s.services || []).find((v) => `${v.namespace}/${v.name}` === n);
    return v && !(v.endpoints || []).some((e) => e.ready);
  });
}

/** Whether a 503's Route names its Service's own port as targetPort. @param {any} s @param {any} r */
function servicePortTarget(s, r) {
  const [ns, name] = (r.route || '').split('/');
  const route = (s.routes || []).find((x) => x.namespace === ns && x.name === name);
  const target = route?.targetPort;
  return !!target && (route.to || []).some((t) => {
    const v = (s.services || []).find((v) => v.namespace === ns && v.name === t.service);
    return (v?.ports || []).some((p) => String(p.port) === target && p.targetPort !== target && p.name !== target);
  });
}

/** Unhealthy targets on Ready nodes without a ready router: ETP Local's, by design. @param {any} s */
export function idleTargets(s) {
  const routed = new Set((s.routers || []).filter((r) => r.ready).map((r) => r.node));
  const ready = new Set((s.nodes || []).filter((n) => n.ready && n.instanceUp).map((n) => n.name));
  return (s.loadBalancer?.targets || []).filter((t) => !t.healthy && ready.has(t.node) && !routed.has(t.node));
}

/** A browser on one pod for 4+ requests while curl spread over 2+ pods in 6+. @param {{c: string, b: boolean, pod: string}[]} recent */
export function sticky(recent) {
  /** @type {Map<string, string[]>} */
  const by = new Map();
  const curl = recent.filter((x) => !x.b);
  for (const x of recent) if (x.b) by.set(x.c, [...(by.get(x.c) || []), x.pod]);
  if (curl.length < 6 || new Set(curl.map((x) => x.pod)).size < 2) return false;
  return [...by.values()].some((pods) => pods.length >= 4 && new Set(pods).size === 1);
}

/**
 * The note for one misconception.
 * @param {Document} doc
 * @param {number} id a key of NOTES
 */
function note(doc, id) {
  const [myth, fact] = NOTES[/** @type {keyof NOTES} */ (id)];
  const el = doc.createElement('aside');
  el.className = 'mnote';
  el.dataset.testid = 'misconception-note';
  el.dataset.id = String(id);
  el.setAttribute('aria-label', `Misconception ${id}`);
  const close = doc.createElement('button');
  close.className = 'popover-close';
  close.dataset.testid = 'misconception-close';
  close.title = 'Dismiss: no more myth notes this session';
  close.setAttribute('aria-label', close.title);
  close.textContent = '×';
  const p = [`Myth: ${myth}`, fact].map((text) => {
    const e = doc.createElement('p');
    e.textContent = text;
    return e;
  });
  el.append(close, ...p);
  return el;
}
