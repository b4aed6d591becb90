// @ts-check
// The pod menu (a click on a pod: delete, fail readiness or liveness,
// trace) and the list of the pods a full node cannot draw ("+N more
// pods"). What they show comes from the streamed state (sync); a click
// only sends a command. extras.js loads this module on first use.

import { podState, setText } from './render.js';

/** @typedef {import('./wire.js').Snapshot} Snapshot */
/** @typedef {import('./wire.js').PodView} PodView */

/**
 * Places a popover near a point, inside the window.
 * @param {HTMLElement} el
 * @param {number} x
 * @param {number} y
 */
export function placeNear(el, x, y) {
  placeBeside(el, new DOMRect(x, y + 8, 0, 0));
}

/**
 * Places a popover beside a box (client coordinates): to its right, else
 * to its left, top aligned, inside the window.
 * @param {HTMLElement} el
 * @param {DOMRect} box
 */
export function placeBeside(el, box) {
  el.hidden = false;
  const r = el.getBoundingClientRect();
  let left = box.right + 8;
  if (left + r.width > innerWidth - 8 && box.left - r.width - 8 >= 8) left = box.left - r.width - 8;
  left = Math.max(8, Math.min(left, innerWidth - r.width - 8));
  const top = Math.max(8, Math.min(box.top, innerHeight - r.height - 8));
  el.style.left = `${Math.round(left)}px`;
  el.style.top = `${Math.round(top)}px`;
}

/**
 * Moves focus to el, if it is still in the page.
 * @param {Element | null | undefined} el
 */
function focusOn(el) {
  if (el?.isConnected) /** @type {HTMLElement} */ (el).focus({ preventScroll: true });
}

export class PodMenu {
  /**
   * @param {object} opts
   * @param {Document} opts.doc
   * @param {import('./actions.js').Actions} opts.actions
   * @param {() => Snapshot | null} opts.snapshot
   * @param {(url: string, client: string) => void} opts.trace
   */
  constructor({ doc, actions, snapshot, trace }) {
    this.doc = doc;
    this.actions = actions;
    this.snapshot = snapshot;
    this.trace = trace;
    const q = (/** @type {string} */ id) => /** @type {HTMLElement | null} */ (doc.querySelector(`[data-testid="${id}"]`));
    this.el = { menu: q('pod-menu'), overflow: q('overflow-list') };
    /** @type {string} pod id the menu is for */
    this.menuPod = '';
    /** @type {string} node whose hidden pods are listed */
    this.overflowNode = '';
    /** the menu's pod and its node: it sits beside them, and focus returns there (anchor) */
    this.at = { pod: '', node: '' };
  }

  wire() {
    const e = this.el;
    e.menu?.addEventListener('click', (ev) => {
      const b = /** @type {Element} */ (ev.target).closest('button');
      if (!b) return;
      const id = b.getAttribute('data-testid');
      if (id === 'pod-menu-close') return this.closeMenu();
      const pod = this.pod(this.menuPod);
      if (!pod) return undefined;
      const ref = { namespace: pod.namespace, pod: pod.name };
      if (id === 'pod-delete') {
        // Done with this pod: the menu closes once the server took it.
        const was = this.menuPod;
        this.actions.send({ type: 'deletePod', ...ref }).then((res) => {
          if (res && this.menuPod === was) this.closeMenu(true);
        });
      } else if (id === 'pod-ready-toggle') this.actions.send({ type: 'setPodReady', ...ref, ready: readinessFailing(pod) });
      else if (id === 'pod-live-fail') this.actions.send({ type: 'setPodLive', ...ref, live: !pod.live });
      else if (id === 'pod-trace') this.traceToPod(pod);
      return undefined;
    });
    e.overflow?.addEventListener('click', (ev) => {
      const b = /** @type {Element} */ (ev.target).closest('button');
      if (!b) return;
      if (b.matches('[data-testid="overflow-close"]')) this.closeOverflow();
      else if (b.matches('[data-testid="overflow-pod"]')) {
        // The list gives way to the menu (it would cover it).
        const r = b.getBoundingClientRect();
        this.closeOverflow();
        this.openMenu(b.getAttribute('data-pod') || '', r.right, r.top);
      }
    });
  }

  /** @param {string} id namespace/name */
  pod(id) {
    return (this.snapshot()?.pods || []).find((p) => `${p.namespace}/${p.name}` === id);
  }

  /**
   * Opens the pod menu for a pod: beside its box, or beside its node's
   * "+N more pods" when it has none, else near a point.
   * @param {string} id
   * @param {number} x
   * @param {number} y
   */
  openMenu(id, x, y) {
    const m = this.el.menu;
    this.menuPod = id;
    m?.setAttribute('data-pod', id);
    this.syncMenu();
    this.at = { pod: id, node: this.pod(id)?.node || '' };
    const a = this.anchor();
    if (m && a) placeBeside(m, a.getBoundingClientRect());
    else if (m) placeNear(m, x, y);
    /** @type {HTMLElement | null | undefined} */ (m?.querySelector('.menu button:enabled, .popover-close'))?.focus(); // Delete, unless disabled
  }

  /**
   * Closes the pod menu; focus goes back to its pod (or "+N more pods")
   * when it was in the menu, or when refocus says so.
   * @param {boolean} [refocus]
   */
  closeMenu(refocus) {
    const m = this.el.menu;
    const back = refocus || !!m?.contains(this.doc.activeElement);
    this.menuPod = '';
    if (m) m.hidden = true;
    if (back) focusOn(this.anchor());
  }

  /** The menu's pod box as drawn now (the SVG may have been redrawn), else its node's "+N more pods". */
  anchor() {
    return this.doc.querySelector(`.stage-inner g.pod[data-pod="${CSS.escape(this.at.pod)}"]`) || this.more(this.at.node);
  }

  /** @param {string} node its "+N more pods" */
  more(node) {
    return this.doc.querySelector(`.stage-inner [data-testid="pod-overflow"][data-node="${CSS.escape(node)}"]`);
  }

  /**
   * Lists the pods of a node that have no box, near a point.
   * @param {string} node
   * @param {number} x
   * @param {number} y
   */
  openOverflow(node, x, y) {
    this.overflowNode = node;
    this.el.overflow?.setAttribute('data-node', node);
    this.syncOverflow();
    if (this.el.overflow) placeNear(this.el.overflow, x, y);
    /** @type {HTMLElement | null | undefined} */ (this.el.overflow?.querySelector('button'))?.focus();
  }

  /** Closes the list; focus goes back to its "+N more pods" when it was in the list. */
  closeOverflow() {
    const o = this.el.overflow;
    const back = o?.contains(this.doc.activeElement) && this.more(this.overflowNode);
    this.overflowNode = '';
    if (o) o.hidden = true;
    if (back) focusOn(back);
  }

  /** Closes whichever popover is open; true when one was. */
  closePopovers() {
    const open = !!this.menuPod || !!this.overflowNode;
    this.closeMenu();
    this.closeOverflow();
    return open;
  }

  /** @param {PodView} pod */
  traceToPod(pod) {
    const s = this.snapshot();
    const svc = (s?.services || []).find((v) => (v.endpoints || []).some((ep) => ep.pod === `${pod.namespace}/${pod.name}`));
    const route = (s?.routes || []).find((r) => r.namespace === pod.namespace && (!svc || (/** @type {any} */ (r).to || []).some((t) => t.service === svc.name)));
    const url = route ? `${/** @type {any} */ (route).tls ? 'https' : 'http'}://${route.host}${/** @type {any} */ (route).path || '/'}` : '';
    this.closeMenu();
    this.trace(url, 'curl');
  }

  /** Brings the open popover in line with the latest state. */
  sync() {
    this.syncMenu();
    this.syncOverflow();
  }

  syncMenu() {
    const m = this.el.menu;
    if (!m || !this.menuPod) return;
    const pod = this.pod(this.menuPod);
    setText(m.querySelector('[data-testid="pod-menu-title"]'), this.menuPod);
    const state = pod ? podState(pod) : 'gone';
    setText(
      m.querySelector('[data-testid="pod-menu-state"]'),
      pod ? [state, pod.ip || 'no IP yet', pod.node, `restarts ${/** @type {any} */ (pod).restarts ?? 0}`].join(' · ') : 'this pod no longer exists',
    );
    m.setAttribute('data-state', state);
    for (const b of m.querySelectorAll('button:not(.popover-close)')) /** @type {HTMLButtonElement} */ (b).disabled = !pod;
    if (!pod) return;
    const ns = pod.namespace;
    const failing = readinessFailing(pod);
    const readyBtn = m.querySelector('[data-testid="pod-ready-toggle"]');
    setText(readyBtn, failing ? 'Restore readiness' : 'Fail readiness');
    readyBtn?.setAttribute('data-ready', String(pod.ready));
    const liveBtn = m.querySelector('[data-testid="pod-live-fail"]');
    setText(liveBtn, pod.live ? 'Fail liveness' : 'Restore liveness');
    /** @type {HTMLButtonElement} */ (m.querySelector('[data-testid="pod-delete"]')).disabled = pod.terminating;
    setText(m.querySelector('[data-oc="pod-delete"]'), `oc delete pod ${pod.name} -n ${ns}`);
    setText(
      m.querySelector('[data-oc="pod-ready-toggle"]'),
      failing ? 'equivalent: the readiness probe passes again → back in the endpoints' : 'equivalent: the readiness probe fails → out of the endpoints, not restarted',
    );
    setText(
      m.querySelector('[data-oc="pod-live-fail"]'),
      pod.live ? 'equivalent: the liveness probe fails → the kubelet restarts the container' : 'equivalent: the liveness probe passes again',
    );
    /** @type {HTMLButtonElement} */ (m.querySelector('[data-testid="pod-trace"]')).hidden = !!pod.router;
  }

  syncOverflow() {
    const box = this.el.overflow;
    if (!box || !this.overflowNode) return;
    const node = this.overflowNode;
    const drawn = new Set(Array.from(this.doc.querySelectorAll(`g.pod[data-node="${CSS.escape(node)}"]`), (g) => g.getAttribute('data-pod')));
    const hidden = (this.snapshot()?.pods || [])
      .filter((p) => p.node === node && !drawn.has(`${p.namespace}/${p.name}`))
      .sort((a, b) => byName.compare(a.name, b.name) || byName.compare(a.namespace, b.namespace));
    setText(box.querySelector('[data-testid="overflow-title"]'), `${hidden.length} more pod${hidden.length === 1 ? '' : 's'} on ${node.split('.')[0]}`);
    const ul = box.querySelector('.overflow-pods');
    if (!ul) return;
    const key = hidden.map((p) => `${p.namespace}/${p.name}:${podState(p)}`).join(',');
    if (ul.getAttribute('data-key') === key) return;
    ul.setAttribute('data-key', key);
    ul.replaceChildren(
      ...hidden.map((p) => {
        const li = this.doc.createElement('li');
        const b = this.doc.createElement('button');
        b.type = 'button';
        b.setAttribute('data-testid', 'overflow-pod');
        b.setAttribute('data-pod', `${p.namespace}/${p.name}`);
        b.className = `state-${podState(p)}`;
        b.textContent = `${p.name} · ${podState(p)} · ${p.ip || '–'}`;
        li.append(b);
        return li;
      }),
    );
  }
}

/** Orders pod names as people read them ("web-2" before "web-10"). */
const byName = new Intl.Collator('en', { numeric: true });

/**
 * Whether a pod's readiness probe is made to fail: the snapshot's flag;
 * from an older server without it, a guess (running, not terminating,
 * not ready).
 * @param {PodView} p
 */
export function readinessFailing(p) {
  const f = /** @type {any} */ (p).readinessFailing;
  if (typeof f === 'boolean') return f;
  return p.phase === 'Running' && !p.ready && !p.terminating;
}
