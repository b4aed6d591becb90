// @ts-check
// When the walkthrough player opens, and its opener. The player
// (walkthrough.js) loads on first use (lazy.js); this small part runs from
// the start, because the player also opens by itself: on a deep link
// (?scenario=&step=), on a reload at a step (unless it was closed), after
// the picker loaded a scenario with steps, and when another viewer (a
// room's presenter, another tab) moves the walkthrough to a step.

import { apiURL, authHeaders } from './base.js';
import { Lazy } from './lazy.js';

export const PICKED = 'podpath.wt.picked'; // the scenario the picker just loaded
export const CLOSED = 'podpath.wt.closed'; // a reload does not reopen it

/** GET /api/walkthrough of this page's room (base.js). */
export async function fetchWalkthrough() {
  const res = await fetch(apiURL('/api/walkthrough'), { headers: authHeaders() });
  const w = await res.json();
  if (!res.ok) throw new Error(w.error);
  return w;
}

/**
 * sessionStorage: sets v, else reads (and removes unless peek).
 * @param {string} k @param {string} [v] @param {boolean} [peek]
 * @returns {string | null}
 */
export function store(k, v, peek = false) {
  try {
    if (v !== undefined) return sessionStorage.setItem(k, v), v;
    const old = sessionStorage.getItem(k);
    if (!peek) sessionStorage.removeItem(k);
    return old;
  } catch {
    return null;
  }
}

/**
 * Wires the opener (wt-open) and opens the player when the walkthrough
 * asks for it. sync() is for each new snapshot (a cluster replaced).
 * @param {object} o
 * @param {Document} o.doc
 * @param {(m: typeof import('./walkthrough.js')) => import('./walkthrough.js').Walkthrough} o.make builds and wires the player
 * @param {(err: unknown) => void} o.showError
 */
export function watchWalkthrough({ doc, make, showError }) {
  /** @type {any} the server's Walkthrough at start, for the player */
  let w = null;
  let drawn = ''; // the scenario the page was drawn from
  let busy = false;
  const player = new Lazy(() => import('./walkthrough.js'), {
    make: (m) => {
      const p = make(m);
      p.adopt(w, drawn);
      return p;
    },
    css: ['drawer.css', 'choices.css', 'walkthrough.css'],
    html: 'walkthrough.html',
  });
  const open = player.use((p) => p.open(), showError);

  player.opener(doc.querySelector('[data-testid="wt-open"]'), (p) => (p.isOpen() ? p.close() : p.open()), showError);
  // The picker's load reloads the page: open that scenario's walkthrough then.
  doc.querySelector('[data-testid="scenario-load"]')?.addEventListener('click', () => {
    store(PICKED, /** @type {HTMLSelectElement | null} */ (doc.querySelector('[data-testid="scenario-picker"]'))?.value || '');
  });

  (async () => {
    const q = new URLSearchParams(location.search);
    const picked = store(PICKED);
    let cur;
    try {
      cur = await fetchWalkthrough();
    } catch (err) {
      console.warn('podpath: reading the walkthrough', err);
      return;
    }
    w = cur;
    drawn = cur.scenario;
    const p = player.value; // opened by a click before the answer came
    if (p) {
      p.adopt(w, drawn);
      if (p.isOpen()) p.render(w);
    }
    if (q.has('scenario') || q.has('step')) {
      const scenario = q.get('scenario') || cur.scenario;
      const k = Math.max(1, Number(q.get('step')) || 1);
      await player.use(async (p) => {
        p.open();
        if (cur.scenario !== scenario || cur.step !== k) await p.go(k, { scenario });
      }, showError)();
    } else if ((cur.step > 0 && !store(CLOSED, undefined, true)) || (picked === cur.scenario && cur.total > 0)) await open();
  })();

  return {
    player,
    /** A new snapshot: another viewer may have moved the walkthrough to a step; the player follows. */
    async sync() {
      if (!player.value) {
        if (busy || !drawn) return;
        busy = true;
        const cur = await fetchWalkthrough().catch(() => null);
        busy = false;
        if (!cur?.step) return; // at no step there is nothing to follow
        await player.get().catch(showError);
      }
      await player.value?.sync();
    },
  };
}
