// @ts-check
// Wiring, and the one requestAnimationFrame loop. Messages change the
// state and ask for a frame; the loop applies what changed to the DOM
// (each part only when its version moved), then draws the dots. The loop
// keeps running only while virtual time runs and the tab is visible.
// What is imported here loads with the page; the panels load on first
// use (lazy.js, extras.js).

import { MSG } from './protocol.js';
import { State } from './state.js';
import { SimClock } from './clock.js';
import { Socket } from './socket.js';
import { Renderer, setText } from './render.js';
import { ApiError, Controls, onCommandState } from './controls.js';
import { startExtras } from './extras.js';
import { apiURL, roomToken } from './base.js';
import { wireRoom } from './room.js';
import { Lazy } from './lazy.js';

const doc = document;
const svg = /** @type {SVGSVGElement | null} */ (doc.getElementById('topology'));
const canvas = /** @type {HTMLCanvasElement | null} */ (doc.querySelector('[data-testid="request-canvas"]'));
const roomUI = wireRoom(doc);
if (svg && canvas) start(svg, canvas);

/**
 * @param {SVGSVGElement} svg
 * @param {HTMLCanvasElement} canvas
 */
function start(svg, canvas) {
  const reduced = matchMedia('(prefers-reduced-motion: reduce)');
  const state = new State();
  const clock = new SimClock();
  const renderer = new Renderer({ doc, svg, canvas, reducedMotion: reduced.matches });
  const controls = new Controls({
    doc,
    desired: (id) => state.desiredReplicas(id),
    paused: () => state.clock.paused,
  });
  controls.wire();

  // The page's initial state: the clock always, the cluster's state only
  // for small clusters (a large one comes with the socket's snapshot; the
  // server-rendered topology shows until then).
  const init = doc.getElementById('initial-state');
  if (init?.textContent) {
    const payload = JSON.parse(init.textContent);
    if (payload.state) state.applySnapshot(payload, 0);
    else state.setClock(payload.clock);
    clock.sync(payload.clock, true);
  }
  // A command's answer carries the new state: draw it now, not a frame later.
  // While the socket is down, a command's answer carries the new state:
  // draw it now. While it is up, the stream brings it (the server sends
  // it at once) and the answer leaves it out.
  /** @param {import('./wire.js').Snapshot} s */
  const applyAnswer = (s) => {
    state.applyCommandState(s);
    schedule();
  };
  onCommandState(applyAnswer);

  const seen = { state: -1, metrics: -1, clock: -1 };
  let raf = 0;
  let lastDraw = -Infinity;

  const schedule = () => {
    if (!raf && !doc.hidden) raf = requestAnimationFrame(tick);
  };
  const extras = startExtras({ doc, state, renderer, controls, schedule });
  controls.onCommand = (c) => extras.actions.show(c);
  zoomOnFirstUse({ doc, renderer, schedule }, (err) => controls.showError(err));

  /** @param {number} ts */
  function tick(ts) {
    raf = 0;
    // With reduced motion, dots jump hop to hop twice a second.
    // …but at once when the picture moved under them (a zoom, a resize).
    if (renderer.reducedMotion && clock.running() && !renderer.geometryDirty && ts - lastDraw < 500) {
      schedule();
      return;
    }
    lastDraw = ts;
    const now = clock.now();
    state.prune(now);
    const s = state.snapshot;
    if (s && state.stateVersion !== seen.state) {
      seen.state = state.stateVersion;
      if (renderer.syncState(s)) refreshTopology();
      extras.onState();
      seen.metrics = -1; // new pods need their counters
    }
    if (state.metrics && state.metricsVersion !== seen.metrics) {
      seen.metrics = state.metricsVersion;
      renderer.syncMetrics(state.metrics, s);
      extras.onMetrics(now);
    }
    if (state.clockVersion !== seen.clock) {
      seen.clock = state.clockVersion;
      renderer.syncClock(state.clock, state.sampled);
      extras.onClock();
    }
    renderer.appendLog(state.drainLog(now));
    renderer.setSimTime(now);
    renderer.draw(now, state.requests.values());
    if (clock.running()) schedule();
  }

  const socket = new Socket({
    url: wsURL(),
    since: () => state.seq,
    hello: () => {
      const token = roomToken();
      return token ? JSON.stringify({ type: MSG.AUTH, token }) : null;
    },
    onStatus: (st) => {
      renderer.setConn(st);
      clock.setLive(st === 'open');
      onCommandState(st === 'open' ? null : applyAnswer);
      schedule();
    },
    onMessage: (env) => {
      switch (env.type) {
        case MSG.SNAPSHOT: {
          const p = /** @type {import('./wire.js').SnapshotPayload} */ (env.payload);
          state.applySnapshot(p, env.seq);
          clock.sync(p.clock, true);
          extras.onSnapshot();
          // A snapshot mid-stream means the cluster was replaced (a load,
          // a reset, a walkthrough step — in a room, the presenter's):
          // modules that show more than the state (the walkthrough
          // player) listen for this and ask the server again.
          doc.dispatchEvent(new CustomEvent('podpath:snapshot', { detail: { seq: env.seq } }));
          break;
        }
        case MSG.FRAME: {
          const p = /** @type {import('./wire.js').FramePayload} */ (env.payload);
          const reqs = state.applyFrame(p, env.seq);
          if (reqs.length) extras.onRequests(reqs);
          if (p.clock) clock.sync(p.clock);
          break;
        }
        case MSG.ERROR:
          controls.showError(new ApiError(/** @type {import('./wire.js').ErrorPayload} */ (env.payload)));
          break;
        case MSG.AUTH:
          roomUI.setRole(/** @type {{role: string}} */ (env.payload).role);
          break;
      }
      if (doc.hidden) state.prune(clock.now());
      schedule();
    },
  });

  // Nodes, zones, Routes, Services or settings the SVG does not draw: fetch
  // the page again and take its topology and cluster line (at most every few seconds).
  let refreshing = false;
  let lastRefresh = -Infinity;
  /** @type {number | undefined} */
  let refreshTimer;
  async function refreshTopology() {
    if (refreshing) return;
    const wait = 3000 - (performance.now() - lastRefresh);
    if (wait > 0) {
      // Too soon: try once more when the pause is over.
      clearTimeout(refreshTimer);
      refreshTimer = setTimeout(refreshTopology, wait);
      return;
    }
    refreshing = true;
    lastRefresh = performance.now();
    try {
      const res = await fetch(location.pathname + location.search, { headers: { Accept: 'text/html' } });
      const parsed = new DOMParser().parseFromString(await res.text(), 'text/html');
      const fresh = parsed.getElementById('topology');
      const current = doc.getElementById('topology');
      if (res.ok && fresh && current) {
        const node = /** @type {SVGSVGElement} */ (/** @type {unknown} */ (doc.importNode(fresh, true)));
        current.replaceWith(node);
        renderer.setSvg(node);
        setText(doc.querySelector('[data-testid="cluster-line"]'), parsed.querySelector('[data-testid="cluster-line"]')?.textContent || '');
        seen.state = -1;
      }
    } catch (err) {
      console.warn('podpath: refreshing the topology', err);
    } finally {
      refreshing = false;
      schedule();
    }
  }

  new ResizeObserver(() => {
    renderer.resize();
    schedule();
  }).observe(/** @type {Element} */ (canvas.parentElement));
  doc.fonts?.ready.then(() => {
    renderer.geometryDirty = true;
    schedule();
  });
  doc.addEventListener('visibilitychange', () => {
    if (doc.hidden) {
      cancelAnimationFrame(raf);
      raf = 0;
    } else {
      schedule();
    }
  });
  reduced.addEventListener('change', () => {
    renderer.reducedMotion = reduced.matches;
    schedule();
  });
  matchMedia('(prefers-color-scheme: dark)').addEventListener('change', () => {
    renderer.readColors();
    schedule();
  });

  renderer.resize();
  schedule();
  socket.start();
}

/** The WebSocket URL of the room's /ws on this page's host. */
function wsURL() {
  const u = new URL(apiURL('/ws'), location.href);
  u.protocol = location.protocol === 'https:' ? 'wss:' : 'ws:';
  return u.toString();
}

/**
 * Zoom and pan (zoom.js, which then owns the SVG's viewBox) load on the
 * first zoom: a zoom button, ] [ 0, a wheel or a pinch over the picture.
 * Until then the picture is at 1× and needs none of it. The gesture that
 * starts the load is replayed once it is in; gestures while it loads are
 * cancelled (a pinch would zoom the whole page); after a failure the next
 * gesture tries again.
 * @param {{doc: Document, renderer: Renderer, schedule: () => void}} o
 * @param {(err: unknown) => void} showError
 */
function zoomOnFirstUse(o, showError) {
  const { doc } = o;
  const stage = doc.querySelector('.stage-inner');
  const bar = doc.querySelector('.zoom-bar');
  if (!stage || !bar) return;
  const zoom = new Lazy(() => import('./zoom.js'), { make: (m) => m.wireZoom(o) });
  const pointers = new Set();
  /** @type {[EventTarget, string, (e: any) => void, boolean][]} */
  const listeners = [
    [bar, 'click', (/** @type {MouseEvent} */ e) => {
      e.stopPropagation(); // not a click on a dot under the bar
      const b = /** @type {Element} */ (e.target).closest('button');
      if (b) load(e, () => b.click());
    }, false],
    [stage, 'wheel', (/** @type {WheelEvent} */ e) => load(e, () => stage.dispatchEvent(new WheelEvent('wheel', e))), false],
    [doc, 'keydown', (/** @type {KeyboardEvent} */ e) => {
      if (![']', '[', '0'].includes(e.key) || e.ctrlKey || e.metaKey || e.altKey) return;
      if (/** @type {Element} */ (e.target).closest?.('input, select, textarea, [contenteditable]')) return;
      load(e, () => doc.dispatchEvent(new KeyboardEvent('keydown', e)));
    }, false],
    [stage, 'pointerdown', (/** @type {PointerEvent} */ e) => pointers.add(e.pointerId) && pointers.size > 1 && load(e, () => {}), true],
    [doc, 'pointerup', (/** @type {PointerEvent} */ e) => pointers.delete(e.pointerId), true],
  ];
  let loading = false;
  /** @param {Event} e @param {() => void} replay */
  async function load(e, replay) {
    e.preventDefault();
    if (loading) return;
    loading = true;
    try {
      await zoom.get();
    } catch (err) {
      loading = false; // the listeners stay: the next gesture tries again
      showError(err);
      return;
    }
    for (const [t, type, fn] of listeners) t.removeEventListener(type, fn);
    replay();
  }
  for (const [t, type, fn, passive] of listeners) t.addEventListener(type, fn, { passive });
}
