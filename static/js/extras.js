// @ts-check
// Wires the parts added around the live picture: the oc strip, the
// cluster controls and pod menu, the inspector, the route editor, the
// walkthrough player, the quiz, the scenario panel, the computed metrics
// and the help/theme. The panels load on first use (lazy.js): here are
// their openers. app.js calls the returned hooks from its one loop;
// nothing here starts a loop of its own.

import { Actions } from './actions.js';
import { ClusterControls } from './cluster.js';
import { Stats } from './stats.js';
import { People } from './people.js';
import { Callouts } from './callouts.js';
import { Lazy } from './lazy.js';
import { watchWalkthrough } from './wtwatch.js';
import { wirePicker } from './picker.js';

/**
 * @param {object} opts
 * @param {Document} opts.doc
 * @param {import('./state.js').State} opts.state
 * @param {import('./render.js').Renderer} opts.renderer
 * @param {import('./controls.js').Controls} opts.controls
 * @param {() => void} opts.schedule  asks the loop for a frame
 */
export function startExtras({ doc, state, renderer, controls, schedule }) {
  const snapshot = () => state.snapshot;
  /** @param {unknown} e */
  const showError = (e) => controls.showError(e);
  const actions = new Actions({ doc, showError });
  const cluster = new ClusterControls({ doc, actions, snapshot });

  // The panels, each loaded by its first use.
  const inspector = new Lazy(() => import('./inspector.js'), {
    make: ({ Inspector }) => {
      const i = new Inspector({ doc, highlight: (ids) => renderer.highlight(ids), showOC: (oc) => actions.show(oc) });
      i.wire();
      return i;
    },
    css: ['drawer.css', 'inspector.css'],
    html: 'inspector.html',
  });
  /** Opens the inspector, tracing url when there is one. */
  const trace = inspector.use((i, /** @type {string} */ url, /** @type {string} */ client) => {
    i.open();
    if (url) i.run(url, client, 'form');
  }, showError);
  const pods = new Lazy(() => import('./podmenu.js'), {
    make: ({ PodMenu }) => {
      const m = new PodMenu({ doc, actions, snapshot, trace });
      m.wire();
      return m;
    },
    css: ['podmenu.css'],
    html: 'podmenu.html',
  });
  const editor = new Lazy(() => import('./editor.js'), {
    make: ({ RouteEditor }) => {
      const e = new RouteEditor({ doc, actions, snapshot });
      e.wire();
      return e;
    },
    css: ['drawer.css', 'editor.css'],
    html: 'editor.html',
  });
  const quiz = new Lazy(() => import('./quiz.js'), { make: (m) => m.wireQuiz(doc), css: ['drawer.css', 'choices.css', 'quiz.css'], html: 'quiz.html' });
  const walk = watchWalkthrough({
    doc,
    showError,
    make: ({ Walkthrough }) => {
      const run = inspector.use((i, /** @type {string} */ url, /** @type {string} */ client, /** @type {string} */ origin, /** @type {string | undefined} */ from) => i.run(url, client, origin, from), showError);
      const w = new Walkthrough({ doc, snapshot, paused: () => state.clock.paused, inspector: { run } });
      w.wire();
      return w;
    },
  });
  inspector.opener(doc.querySelector('[data-testid="trace-open"]'), (i) => i.toggle(), showError);
  quiz.opener(doc.querySelector('[data-testid="quiz-open"]'), (q) => q?.toggle(), showError);
  wirePicker(doc, showError);
  const explain = inspector.use((i, /** @type {import('./wire.js').Request} */ r) => i.explain(r), showError);
  const openMenu = pods.use((m, /** @type {string} */ pod, /** @type {number} */ x, /** @type {number} */ y) => {
    m.closeOverflow();
    m.openMenu(pod, x, y);
  }, showError);
  const openOverflow = pods.use((m, /** @type {string} */ node, /** @type {number} */ x, /** @type {number} */ y) => {
    m.closeMenu();
    m.openOverflow(node, x, y);
  }, showError);
  const openEditor = editor.use((e, /** @type {string} */ route) => e.open(route), showError);
  /** Closes the pod menu or the pod list, if one is open; true if one was. */
  const closePopovers = () => !!pods.value?.closePopovers();

  const callouts = new Callouts({ doc, snapshot });
  const stats = new Stats(doc);
  const people = new People({
    doc,
    showError,
    onTheme: () => {
      renderer.readColors();
      schedule();
    },
    onTrace: inspector.use((i) => i.open(), showError),
    onEscape: () => {
      if (closePopovers()) return true;
      for (const panel of [editor.value, inspector.value]) {
        if (panel?.isOpen()) {
          panel.close();
          return true;
        }
      }
      return false;
    },
  });
  cluster.wire();
  people.wire();

  // Clicks on the picture: a dot opens the inspector, a pod its menu, a
  // Route card the editor, "+N more pods" the list of the others. A busy
  // pod always has dots on it and must stay clickable: over a pod or a
  // card a dot must be hit on its body (radius 6, the dot's is 5), and
  // dots resting at its centre (requests it is serving) do not count.
  const stage = doc.querySelector('.stage-inner');
  const clickable = 'g.pod[data-pod], [data-testid="route-card"], [data-testid="pod-overflow"]';
  /** The dot under a pointer event, if any. @param {MouseEvent} e */
  const dotAt = (e) => {
    const box = renderer.canvas.getBoundingClientRect();
    const on = /** @type {Element} */ (e.target).closest?.(clickable);
    if (!on) return renderer.hitTest(e.clientX - box.left, e.clientY - box.top);
    const r = on.getBoundingClientRect();
    const rest = { x: r.left - box.left + r.width / 2, y: r.top - box.top + r.height / 2 };
    return renderer.hitTest(e.clientX - box.left, e.clientY - box.top, 6, rest);
  };
  stage?.addEventListener('click', (ev) => {
    const e = /** @type {MouseEvent} */ (ev);
    const hit = dotAt(e);
    if (hit) {
      closePopovers();
      explain(hit);
      return;
    }
    const t = /** @type {Element} */ (e.target);
    const pod = t.closest?.('g.pod[data-pod]');
    if (pod) {
      openMenu(pod.getAttribute('data-pod') || '', e.clientX, e.clientY);
      return;
    }
    const over = t.closest?.('[data-testid="pod-overflow"]');
    if (over && over.getAttribute('visibility') !== 'hidden') {
      openOverflow(over.getAttribute('data-node') || '', e.clientX, e.clientY);
      return;
    }
    const route = t.closest?.('[data-testid="route-card"]');
    if (route) {
      closePopovers();
      openEditor(route.getAttribute('data-route') || '');
      return;
    }
    closePopovers();
  });
  // Keyboard: pods, Route cards and "+N more pods" are focusable; Enter acts as a click.
  stage?.addEventListener('keydown', (ev) => {
    const e = /** @type {KeyboardEvent} */ (ev);
    if (e.key !== 'Enter' && e.key !== ' ') return;
    const t = /** @type {Element} */ (e.target);
    const r = t.getBoundingClientRect?.();
    if (t.matches?.('g.pod[data-pod]')) {
      e.preventDefault();
      e.stopPropagation();
      openMenu(t.getAttribute('data-pod') || '', r.right, r.top);
    } else if (t.matches?.('[data-testid="route-card"]')) {
      e.preventDefault();
      e.stopPropagation();
      openEditor(t.getAttribute('data-route') || '');
    } else if (t.matches?.('[data-testid="pod-overflow"]')) {
      e.preventDefault();
      e.stopPropagation();
      openOverflow(t.getAttribute('data-node') || '', r.right, r.top);
    }
  });
  // The picture is not a hit target for dots when the pointer hovers one.
  stage?.addEventListener('mousemove', (ev) => {
    stage.classList.toggle('over-dot', !!dotAt(/** @type {MouseEvent} */ (ev)));
  });

  return {
    /** The scale buttons' commands, for the oc strip. */
    actions,
    /** A new snapshot arrived (the loop saw its version move). */
    onState() {
      cluster.sync();
      pods.value?.sync();
      walk.player.value?.onState();
      callouts.onState();
    },
    /** The clock changed (paused, speed). */
    onClock() {
      walk.player.value?.onClock();
    },
    /** A whole new snapshot (connect, a load, a walkthrough step). */
    onSnapshot() {
      walk.sync();
      if (state.metrics) stats.restart(state.metrics); // the chart starts over
    },
    /** New metrics (the loop saw their version move). @param {number} now */
    onMetrics(now) {
      if (state.metrics) stats.sync(state.metrics, now, state.snapshot);
    },
    /** A frame's requests. @param {import('./wire.js').Request[]} reqs */
    onRequests(reqs) {
      callouts.onRequests(reqs);
    },
  };
}
