// @ts-check
// Wires the parts added around the live picture: the oc strip, the
// cluster controls and pod menu, the inspector, the route editor, the
// computed metrics and the help/theme. app.js calls the returned hooks
// from its one loop; nothing here starts a loop of its own.

import { Actions } from './actions.js';
import { ClusterControls } from './cluster.js';
import { Inspector } from './inspector.js';
import { RouteEditor } from './editor.js';
import { Stats } from './stats.js';
import { People } from './people.js';
import { Walkthrough } from './walkthrough.js';
import { Callouts } from './callouts.js';

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
  const actions = new Actions({ doc, showError: (e) => controls.showError(e), snapshot });
  const inspector = new Inspector({
    doc,
    highlight: (ids) => renderer.highlight(ids),
    showOC: (cmd) => actions.show(cmd),
  });
  const cluster = new ClusterControls({
    doc,
    actions,
    snapshot,
    trace: (url, client) => {
      inspector.open();
      if (url) inspector.run(url, client, 'form');
    },
  });
  const editor = new RouteEditor({ doc, actions, snapshot });
  const walk = new Walkthrough({ doc, snapshot, paused: () => state.clock.paused, inspector });
  const callouts = new Callouts({ doc, snapshot });
  const stats = new Stats(doc);
  const people = new People({
    doc,
    onTheme: () => {
      renderer.readColors();
      schedule();
    },
    onTrace: () => inspector.open(),
    onEscape: () => {
      if (cluster.closePopovers()) return true;
      if (editor.isOpen()) {
        editor.close();
        return true;
      }
      if (inspector.isOpen()) {
        inspector.close();
        return true;
      }
      return false;
    },
  });
  inspector.wire();
  cluster.wire();
  editor.wire();
  people.wire();
  walk.wire();

  // Clicks on the picture: a dot opens the inspector, a pod its menu, a
  // Route card the editor, "+N more pods" the list of the others.
  const stage = doc.querySelector('.stage-inner');
  stage?.addEventListener('click', (ev) => {
    const e = /** @type {MouseEvent} */ (ev);
    const box = renderer.canvas.getBoundingClientRect();
    const hit = renderer.hitTest(e.clientX - box.left, e.clientY - box.top);
    if (hit) {
      cluster.closePopovers();
      inspector.explain(hit);
      return;
    }
    const t = /** @type {Element} */ (e.target);
    const pod = t.closest?.('g.pod[data-pod]');
    if (pod) {
      cluster.closeOverflow();
      cluster.openMenu(pod.getAttribute('data-pod') || '', e.clientX, e.clientY);
      return;
    }
    const over = t.closest?.('[data-testid="pod-overflow"]');
    if (over && over.getAttribute('visibility') !== 'hidden') {
      cluster.closeMenu();
      cluster.openOverflow(over.getAttribute('data-node') || '', e.clientX, e.clientY);
      return;
    }
    const route = t.closest?.('[data-testid="route-card"]');
    if (route) {
      cluster.closePopovers();
      editor.open(route.getAttribute('data-route') || '');
      return;
    }
    cluster.closePopovers();
  });
  // Keyboard: pods and Route cards are focusable; Enter acts as a click.
  stage?.addEventListener('keydown', (ev) => {
    const e = /** @type {KeyboardEvent} */ (ev);
    if (e.key !== 'Enter' && e.key !== ' ') return;
    const t = /** @type {Element} */ (e.target);
    const r = t.getBoundingClientRect?.();
    if (t.matches?.('g.pod[data-pod]')) {
      e.preventDefault();
      e.stopPropagation();
      cluster.openMenu(t.getAttribute('data-pod') || '', r.right, r.top);
    } else if (t.matches?.('[data-testid="route-card"]')) {
      e.preventDefault();
      e.stopPropagation();
      editor.open(t.getAttribute('data-route') || '');
    }
  });
  // The picture is not a hit target for dots when the pointer hovers one.
  stage?.addEventListener('mousemove', (ev) => {
    const e = /** @type {MouseEvent} */ (ev);
    const box = renderer.canvas.getBoundingClientRect();
    const over = !!renderer.hitTest(e.clientX - box.left, e.clientY - box.top);
    stage.classList.toggle('over-dot', over);
  });

  return {
    /** The scale buttons' commands, for the oc strip. */
    actions,
    /** A new snapshot arrived (the loop saw its version move). */
    onState() {
      cluster.sync();
      walk.onState();
      callouts.onState();
    },
    /** The clock changed (paused, speed). */
    onClock() {
      walk.onClock();
    },
    /** A whole new snapshot (connect, a load, a walkthrough step). */
    onSnapshot() {
      walk.sync();
    },
    /** New metrics (the loop saw their version move). @param {number} now */
    onMetrics(now) {
      if (state.metrics) stats.sync(state.metrics, now, state.snapshot, state.sampled);
    },
    /** A frame's requests. @param {import('./protocol.js').Request[]} reqs */
    onRequests(reqs) {
      stats.addRequests(reqs);
      callouts.onRequests(reqs);
    },
  };
}
