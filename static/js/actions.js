// @ts-check
// Sending commands, and the "on a real cluster" strip that shows each
// action's oc equivalent with a copy button. The server computes the oc
// text (scenarios.OC) and returns it in the command's answer; the strip
// only shows it. The result of a command comes back through the stream
// for every viewer; nothing here changes what the page shows except the
// strip and the error toast.

import { postJSON } from './controls.js';

export class Actions {
  /**
   * @param {object} opts
   * @param {Document} opts.doc
   * @param {(err: unknown) => void} opts.showError
   */
  constructor({ doc, showError }) {
    this.doc = doc;
    this.showError = showError;
    this.out = doc.querySelector('[data-testid="oc-command"]');
    doc.querySelector('[data-testid="oc-copy"]')?.addEventListener('click', (ev) => {
      copy(this.out?.textContent || '', /** @type {Element} */ (ev.currentTarget));
    });
  }

  /**
   * Shows oc equivalents (the server's text) in the strip, one after the
   * other; nothing when there is none.
   * @param {...string} lines
   */
  show(...lines) {
    const text = lines.filter(Boolean).join('\n');
    if (this.out && text) this.out.textContent = text;
  }

  /**
   * Sends the command and, once the server accepted it, shows its oc
   * equivalent (from the answer).
   * @param {Record<string, any>} cmd
   * @param {{quiet?: boolean}} [opts] quiet: throw instead of the toast
   * @returns {Promise<{ok: boolean, oc: string} | null>} the answer, null when refused (unless quiet)
   */
  async send(cmd, opts = {}) {
    try {
      const res = await postJSON('/api/commands', cmd);
      this.show(res?.oc);
      return res;
    } catch (err) {
      if (opts.quiet) throw err;
      this.showError(err);
      return null;
    }
  }
}

/**
 * Copies text to the clipboard; says so on the button for a moment.
 * @param {string} text
 * @param {Element} button
 */
export async function copy(text, button) {
  let ok = false;
  try {
    await navigator.clipboard.writeText(text);
    ok = true;
  } catch {
    // No clipboard (http, permissions): select the text instead.
    const pre = button.parentElement?.querySelector('pre');
    if (pre) {
      const range = document.createRange();
      range.selectNodeContents(pre);
      getSelection()?.removeAllRanges();
      getSelection()?.addRange(range);
    }
  }
  const old = button.getAttribute('data-label') || button.textContent || 'Copy';
  button.setAttribute('data-label', old);
  button.textContent = ok ? 'Copied' : 'Selected';
  setTimeout(() => {
    button.textContent = old;
  }, 1200);
}
