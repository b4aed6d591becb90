// @ts-check
// Predict prompts in a shared room: a follower's choice is a vote, the
// presenter sees the tally. Loaded with the walkthrough player, which
// draws the prompts (walkthrough.js calls wirePredict).

import { apiURL, authHeaders } from './base.js';
import { role } from './room.js';

/** localStorage key of this browser's voter id (one vote per browser). */
const VOTER_KEY = 'podpath.voter';

/** How often the presenter's tally is refreshed while a prompt waits, ms. */
const TALLY_MS = 1500;

/**
 * Predict prompts in a shared room. The walkthrough player
 * (walkthrough.js) draws the choices as [data-testid="wt-choice"]
 * buttons: a follower's click becomes a vote (the answer itself is the
 * presenter's), and the presenter sees the tally in [data-testid="wt-tally"]
 * under the prompt while it waits.
 * @param {Document} doc
 */
export function wirePredict(doc) {
  doc.addEventListener(
    'click',
    async (ev) => {
      const b = /** @type {Element} */ (ev.target).closest?.('[data-testid="wt-choice"]');
      if (!b || role() === 'presenter') return;
      ev.preventDefault();
      ev.stopImmediatePropagation();
      try {
        await vote(Number(b.getAttribute('data-index')));
        for (const other of doc.querySelectorAll('[data-testid="wt-choice"]')) other.removeAttribute('data-voted');
        b.setAttribute('data-voted', 'true');
      } catch (err) {
        const t = doc.querySelector('[data-testid="error-toast"]');
        if (t) {
          t.textContent = err instanceof Error ? err.message : String(err);
          /** @type {HTMLElement} */ (t).hidden = false;
        }
      }
    },
    true,
  );
  setInterval(async () => {
    const box = /** @type {HTMLElement | null} */ (doc.querySelector('[data-testid="wt-predict"]'));
    if (role() !== 'presenter' || !box || box.hidden || doc.hidden) return;
    try {
      const res = await fetch(apiURL('/api/walkthrough'), { headers: authHeaders({ Accept: 'application/json' }) });
      if (!res.ok) return;
      const w = await res.json();
      let out = /** @type {HTMLElement | null} */ (box.querySelector('[data-testid="wt-tally"]'));
      if (!out) {
        out = doc.createElement('p');
        out.className = 'wt-tally';
        out.setAttribute('data-testid', 'wt-tally');
        out.setAttribute('role', 'status');
        box.append(out);
      }
      const tally = Array.isArray(w.tally) ? w.tally : [];
      out.hidden = tally.length === 0;
      out.setAttribute('data-tally', tally.join(','));
      const total = tally.reduce((a, n) => a + n, 0);
      out.textContent = `Votes (${total}): ` + tally.map((n, i) => `${String.fromCharCode(65 + i)} ${n}`).join(' · ');
    } catch {
      // the next poll tries again
    }
  }, TALLY_MS);
}

/** This browser's voter id, made once. */
function voterID() {
  let id = '';
  try {
    id = localStorage.getItem(VOTER_KEY) || '';
    if (!id) {
      const b = crypto.getRandomValues(new Uint8Array(12));
      id = Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');
      localStorage.setItem(VOTER_KEY, id);
    }
  } catch {
    id = 'anon' + Math.random().toString(16).slice(2, 14);
  }
  return id;
}

/**
 * A follower's answer to the waiting predict prompt; resolves to the
 * tally so far ({ok, tally: [n…]}). The presenter reads the tally in
 * GET /api/walkthrough (`tally`).
 * @param {number} choice
 */
export async function vote(choice) {
  const res = await fetch(apiURL('/api/walkthrough/vote'), {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
    body: JSON.stringify({ choice, voter: voterID() }),
  });
  const data = await res.json().catch(() => ({}));
  if (!res.ok) throw new Error(data.error || `HTTP ${res.status}`);
  return data;
}
