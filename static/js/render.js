// @ts-check
// Drawing. The topology is server-rendered SVG that this module updates in
// place (pods appear in free slots and disappear, classes follow readiness
// and phase, counters follow metrics); requests are dots on a canvas laid
// over the SVG, placed at (now − start) / (end − start) between the
// centres of the hop's `data-el` elements. Only textContent is used for
// data, and only when the text changed.

import { HOP, HOP_FLAG, OUTCOME_OK, WIRE, formatSimTime, nameIndex, names } from './protocol.js';

/** @typedef {import('./wire.js').Snapshot} Snapshot */
/** @typedef {import('./wire.js').PodView} PodView */
/** @typedef {import('./wire.js').Request} Request */
/** @typedef {import('./protocol.js').LiveRequest} LiveRequest */
/** @typedef {import('./wire.js').Hop} Hop */
/** @typedef {{x: number, y: number}} Point */

const MAX_LOG = 120;
const POD_STATES = ['Ready', 'NotReady', 'Pending', 'Terminating'];
const GLYPH = { Ready: '✓', NotReady: '✗', Pending: '…', Terminating: '↓' };
const CONN_TEXT = { connecting: 'connecting…', open: 'live', closed: 'disconnected, retrying…' };

/**
 * Sets an element's text only when it differs (no layout work otherwise).
 * @param {Element | null | undefined} el
 * @param {string} text
 */
export function setText(el, text) {
  if (el && el.textContent !== text) el.textContent = text;
}

/**
 * @param {Element | null | undefined} el
 * @param {string} name
 * @param {string} value
 */
function setAttr(el, name, value) {
  if (el && el.getAttribute(name) !== value) el.setAttribute(name, value);
}

/**
 * Indexes elements by one of their attributes.
 * @param {ParentNode} root
 * @param {string} selector
 * @param {string} attr
 * @returns {Map<string, Element>}
 */
function indexBy(root, selector, attr) {
  const m = new Map();
  for (const el of root.querySelectorAll(selector)) m.set(el.getAttribute(attr) || '', el);
  return m;
}

/** @param {PodView} p */
const podId = (p) => `${p.namespace}/${p.name}`;

/**
 * The state a pod box shows (the same rule as web.podPhase in Go).
 * @param {PodView} p
 */
export function podState(p) {
  if (p.terminating) return 'Terminating';
  if (p.phase !== 'Running') return 'Pending';
  if (!p.ready) return 'NotReady';
  return 'Ready';
}

/**
 * A pod's short name, "shop·x2k4q" (the same rule as web.podLabel in Go).
 * @param {PodView} p
 */
export function podLabel(p) {
  let owner = p.owner || (p.router ? 'router' : '');
  if (!owner || !p.name.startsWith(owner)) return truncate(p.name, 14);
  const suffix = p.name.slice(p.name.lastIndexOf('-') + 1);
  if (owner === 'router-default') owner = 'router';
  return `${truncate(owner, 8)}·${truncate(suffix, 6)}`;
}

/**
 * @param {string} s
 * @param {number} n
 */
function truncate(s, n) {
  const r = Array.from(s);
  return r.length <= n ? s : r.slice(0, n - 1).join('') + '…';
}

/** @param {PodView} p */
const isScheduled = (p) => !!p.node;

/** @param {import('./wire.js').NodeView} n */
const isWorker = (n) => n.role !== 'control-plane' && n.role !== 'master';

export class Renderer {
  /**
   * @param {object} opts
   * @param {Document} opts.doc
   * @param {SVGSVGElement} opts.svg
   * @param {HTMLCanvasElement} opts.canvas
   * @param {boolean} opts.reducedMotion
   */
  constructor({ doc, svg, canvas, reducedMotion }) {
    this.doc = doc;
    this.svg = svg;
    this.canvas = canvas;
    this.ctx = /** @type {CanvasRenderingContext2D} */ (canvas.getContext('2d'));
    this.reducedMotion = reducedMotion;
    /** @type {Map<string, Point>} element id → centre in canvas pixels */
    this.geo = new Map();
    /** @type {Map<string, Element>} element id → element */
    this.els = new Map();
    this.geometryDirty = true;
    /** @type {Map<string, string>} pod id → node, for pods not drawn */
    this.podNode = new Map();
    /** @type {Set<string>} element ids showing a lookup */
    this.lookups = new Set();
    /** @type {WeakMap<Element, string>} pod box → podLabel; fitted: → what its name was cut for */
    this.labels = new WeakMap();
    this.fitted = new WeakMap();
    this.cssW = 0;
    this.cssH = 0;
    this.dpr = window.devicePixelRatio || 1;
    this.drewSomething = false;
    /** Where the last draw put each dot, for clicks: x, y, request (hitN of them). */
    this.hitX = new Float32Array(1024);
    this.hitY = new Float32Array(1024);
    /** @type {(LiveRequest | null)[]} */
    this.hitR = [];
    this.hitN = 0;
    // Positions of hop endpoints by their number in the names table:
    // posKnown 0 = not worked out yet, 1 = at (posX, posY), 2 = not drawn.
    this.posX = new Float64Array(0);
    this.posY = new Float64Array(0);
    this.posKnown = new Uint8Array(0);
    /** per name: the draw that last asked for its lookup flash */
    this.lookStamp = new Uint32Array(0);
    /** @type {number[]} names flashed by this draw */
    this.lookNext = [];
    this.lookupsAt = -Infinity;
    this.frameNo = 0;
    this.kNodePort = nameIndex(HOP.NODEPORT);
    this.kPodNet = nameIndex(HOP.PODNET);
    this.kResponse = nameIndex(HOP.RESPONSE);
    this.dots = new Dots();
    /** @type {Sprite[] | null} */
    this.sprites = null;
    this.spriteDpr = 0;
    this.dotScale = 1;
    /** @type {ImageData | null} */
    this.img = null;
    this.buf = new Uint32Array(0);
    /** @type {{x0: number, y0: number, x1: number, y1: number} | null} rows drawn by the last paint */
    this.dirty = null;
    /** @type {string | undefined} what the Route cards said at the last sync */
    this.routeSig = undefined;
    /** @type {string[]} element ids of the traced path */
    this.pathIds = [];
    this.readColors();
  }

  /** Reads the dot colours from CSS (they follow the colour scheme). */
  readColors() {
    // The custom properties may be light-dark() pairs: resolve each one
    // through a probe element's computed colour.
    const probe = this.doc.createElement('span');
    probe.hidden = true;
    this.doc.body.append(probe);
    const v = (/** @type {string} */ name, /** @type {string} */ dflt) => {
      probe.style.color = dflt;
      probe.style.color = `var(${name})`;
      return getComputedStyle(probe).color || dflt;
    };
    this.colors = {
      request: v('--dot-request', '#0072B2'),
      response: v('--dot-response', '#009E73'),
      failed: v('--dot-failed', '#D55E00'),
      outline: v('--dot-outline', '#ffffff'),
      encap: v('--dot-encap', '#000000'),
    };
    probe.remove();
    this.spriteDpr = 0; // rebuilt at the next draw
  }

  /** @param {SVGSVGElement} svg a freshly fetched topology */
  setSvg(svg) {
    this.svg = svg;
    this.lookups.clear();
    this.geometryDirty = true;
    this.measure();
    this.highlight(this.pathIds);
  }

  /**
   * Marks the elements of a traced path (class on-path); [] clears.
   * Client ids are drawn at the Internet box.
   * @param {string[]} ids
   */
  highlight(ids) {
    if (this.geometryDirty) this.measure();
    for (const el of this.svg.querySelectorAll('.on-path')) el.classList.remove('on-path');
    this.pathIds = ids;
    for (const id of ids) this.els.get(id.startsWith('client:') ? 'internet' : id)?.classList.add('on-path');
  }

  /**
   * The request whose dot the last draw put nearest to a point (canvas
   * CSS pixels), within radius; dots resting within 3 px of rest (an
   * element's centre: a request being served by that pod) do not count.
   * @param {number} x
   * @param {number} y
   * @param {number} [radius]
   * @param {Point} [rest]
   * @returns {LiveRequest | null}
   */
  hitTest(x, y, radius = 12, rest) {
    let best = null;
    let bestD = radius * radius;
    for (let i = 0; i < this.hitN; i++) {
      if (rest && Math.abs(this.hitX[i] - rest.x) < 3 && Math.abs(this.hitY[i] - rest.y) < 3) continue;
      const dx = this.hitX[i] - x;
      const dy = this.hitY[i] - y;
      const d = dx * dx + dy * dy;
      if (d <= bestD) {
        bestD = d;
        best = this.hitR[i];
      }
    }
    return best;
  }

  /** Resizes the canvas to its box; call on resize. */
  resize() {
    const r = this.canvas.getBoundingClientRect();
    const dpr = window.devicePixelRatio || 1;
    this.dpr = dpr;
    this.cssW = r.width;
    this.cssH = r.height;
    const w = Math.round(r.width * dpr);
    const h = Math.round(r.height * dpr);
    if (this.canvas.width !== w || this.canvas.height !== h) {
      this.canvas.width = w;
      this.canvas.height = h;
    }
    this.ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    this.geometryDirty = true;
  }

  /** Measures the centre of every hop endpoint, relative to the canvas. */
  measure() {
    const base = this.canvas.getBoundingClientRect();
    // A diagram drawn much smaller than its size (a large cluster fitted to the stage) gets smaller dots.
    this.dotScale = Math.max(0.55, Math.min(1, (this.svg.getScreenCTM()?.a || 1) / 0.7));
    this.geo.clear();
    this.els.clear();
    /** @param {string} id @param {Element} el */
    const put = (id, el) => {
      const b = el.getBoundingClientRect();
      this.geo.set(id, { x: b.left - base.left + b.width / 2, y: b.top - base.top + b.height / 2 });
    };
    for (const el of this.svg.querySelectorAll('[data-el]')) {
      const id = el.getAttribute('data-el') || '';
      this.els.set(id, el);
      put(id, el);
    }
    this.invalidatePositions();
    for (const el of this.svg.querySelectorAll('.client[data-client]')) put(`client-kind:${el.getAttribute('data-client')}`, el);
    for (const el of this.svg.querySelectorAll('.overflow[data-node]')) put(`overflow:${el.getAttribute('data-node')}`, el);
    this.geometryDirty = false;
  }

  // ---- topology ---------------------------------------------------------

  /**
   * Brings the SVG and the controls in line with a snapshot.
   * @param {Snapshot} s
   * @returns {boolean} true when the snapshot has nodes, zones, Routes or
   *   Services the SVG does not draw, or other settings than it was drawn
   *   with (the caller refetches the topology)
   */
  syncState(s) {
    const svg = this.svg;
    let structural = false;
    const nodeEls = indexBy(svg, 'g.node[data-node]', 'data-node');
    const workers = (s.nodes || []).filter(isWorker);
    for (const n of workers) {
      const g = nodeEls.get(n.name);
      if (!g) {
        structural = true;
        continue;
      }
      setAttr(g, 'data-ready', String(n.ready));
      setAttr(g, 'data-up', String(n.instanceUp));
      g.classList.toggle('not-ready', !n.ready || !n.instanceUp);
      // Same rule as web/format.go nodeState: the condition lags the instance.
      setText(g.querySelector('.node-state'), !n.ready ? '✗ NotReady' : n.instanceUp ? 'Ready' : '✗ down · still Ready');
    }
    if (nodeEls.size !== workers.length) structural = true;
    if (this.syncPods(s, nodeEls)) structural = true;

    const lb = s.loadBalancer || { zones: [], targets: [] };
    const lbNodes = indexBy(svg, '.lb-node[data-zone]', 'data-zone');
    const answers = indexBy(svg, '[data-testid="dns-answer"][data-zone]', 'data-zone');
    for (const z of lb.zones || []) {
      lbNodes.get(z.zone)?.classList.toggle('out', !z.inDNS);
      const a = answers.get(z.zone);
      setAttr(a, 'data-in-dns', String(z.inDNS));
      a?.classList.toggle('out', !z.inDNS);
    }
    const targets = indexBy(svg, '[data-testid="lb-target"]', 'data-node');
    for (const t of lb.targets || []) {
      const el = targets.get(t.node);
      if (!el) continue;
      setAttr(el, 'data-healthy', String(t.healthy));
      setAttr(el, 'data-passing', String(t.passing));
      el.classList.toggle('unhealthy', !t.healthy);
      setText(el.querySelector('.glyph'), t.healthy ? '✓' : '✗');
      setText(el.querySelector('title'), `${t.node}: ${t.healthy ? 'healthy' : 'unhealthy'}`);
    }

    const routeEls = indexBy(svg, '[data-testid="route-card"]', 'data-route');
    for (const r of s.routes || []) {
      const el = routeEls.get(`${r.namespace}/${r.name}`);
      if (el) el.classList.toggle('not-admitted', !r.admitted);
      else structural = true;
    }
    const svcEls = indexBy(svg, '[data-testid="service-card"]', 'data-service');
    for (const sv of s.services || []) {
      const el = svcEls.get(`${sv.namespace}/${sv.name}`);
      if (!el) {
        structural = true;
        continue;
      }
      const eps = sv.endpoints || [];
      const ready = eps.filter((e) => e.ready).length;
      setText(el.querySelector('[data-testid="service-endpoints"]'), `endpoints ${ready}/${eps.length} ready`);
    }
    if (routeEls.size !== (s.routes || []).length || svcEls.size !== (s.services || []).length) structural = true;
    // A Route's cards are drawn by the server: when what they say
    // changes (an edit), the topology is fetched again.
    const routeSig = JSON.stringify((s.routes || []).map((r) => [r.namespace, r.name, r.host, /** @type {any} */ (r).path, /** @type {any} */ (r).to, /** @type {any} */ (r).tls, /** @type {any} */ (r).balance, /** @type {any} */ (r).cookies]));
    if (this.routeSig !== undefined && routeSig !== this.routeSig) structural = true;
    this.routeSig = routeSig;
    // The labels drawn from the settings (web.settingsKey): when those change, refetch.
    const n = s.network;
    const drawn = svg.getAttribute('data-settings');
    if (drawn !== null && drawn !== `${s.loadBalancer?.type}|${!!s.loadBalancer?.crossZone}|${n?.encapsulation}|${n?.kubeProxyMode}|${s.cluster?.openShiftVersion}`) structural = true;

    this.syncDeployments(s);
    return structural;
  }

  /**
   * Places new pods in free slots, updates the others, removes the gone.
   * @param {Snapshot} s
   * @param {Map<string, Element>} nodeEls
   * @returns {boolean} true when a pod is on a node the SVG does not draw
   */
  syncPods(s, nodeEls) {
    const els = indexBy(this.svg, 'g.pod[data-pod]', 'data-pod');
    const pods = (s.pods || []).filter(isScheduled);
    const workers = new Set((s.nodes || []).filter(isWorker).map((n) => n.name));
    const want = new Set(pods.map(podId));
    for (const [id, g] of els) {
      if (!want.has(id)) {
        g.remove();
        els.delete(id);
        this.geometryDirty = true;
      }
    }
    let unknownNode = false;
    /** @type {Map<string, number>} */
    const overflow = new Map();
    this.podNode.clear();
    this.invalidatePositions();
    for (const p of pods) {
      const id = podId(p);
      this.podNode.set(id, p.node);
      let g = els.get(id);
      if (!g) {
        const nodeEl = nodeEls.get(p.node);
        if (!nodeEl) {
          // A worker the SVG lacks means a refetch; control-plane pods are not drawn.
          if (workers.has(p.node)) unknownNode = true;
          continue;
        }
        g = this.placePod(p, id, nodeEl);
        if (!g) {
          overflow.set(p.node, (overflow.get(p.node) || 0) + 1);
          continue;
        }
        this.geometryDirty = true;
      }
      this.updatePod(g, p, id);
    }
    for (const [name, nodeEl] of nodeEls) {
      const n = overflow.get(name) || 0;
      const t = nodeEl.querySelector('.overflow');
      setText(t, n ? `+${n} more pods` : '');
      setAttr(t, 'visibility', n ? 'visible' : 'hidden');
    }
    return unknownNode;
  }

  /**
   * Clones the pod template into the first free slot of a node: the
   * router slot for a router pod, else the grid in order.
   * @param {PodView} p
   * @param {string} id
   * @param {Element} nodeEl
   * @returns {Element | null} null when the node is full
   */
  placePod(p, id, nodeEl) {
    const taken = new Set(Array.from(nodeEl.querySelectorAll('g.pod'), (g) => g.getAttribute('data-slot')));
    let slot = null;
    if (p.router && !taken.has('r')) slot = nodeEl.querySelector('.slot[data-slot="r"]');
    if (!slot) {
      for (const r of nodeEl.querySelectorAll('.slot:not([data-slot="r"])')) {
        if (!taken.has(r.getAttribute('data-slot'))) {
          slot = r;
          break;
        }
      }
    }
    const tpl = /** @type {HTMLTemplateElement | null} */ (this.doc.getElementById(p.router ? 'tpl-router-pod' : 'tpl-app-pod'));
    const proto = tpl?.content.querySelector('g.pod');
    if (!slot || !proto) return null;
    const g = /** @type {Element} */ (this.doc.importNode(proto, true));
    g.setAttribute('data-pod', id);
    g.setAttribute('data-el', `pod:${id}`);
    g.setAttribute('data-node', p.node);
    g.setAttribute('data-slot', slot.getAttribute('data-slot') || '');
    g.setAttribute('transform', `translate(${slot.getAttribute('x')} ${slot.getAttribute('y')})`);
    setText(g.querySelector('.pod-name'), podLabel(p));
    if (!this.reducedMotion) g.classList.add('appear');
    nodeEl.querySelector('g.pods')?.append(g);
    return g;
  }

  /**
   * @param {Element} g
   * @param {PodView} p
   * @param {string} id
   */
  updatePod(g, p, id) {
    const state = podState(p);
    for (const st of POD_STATES) g.classList.toggle(`state-${st}`, st === state);
    setAttr(g, 'data-ready', String(p.ready));
    setAttr(g, 'data-phase', p.phase);
    this.labels.set(g, podLabel(p));
    setText(g.querySelector('.pod-ip'), p.ip || '');
    setText(g.querySelector('.pod-status'), GLYPH[state]);
    setText(g.querySelector('title'), [id, p.ip, state, ...(p.router ? ['HAProxy router'] : [])].join(' · '));
  }

  /**
   * Updates each deployment's desired and ready counts. A count the user
   * just asked for (data-pending) shows until the state agrees.
   * @param {Snapshot} s
   */
  syncDeployments(s) {
    const lis = indexBy(this.doc, '[data-testid="deployment-control"]', 'data-deployment');
    const template = lis.values().next().value;
    for (const d of s.deployments || []) {
      const id = `${d.namespace}/${d.name}`;
      let li = lis.get(id);
      if (!li && template) {
        li = /** @type {Element} */ (template.cloneNode(true));
        li.setAttribute('data-deployment', id);
        li.removeAttribute('data-pending');
        li.setAttribute('data-command', 'scale');
        setText(li.querySelector('.dep-name'), id);
        li.querySelector('[data-testid="scale-down"]')?.setAttribute('aria-label', `Scale ${id} down`);
        li.querySelector('[data-testid="scale-up"]')?.setAttribute('aria-label', `Scale ${id} up`);
        template.parentElement?.append(li);
      }
      if (!li) continue;
      lis.delete(id);
      const pending = li.getAttribute('data-pending');
      let shown = d.replicas;
      if (pending !== null) {
        if (Number(pending) === d.replicas) li.removeAttribute('data-pending');
        else shown = Number(pending);
      }
      setText(li.querySelector('[data-testid="scale-replicas"]'), String(shown));
      setText(li.querySelector('[data-testid="ready-replicas"]'), `${d.readyReplicas}/${d.replicas} ready`);
    }
    for (const li of lis.values()) li.remove();
  }

  /**
   * Counters, totals, status codes and per-pod shares.
   * @param {import('./wire.js').Metrics} m
   * @param {Snapshot | null} s
   */
  syncMetrics(m, s) {
    const byPod = m.byPod || {};
    /** @type {Element[]} */
    const refit = [];
    for (const g of this.svg.querySelectorAll('g.pod[data-pod]')) {
      const n = byPod[g.getAttribute('data-pod') || ''] || 0;
      // Router pods serve nothing themselves: no count unless there is one.
      const c = n === 0 && g.classList.contains('router') ? '' : compactCount(n);
      setText(g.querySelector('.pod-count'), c);
      // The name makes room when the count's shape (0, 00, 0.0k…) changes.
      const key = `${c.replace(/\d/g, '0')}|${this.labels.get(g)}`;
      if (this.fitted.get(g) !== key) {
        this.fitted.set(g, key);
        refit.push(g);
      }
    }
    if (refit.length) fitNames(refit, this.labels);
    const doc = this.doc;
    setText(doc.querySelector('[data-testid="metric-requests"]'), String(m.requests || 0));

    const codes = m.statusCodes || {};
    const codeList = doc.querySelector('[data-testid="status-codes"]');
    if (codeList) {
      const keys = Object.keys(codes).sort();
      syncList(codeList, keys, 'data-code', (li, code) => {
        li.append(span('code', code), span('n', ''));
      });
      for (const li of codeList.children) {
        setText(li.querySelector('.n'), String(codes[li.getAttribute('data-code') || ''] || 0));
      }
    }

    const shares = doc.querySelector('[data-testid="pod-shares"]');
    if (shares && s) {
      const apps = (s.pods || []).filter((p) => !p.router);
      const total = apps.reduce((sum, p) => sum + (byPod[podId(p)] || 0), 0);
      syncList(shares, apps.map(podId), 'data-pod', (li, id) => {
        const p = /** @type {PodView} */ (apps.find((x) => podId(x) === id));
        const name = span('share-name', podLabel(p));
        name.title = id;
        const meter = doc.createElement('meter');
        meter.min = 0;
        meter.max = 100;
        li.append(name, meter, span('share-pct', ''));
      });
      for (const li of shares.children) {
        const n = byPod[li.getAttribute('data-pod') || ''] || 0;
        const pct = total > 0 ? Math.round((n * 100) / total) : 0;
        const meter = /** @type {HTMLMeterElement | null} */ (li.querySelector('meter'));
        if (meter && meter.value !== pct) meter.value = pct;
        setText(li.querySelector('.share-pct'), `${pct}%`);
      }
    }
  }

  /**
   * Clock controls, sampling note.
   * @param {import('./wire.js').Clock} c
   * @param {number} sampled
   */
  syncClock(c, sampled) {
    const doc = this.doc;
    setAttr(doc.querySelector('[data-testid="pause"]'), 'aria-pressed', String(!!c.paused));
    setAttr(doc.querySelector('[data-testid="play"]'), 'aria-pressed', String(!c.paused));
    doc.querySelector('[data-testid="sim-time"]')?.classList.toggle('paused', !!c.paused);
    const sel = /** @type {HTMLSelectElement | null} */ (doc.querySelector('[data-testid="speed"]'));
    if (sel && doc.activeElement !== sel) {
      let best = sel.value;
      let diff = Infinity;
      for (const o of sel.options) {
        const d = Math.abs(Number(o.value) - c.speed);
        if (d < diff) [best, diff] = [o.value, d];
      }
      if (sel.value !== best) sel.value = best;
    }
    const note = /** @type {HTMLElement | null} */ (doc.querySelector('[data-testid="sampled"]'));
    if (note) {
      const k = sampled > 1 ? Math.round(sampled) : 1;
      setText(note, k > 1 ? `showing 1 in ${k} requests` : '');
      if (note.hidden !== (k <= 1)) note.hidden = k <= 1;
    }
  }

  /** @param {number} ms */
  setSimTime(ms) {
    setText(this.doc.querySelector('[data-testid="sim-time"]'), formatSimTime(ms));
  }

  /** @param {'connecting' | 'open' | 'closed'} state */
  setConn(state) {
    const el = this.doc.querySelector('[data-testid="conn-status"]');
    setAttr(el, 'data-state', state);
    setText(el, CONN_TEXT[state]);
  }

  /**
   * Adds lines to the event log, newest first.
   * @param {{timeMs: number, kind: string, message: string, object?: string}[]} events
   */
  appendLog(events) {
    const ol = this.doc.querySelector('[data-testid="event-log"]');
    if (!ol || !events.length) return;
    for (const e of events) {
      const li = this.doc.createElement('li');
      li.setAttribute('data-kind', e.kind);
      li.setAttribute('data-object', e.object || '');
      li.setAttribute('data-t', String(e.timeMs));
      li.append(span('time', formatSimTime(e.timeMs)), span('kind', e.kind), span('msg', e.message));
      // Five clicks on scale + make one line: a command replaces the newest
      // command line when that was on the same object less than 5 s before.
      if (e.kind === 'command' && e.object) {
        const prev = ol.querySelector('li[data-kind="command"]');
        if (prev?.getAttribute('data-object') === e.object && e.timeMs - Number(prev.getAttribute('data-t')) < 5000) prev.remove();
      }
      ol.prepend(li);
    }
    while (ol.children.length > MAX_LOG) ol.lastElementChild?.remove();
  }

  // ---- canvas -----------------------------------------------------------
  //
  // Dots are stamped into an ImageData from pre-rendered sprites (one per
  // style, rebuilt when the colours or the pixel ratio change) and put on
  // the canvas once per frame, limited to the rows and columns that
  // changed. Measured on the 2-core machine: 10,000 arcs in one path
  // (fill + outline stroke) take ~1 fps in software rendering, while
  // stamping the same dots costs a few ms of script and one putImageData.
  // Per frame nothing is allocated: positions come from typed arrays
  // indexed by the page's names table (protocol.js), the dots of each
  // style from reusable buffers.

  /**
   * Builds the sprites: each style drawn once with the canvas API, then
   * kept as the coordinates and colours of its pixels.
   */
  buildSprites() {
    const dpr = this.spriteDpr;
    const c = this.colors;
    /**
     * @param {number} half the sprite's half size, CSS px
     * @param {(g: CanvasRenderingContext2D) => void} paint draws around (0, 0)
     * @returns {Sprite}
     */
    const make = (half, paint) => {
      const size = Math.ceil(2 * half * dpr);
      const cv = this.doc.createElement('canvas');
      cv.width = size;
      cv.height = size;
      const g = /** @type {CanvasRenderingContext2D} */ (cv.getContext('2d', { willReadFrequently: true }));
      g.setTransform(dpr, 0, 0, dpr, size / 2, size / 2);
      paint(g);
      const px = new Uint32Array(g.getImageData(0, 0, size, size).data.buffer);
      /** @type {number[][]} */
      const solid = [[], [], []];
      /** @type {number[][]} */
      const edge = [[], [], []];
      for (let y = 0; y < size; y++) {
        for (let x = 0; x < size; x++) {
          const v = px[y * size + x];
          const a = v >>> 24;
          if (!a) continue;
          const into = a === 255 ? solid : edge;
          into[0].push(x);
          into[1].push(y);
          into[2].push(v);
        }
      }
      return {
        half: size / 2,
        size,
        solidX: Int16Array.from(solid[0]),
        solidY: Int16Array.from(solid[1]),
        solidV: Uint32Array.from(solid[2]),
        edgeX: Int16Array.from(edge[0]),
        edgeY: Int16Array.from(edge[1]),
        edgeV: Uint32Array.from(edge[2]),
        solidOff: new Int32Array(0),
        edgeOff: new Int32Array(0),
        stride: -1,
      };
    };
    this.sprites = [
      // ENC: the outer ring of an encapsulated hop
      make(12, (g) => {
        g.lineWidth = 1.5;
        g.strokeStyle = c.encap;
        g.beginPath();
        g.arc(0, 0, 10, 0, Math.PI * 2);
        g.stroke();
      }),
      // REQ: a request, a circle
      make(7, (g) => {
        g.lineWidth = 1.5;
        g.strokeStyle = c.outline;
        g.fillStyle = c.request;
        g.beginPath();
        g.arc(0, 0, 5, 0, Math.PI * 2);
        g.fill();
        g.stroke();
      }),
      // RESP: a response, a diamond
      make(8, (g) => {
        g.lineWidth = 1.5;
        g.strokeStyle = c.outline;
        g.fillStyle = c.response;
        g.beginPath();
        g.moveTo(0, -6);
        g.lineTo(6, 0);
        g.lineTo(0, 6);
        g.lineTo(-6, 0);
        g.closePath();
        g.fill();
        g.stroke();
      }),
      // FAIL: a failure, a cross
      make(10, (g) => {
        g.lineCap = 'round';
        g.beginPath();
        g.moveTo(-6, -6);
        g.lineTo(6, 6);
        g.moveTo(6, -6);
        g.lineTo(-6, 6);
        g.lineWidth = 5.5;
        g.strokeStyle = c.outline;
        g.stroke();
        g.lineWidth = 3;
        g.strokeStyle = c.failed;
        g.stroke();
      }),
    ];
  }

  /** The canvas's pixel buffer, (re)made for its current size. */
  pixels() {
    const w = this.canvas.width;
    const h = this.canvas.height;
    if (!this.img || this.img.width !== w || this.img.height !== h) {
      this.img = w > 0 && h > 0 ? this.ctx.createImageData(w, h) : null;
      this.buf = this.img ? new Uint32Array(this.img.data.buffer) : new Uint32Array(0);
      this.dirty = null;
    }
    return this.img;
  }

  /** Makes room for every name's position. */
  growPositions() {
    const n = names.list.length;
    if (this.posX.length >= n) return;
    let cap = Math.max(256, this.posX.length);
    while (cap < n) cap *= 2;
    const x = new Float64Array(cap);
    const y = new Float64Array(cap);
    const known = new Uint8Array(cap);
    x.set(this.posX);
    y.set(this.posY);
    known.set(this.posKnown);
    this.posX = x;
    this.posY = y;
    this.posKnown = known;
    this.lookStamp = Uint32Array.from({ length: cap }, (_, i) => this.lookStamp[i] || 0);
  }

  /** Forgets where names are drawn (the geometry or the pods moved). */
  invalidatePositions() {
    this.posKnown.fill(0);
  }

  /**
   * Works out where a name (a hop endpoint) is drawn: its element's
   * centre; a client at its kind's box or the Internet; a pod not drawn
   * at its node's "+N more" or the node.
   * @param {number} i a number of the names table
   */
  resolve(i) {
    const id = names.list[i];
    let p = this.geo.get(id);
    if (!p && id.startsWith('client:')) p = this.geo.get(`client-kind:${names.clientKind.get(id)}`) || this.geo.get('internet');
    if (!p && id.startsWith('pod:')) {
      const node = this.podNode.get(id.slice(4));
      if (node) p = this.geo.get(`overflow:${node}`) || this.geo.get(`node:${node}`);
    }
    if (p) {
      this.posX[i] = p.x;
      this.posY[i] = p.y;
      this.posKnown[i] = 1;
    } else {
      this.posKnown[i] = 2;
    }
  }

  /**
   * Draws every request in flight at virtual time now.
   * @param {number} now
   * @param {Iterable<LiveRequest>} requests
   */
  draw(now, requests) {
    if (this.geometryDirty) this.measure();
    if (this.spriteDpr !== this.dpr * this.dotScale) {
      this.spriteDpr = this.dpr * this.dotScale;
      this.buildSprites();
    }
    this.growPositions();
    const posX = this.posX;
    const posY = this.posY;
    const known = this.posKnown;
    const stamp = this.lookStamp;
    const look = this.lookNext;
    look.length = 0;
    const frameNo = ++this.frameNo;
    const reduced = this.reducedMotion;
    const kNodePort = this.kNodePort;
    const kPodNet = this.kPodNet;
    const kResponse = this.kResponse;
    const H = WIRE.HEADER;
    const HW = WIRE.HOP;
    const dots = this.dots;
    dots.n = 0;
    let hits = 0;
    for (const r of requests) {
      const t = now - r.startMs;
      if (t < 0) continue;
      const w = r.w;
      const n = w.length;
      if (n <= H) continue;
      let o = -1;
      let frac = 1;
      let lingering = false;
      if (now >= r.endMs) {
        if (r.outcome === OUTCOME_OK) continue;
        lingering = true;
        o = n - HW;
        for (let i = H; i < n; i += HW) {
          if (w[i + 5] & HOP_FLAG.FAILED) {
            o = i;
            break;
          }
        }
      } else {
        let last = -1;
        for (let i = H; i < n; i += HW) {
          const s = w[i + 3];
          const e = w[i + 4];
          if (s <= t && t < e) {
            o = i;
            frac = reduced ? 1 : (t - s) / (e - s);
            break;
          }
          if (e <= t && (last < 0 || e >= w[last + 4])) last = i;
        }
        if (o < 0) {
          if (last < 0) continue;
          o = last;
        }
      }
      const a = w[o + 1];
      const b = w[o + 2];
      if (known[a] === 0) this.resolve(a);
      if (known[b] === 0) this.resolve(b);
      if (known[a] !== 1 || known[b] !== 1) continue;
      const ax = posX[a];
      const ay = posY[a];
      const x = ax + (posX[b] - ax) * frac;
      const y = ay + (posY[b] - ay) * frac;
      const flags = w[o + 5];
      const kind = w[o];
      const isResponse = (flags & HOP_FLAG.RESPONSE) !== 0 || kind === kResponse;
      const failed = lingering || (flags & HOP_FLAG.FAILED) !== 0 || (isResponse && r.outcome !== OUTCOME_OK);
      dots.push(x, y, failed ? FAIL : isResponse ? RESP : REQ, flags >> HOP_FLAG.ENCAP_SHIFT !== 0 && frac > 0 && frac < 1);
      if (hits === this.hitX.length) this.growHits();
      this.hitX[hits] = x;
      this.hitY[hits] = y;
      this.hitR[hits] = r;
      hits++;
      if (!isResponse && ((kind === kNodePort && frac === 1) || (kind === kPodNet && frac < 0.3))) {
        if (r.routeEl && stamp[r.routeEl] !== frameNo) {
          stamp[r.routeEl] = frameNo;
          look.push(r.routeEl);
        }
        if (r.serviceEl && stamp[r.serviceEl] !== frameNo) {
          stamp[r.serviceEl] = frameNo;
          look.push(r.serviceEl);
        }
      }
    }
    // Drop references to requests no longer drawn (they may be pruned).
    for (let i = hits; i < this.hitN; i++) this.hitR[i] = null;
    this.hitN = hits;
    this.paint();
    this.drewSomething = dots.n > 0;
    // The lookup flashes are DOM changes: at most every LOOKUP_MS.
    const wall = performance.now();
    if (wall - this.lookupsAt >= LOOKUP_MS || (look.length === 0 && this.lookups.size > 0)) {
      this.lookupsAt = wall;
      this.syncLookups(new Set(look.map((i) => names.list[i])));
    }
  }

  growHits() {
    const cap = Math.max(1024, this.hitX.length * 2);
    const x = new Float32Array(cap);
    const y = new Float32Array(cap);
    x.set(this.hitX);
    y.set(this.hitY);
    this.hitX = x;
    this.hitY = y;
  }

  /** Stamps the dots of this draw into the pixel buffer and puts the rows that changed. */
  paint() {
    const img = this.pixels();
    if (!img) return;
    const buf = this.buf;
    const W = img.width;
    const Hh = img.height;
    const prev = this.dirty;
    if (prev) buf.fill(0, prev.y0 * W, prev.y1 * W);
    const dots = this.dots;
    const dpr = this.dpr;
    const box = { x0: W, y0: Hh, x1: 0, y1: 0 };
    // Rings first, then requests, responses, failures on top.
    const enc = /** @type {Sprite[]} */ (this.sprites)[ENC];
    for (let i = 0; i < dots.n; i++) if (dots.enc[i]) this.stamp(enc, dots.x[i] * dpr, dots.y[i] * dpr, W, Hh, box);
    for (const style of [REQ, RESP, FAIL]) {
      const sp = /** @type {Sprite[]} */ (this.sprites)[style];
      for (let i = 0; i < dots.n; i++) if (dots.style[i] === style) this.stamp(sp, dots.x[i] * dpr, dots.y[i] * dpr, W, Hh, box);
    }
    const cur = box.x1 > box.x0 ? box : null;
    this.dirty = cur ? { x0: 0, y0: cur.y0, x1: W, y1: cur.y1 } : null;
    if (!cur && !prev) return; // nothing was drawn, nothing is drawn
    const y0 = Math.min(cur ? cur.y0 : Hh, prev ? prev.y0 : Hh);
    const y1 = Math.max(cur ? cur.y1 : 0, prev ? prev.y1 : 0);
    this.ctx.putImageData(img, 0, 0, 0, y0, W, y1 - y0);
  }

  /**
   * Copies a sprite centred on (cx, cy), device pixels: solid pixels
   * over anything, edge pixels only where nothing is yet.
   * @param {Sprite} sp
   * @param {number} cx
   * @param {number} cy
   * @param {number} W
   * @param {number} Hh
   * @param {{x0: number, y0: number, x1: number, y1: number}} box grows to the rows and columns written
   */
  stamp(sp, cx, cy, W, Hh, box) {
    const x0 = Math.round(cx - sp.half);
    const y0 = Math.round(cy - sp.half);
    const buf = this.buf;
    if (x0 >= 0 && y0 >= 0 && x0 + sp.size <= W && y0 + sp.size <= Hh) {
      if (sp.stride !== W) {
        sp.solidOff = Int32Array.from(sp.solidX, (x, k) => sp.solidY[k] * W + x);
        sp.edgeOff = Int32Array.from(sp.edgeX, (x, k) => sp.edgeY[k] * W + x);
        sp.stride = W;
      }
      const base = y0 * W + x0;
      const so = sp.solidOff;
      const sv = sp.solidV;
      for (let k = 0; k < so.length; k++) buf[base + so[k]] = sv[k];
      const eo = sp.edgeOff;
      const ev = sp.edgeV;
      for (let k = 0; k < eo.length; k++) {
        const p = base + eo[k];
        if (buf[p] === 0) buf[p] = ev[k];
      }
    } else {
      // Near the border: pixel by pixel.
      for (let k = 0; k < sp.solidX.length; k++) {
        const x = x0 + sp.solidX[k];
        const y = y0 + sp.solidY[k];
        if (x >= 0 && y >= 0 && x < W && y < Hh) buf[y * W + x] = sp.solidV[k];
      }
      for (let k = 0; k < sp.edgeX.length; k++) {
        const x = x0 + sp.edgeX[k];
        const y = y0 + sp.edgeY[k];
        if (x >= 0 && y >= 0 && x < W && y < Hh && buf[y * W + x] === 0) buf[y * W + x] = sp.edgeV[k];
      }
    }
    if (x0 < box.x0) box.x0 = Math.max(0, x0);
    if (y0 < box.y0) box.y0 = Math.max(0, y0);
    if (x0 + sp.size > box.x1) box.x1 = Math.min(W, x0 + sp.size);
    if (y0 + sp.size > box.y1) box.y1 = Math.min(Hh, y0 + sp.size);
  }

  /**
   * Finds the hop a request is on at virtual time now and how far along.
   * Between hops the dot waits at the end of the last one; after the
   * request a failure's mark lingers where it failed.
   * @param {Request} r
   * @param {number} now
   * @returns {{hop: Hop, frac: number, lingering: boolean} | null}
   */
  locate(r, now) {
    const hops = r.hops;
    if (!hops || !hops.length || now < r.startMs) return null;
    if (now >= r.endMs) {
      if (r.outcome === OUTCOME_OK) return null;
      const hop = hops.find((h) => h.failed) || hops[hops.length - 1];
      return { hop, frac: 1, lingering: true };
    }
    /** @type {Hop | null} */
    let last = null;
    for (const h of hops) {
      if (h.startMs <= now && now < h.endMs) {
        const frac = this.reducedMotion ? 1 : (now - h.startMs) / (h.endMs - h.startMs);
        return { hop: h, frac, lingering: false };
      }
      if (h.endMs <= now && (!last || h.endMs >= last.endMs)) last = h;
    }
    return last ? { hop: last, frac: 1, lingering: false } : null;
  }

  /**
   * Flashes the Route and Service cards a router is looking up.
   * @param {Set<string>} next
   */
  syncLookups(next) {
    for (const id of this.lookups) if (!next.has(id)) this.els.get(id)?.classList.remove('lookup');
    for (const id of next) if (!this.lookups.has(id)) this.els.get(id)?.classList.add('lookup');
    this.lookups = next;
  }
}

/** Sprite styles, in the order of Renderer.sprites. */
const ENC = 0;
const REQ = 1;
const RESP = 2;
const FAIL = 3;

/** The lookup flashes change the DOM at most this often, wall ms. */
const LOOKUP_MS = 100;

/**
 * A pre-rendered dot: its pixels' offsets from the top-left corner and
 * their RGBA values, split into opaque and anti-aliased edge pixels.
 * @typedef {object} Sprite
 * @property {number} half  half the side, device px
 * @property {number} size  side, device px
 * @property {Int16Array} solidX
 * @property {Int16Array} solidY
 * @property {Uint32Array} solidV
 * @property {Int16Array} edgeX
 * @property {Int16Array} edgeY
 * @property {Uint32Array} edgeV
 * @property {Int32Array} solidOff  offsets in a buffer of width stride
 * @property {Int32Array} edgeOff
 * @property {number} stride
 */

/** The dots of one draw, in reusable typed arrays. */
class Dots {
  constructor() {
    this.n = 0;
    this.x = new Float32Array(1024);
    this.y = new Float32Array(1024);
    this.style = new Uint8Array(1024);
    this.enc = new Uint8Array(1024);
  }

  /**
   * @param {number} x
   * @param {number} y
   * @param {number} style
   * @param {boolean} enc
   */
  push(x, y, style, enc) {
    if (this.n === this.x.length) {
      const grow = (/** @type {any} */ a) => {
        const b = new a.constructor(a.length * 2);
        b.set(a);
        return b;
      };
      this.x = grow(this.x);
      this.y = grow(this.y);
      this.style = grow(this.style);
      this.enc = grow(this.enc);
    }
    this.x[this.n] = x;
    this.y[this.n] = y;
    this.style[this.n] = style;
    this.enc[this.n] = enc ? 1 : 0;
    this.n++;
  }
}

/**
 * Cuts pod names to end 6 units before their counts: the owner first (the
 * suffix tells pods apart), then the end. Widths are measured on a canvas
 * in the fonts the SVG uses, so a new pod costs no layout of the page on
 * the way to its first paint.
 * @param {Element[]} gs
 * @param {WeakMap<Element, string>} labels
 */
function fitNames(gs, labels) {
  for (const g of gs) {
    const [name, count] = Array.from(g.querySelectorAll('.pod-name, .pod-count'));
    const w = textWidths(name, count);
    const c = count.textContent || '';
    const room = +(count.getAttribute('x') || 0) - +(name.getAttribute('x') || 0) - (c ? w.count(c) + 6 : 0);
    name.textContent = fitText(labels.get(g) ?? name.textContent ?? '', room, w.name);
  }
}

/** @type {{name: (s: string) => number, count: (s: string) => number} | null} */
let widths = null;

/**
 * Text widths in the pod name's and count's fonts, read once from their
 * computed style and measured on an offscreen canvas.
 * @param {Element} name
 * @param {Element} count
 */
function textWidths(name, count) {
  if (!widths) {
    const ctx = /** @type {CanvasRenderingContext2D} */ (name.ownerDocument.createElement('canvas').getContext('2d'));
    const font = (/** @type {Element} */ el) => {
      const cs = getComputedStyle(el);
      return `${cs.fontWeight} ${cs.fontSize} ${cs.fontFamily}`;
    };
    const measure = (/** @type {string} */ f) => (/** @type {string} */ s) => {
      ctx.font = f;
      return ctx.measureText(s).width;
    };
    widths = { name: measure(font(name)), count: measure(font(count)) };
  }
  return widths;
}

/**
 * full, or cut with "…" to fit room: keeping the part from "·" on (the
 * owner may shrink to nothing), else the start.
 * @param {string} full
 * @param {number} room
 * @param {(s: string) => number} width
 */
function fitText(full, room, width) {
  if (width(full) <= room) return full;
  const d = full.indexOf('·');
  for (const end of d > 0 ? [full.slice(d), ''] : ['']) {
    for (let i = full.length - end.length - 1; i >= (end ? 0 : 1); i--) {
      const t = `${full.slice(0, i)}…${end}`;
      if (width(t) <= room) return t;
    }
  }
  return `${full.slice(0, 1)}…`;
}

/**
 * A pod's counter, short enough not to run into its name: 999, 1.2k,
 * 12k, 1.2M (the same as web.compactCount in Go).
 * @param {number} n
 */
export function compactCount(n) {
  if (n < 1000) return String(n);
  if (n < 10000) return `${Math.floor(n / 100) / 10}k`;
  if (n < 1e6) return `${Math.floor(n / 1000)}k`;
  return `${Math.floor(n / 1e5) / 10}M`;
}

/**
 * @param {string} cls
 * @param {string} text
 */
function span(cls, text) {
  const s = document.createElement('span');
  s.className = cls;
  s.textContent = text;
  return s;
}

/**
 * Makes a list's items match keys (held in attribute keyAttr), keeping
 * the items that stay where they are, creating the missing with make and
 * dropping the rest: one new pod inserts one item, it does not re-insert
 * (and re-lay out) the other two hundred.
 * @param {Element} list
 * @param {string[]} keys
 * @param {string} keyAttr
 * @param {(li: HTMLLIElement, key: string) => void} make
 */
function syncList(list, keys, keyAttr, make) {
  const have = Array.from(list.children, (li) => li.getAttribute(keyAttr));
  if (have.length === keys.length && have.every((k, i) => k === keys[i])) return;
  const want = new Set(keys);
  /** @type {Map<string | null, Element>} */
  const old = new Map();
  for (const li of Array.from(list.children)) {
    const k = li.getAttribute(keyAttr);
    if (want.has(k || '')) old.set(k, li);
    else li.remove();
  }
  let at = list.firstElementChild;
  for (const k of keys) {
    if (at && at.getAttribute(keyAttr) === k) {
      at = at.nextElementSibling;
      continue;
    }
    let li = old.get(k);
    if (!li) {
      const fresh = document.createElement('li');
      fresh.setAttribute(keyAttr, k);
      make(fresh, k);
      li = fresh;
    }
    list.insertBefore(li, at);
  }
}
