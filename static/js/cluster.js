// @ts-check
// Cluster-wide controls (nodes, AZs, load balancer, Calico, kube-proxy,
// OpenShift version, traffic, NetworkPolicy). What they show always
// comes from the streamed state (sync), so every viewer sees the same
// settings; a click only sends a command. The pod menu is podmenu.js.

import { setText } from './render.js';

/** @typedef {import('./wire.js').Snapshot} Snapshot */

export const POLICY_DENY = 'default-deny';
export const POLICY_ALLOW = 'allow-from-openshift-ingress';
const ROUTER_NS_LABEL = 'policy-group.network.openshift.io/ingress';

/**
 * @param {string} ns
 * @param {boolean} allow
 */
export function policyObject(ns, allow) {
  const spec = allow
    ? { podSelector: {}, policyTypes: ['Ingress'], ingress: [{ from: [{ namespaceSelector: { matchLabels: { [ROUTER_NS_LABEL]: '' } } }] }] }
    : { podSelector: {}, policyTypes: ['Ingress'] };
  return {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'NetworkPolicy',
    metadata: { name: allow ? POLICY_ALLOW : POLICY_DENY, namespace: ns },
    spec,
  };
}

/**
 * The namespace the NetworkPolicy control acts on (web.policyNamespace).
 * @param {Snapshot} s
 */
export function policyNamespace(s) {
  if (s.routes?.length) return s.routes[0].namespace;
  const d = (s.deployments || []).find((x) => `${x.namespace}/${x.name}` !== 'openshift-ingress/router-default');
  return d ? d.namespace : '';
}

/**
 * Which of the page's two policies exist in ns (web.PolicyMode).
 * @param {Snapshot} s
 * @param {string} ns
 */
export function policyMode(s, ns) {
  const names = new Set((/** @type {any} */ (s).networkPolicies || []).filter((p) => p.namespace === ns).map((p) => p.name));
  const deny = names.has(POLICY_DENY);
  const allow = names.has(POLICY_ALLOW);
  if (deny && allow) return 'deny-allow';
  if (deny) return 'deny';
  if (allow) return 'allow';
  return 'off';
}

/**
 * The share of browsers in the Internet part of a traffic mix, percent.
 * @param {{client: string, weight: number, from?: string}[]} mix
 */
export function browserShare(mix) {
  let all = 0;
  let browser = 0;
  for (const m of mix || []) {
    if (m.from) continue;
    all += m.weight;
    if (m.client === 'browser') browser += m.weight;
  }
  return all > 0 ? Math.round((browser * 100) / all) : 0;
}

/**
 * A new mix with the given browser share: each Internet URL keeps its
 * share of the weight, split between browser and curl; east–west
 * entries stay as they are.
 * @param {{url: string, client: string, weight: number, from?: string}[]} mix
 * @param {number} pct
 */
export function withBrowserShare(mix, pct) {
  /** @type {Map<string, number>} */
  const byURL = new Map();
  const inside = [];
  for (const m of mix || []) {
    if (m.from) inside.push(m);
    else byURL.set(m.url, (byURL.get(m.url) || 0) + m.weight);
  }
  const top = Math.max(1, ...byURL.values());
  const out = [];
  for (const [url, w] of byURL) {
    const scaled = Math.max(1, Math.round((w * 100) / top));
    out.push({ url, client: 'browser', weight: Math.round((scaled * pct) / 100) });
    out.push({ url, client: 'curl', weight: scaled - Math.round((scaled * pct) / 100) });
  }
  return [...out, ...inside];
}

export class ClusterControls {
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
    this.el = {
      lbType: /** @type {HTMLSelectElement} */ (q('lb-type')),
      crossZone: /** @type {HTMLInputElement} */ (q('lb-crosszone')),
      encap: /** @type {HTMLSelectElement} */ (q('net-encap')),
      srcdst: /** @type {HTMLInputElement} */ (q('net-srcdst')),
      kubeProxy: /** @type {HTMLSelectElement} */ (q('net-kubeproxy')),
      version: /** @type {HTMLSelectElement} */ (q('ocp-version')),
      rps: /** @type {HTMLInputElement} */ (q('traffic-rps')),
      browser: /** @type {HTMLInputElement} */ (q('traffic-browser')),
      browserPct: q('traffic-browser-pct'),
      policy: /** @type {HTMLSelectElement} */ (q('netpol-mode')),
    };
  }

  wire() {
    const e = this.el;
    const doc = this.doc;
    /** Sends a command; a refused one puts the controls back as the state has them. @param {Record<string, any>} c */
    const send = async (c) => {
      if ((await this.actions.send(c)) === null) this.sync(true);
    };
    doc.querySelector('[data-testid="cluster-controls"]')?.addEventListener('click', (ev) => {
      const b = /** @type {Element} */ (ev.target).closest('button');
      if (!b) return;
      if (b.matches('[data-testid="node-toggle"]')) {
        const ready = b.getAttribute('data-ready') !== 'true';
        send({ type: 'setNodeReady', node: b.getAttribute('data-node'), ready });
      } else if (b.matches('[data-testid="zone-toggle"]')) {
        const down = b.getAttribute('data-down') !== 'true';
        send({ type: 'setZoneDown', zone: b.getAttribute('data-zone'), down });
      }
    });
    e.lbType?.addEventListener('change', () => send({ type: 'setLoadBalancer', lbType: e.lbType.value }));
    e.crossZone?.addEventListener('change', () => send({ type: 'setLoadBalancer', crossZone: e.crossZone.checked }));
    e.encap?.addEventListener('change', () => send({ type: 'setNetwork', encapsulation: e.encap.value }));
    e.srcdst?.addEventListener('change', () => send({ type: 'setNetwork', sourceDestCheck: e.srcdst.checked }));
    e.kubeProxy?.addEventListener('change', () => send({ type: 'setNetwork', kubeProxyMode: e.kubeProxy.value }));
    e.version?.addEventListener('change', () => send({ type: 'setOpenShiftVersion', version: e.version.value }));
    e.rps?.addEventListener('change', () => {
      const rps = Number(e.rps.value);
      if (e.rps.value === '' || !Number.isFinite(rps)) return;
      send({ type: 'setTraffic', rps });
    });
    e.browser?.addEventListener('input', () => setText(e.browserPct, `${e.browser.value}%`));
    e.browser?.addEventListener('change', () => {
      const s = this.snapshot();
      if (!s) return;
      const t = /** @type {any} */ (s).traffic || { rps: 0, mix: [] };
      send({ type: 'setTraffic', rps: t.rps, mix: withBrowserShare(t.mix, Number(e.browser.value)) });
    });
    e.policy?.addEventListener('change', () => this.setPolicy(e.policy.value));

  }

  /**
   * Applies or deletes the default-deny and router-allow pair.
   * @param {string} mode off, deny-allow or deny
   */
  async setPolicy(mode) {
    const s = this.snapshot();
    if (!s) return;
    const ns = policyNamespace(s);
    const cur = policyMode(s, ns);
    const hasDeny = cur === 'deny' || cur === 'deny-allow';
    const hasAllow = cur === 'allow' || cur === 'deny-allow';
    /** @type {Record<string, any>[]} */
    const cmds = [];
    const del = (/** @type {string} */ name) => ({ type: 'delete', kind: 'NetworkPolicy', namespace: ns, name });
    // Order matters for traffic: the allow goes in before the deny and
    // comes out after it, so the router is never blocked by accident.
    if (mode === 'deny-allow') {
      if (!hasAllow) cmds.push({ type: 'apply', object: policyObject(ns, true) });
      if (!hasDeny) cmds.push({ type: 'apply', object: policyObject(ns, false) });
    } else if (mode === 'deny') {
      if (!hasDeny) cmds.push({ type: 'apply', object: policyObject(ns, false) });
      if (hasAllow) cmds.push(del(POLICY_ALLOW));
    } else if (mode === 'off') {
      if (hasDeny) cmds.push(del(POLICY_DENY));
      if (hasAllow) cmds.push(del(POLICY_ALLOW));
    }
    const ocs = [];
    for (const c of cmds) {
      const res = await this.actions.send(c);
      if (res === null) return this.sync(true);
      ocs.push(res.oc);
    }
    if (cmds.length > 1) this.actions.show(...ocs);
  }

  /**
   * Brings every control in line with the latest state.
   * @param {boolean} [force] the traffic fields too while they have focus
   */
  sync(force) {
    const s = /** @type {any} */ (this.snapshot());
    if (!s) return;
    const doc = this.doc;
    const e = this.el;
    /** @type {Map<string, {up: number, all: number}>} */
    const zones = new Map();
    for (const n of s.nodes || []) {
      if (n.role === 'control-plane' || n.role === 'master') continue;
      const z = zones.get(n.zone) || { up: 0, all: 0 };
      z.all++;
      if (n.instanceUp) z.up++;
      zones.set(n.zone, z);
      const b = doc.querySelector(`[data-testid="node-toggle"][data-node="${CSS.escape(n.name)}"]`);
      if (b) {
        b.setAttribute('data-ready', String(n.instanceUp));
        setText(b, n.instanceUp ? 'Fail node' : 'Recover node');
      }
    }
    for (const b of doc.querySelectorAll('[data-testid="zone-toggle"]')) {
      const name = b.getAttribute('data-zone') || '';
      const z = zones.get(name);
      // The snapshot's zone flag (setZoneDown); without it, guess from the workers.
      const down = s.zones ? !!s.zones.find((/** @type {any} */ v) => v.name === name)?.down : !!z && z.all > 0 && z.up === 0;
      b.setAttribute('data-down', String(down));
      b.closest('.zone-row')?.classList.toggle('down', down);
      setText(b, down ? 'Recover AZ' : 'Fail AZ');
    }
    setValue(e.lbType, s.loadBalancer?.type);
    setChecked(e.crossZone, !!s.loadBalancer?.crossZone);
    setValue(e.encap, s.network?.encapsulation);
    setChecked(e.srcdst, !!s.network?.sourceDestCheck);
    setValue(e.kubeProxy, s.network?.kubeProxyMode);
    setValue(e.version, s.cluster?.openShiftVersion);
    if (e.rps && (force || doc.activeElement !== e.rps) && s.traffic) {
      const v = String(s.traffic.rps);
      if (e.rps.value !== v) e.rps.value = v;
    }
    if (e.browser && (force || doc.activeElement !== e.browser) && s.traffic) {
      const pct = browserShare(s.traffic.mix);
      if (e.browser.value !== String(pct)) e.browser.value = String(pct);
      setText(e.browserPct, `${pct}%`);
    }
    if (e.policy) {
      const ns = policyNamespace(s);
      e.policy.setAttribute('data-namespace', ns);
      const mode = policyMode(s, ns);
      if (mode === 'allow' && !e.policy.querySelector('option[value="allow"]')) {
        const o = doc.createElement('option');
        o.value = 'allow';
        o.textContent = 'allow router only';
        e.policy.append(o);
      }
      setValue(e.policy, mode);
    }
  }
}

/**
 * @param {HTMLSelectElement | null | undefined} el
 * @param {string | undefined} v
 */
function setValue(el, v) {
  if (!el || v === undefined || el.value === v) return;
  if (!Array.from(el.options).some((o) => o.value === v)) {
    const o = el.ownerDocument.createElement('option');
    o.value = v;
    o.textContent = v;
    el.append(o);
  }
  el.value = v;
}

/**
 * @param {HTMLInputElement | null | undefined} el
 * @param {boolean} v
 */
function setChecked(el, v) {
  if (el && el.checked !== v) el.checked = v;
}
