// @ts-check
// The route editor: one Route's host, path, target port, target Service
// and up to 3 alternate backends with weights 0–256, TLS termination,
// the insecure policy, the balance algorithm and the sticky cookie. It
// sends ONE apply command with the whole route.openshift.io/v1 Route, so
// the server validates everything before anything changes (atomic), and
// shows the server's error inline next to the field it names.

import { ocFor } from './oc.js';
import { copy } from './actions.js';

/** @typedef {import('./wire.js').Snapshot} Snapshot */

export const BALANCE = 'haproxy.router.openshift.io/balance';
export const NO_COOKIES = 'haproxy.router.openshift.io/disable_cookies';
const MAX_ALTERNATES = 3;

/**
 * @typedef {object} RouteForm
 * @property {string} namespace
 * @property {string} name
 * @property {string} host
 * @property {string} path
 * @property {string} port        spec.port.targetPort ('' for none)
 * @property {string} wildcard    spec.wildcardPolicy ('' for unset)
 * @property {{service: string, weight: number}[]} backends  the first is spec.to
 * @property {string} tls           '' for none
 * @property {string} insecure      '' for the default (None)
 * @property {string} balance       '' for the version's default
 * @property {boolean} cookies
 * @property {Record<string, string>} annotations  others, kept as they are
 */

/**
 * The Route object an editor form stands for.
 * @param {RouteForm} f
 */
export function routeObject(f) {
  /** @type {Record<string, string>} */
  const annotations = { ...f.annotations };
  delete annotations[BALANCE];
  delete annotations[NO_COOKIES];
  if (f.balance) annotations[BALANCE] = f.balance;
  if (!f.cookies) annotations[NO_COOKIES] = 'true';
  /** @type {Record<string, any>} */
  const metadata = { name: f.name, namespace: f.namespace };
  if (Object.keys(annotations).length) metadata.annotations = annotations;
  const [to, ...alts] = f.backends;
  /** @type {Record<string, any>} */
  const spec = { host: f.host };
  if (f.path) spec.path = f.path;
  spec.to = { kind: 'Service', name: to?.service || '', weight: to?.weight ?? 100 };
  if (alts.length) spec.alternateBackends = alts.map((b) => ({ kind: 'Service', name: b.service, weight: b.weight }));
  if (f.port) spec.port = { targetPort: /^\d+$/.test(f.port) ? Number(f.port) : f.port };
  if (f.wildcard) spec.wildcardPolicy = f.wildcard;
  if (f.tls) {
    spec.tls = { termination: f.tls };
    if (f.insecure) spec.tls.insecureEdgeTerminationPolicy = f.insecure;
  }
  return { apiVersion: 'route.openshift.io/v1', kind: 'Route', metadata, spec };
}

/**
 * The form for a Route of the snapshot.
 * @param {any} r a RouteView
 * @param {Snapshot} s
 * @returns {RouteForm}
 */
export function formOf(r, s) {
  const ann = { ...(r.annotations || {}) };
  const to = (r.to || []).map((/** @type {any} */ t) => ({ service: t.service, weight: t.weight }));
  return {
    namespace: r.namespace,
    name: r.name,
    host: r.host || '',
    path: r.path || '',
    port: r.targetPort || '', // as the Route has it: an edit round-trips the Route
    wildcard: r.wildcardPolicy || '',
    backends: to.length ? to : [{ service: '', weight: 100 }],
    tls: r.tls?.termination || '',
    insecure: r.tls?.insecureEdgeTerminationPolicy || '',
    balance: ann[BALANCE] || '',
    cookies: ann[NO_COOKIES] !== 'true',
    annotations: ann,
  };
}

/**
 * The editor field an error names: "object.spec.alternateBackends[1].weight: …" → its data-field.
 * @param {string} message
 * @returns {string}
 */
export function errorField(message) {
  const m = message.match(/object\.((?:metadata|spec)[\w.\[\]]*)/);
  return m ? m[1] : '';
}

export class RouteEditor {
  /**
   * @param {object} opts
   * @param {Document} opts.doc
   * @param {import('./actions.js').Actions} opts.actions
   * @param {() => Snapshot | null} opts.snapshot
   */
  constructor({ doc, actions, snapshot }) {
    this.doc = doc;
    this.actions = actions;
    this.snapshot = snapshot;
    const q = (/** @type {string} */ id) => /** @type {any} */ (doc.querySelector(`[data-testid="${id}"]`));
    this.panel = /** @type {HTMLElement | null} */ (q('route-editor'));
    this.formEl = /** @type {HTMLFormElement | null} */ (q('re-form'));
    this.host = /** @type {HTMLInputElement} */ (q('re-host'));
    this.path = /** @type {HTMLInputElement} */ (q('re-path'));
    this.port = /** @type {HTMLInputElement} */ (q('re-port'));
    this.tls = /** @type {HTMLSelectElement} */ (q('re-tls'));
    this.insecure = /** @type {HTMLSelectElement} */ (q('re-insecure'));
    this.balance = /** @type {HTMLSelectElement} */ (q('re-balance'));
    this.cookies = /** @type {HTMLInputElement} */ (q('re-cookies'));
    this.error = /** @type {HTMLElement} */ (q('re-error'));
    this.oc = /** @type {HTMLElement} */ (q('re-oc'));
    this.rows = /** @type {HTMLElement[]} */ (Array.from(doc.querySelectorAll('[data-testid="re-backend"]')));
    /** @type {RouteForm | null} */
    this.base = null;
  }

  wire() {
    const f = this.formEl;
    if (!f || !this.panel) return;
    f.addEventListener('input', () => this.update());
    f.addEventListener('change', () => this.update());
    f.addEventListener('submit', (ev) => {
      ev.preventDefault();
      this.apply();
    });
    this.panel.addEventListener('click', (ev) => {
      const b = /** @type {Element} */ (ev.target).closest('button');
      if (!b) return;
      const id = b.getAttribute('data-testid');
      if (id === 're-close' || id === 're-cancel') this.close();
      else if (id === 're-alt-add') this.addAlternate();
      else if (id === 're-alt-remove') this.removeAlternate(b.closest('[data-testid="re-backend"]'));
      else if (id === 're-oc-copy') copy(this.oc?.textContent || '', b);
    });
  }

  isOpen() {
    return !!this.panel && !this.panel.hidden;
  }

  /**
   * Opens the editor on a Route of the current state.
   * @param {string} id namespace/name
   */
  open(id) {
    const s = this.snapshot();
    const r = (s?.routes || []).find((x) => `${x.namespace}/${x.name}` === id);
    if (!s || !r || !this.panel) return;
    const form = formOf(r, s);
    this.base = form;
    this.panel.setAttribute('data-route', id);
    const title = this.doc.querySelector('[data-testid="re-title"]');
    if (title) title.textContent = `Route ${id}`;
    this.host.value = form.host;
    this.path.value = form.path;
    this.port.value = form.port;
    const services = (s.services || []).filter((v) => v.namespace === r.namespace).map((v) => v.name);
    this.rows.forEach((row, i) => {
      const sel = /** @type {HTMLSelectElement} */ (row.querySelector('select'));
      const b = form.backends[i];
      const names = [...services];
      if (b && !names.includes(b.service)) names.push(b.service);
      sel.replaceChildren(
        ...names.map((n) => {
          const o = this.doc.createElement('option');
          o.value = n;
          o.textContent = n;
          return o;
        }),
      );
      if (b) sel.value = b.service;
      /** @type {HTMLInputElement} */ (row.querySelector('input[type="range"]')).value = String(b ? b.weight : 100);
      if (i > 0) row.hidden = !b;
    });
    this.tls.value = form.tls;
    this.insecure.value = form.insecure;
    this.balance.value = form.balance;
    this.cookies.checked = form.cookies;
    this.setError('');
    this.panel.hidden = false;
    this.doc.body.classList.add('editing');
    this.update();
    this.host.focus();
  }

  close() {
    if (!this.panel) return;
    this.panel.hidden = true;
    this.doc.body.classList.remove('editing');
  }

  addAlternate() {
    const row = this.rows.slice(1).find((r) => r.hidden);
    if (!row) return;
    const used = new Set(this.form().backends.map((b) => b.service));
    const sel = /** @type {HTMLSelectElement} */ (row.querySelector('select'));
    const free = Array.from(sel.options).find((o) => !used.has(o.value));
    if (free) sel.value = free.value;
    /** @type {HTMLInputElement} */ (row.querySelector('input[type="range"]')).value = '100';
    row.hidden = false;
    this.update();
  }

  /** @param {Element | null} row */
  removeAlternate(row) {
    if (!row) return;
    /** @type {HTMLElement} */ (row).hidden = true;
    // Keep the visible rows first, in order.
    const alts = this.rows.slice(1);
    const visible = alts.filter((r) => !r.hidden).map((r) => ({
      service: /** @type {HTMLSelectElement} */ (r.querySelector('select')).value,
      weight: /** @type {HTMLInputElement} */ (r.querySelector('input[type="range"]')).value,
    }));
    alts.forEach((r, i) => {
      const v = visible[i];
      r.hidden = !v;
      if (v) {
        /** @type {HTMLSelectElement} */ (r.querySelector('select')).value = v.service;
        /** @type {HTMLInputElement} */ (r.querySelector('input[type="range"]')).value = v.weight;
      }
    });
    this.update();
  }

  /** @returns {RouteForm} */
  form() {
    const base = /** @type {RouteForm} */ (this.base);
    const backends = this.rows
      .filter((r, i) => i === 0 || !r.hidden)
      .map((r) => ({
        service: /** @type {HTMLSelectElement} */ (r.querySelector('select')).value,
        weight: Number(/** @type {HTMLInputElement} */ (r.querySelector('input[type="range"]')).value),
      }));
    return {
      ...base,
      host: this.host.value.trim(),
      path: this.path.value.trim(),
      port: this.port.value.trim(),
      backends,
      tls: this.tls.value,
      insecure: this.tls.value ? this.insecure.value : '',
      balance: this.balance.value,
      cookies: this.cookies.checked,
    };
  }

  /** Shares, the oc equivalent and which fields apply, after any edit. */
  update() {
    if (!this.base) return;
    const f = this.form();
    const sum = f.backends.reduce((a, b) => a + b.weight, 0);
    let i = 0;
    for (const row of this.rows) {
      if (row.hidden && i > 0) {
        i++;
        continue;
      }
      const b = f.backends[Math.min(i, f.backends.length - 1)];
      const out = row.querySelector('[data-testid="re-share"]');
      if (out) out.textContent = `${b.weight} · ${sum > 0 ? Math.round((b.weight * 100) / sum) : 0}%`;
      i++;
    }
    const addBtn = /** @type {HTMLButtonElement | null} */ (this.doc.querySelector('[data-testid="re-alt-add"]'));
    if (addBtn) addBtn.disabled = f.backends.length > MAX_ALTERNATES;
    this.insecure.disabled = !f.tls;
    const passthrough = f.tls === 'passthrough';
    this.cookies.disabled = passthrough;
    if (this.oc) this.oc.textContent = ocFor({ type: 'apply', object: routeObject(f) });
  }

  async apply() {
    if (!this.base) return;
    const cmd = { type: 'apply', object: routeObject(this.form()) };
    this.setError('');
    const btn = /** @type {HTMLButtonElement | null} */ (this.doc.querySelector('[data-testid="re-apply"]'));
    if (btn) btn.disabled = true;
    try {
      await this.actions.send(cmd, { quiet: true });
      this.close();
    } catch (err) {
      this.setError(err instanceof Error ? err.message : String(err));
    } finally {
      if (btn) btn.disabled = false;
    }
  }

  /** @param {string} message */
  setError(message) {
    this.error.textContent = message;
    this.error.hidden = !message;
    const field = message ? errorField(message) : '';
    for (const el of this.panel?.querySelectorAll('[data-field]') || []) {
      const f = el.getAttribute('data-field') || '';
      const bad = !!field && (field === f || field.startsWith(`${f}.`) || field.startsWith(`${f}[`) || f.startsWith(`${field}.`));
      if (bad) el.setAttribute('aria-invalid', 'true');
      else el.removeAttribute('aria-invalid');
    }
  }
}
