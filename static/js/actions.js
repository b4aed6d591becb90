// @ts-check
// Sending commands, and the "on a real cluster" strip that shows each
// action's oc equivalent with a copy button (oc.js, loaded with the first
// command). The result of a command comes back through the stream for
// every viewer; nothing here changes what the page shows except the strip
// and the error toast.

import { postJSON } from './controls.js';
import { Lazy } from './lazy.js';

/** oc.js, loaded on first use. */
const oc = new Lazy(() => import('./oc.js'));

export class Actions {
  /**
   * @param {object} opts
   * @param {Document} opts.doc
   * @param {(err: unknown) => void} opts.showError
   * @param {() => import('./wire.js').Snapshot | null} opts.snapshot
   */
  constructor({ doc, showError, snapshot }) {
    this.doc = doc;
    this.showError = showError;
    this.snapshot = snapshot;
    this.out = doc.querySelector('[data-testid="oc-command"]');
    doc.querySelector('[data-testid="oc-copy"]')?.addEventListener('click', (ev) => {
      copy(this.out?.textContent || '', /** @type {Element} */ (ev.currentTarget));
    });
  }

  /**
   * Shows a command's oc equivalent in the strip.
   * @param {Record<string, any>} cmd
   */
  show(cmd) {
    this.write([cmd]);
  }

  /**
   * Shows several commands' oc equivalents, one after the other.
   * @param {Record<string, any>[]} cmds
   */
  showMany(cmds) {
    this.write(cmds);
  }

  /**
   * Writes the commands' oc equivalents into the strip, in call order
   * (the first waits for oc.js), as of the state at the call.
   * @param {Record<string, any>[]} cmds
   */
  write(cmds) {
    const out = this.out;
    const s = this.snapshot();
    if (!out) return;
    oc.get().then(
      ({ ocFor }) => (out.textContent = cmds.map((c) => ocFor(c, s)).join('\n')),
      (err) => this.showError(err),
    );
  }

  /**
   * Sends the command and, once the server accepted it, shows its oc
   * equivalent.
   * @param {Record<string, any>} cmd
   * @param {{quiet?: boolean}} [opts] quiet: throw instead of the toast
   */
  async send(cmd, opts = {}) {
    try {
      const res = await postJSON('/api/commands', cmd);
      this.show(cmd);
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
