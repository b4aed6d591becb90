// @ts-check
// The route editor: one Route's host, path, target port, target Service
// and up to 3 alternate backends with weights 0–256, TLS termination,
// the insecure policy, the balance algorithm and the sticky cookie. It
// sends ONE apply command with the whole route.openshift.io/v1 Route, so
// the server validates everything before anything changes (atomic), and
// shows the server's error, shortened, under the field its `field` names
// (the full text in a details element). Its oc preview is the server's
// (POST /api/oc). Before Apply it warns, under the field, of
// what OpenShift accepts but breaks traffic: a target port no Service port
// has, an empty host (a generated one replaces it), every weight 0.

import { copy } from './actions.js';
import { ApiError, postJSON } from './controls.js';

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

/** How long the oc preview waits after the last edit, ms. */
const PREVIEW_MS = 120;

/** Field paths → the labels the form shows them under. */
const LABELS = [
  [/^spec\.host/, 'host'],
  [/^spec\.path/, 'path'],
  [/^spec\.port/, 'target port'],
  [/^spec\.to\.weight/, 'weight of the target Service'],
  [/^spec\.to/, 'target Service'],
  [/^spec\.alternateBackends\[(\d+)\]/, 'alternate backend'],
  [/^spec\.tls\.termination/, 'TLS'],
  [/^spec\.tls\.insecure/, 'insecure'],
  [/^spec\.wildcardPolicy/, 'wildcard policy'],
  [/^metadata\.annotations/, 'annotations (balance, sticky cookie)'],
];

/**
 * A server error made short for a person: the field's label (from the
 * error's `field`, "object.spec.host" → the form's spec.host) and what is
 * wrong (its `reason`), without Kubernetes' validation regex or a long
 * quoted value. The full message stays available beside it.
 * @param {unknown} err
 * @returns {{field: string, label: string, short: string}}
 */
export function humanError(err) {
  const e = err instanceof ApiError ? err : new ApiError({ error: err instanceof Error ? err.message : String(err) });
  const field = e.field.replace(/^object\./, '');
  let text = e.reason || e.message;
  text = text
    .replace(/\s*\((?:e\.g\.|regex)[^]*$/, '') // Kubernetes' examples and regex
    .replace(/is not a DNS-1123 subdomain:[^]*$/, "is not a valid host name: use lower-case letters, digits, '-' and '.', starting and ending with a letter or digit")
    .replace(/"([^"]{40})[^"]+"/g, '"$1…"');
  if (text.length > 180) text = `${text.slice(0, 177)}…`;
  let label = field;
  for (const [re, name] of LABELS) {
    const m = field.match(/** @type {RegExp} */ (re));
    if (m) {
      label = m[1] !== undefined ? `${name} ${Number(m[1]) + 1}` : /** @type {string} */ (name);
      break;
    }
  }
  return { field, label, short: label ? `${label}: ${text}` : text };
}

/**
 * Whether a Route's target port names an endpoint port of this Service
 * port, as the router matches it (model routerEndpoints): the Service
 * port's name or the pod's port number — its targetPort when a number,
 * else the endpoints' port — never the Service's own port.
 * @param {{name?: string, port: number, targetPort?: string}} p
 * @param {string} target
 * @param {{endpoints?: {port: number}[]}} svc
 */
const portMatches = (p, target, svc) =>
  p.name === target || (/^\d+$/.test(p.targetPort || '') ? p.targetPort === target : (svc.endpoints || []).some((e) => String(e.port) === target));

/**
 * What OpenShift accepts in a Route but breaks its traffic, per note
 * (host, port, backends): the editor says so before Apply.
 * @param {RouteForm} f the form
 * @param {RouteForm} base the Route as it is
 * @param {Snapshot} s
 * @returns {Record<string, string>}
 */
export function routeWarnings(f, base, s) {
  /** @type {Record<string, string>} */
  const out = {};
  if (!f.host) {
    const generated = `${f.name}-${f.namespace}.${s.cluster?.ingressDomain || '<ingress domain>'}`;
    out.host = `An empty host makes OpenShift generate ${generated}` + (base.host && base.host !== generated ? `; clients of the old host ${base.host} will get 503.` : '.');
  }
  if (f.port) {
    const bad = [];
    for (const b of f.backends) {
      const svc = (s.services || []).find((v) => v.namespace === f.namespace && v.name === b.service);
      if (svc && !(svc.ports || []).some((p) => portMatches(p, f.port, svc))) {
        bad.push(`${b.service} (${(svc.ports || []).map((p) => `${p.name ? `${p.name} ` : ''}${p.port}→${p.targetPort}`).join(', ') || 'no ports'})`);
      }
    }
    if (bad.length) {
      const all = bad.length === f.backends.length;
      out.port = `No endpoint port of Service ${bad.join(', ')} is named or numbered “${f.port}” (a target port is the Service port's name or the pod's port number, not the Service's port): the router gets no server for ${all ? 'it, so every request gets 503' : 'that Service'}.`;
    }
  }
  if (f.backends.length && f.backends.every((b) => b.weight === 0)) {
    out.backends = 'Every backend has weight 0: the router sends this Route no traffic, so every request gets 503.';
  }
  return out;
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
    this.errorShort = /** @type {HTMLElement | null} */ (q('re-error-short'));
    this.errorFull = /** @type {HTMLElement | null} */ (q('re-error-full'));
    this.addBtn = /** @type {HTMLButtonElement | null} */ (q('re-alt-add'));
    this.altHint = /** @type {HTMLElement | null} */ (q('re-alt-hint'));
    /** @type {HTMLElement[]} the lines under fields: warnings and the server's error */
    this.notes = Array.from(doc.querySelectorAll('[data-testid="re-note"]'));
    /** @type {string[]} the Services of the Route's namespace */
    this.services = [];
    /** @type {{field: string, label: string, short: string} | null} the last Apply's error */
    this.err = null;
    this.cleared = ''; // the path passthrough cleared, given back when TLS changes again
    this.oc = /** @type {HTMLElement} */ (q('re-oc'));
    /** @type {ReturnType<typeof setTimeout> | undefined} */
    this.previewTimer = undefined;
    this.previewSeq = 0;
    this.rows = /** @type {HTMLElement[]} */ (Array.from(doc.querySelectorAll('[data-testid="re-backend"]')));
    /** @type {RouteForm | null} */
    this.base = null;
  }

  wire() {
    const f = this.formEl;
    if (!f || !this.panel) return;
    f.addEventListener('input', (ev) => this.edited(ev.target));
    f.addEventListener('change', (ev) => {
      if (ev.target === this.tls) this.onTermination();
      this.edited(ev.target);
    });
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
    this.services = (s.services || []).filter((v) => v.namespace === r.namespace).map((v) => v.name);
    this.rows.forEach((row, i) => {
      const sel = /** @type {HTMLSelectElement} */ (row.querySelector('select'));
      const b = form.backends[i];
      this.fill(sel, b ? [b.service] : []);
      if (b) sel.value = b.service;
      /** @type {HTMLInputElement} */ (row.querySelector('input[type="range"]')).value = String(b ? b.weight : 100);
      if (i > 0) row.hidden = !b;
    });
    this.tls.value = form.tls;
    this.insecure.value = form.insecure;
    this.balance.value = form.balance;
    this.cookies.checked = form.cookies;
    this.cleared = '';
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

  /** The Services of the namespace not yet a backend of the Route. */
  freeServices() {
    const used = new Set(this.form().backends.map((b) => b.service));
    return this.services.filter((n) => !used.has(n));
  }

  /**
   * A backend's choices: the namespace's Services no other row uses, and
   * its own (rebuilt only when they change, not to disturb an open list).
   * @param {HTMLSelectElement} sel
   * @param {string[]} own
   */
  fill(sel, own) {
    const taken = new Set(
      this.rows.filter((r, i) => (i === 0 || !r.hidden) && !r.contains(sel)).map((r) => /** @type {HTMLSelectElement} */ (r.querySelector('select')).value),
    );
    const names = this.services.filter((n) => !taken.has(n) || own.includes(n));
    for (const n of own) if (n && !names.includes(n)) names.push(n);
    if (Array.from(sel.options, (o) => o.value).join('\n') === names.join('\n')) return;
    const v = sel.value;
    sel.replaceChildren(
      ...names.map((n) => {
        const o = this.doc.createElement('option');
        o.value = n;
        o.textContent = n;
        return o;
      }),
    );
    if (names.includes(v)) sel.value = v;
  }

  addAlternate() {
    const row = this.rows.slice(1).find((r) => r.hidden);
    const free = this.freeServices();
    if (!row || !free.length) return;
    const sel = /** @type {HTMLSelectElement} */ (row.querySelector('select'));
    this.fill(sel, [free[0]]);
    sel.value = free[0];
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

  /**
   * After an edit: a field the last error named is being fixed, so its
   * error goes (its warnings show again).
   * @param {EventTarget | null} target
   */
  edited(target) {
    if (this.err && target instanceof Element && target.getAttribute('aria-invalid') === 'true') this.setError('');
    else this.update();
  }

  /**
   * Passthrough routes match on SNI only and cannot have a path: switching
   * to it clears the path (and says why); switching away gives it back.
   */
  onTermination() {
    if (this.tls.value === 'passthrough') {
      if (this.path.value.trim()) {
        this.cleared = this.path.value.trim();
        this.path.value = '';
        if (this.err?.field.startsWith('spec.path')) this.setError('');
      }
    } else if (this.cleared) {
      if (!this.path.value.trim()) this.path.value = this.cleared;
      this.cleared = '';
    }
  }

  /** Shares, the oc equivalent, warnings and which fields apply, after any edit. */
  update() {
    if (!this.base) return;
    for (const row of this.rows) {
      if (!row.hidden || row === this.rows[0]) {
        const sel = /** @type {HTMLSelectElement} */ (row.querySelector('select'));
        this.fill(sel, [sel.value]);
      }
    }
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
    const full = f.backends.length > MAX_ALTERNATES;
    const none = !this.freeServices().length;
    if (this.addBtn) this.addBtn.disabled = full || none;
    if (this.altHint) {
      this.altHint.textContent = full ? `at most ${MAX_ALTERNATES} alternate backends` : none ? `no other Service in namespace ${f.namespace}` : '';
      this.altHint.hidden = !this.altHint.textContent;
    }
    this.insecure.disabled = !f.tls;
    const passthrough = f.tls === 'passthrough';
    this.cookies.disabled = passthrough;
    this.path.disabled = passthrough;
    this.path.placeholder = passthrough ? 'none: passthrough routes have no path' : '/ (everything)';
    const s = this.snapshot();
    const warn = s ? routeWarnings(f, /** @type {RouteForm} */ (this.base), s) : {};
    if (passthrough && this.cleared) warn.path = `Path cleared (it was ${this.cleared}): a passthrough route matches on the TLS server name (SNI) only and cannot have a path.`;
    this.renderNotes(warn);
    this.preview({ type: 'apply', object: routeObject(f) });
  }

  /**
   * The oc equivalent of the form's command, from the server, a moment
   * after the last edit; an answer to an older form is dropped.
   * @param {Record<string, any>} cmd
   */
  preview(cmd) {
    clearTimeout(this.previewTimer);
    const seq = ++this.previewSeq;
    this.previewTimer = setTimeout(async () => {
      let text;
      try {
        text = /** @type {{oc: string}} */ (await postJSON('/api/oc', cmd)).oc;
      } catch (err) {
        const e = humanError(err);
        text = `# not valid yet: ${e.short}`;
      }
      if (seq === this.previewSeq && this.oc) this.oc.textContent = text;
    }, PREVIEW_MS);
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
      this.setError(err);
      // The field it names, with its note in view (Apply stays in view: sticky).
      const bad = /** @type {HTMLElement | null} */ (this.panel?.querySelector('input[aria-invalid="true"], select[aria-invalid="true"]') || null);
      bad?.focus({ preventScroll: true });
      this.notes.find((n) => !n.hidden && n.getAttribute('data-kind') === 'error')?.scrollIntoView({ block: 'nearest' });
    } finally {
      if (btn) btn.disabled = false;
    }
  }

  /**
   * The lines under the fields: the last Apply's error under the field it
   * names, else a warning.
   * @param {Record<string, string>} warn by note name
   */
  renderNotes(warn) {
    const err = this.err;
    let placed = false;
    for (const el of this.notes) {
      const mine = !!err?.field && (el.getAttribute('data-for') || '').split(' ').some((p) => err.field === p || err.field.startsWith(`${p}.`) || err.field.startsWith(`${p}[`));
      const text = mine ? `✗ ${err?.short}` : warn[el.getAttribute('data-note') || ''] || '';
      placed ||= mine;
      el.textContent = text;
      el.hidden = !text;
      el.setAttribute('data-kind', mine ? 'error' : 'warning');
    }
    if (this.errorShort && err) this.errorShort.textContent = placed ? `Not applied: see ${err.label} above.` : `Not applied: ${err.short}`;
  }

  /** @param {unknown} err the last Apply's error; '' or null for none */
  setError(err) {
    const message = err ? (err instanceof Error ? err.message : String(err)) : '';
    this.err = err ? humanError(err) : null;
    if (this.errorFull) this.errorFull.textContent = message;
    else this.error.textContent = message;
    this.error.hidden = !message;
    const details = this.error.querySelector('details');
    if (details) details.open = false;
    this.update();
    const field = this.err?.field || '';
    for (const el of this.panel?.querySelectorAll('[data-field]') || []) {
      const f = el.getAttribute('data-field') || '';
      const bad = !!field && (field === f || field.startsWith(`${f}.`) || field.startsWith(`${f}[`) || f.startsWith(`${field}.`));
      if (bad) el.setAttribute('aria-invalid', 'true');
      else el.removeAttribute('aria-invalid');
    }
  }
}
