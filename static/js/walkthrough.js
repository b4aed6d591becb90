// @ts-check
// The walkthrough player (web/walkthrough.templ) over /api/walkthrough: the
// server rebuilds each step (Back restores it exactly) and applies a predict
// step once answered. A jump pauses the clock first (wt-clock runs it);
// autoplay runs it and moves on every data-autoplay-ms until a question or
// the end. The URL keeps ?scenario=&step=; another scenario reloads the page.
// Loaded on first use: wtwatch.js opens it (its button, a deep link, a
// reload at a step, another viewer's step) and hands it what it knows.

import { postJSON } from './controls.js';
import { room } from './base.js';
import { make, markdown } from './markdown.js';
import { wirePredict } from './predict.js';
import { CLOSED, fetchWalkthrough, store } from './wtwatch.js';
import { RESULT_KEY } from './picker.js';

// Highlight kinds (docs/scenarios.md) → data-testid; id prefixes → selector, attribute.
const KINDS = { internet: 'internet', dns: 'dns', 'load-balancer': 'load-balancer', 'lb-targets': 'lb-target', nodes: 'node', 'router-pods': 'router-pod', 'app-pods': 'app-pod', routes: 'route-card', services: 'service-card', zones: 'zone-lane' };
const IDS = { zone: ['[data-testid="zone-lane"]', 'data-zone'], node: ['[data-testid="node"]', 'data-node'], lb: ['.lb-node', 'data-zone'], pod: ['g.pod', 'data-pod'], route: ['[data-testid="route-card"]', 'data-route'], svc: ['[data-testid="service-card"]', 'data-service'] };

/** The selector of a step's highlight entry ('' when unknown). @param {string} h */
export function highlightSelector(h) {
  const kind = KINDS[/** @type {keyof KINDS} */ (h)];
  if (kind) return `[data-testid="${kind}"]`;
  const i = h.indexOf(':');
  const id = i > 0 && IDS[/** @type {keyof IDS} */ (h.slice(0, i))];
  return id ? `${id[0]}[${id[1]}="${CSS.escape(h.slice(i + 1))}"]` : '';
}

/** sendRequest.from "ns/prefix" → "ns/name" of a ready pod. @param {any} s @param {string} from */
export function resolveFrom(s, from) {
  const [ns, prefix] = from.split('/');
  /** @type {string[]} */
  const names = (s?.pods || []).filter((p) => p.namespace === ns && p.name.startsWith(prefix) && p.ready && !p.terminating).map((p) => p.name);
  names.sort();
  return names.length ? `${ns}/${names[0]}` : from;
}

/** @param {unknown} e */
const msg = (e) => (e instanceof Error ? e.message : String(e));

export class Walkthrough {
  /** @param {{doc: Document, snapshot: () => any, paused: () => boolean, inspector: {run: (url: string, client: string, origin: string, from?: string) => unknown}}} o */
  constructor({ doc, snapshot, paused, inspector }) {
    this.doc = doc;
    this.snapshot = snapshot;
    this.paused = paused;
    this.inspector = inspector;
    const panel = /** @type {HTMLElement | null} */ (doc.querySelector('[data-testid="walkthrough"]'));
    this.panel = panel;
    /** @param {string} id @returns {any} */
    this.$ = (id) => panel?.querySelector(`[data-testid="${id}"]`);
    /** @type {any} */
    this.w = null; // the server's last Walkthrough
    this.drawn = ''; // the scenario the page was drawn from
    /** @type {string[]} */
    this.hl = [];
    this.auto = false;
    this.busy = false;
    this.timer = 0;
  }

  wire() {
    const { doc, panel } = this;
    if (!panel) return;
    const step = () => this.w?.step || 0;
    /** @type {Record<string, () => unknown>} */
    const on = {
      'wt-close': () => this.close(),
      'wt-next': () => this.go(step() + 1),
      'wt-back': () => this.go(step() - 1),
      'wt-restart': () => this.go(1, { reset: true }),
      'wt-autoplay': () => this.setAuto(!this.auto),
      'wt-clock': () => this.clock(!this.paused()),
      'wt-send': () => this.send(),
      'wt-load-golden': () => this.load(this.$('wt-load-golden').getAttribute('data-scenario')),
    };
    panel.addEventListener('click', (ev) => {
      const t = /** @type {Element} */ (ev.target);
      const b = t.closest?.('button:not([disabled]), a.step-link');
      const id = b?.getAttribute('data-testid') || '';
      if (on[id]) on[id]();
      else if (id === 'wt-choice') this.answer(Number(b?.getAttribute('data-index')));
      else if (b?.hasAttribute('data-goto')) this.go(Number(b.getAttribute('data-goto')));
      else if (b?.matches('a')) {
        ev.preventDefault();
        const q = new URLSearchParams(b.getAttribute('href') || '');
        this.go(Number(q.get('step')), { scenario: q.get('scenario') || '' });
      }
    });
    // A presentation clicker sends Page Down / Page Up.
    doc.addEventListener('keydown', (ev) => {
      const d = ev.key === 'PageDown' ? 1 : ev.key === 'PageUp' ? -1 : 0;
      if (!d || !this.isOpen() || ev.ctrlKey || ev.metaKey || ev.altKey || /** @type {Element} */ (ev.target).closest?.('input, select, textarea')) return;
      ev.preventDefault();
      this.go(step() + d);
    });
    // In a shared room, a follower's choice is a vote (predict.js).
    if (!room.open) wirePredict(doc);
  }

  /**
   * What wtwatch.js read before the player loaded.
   * @param {any} w the server's Walkthrough (null: not read yet)
   * @param {string} drawn the scenario the page was drawn from
   */
  adopt(w, drawn) {
    if (!w) return;
    this.w = w;
    this.drawn = drawn;
  }

  /** A new snapshot: another viewer (a room's presenter, a tab) may have moved the walkthrough. */
  async sync() {
    if (this.busy || !this.drawn) return;
    const cur = await fetchWalkthrough().catch(() => null);
    const w = this.w;
    if (!cur || this.busy || (cur.step === w?.step && cur.scenario === w?.scenario && cur.awaitingAnswer === w?.awaitingAnswer)) return;
    if (cur.scenario !== this.drawn) {
      if (!cur.step) return; // another scenario was loaded, not a walkthrough
      this.drawn = cur.scenario; // the stream redraws the picture (no reload: a room's followers stay put)
    }
    if (cur.step > 0 && !this.isOpen()) this.show(true);
    this.render(cur);
  }

  isOpen() {
    return !!this.panel && !this.panel.hidden;
  }

  open() {
    this.show(true);
    store(CLOSED);
    if (this.w) this.render(this.w);
    this.onClock();
  }

  close() {
    this.setAuto(false);
    this.show(false);
    store(CLOSED, '1');
    this.hl = [];
    this.mark();
    this.syncURL(0, '');
  }

  /** @param {boolean} on */
  show(on) {
    if (!this.panel) return;
    this.panel.hidden = !on;
    this.doc.body.classList.toggle('walking', on);
    this.doc.querySelector('[data-testid="wt-open"]')?.setAttribute('aria-expanded', String(on));
  }

  /** @param {number} k @param {{scenario?: string, reset?: boolean, auto?: boolean}} [o] */
  async go(k, o = {}) {
    const w = this.w;
    const scenario = o.scenario || w?.scenario;
    if (this.busy || !scenario) return;
    if (scenario === w?.scenario && w.total && (k < 1 || k > w.total)) return this.say(`No step ${k}: the steps are 1 to ${w.total}.`, true);
    if (!o.auto) this.setAuto(false);
    await this.call(async () => {
      if (!o.auto) await this.clock(true);
      const next = await postJSON('/api/walkthrough', { scenario, step: k, reset: !!o.reset });
      if (next.scenario === this.drawn) return this.render(next);
      this.syncURL(next.step, next.scenario); // another cluster: draw it afresh
      location.reload();
    });
  }

  /**
   * Loads a scenario as the picker does (POST /api/scenarios/{name}/load,
   * its outcome kept for the reloaded page) and starts its walkthrough:
   * the page reloads at step 1 (a deep link, as wtwatch.js reads it).
   * @param {string} name
   */
  load(name) {
    return this.call(async () => {
      this.say(`Loading ${name}…`);
      const answer = await postJSON(`/api/scenarios/${encodeURIComponent(name)}/load`, {});
      store(RESULT_KEY, JSON.stringify({ name: answer?.scenario?.name || name, warnings: (answer?.warnings || []).map((/** @type {any} */ w) => w.text) }));
      this.syncURL(1, name);
      location.reload();
    });
  }

  /** @param {number} choice */
  answer(choice) {
    return this.call(async () => {
      this.render((await postJSON('/api/walkthrough/answer', { choice })).walkthrough);
      this.$('wt-answer').scrollIntoView({ block: 'nearest' }); // on a projector, the explanation in view
    });
  }

  /** One server call at a time; errors go to wt-status. @param {() => Promise<unknown>} f */
  async call(f) {
    if (this.busy) return;
    this.busy = true;
    this.panel?.setAttribute('aria-busy', 'true');
    try {
      await f();
    } catch (e) {
      this.say(msg(e), true);
    } finally {
      this.busy = false;
      this.panel?.setAttribute('aria-busy', 'false');
    }
  }

  /** The step's request, traced and listed hop by hop in the inspector. */
  send() {
    const r = this.current()?.sendRequest;
    if (!r) return;
    const from = r.from ? resolveFrom(this.snapshot(), r.from) : '';
    const client = r.client || 'curl';
    this.inspector.run(r.url, client, `Step ${this.w.step}: one request ${from ? `from pod ${from}` : `from a ${client} client`}, on a copy of the cluster as it is.`, from);
  }

  /** @param {boolean} paused */
  async clock(paused) {
    try {
      await postJSON('/api/clock', { paused });
    } catch (e) {
      this.say(msg(e), true);
    }
  }

  /** @param {boolean} on */
  setAuto(on) {
    this.auto = on;
    this.$('wt-autoplay')?.setAttribute('aria-pressed', String(on));
    if (on) this.clock(false);
    this.plan();
  }

  /** Autoplay: next step after a while; stops at a question and at the end. */
  plan() {
    clearTimeout(this.timer);
    const w = this.w;
    if (!this.auto || !w) return;
    if (w.awaitingAnswer || w.step >= w.total) {
      this.auto = false;
      this.$('wt-autoplay').setAttribute('aria-pressed', 'false');
      return this.say(w.awaitingAnswer ? 'Autoplay stopped: answer the question first.' : 'Autoplay stopped at the last step.');
    }
    this.timer = setTimeout(() => this.go(w.step + 1, { auto: true }), Number(this.panel?.getAttribute('data-autoplay-ms')) || 8000);
  }

  /** @param {string} text @param {boolean} [bad] */
  say(text, bad = false) {
    const s = this.$('wt-status');
    if (!s) return;
    s.textContent = text;
    s.classList.toggle('bad', bad);
  }

  current() {
    const w = this.w;
    return w?.step > 0 ? w.steps[w.step - 1] : null;
  }

  /** @param {any} w a Walkthrough of the server */
  render(w) {
    w.state = undefined;
    this.w = w;
    const { doc, $ } = this;
    const k = w.step;
    const n = w.total;
    const step = this.current();
    $('wt-heading').textContent = w.title || w.scenario || 'Walkthrough';
    const bar = $('wt-progress');
    bar.max = Math.max(n, 1);
    bar.value = k;
    bar.setAttribute('data-step', String(k));
    bar.setAttribute('data-total', String(n));
    $('wt-count').textContent = !n ? '' : k ? `step ${k} of ${n}` : `${n} steps`;
    $('wt-step-title').textContent = step ? step.title : n ? 'Overview' : 'No walkthrough here';
    const text = step
      ? step.narration
      : n
        ? `**${n} steps** on this cluster. **Next** starts; **Back** restores the step before exactly. A jump pauses the clock; **▶ Play** runs it.`
        : 'This scenario has no steps. **Load golden-path** below to follow one request from the browser to a pod, step by step, or load another scenario with steps (e.g. `scaling`, `why-503`) in the Scenario panel: its walkthrough opens here.';
    $('wt-narration').replaceChildren(markdown(doc, text));
    const list = $('wt-steps');
    list.hidden = !!step || !n;
    list.replaceChildren(...(step ? [] : w.steps).map((s) => li(make(doc, 'button', s.title, { type: 'button', class: 'linkish', 'data-goto': s.index }))));
    this.renderPredict(step?.predict, w.awaitingAnswer);
    $('wt-send').hidden = !step?.sendRequest;
    const golden = $('wt-load-golden');
    if (golden) golden.hidden = !!n || w.scenario === golden.getAttribute('data-scenario');
    $('wt-back').disabled = k <= 1;
    $('wt-next').disabled = k >= n;
    $('wt-restart').disabled = $('wt-autoplay').disabled = !n;
    this.say('');
    this.hl = step?.highlight || [];
    this.mark();
    if (k) this.syncURL(k, w.scenario);
    this.plan();
  }

  /** @param {any} p a PredictView or undefined @param {boolean} awaiting */
  renderPredict(p, awaiting) {
    const { doc, $ } = this;
    $('wt-predict').hidden = !p;
    if (!p) return;
    $('wt-question').textContent = p.question;
    $('wt-choices').replaceChildren(
      ...p.choices.map((c, i) => {
        const b = /** @type {HTMLButtonElement} */ (make(doc, 'button', c, { type: 'button', class: 'quiz-choice', 'data-testid': 'wt-choice', 'data-index': i }));
        b.disabled = p.answered || !awaiting;
        if (p.answered && (i === p.answer || i === p.chosen)) b.classList.add(i === p.answer ? 'right' : 'wrong');
        return li(b);
      }),
    );
    const box = $('wt-answer');
    box.hidden = !p.answered;
    if (!p.answered) return;
    const ok = p.chosen === p.answer;
    box.setAttribute('data-correct', String(ok));
    $('wt-verdict').textContent = ok ? '✓ Right.' : `✗ Not quite: the answer is “${p.choices[p.answer]}”.`;
    $('wt-explanation').textContent = p.explanation || '';
  }

  /** Marks the step's elements on the picture (wt-hl), also after a redraw. */
  mark() {
    const svg = this.doc.getElementById('topology');
    if (!svg) return;
    for (const el of svg.querySelectorAll('.wt-hl')) el.classList.remove('wt-hl');
    const sel = this.isOpen() ? this.hl.map(highlightSelector).filter(Boolean).join() : '';
    if (sel) for (const el of svg.querySelectorAll(sel)) el.classList.add('wt-hl');
  }

  onState() {
    if (this.hl.length) this.mark();
  }

  onClock() {
    const b = this.$('wt-clock');
    const paused = this.paused();
    if (!b) return;
    b.textContent = paused ? '▶ Play' : '❚❚ Pause';
    b.setAttribute('aria-pressed', String(!paused));
  }

  /** ?scenario=&step= of the address bar (step 0: neither). @param {number} k @param {string} scenario */
  syncURL(k, scenario) {
    const u = new URL(location.href);
    for (const [key, v] of [['scenario', scenario], ['step', String(k)]]) k ? u.searchParams.set(key, v) : u.searchParams.delete(key);
    if (u.href !== location.href) history.replaceState(history.state, '', u);
  }
}

/** @param {Node} child */
function li(child) {
  const e = document.createElement('li');
  e.append(child);
  return e;
}
