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
  el.hidden = false;
  const r = el.getBoundingClientRect();
  const left = Math.max(8, Math.min(x + 8, innerWidth - r.width - 8));
  const top = Math.max(8, Math.min(y + 8, innerHeight - r.height - 8));
  el.style.left = `${Math.round(left)}px`;
  el.style.top = `${Math.round(top)}px`;
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
      if (id === 'pod-delete') this.actions.send({ type: 'deletePod', ...ref });
      else if (id === 'pod-ready-toggle') this.actions.send({ type: 'setPodReady', ...ref, ready: readinessFailing(pod) });
      else if (id === 'pod-live-fail') this.actions.send({ type: 'setPodLive', ...ref, live: !pod.live });
      else if (id === 'pod-trace') this.traceToPod(pod);
      return undefined;
    });
    e.overflow?.addEventListener('click', (ev) => {
      const b = /** @type {Element} */ (ev.target).closest('button');
      if (!b) return;
      if (b.matches('[data-testid="overflow-close"]')) this.closeOverflow();
      else if (b.matches('[data-testid="overflow-pod"]')) {
        const r = b.getBoundingClientRect();
        this.openMenu(b.getAttribute('data-pod') || '', r.right, r.top);
      }
    });
  }

  /** @param {string} id namespace/name */
  pod(id) {
    return (this.snapshot()?.pods || []).find((p) => `${p.namespace}/${p.name}` === id);
  }

  /**
   * Opens the pod menu for a pod near a point.
   * @param {string} id
   * @param {number} x
   * @param {number} y
   */
  openMenu(id, x, y) {
    this.menuPod = id;
    this.el.menu?.setAttribute('data-pod', id);
    this.syncMenu();
    if (this.el.menu) placeNear(this.el.menu, x, y);
    /** @type {HTMLElement | null | undefined} */ (this.el.menu?.querySelector('[data-testid="pod-delete"]'))?.focus();
  }

  closeMenu() {
    this.menuPod = '';
    if (this.el.menu) this.el.menu.hidden = true;
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
  }

  closeOverflow() {
    this.overflowNode = '';
    if (this.el.overflow) this.el.overflow.hidden = true;
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
    const hidden = (this.snapshot()?.pods || []).filter((p) => p.node === node && !drawn.has(`${p.namespace}/${p.name}`));
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
