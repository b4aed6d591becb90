// @ts-check
// For people: the help overlay (?), the theme toggle (auto → light →
// dark, remembered in localStorage) and the keys added on top of
// controls.js (? help, t trace, Esc closes). The overlay's markup and
// style load the first time it opens (lazy.js).

import { Lazy } from './lazy.js';

const THEMES = ['auto', 'light', 'dark'];
const THEME_TEXT = { auto: '◐ auto', light: '☀ light', dark: '☾ dark' };
const KEY = 'podpath-theme';

export class People {
  /**
   * @param {object} opts
   * @param {Document} opts.doc
   * @param {() => void} opts.onTheme     the colours changed
   * @param {() => void} opts.onTrace     t: open the inspector
   * @param {() => boolean} opts.onEscape closes a popover or drawer; true if it did
   * @param {(err: unknown) => void} opts.showError
   */
  constructor({ doc, onTheme, onTrace, onEscape, showError }) {
    this.doc = doc;
    this.onTheme = onTheme;
    this.onTrace = onTrace;
    this.onEscape = onEscape;
    this.showError = showError;
    /** The help overlay (no module of its own: its markup and style). */
    this.helpPanel = new Lazy(async () => doc, {
      make: (d) => {
        const h = /** @type {HTMLElement | null} */ (d.querySelector('[data-testid="help-overlay"]'));
        h?.querySelector('[data-testid="help-close"]')?.addEventListener('click', () => this.toggleHelp(false));
        h?.addEventListener('click', (ev) => {
          if (ev.target === h) this.toggleHelp(false);
        });
        return h;
      },
      css: ['help.css'],
      html: 'help.html',
    });
    this.themeBtn = doc.querySelector('[data-testid="theme-toggle"]');
    /** @type {Element | null} */
    this.lastFocus = null;
  }

  wire() {
    const doc = this.doc;
    let saved = 'auto';
    try {
      saved = localStorage.getItem(KEY) || 'auto';
    } catch {
      // storage off: stay on auto
    }
    this.setTheme(THEMES.includes(saved) ? saved : 'auto');
    this.themeBtn?.addEventListener('click', () => {
      const cur = this.themeBtn?.getAttribute('data-theme') || 'auto';
      this.setTheme(THEMES[(THEMES.indexOf(cur) + 1) % THEMES.length]);
    });
    this.helpPanel.opener(doc.querySelector('[data-testid="help-open"]'), () => this.toggleHelp(), this.showError);
    doc.addEventListener('keydown', (ev) => {
      if (ev.ctrlKey || ev.metaKey || ev.altKey) return;
      if (ev.key === 'Escape') {
        const help = this.helpPanel.value;
        if (help && !help.hidden) this.toggleHelp(false);
        else this.onEscape();
        return;
      }
      const t = /** @type {Element} */ (ev.target);
      if (t.closest?.('input, select, textarea, [contenteditable]')) return;
      if (ev.key === '?') {
        ev.preventDefault();
        this.toggleHelp();
      } else if (ev.key === 't') {
        ev.preventDefault();
        this.onTrace();
      }
    });
  }

  /** @param {string} theme auto, light or dark */
  setTheme(theme) {
    const root = this.doc.documentElement;
    if (theme === 'auto') root.removeAttribute('data-theme');
    else root.setAttribute('data-theme', theme);
    this.themeBtn?.setAttribute('data-theme', theme);
    if (this.themeBtn) this.themeBtn.textContent = THEME_TEXT[/** @type {keyof typeof THEME_TEXT} */ (theme)];
    this.themeBtn?.setAttribute('title', `Theme: ${theme}; click to change`);
    try {
      localStorage.setItem(KEY, theme);
    } catch {
      // storage off
    }
    this.onTheme();
  }

  /** Shows or hides the help, loading it the first time. @param {boolean} [show] */
  async toggleHelp(show) {
    let h;
    try {
      h = await this.helpPanel.get();
    } catch (err) {
      this.showError(err);
      return;
    }
    if (!h) return;
    const on = show ?? h.hidden;
    h.hidden = !on;
    if (on) {
      this.lastFocus = this.doc.activeElement;
      /** @type {HTMLElement | null} */ (h.querySelector('[data-testid="help-close"]'))?.focus();
    } else if (this.lastFocus instanceof HTMLElement) {
      this.lastFocus.focus();
    }
  }
}
