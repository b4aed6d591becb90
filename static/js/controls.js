// @ts-check
// Controls: buttons, the speed select and keys → POST /api/commands and
// /api/clock. The result comes back through the stream for every viewer;
// a refused request shows its error in the error toast.

import { apiURL, authHeaders } from './base.js';
import { FOLLOWER_TEXT } from './room.js';

/** How long the error toast stays, wall ms. */
const TOAST_MS = 6000;

/** @type {((state: import('./wire.js').Snapshot) => void) | null} */
let commandStateListener = null;

/**
 * Registers the one listener told the state of every accepted command's
 * answer (POST /api/commands answers {ok, state}), so the page draws the
 * change without waiting for the stream. With no listener (null) the page
 * asks for the answer without the state (?state=none): parsing a large
 * cluster's state twice would only delay the drawing.
 * @param {((state: import('./wire.js').Snapshot) => void) | null} fn
 */
export function onCommandState(fn) {
  commandStateListener = fn;
}

/**
 * An error the server answered (docs/api.md, Errors): its text, and as
 * data its code and the field at fault, which the page reads instead of
 * the text.
 */
export class ApiError extends Error {
  /**
   * @param {Partial<import('./wire.js').ErrorPayload>} p
   * @param {number} [status] the HTTP status (0 on the socket)
   */
  constructor(p, status = 0) {
    super(p.error || `HTTP ${status}`);
    this.code = p.code || '';
    this.field = p.field || '';
    this.reason = p.reason || '';
    this.status = status;
  }
}

/**
 * POSTs JSON and throws an ApiError carrying the server's error.
 * @param {string} url
 * @param {unknown} body
 */
export async function postJSON(url, body) {
  const short = url === '/api/commands' && !commandStateListener;
  const res = await fetch(apiURL(short ? `${url}?state=none` : url), {
    method: 'POST',
    headers: authHeaders({ 'Content-Type': 'application/json', Accept: 'application/json' }),
    body: JSON.stringify(body),
  });
  if (res.ok) {
    const data = await res.json().catch(() => null);
    if (url === '/api/commands' && data && data.state) commandStateListener?.(data.state);
    return data;
  }
  /** @type {Partial<import('./wire.js').ErrorPayload>} */
  let payload = { error: `${res.status} ${res.statusText}` };
  try {
    const data = await res.json();
    if (data && typeof data.error === 'string') payload = data;
  } catch {
    // not JSON: keep the status line
  }
  throw new ApiError(payload, res.status);
}

/** An error in the page's words (a follower's refusal, by its code). @param {unknown} err */
const human = (err) => (err instanceof ApiError && err.code === 'forbidden' ? FOLLOWER_TEXT : err instanceof Error ? err.message : String(err));

export class Controls {
  /**
   * @param {object} opts
   * @param {Document} opts.doc
   * @param {(id: string) => number | undefined} opts.desired  the desired replicas in the latest state
   * @param {() => boolean} opts.paused
   */
  constructor({ doc, desired, paused }) {
    this.doc = doc;
    this.desired = desired;
    this.paused = paused;
    this.toast = /** @type {HTMLElement | null} */ (doc.querySelector('[data-testid="error-toast"]'));
    /** @type {number | undefined} */
    this.toastTimer = undefined;
    /** @type {((oc: string) => void) | null} called with each accepted command's oc equivalent (the oc strip) */
    this.onCommand = null;
  }

  /** Listens for clicks, changes and keys on the whole document. */
  wire() {
    const doc = this.doc;
    doc.addEventListener('click', (ev) => {
      const el = /** @type {Element} */ (ev.target).closest?.('[data-action], [data-testid="presentation"], [data-testid="error-toast"]');
      if (!el) return;
      if (el.matches('[data-testid="presentation"]')) this.togglePresentation();
      else if (el.matches('[data-testid="error-toast"]')) this.hideToast();
      else this.act(el.getAttribute('data-action') || '', el);
    });
    doc.addEventListener('change', (ev) => {
      const el = /** @type {HTMLSelectElement} */ (ev.target);
      if (el.matches?.('[data-action="speed"]')) this.clock({ speed: Number(el.value) });
    });
    doc.addEventListener('keydown', (ev) => this.key(ev));
  }

  /**
   * @param {string} action
   * @param {Element} el
   */
  act(action, el) {
    switch (action) {
      case 'pause':
        return this.clock({ paused: true });
      case 'play':
        return this.clock({ paused: false });
      case 'advance':
        return this.clock({ advanceMs: 1000 });
      case 'scale-up':
      case 'scale-down': {
        const li = el.closest('[data-deployment]');
        if (li) this.scale(li, action === 'scale-up' ? 1 : -1);
        return undefined;
      }
    }
    return undefined;
  }

  /** @param {Record<string, unknown>} body */
  async clock(body) {
    try {
      await postJSON('/api/clock', body);
    } catch (err) {
      this.showError(err);
    }
  }

  /**
   * Asks for one more or one fewer replica (data-command says which
   * command: scale, or scaleRouters for the routers). The new count shows at once
   * (data-pending) and stays until the stream's state agrees; clicks in a
   * row count from it.
   * @param {Element} li
   * @param {number} delta
   */
  async scale(li, delta) {
    const id = li.getAttribute('data-deployment') || '';
    const slash = id.indexOf('/');
    const out = li.querySelector('[data-testid="scale-replicas"]');
    const pending = li.getAttribute('data-pending');
    const current = pending !== null ? Number(pending) : (this.desired(id) ?? Number(out?.textContent || 0));
    const replicas = Math.max(0, current + delta);
    if (replicas === current) return;
    li.setAttribute('data-pending', String(replicas));
    if (out) out.textContent = String(replicas);
    const body =
      li.getAttribute('data-command') === 'scaleRouters'
        ? { type: 'scaleRouters', replicas }
        : { type: 'scale', namespace: id.slice(0, slash), deployment: id.slice(slash + 1), replicas };
    try {
      const res = await postJSON('/api/commands', body);
      this.onCommand?.(res?.oc || '');
    } catch (err) {
      if (li.getAttribute('data-pending') === String(replicas)) {
        li.removeAttribute('data-pending');
        if (out) out.textContent = String(this.desired(id) ?? current);
      }
      this.showError(err);
    }
  }

  /**
   * The shortcuts, unless a field has the focus; Space on a button is
   * pause/play too, but in a dialog or a drawer.
   * @param {KeyboardEvent} ev
   */
  key(ev) {
    if (ev.ctrlKey || ev.metaKey || ev.altKey) return;
    const t = /** @type {Element} */ (ev.target);
    if (t.closest?.('input, select, textarea, [contenteditable]')) return;
    if (ev.key === ' ' && t.closest?.('[role="dialog"] button, .drawer button')) return;
    const first = this.doc.querySelector('[data-testid="deployment-control"]:not([data-command="scaleRouters"])');
    switch (ev.key) {
      case ' ':
        ev.preventDefault();
        this.clock({ paused: !this.paused() });
        break;
      case 'ArrowRight':
        this.clock({ advanceMs: 1000 });
        break;
      case '+':
      case '=':
        if (first) this.scale(first, 1);
        break;
      case '-':
        if (first) this.scale(first, -1);
        break;
      case 'p':
        this.togglePresentation();
        break;
      case 'Escape':
        this.hideToast();
        break;
    }
  }

  togglePresentation() {
    const on = this.doc.body.classList.toggle('present');
    this.doc.querySelector('[data-testid="presentation"]')?.setAttribute('aria-pressed', String(on));
  }

  /** @param {unknown} err */
  showError(err) {
    const t = this.toast;
    if (!t) return;
    t.textContent = human(err);
    t.hidden = false;
    clearTimeout(this.toastTimer);
    this.toastTimer = setTimeout(() => this.hideToast(), TOAST_MS);
  }

  hideToast() {
    if (this.toast) this.toast.hidden = true;
  }
}
