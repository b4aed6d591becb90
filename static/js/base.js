// @ts-check
// The page's room: its base path and the presenter token this browser
// keeps for it. Every API and socket URL goes through apiURL, so that the
// same modules serve the default room (base "") and /r/{id}.

/** @type {{basePath?: string, room?: {id: string, open: boolean, parent?: string}} | null} */
const initial = (() => {
  try {
    return JSON.parse(document.getElementById('initial-state')?.textContent || 'null');
  } catch {
    return null;
  }
})();

/** The room's base path: "" for the default room, "/r/{id}" otherwise. */
export const basePath = initial?.basePath || '';

/** The room: id, open (the default room: anyone controls it), parent (of a fork). */
export const room = initial?.room || { id: 'local', open: true };

/** localStorage key of a room's presenter token. */
const tokenKey = (/** @type {string} */ id) => `podpath.room.${id}.token`;

/**
 * The URL of an API path ("/api/…", "/ws") in this page's room.
 * @param {string} path
 */
export function apiURL(path) {
  return path.startsWith('/api/rooms') ? path : basePath + path;
}

/** The presenter token of this page's room, or "". */
export function roomToken() {
  try {
    return localStorage.getItem(tokenKey(room.id)) || '';
  } catch {
    return '';
  }
}

/**
 * Keeps the presenter token of a room in this browser.
 * @param {string} id
 * @param {string} token
 */
export function saveToken(id, token) {
  try {
    localStorage.setItem(tokenKey(id), token);
  } catch {
    // private mode without storage: the room works, this browser is a follower on reload
  }
}

/**
 * Headers of an API call, with "Authorization: Bearer" when this browser
 * is the room's presenter.
 * @param {Record<string, string>} [extra]
 * @returns {Record<string, string>}
 */
export function authHeaders(extra = {}) {
  const token = roomToken();
  return token ? { ...extra, Authorization: `Bearer ${token}` } : { ...extra };
}
