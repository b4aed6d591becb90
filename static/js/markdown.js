// @ts-check
// A tiny, safe Markdown subset for walkthrough narration: paragraphs,
// `-`/`*` bullet lists, **bold**, *em*, `code`, and links only to a
// walkthrough step of this page (?scenario=…&step=…). Everything is built
// as DOM nodes with textContent; markup in the source stays text.

/** A link target the narration may use: a step of a walkthrough, same page. */
export const STEP_LINK = /^\?scenario=[a-z0-9][-a-z0-9]{0,62}&step=\d{1,2}$/;

const INLINE = /`([^`]+)`|\*\*(.+?)\*\*|\*([^*\s](?:[^*]*[^*\s])?)\*|\[([^\]]+)\]\(([^)\s]+)\)/g;

/**
 * Markdown → a fragment of p, ul/li, strong, em, code and a.
 * @param {Document} doc
 * @param {string} src
 */
export function markdown(doc, src) {
  const out = doc.createDocumentFragment();
  /** @type {{li: boolean, text: string}[]} */
  const blocks = [];
  /** @type {{li: boolean, text: string} | null} */
  let open = null; // a line that is neither blank nor a bullet continues it (lazily, as in CommonMark)
  for (const raw of String(src || '').split('\n')) {
    const line = raw.trim();
    const bullet = /^[-*]\s+(.*)$/.exec(line);
    if (!line) open = null;
    else if (bullet) blocks.push((open = { li: true, text: bullet[1] }));
    else if (open) open.text += ' ' + line;
    else blocks.push((open = { li: false, text: line }));
  }
  /** @type {HTMLElement | null} */
  let ul = null;
  for (const b of blocks) {
    if (b.li && !ul) out.append((ul = doc.createElement('ul')));
    if (!b.li) ul = null;
    (ul || out).append(inline(doc, doc.createElement(b.li ? 'li' : 'p'), b.text));
  }
  return out;
}

/**
 * Appends text with inline marks to el.
 * @template {HTMLElement} T
 * @param {Document} doc
 * @param {T} el
 * @param {string} text
 * @returns {T}
 */
export function inline(doc, el, text) {
  let last = 0;
  for (const m of text.matchAll(INLINE)) {
    const at = m.index ?? 0;
    if (at > last) el.append(text.slice(last, at));
    last = at + m[0].length;
    if (m[1] !== undefined) el.append(make(doc, 'code', m[1]));
    else if (m[2] !== undefined) el.append(inline(doc, doc.createElement('strong'), m[2]));
    else if (m[3] !== undefined) el.append(inline(doc, doc.createElement('em'), m[3]));
    else if (STEP_LINK.test(m[5])) {
      const a = inline(doc, doc.createElement('a'), m[4]);
      a.setAttribute('href', m[5]);
      a.className = 'step-link';
      el.append(a);
    } else el.append(inline(doc, doc.createElement('span'), m[4])); // other links: their text only
  }
  if (last < text.length) el.append(text.slice(last));
  return el;
}

/**
 * An element with text (and attributes), for the scripts that build DOM.
 * @param {Document} doc
 * @param {string} name
 * @param {string} text
 * @param {Record<string, string | number>} [attrs]
 */
export function make(doc, name, text, attrs = {}) {
  const e = doc.createElement(name);
  e.textContent = text;
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, String(v));
  return e;
}
