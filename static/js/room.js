// @ts-check
// The room bar (web/room.templ). On the default room: "Start a room"
// (POST /api/rooms, keep the token, go to /r/{id}). In a shared room:
// the role this browser has (GET /api/room with its token, and the
// socket's auth answer), Fork for a follower (a private copy, whose
// presenter this browser becomes), Reset for the presenter, the share
// link and QR code, and Return from a fork. Followers' votes on a
// predict prompt are predict.js (loaded with the walkthrough player).

import { apiURL, authHeaders, room, roomToken, saveToken } from './base.js';

/** The page's words for a follower's refusal (the API's: server errFollower). */
export const FOLLOWER_TEXT = 'Only the presenter can change this room — Fork it to experiment.';

/** What only the presenter may use: commands, the clock, scenarios. */
const PRESENTER_ONLY = '[data-action], [data-testid="cluster-controls"] :is(button, input, select), [data-testid="scenario-load"], [data-testid="import-apply"], [data-testid="scenario-save"]';

/** This browser's role in the page's room: presenter or follower. */
let current = room.open ? 'presenter' : 'follower';

/** This browser's role in the page's room, as the server last said. */
export function role() {
  return current;
}

/**
 * @param {Document} doc
 * @returns {{setRole: (role: string) => void, role: () => string}}
 */
export function wireRoom(doc) {
  const $ = (/** @type {string} */ id) => /** @type {HTMLElement | null} */ (doc.querySelector(`[data-testid="${id}"]`));
  const bar = $('room');
  const roleEl = $('room-role');
  const fork = $('room-fork');
  const reset = $('room-reset');
  const start = $('room-start');

  // The download link names the room's own export.
  const exportLink = /** @type {HTMLAnchorElement | null} */ ($('export-download'));
  if (exportLink) exportLink.href = apiURL('/api/export');

  /** @param {string} role */
  function setRole(role) {
    current = role === 'presenter' ? 'presenter' : 'follower';
    bar?.setAttribute('data-role', current);
    doc.documentElement.setAttribute('data-room-role', current);
    if (roleEl) {
      roleEl.dataset.role = current;
      roleEl.textContent = current;
    }
    if (fork) fork.hidden = current === 'presenter';
    if (reset) reset.hidden = current !== 'presenter';
    // Disabled for a follower, saying why (data-presenter-only keeps the title).
    for (const c of /** @type {NodeListOf<HTMLButtonElement>} */ (doc.querySelectorAll(PRESENTER_ONLY))) {
      const kept = c.getAttribute('data-presenter-only');
      if (current === 'follower' && kept === null && !c.disabled) {
        c.setAttribute('data-presenter-only', c.title);
        c.title = FOLLOWER_TEXT;
        c.disabled = true;
      } else if (current === 'presenter' && kept !== null) {
        c.removeAttribute('data-presenter-only');
        c.title = kept;
        c.disabled = false;
      }
    }
  }

  /** @param {unknown} err */
  function toast(err) {
    const el = $('error-toast');
    if (!el) return;
    el.textContent = err instanceof Error ? err.message : String(err);
    el.hidden = false;
  }

  /**
   * POSTs and returns the JSON answer; throws with the server's error.
   * @param {string} url
   * @param {unknown} [body]
   */
  async function post(url, body) {
    const res = await fetch(url, {
      method: 'POST',
      headers: authHeaders({ 'Content-Type': 'application/json', Accept: 'application/json' }),
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const data = await res.json().catch(() => ({}));
    if (!res.ok) throw new Error(data.error || `HTTP ${res.status}`);
    return data;
  }

  /** @param {{id: string, url: string, token: string}} info */
  function enter(info) {
    saveToken(info.id, info.token);
    location.assign(info.url);
  }

  start?.addEventListener('click', async () => {
    try {
      enter(await post('/api/rooms'));
    } catch (err) {
      toast(err);
    }
  });
  fork?.addEventListener('click', async () => {
    try {
      enter(await post(apiURL('/api/fork')));
    } catch (err) {
      toast(err);
    }
  });
  reset?.addEventListener('click', async () => {
    try {
      await post(apiURL('/api/reset'));
      location.reload();
    } catch (err) {
      toast(err);
    }
  });

  if (!room.open) {
    setRole(roomToken() ? 'presenter' : 'follower'); // until the server says
    fetch(apiURL('/api/room'), { headers: authHeaders({ Accept: 'application/json' }) })
      .then((res) => (res.ok ? res.json() : null))
      .then((info) => info && setRole(info.role))
      .catch(() => {});
  }
  return { setRole, role };
}
