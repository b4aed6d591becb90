// @ts-check
// A tiny, safe Markdown subset for walkthrough narration: paragraphs,
// `-`/`*` bullet lists, **bold**, *em*, `code`, and links only to a
// walkthrough step of this page (?scenario=…&step=…). Everything is built
// as DOM nodes with textContent; markup in the source stays text.

/** A link target the narration may use: a step of a walkthrough, same page. */
export const STEP_LINK = /^\?scenario=[a-z0-9][-a-z0-9]{0,62}&step=\d{1,2}$/;

const INLINE = /`([^`]+)`|\*\*(.+?)\*\*|\*([^*\s](?:[^*]*[^*\s])?)\*|\[([^\]]+)\]\(([^)\s]+)\)/g;

/**
 * Renders Markdown into a fragment of p, ul/li, strong, em, code and a.
 * @param {Document} doc
 * @param {string} src
 * @returns {DocumentFragment}
 */
export function markdown(doc, src) {
  const out = doc.createDocumentFragment();
  /** @type {HTMLElement | null} */
  let list = null;
  /** @type {string[]} */
  let para = [];
  /** @type {HTMLElement | null} */
  let item = null;
  let itemText = '';
  const flushItem = () => {
    if (item) inline(doc, item, itemText);
    item = null;
  };
  const flushPara = () => {
    if (para.length) out.append(inline(doc, doc.createElement('p'), para.join(' ')));
    para = [];
  };
  for (const raw of String(src || '').split('\n')) {
    const line = raw.trim();
    const bullet = /^[-*]\s+(.*)$/.exec(line);
    if (bullet) {
      flushPara();
      flushItem();
      if (!list) out.append((list = doc.createElement('ul')));
      item = doc.createElement('li');
      itemText = bullet[1];
      list.append(item);
    } else if (!line) {
      flushItem();
      flushPara();
      list = null;
    } else if (item) {
      itemText += ' ' + line; // a continuation of the item (lazy, as in CommonMark)
    } else {
      para.push(line);
    }
  }
  flushItem();
  flushPara();
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
    if (m[1] !== undefined) el.append(tag(doc, 'code', m[1]));
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
 * @param {Document} doc
 * @param {string} name
 * @param {string} text
 */
function tag(doc, name, text) {
  const e = doc.createElement(name);
  e.textContent = text;
  return e;
}
