// @ts-check
// Panels loaded on first use. app.js imports what draws the topology,
// moves the dots and runs the basic controls; a panel (static/doc.go lists
// them) is a module imported by the first action that needs it — its
// opener's click, a key, a deep link — with its stylesheets (static/css/)
// and, if closed at start, its markup (static/panels/, templ's render of
// web.Panels): the page carries neither. The opener stays in the page and
// works on the first click: it waits for the panel, then opens it.
// e2e/perf/fps.mjs counts what loads with the page and, apart, what the
// panels load.

/**
 * A panel, loaded once on first use.
 * @template M the module
 * @template [T=M] the panel
 */
export class Lazy {
  /**
   * @param {() => Promise<M>} mod imports the module, e.g. () => import('./quiz.js')
   * @param {object} [o]
   * @param {(m: M) => T} [o.make] builds the panel once everything is in (default: the module)
   * @param {string[]} [o.css] its stylesheets in static/css/
   * @param {string} [o.html] its markup in static/panels/, added to the body first
   */
  constructor(mod, { make, css = [], html } = {}) {
    this.mod = mod;
    this.make = make || ((/** @type {M} */ m) => /** @type {T} */ (/** @type {unknown} */ (m)));
    this.css = css;
    this.html = html;
    /** @type {T | null} the panel, once loaded */
    this.value = null;
    /** @type {Promise<T> | null} */
    this.loading = null;
  }

  /** The panel, loading it the first time. @returns {Promise<T>} */
  get() {
    this.loading ??= Promise.all([this.mod(), this.html ? markup(this.html) : null, ...this.css.map(stylesheet)])
      .then(([m]) => (this.value = this.make(m)))
      .catch((err) => {
        this.loading = null; // the next use tries again (a failed import, or make threw)
        throw new Error(`podpath: a panel failed to load (${err instanceof Error ? err.message : err}); reload the page`);
      });
    return this.loading;
  }

  /**
   * A handler that runs fn on the panel (loading it first); a failure goes
   * to showError, the page's error toast.
   * @template {unknown[]} A
   * @param {(panel: T, ...args: A) => unknown} fn
   * @param {(err: unknown) => void} showError
   * @returns {(...args: A) => Promise<void>}
   */
  use(fn, showError) {
    return async (...args) => {
      try {
        await fn(await this.get(), ...args);
      } catch (err) {
        showError(err);
      }
    };
  }

  /**
   * Makes a server-rendered button open the panel: a click waits for it
   * (the button says aria-busy meanwhile and ignores more clicks), then
   * runs fn.
   * @param {Element | null} button
   * @param {(panel: T) => unknown} fn
   * @param {(err: unknown) => void} showError
   */
  opener(button, fn, showError) {
    const run = this.use(fn, showError);
    button?.addEventListener('click', async () => {
      if (button.getAttribute('aria-busy') === 'true') return;
      if (!this.value) button.setAttribute('aria-busy', 'true');
      await run();
      button.removeAttribute('aria-busy');
    });
  }
}

/** @type {Map<string, Promise<void>>} stylesheets added, by name */
const sheets = new Map();

/**
 * Adds a stylesheet of static/css/ (same content hash as the scripts)
 * once, and resolves when it applies.
 * @param {string} name
 * @returns {Promise<void>}
 */
export function stylesheet(name) {
  let p = sheets.get(name);
  if (!p) {
    const link = document.createElement('link');
    link.rel = 'stylesheet';
    link.href = new URL(`../css/${name}`, import.meta.url).href;
    p = new Promise((resolve, reject) => {
      link.addEventListener('load', () => resolve());
      link.addEventListener('error', () => {
        sheets.delete(name);
        link.remove();
        reject(new Error(`${name} did not load`));
      });
    });
    sheets.set(name, p);
    document.head.append(link);
  }
  return p;
}

/** @type {Map<string, Promise<void>>} markup added, by name */
const fragments = new Map();

/**
 * Adds a panel's markup of static/panels/ at the end of the body, once.
 * The files are templ's output for web.Panels (no scripts, no inline
 * styles: the page's CSP holds), parsed as an inert document and adopted.
 * @param {string} name
 * @returns {Promise<void>}
 */
function markup(name) {
  let p = fragments.get(name);
  if (!p) {
    p = fetch(new URL(`../panels/${name}`, import.meta.url)).then(async (res) => {
      if (!res.ok) throw new Error(`${name}: HTTP ${res.status}`);
      const parsed = new DOMParser().parseFromString(await res.text(), 'text/html');
      document.body.append(...Array.from(parsed.body.children, (el) => document.importNode(el, true)));
    });
    p.catch(() => fragments.delete(name));
    fragments.set(name, p);
  }
  return p;
}
