// @ts-check
// The scenario panel (web/scenarios.templ): pick and load a scenario,
// import a file of manifests, download the cluster as a scenario file,
// save it into the scenarios directory. A load or an import replaces the
// whole cluster, so the page then reloads itself and draws the new one
// from the server; what the import warned about survives the reload in
// sessionStorage and is listed again. Loaded on first use (picker.js):
// the Load, Import… and Save buttons call what wireScenarios returns; a
// page that reloaded after a load loads it at once, to show the outcome.

/**
 * @typedef {{name: string, title: string, description: string, steps: number,
 *   source: 'builtin'|'dir', file?: string, error?: string}} ScenarioEntry
 * @typedef {{name: string, title?: string, description?: string, source: string}} ScenarioMeta
 * @typedef {{current: ScenarioMeta, canSave: boolean, scenarios: ScenarioEntry[]}} ScenarioList
 * @typedef {{document: number, item?: number, kind?: string, name?: string, line?: number,
 *   message: string, text: string}} ImportWarning
 * @typedef {{ok: boolean, scenario: ScenarioMeta, warnings: ImportWarning[]}} LoadAnswer
 */

import { apiURL, authHeaders } from './base.js';
import { RESULT_KEY } from './picker.js';

/** The server's import limit (server.MaxImportBytes). */
const MAX_IMPORT_BYTES = 10 << 20;

/**
 * Wires the panel, if the page has one, and returns its buttons' actions.
 * @param {Document} doc
 */
export function wireScenarios(doc) {
  const panel = doc.querySelector('[data-testid="scenarios"]');
  if (!panel) return null;
  /** @param {string} id */
  const el = (id) => /** @type {any} */ (panel.querySelector(`[data-testid="${id}"]`));
  const picker = /** @type {HTMLSelectElement} */ (el('scenario-picker'));
  const status = /** @type {HTMLElement} */ (el('scenario-status'));
  const importPanel = /** @type {HTMLElement} */ (el('import-panel'));
  const importOpen = /** @type {HTMLButtonElement} */ (el('import-open'));
  const text = /** @type {HTMLTextAreaElement} */ (el('import-text'));
  const file = /** @type {HTMLInputElement} */ (el('import-file'));
  const apply = /** @type {HTMLButtonElement} */ (el('import-apply'));
  const errorBox = /** @type {HTMLElement} */ (el('import-error'));
  const warningList = /** @type {HTMLUListElement} */ (el('import-warnings'));
  const saveName = /** @type {HTMLInputElement | null} */ (el('scenario-save-name'));

  /** @param {string} message @param {boolean} [bad] */
  const say = (message, bad = false) => {
    status.textContent = message;
    status.classList.toggle('bad', bad);
  };
  /** @param {boolean} open */
  const showImport = (open) => {
    importPanel.hidden = !open;
    importOpen.setAttribute('aria-expanded', String(open));
  };
  /** An error, scrolled into view and focused (it may render below the window's edge). @param {string} message */
  const showError = (message) => {
    errorBox.textContent = message;
    errorBox.hidden = message === '';
    if (!message) return;
    errorBox.tabIndex = -1;
    errorBox.scrollIntoView({ block: 'nearest' });
    errorBox.focus({ preventScroll: true });
  };
  /** @param {string[]} warnings */
  const showWarnings = (warnings) => {
    warningList.replaceChildren(
      ...warnings.map((w) => {
        const li = doc.createElement('li');
        li.textContent = w;
        return li;
      }),
    );
    warningList.hidden = warnings.length === 0;
  };

  /** Rebuilds the picker from GET /api/scenarios and selects the current one. */
  async function refresh() {
    try {
      const res = await fetch(apiURL('/api/scenarios'), { headers: { Accept: 'application/json' } });
      if (!res.ok) return;
      /** @type {ScenarioList} */
      const list = await res.json();
      fillPicker(doc, picker, list);
      if (saveName && !saveName.value && list.current.name) saveName.value = list.current.name;
    } catch (err) {
      console.warn('podpath: listing scenarios', err);
    }
  }

  /**
   * Sends a load or an import; on success reloads the page.
   * @param {string} url
   * @param {RequestInit} init
   * @param {string} what
   */
  async function replaceCluster(url, init, what) {
    say(`${what}…`);
    showError('');
    let res;
    try {
      res = await fetch(apiURL(url), { method: 'POST', ...init, headers: authHeaders(/** @type {Record<string, string>} */ (init.headers || {})) });
    } catch (err) {
      say(`${what} failed: ${err instanceof Error ? err.message : err}`, true);
      return false;
    }
    const body = await res.json().catch(() => ({ error: `HTTP ${res.status}` }));
    if (!res.ok) {
      say(`${what} failed`, true);
      showError(body.error || `HTTP ${res.status}`);
      return false;
    }
    const answer = /** @type {LoadAnswer} */ (body);
    sessionStorage.setItem(
      RESULT_KEY,
      JSON.stringify({ name: answer.scenario.name, warnings: (answer.warnings || []).map((w) => w.text) }),
    );
    location.reload();
    return true;
  }

  file.addEventListener('change', async () => {
    const f = file.files?.[0];
    if (!f) return;
    if (f.size > MAX_IMPORT_BYTES) {
      showError(`${f.name} is ${(f.size / (1 << 20)).toFixed(1)} MB; the limit is 10 MB`);
      return;
    }
    text.value = await f.text();
    showError('');
    say(`${f.name}: ${text.value.length} characters ready to import`);
  });

  apply.addEventListener('click', () => {
    const yaml = text.value;
    if (yaml.trim() === '') {
      showError('Paste a scenario file or manifests (YAML), or choose a file.');
      return;
    }
    if (new Blob([yaml]).size > MAX_IMPORT_BYTES) {
      showError('The text is over 10 MB, the import limit.');
      return;
    }
    showWarnings([]);
    replaceCluster('/api/import', { headers: { 'Content-Type': 'application/yaml' }, body: yaml }, 'Importing');
  });

  /** Save: the cluster into the scenarios directory, under the name given. */
  async function saveAs() {
    const name = (saveName?.value || '').trim();
    say(`Saving ${name}…`);
    try {
      const res = await fetch(apiURL('/api/scenarios/save'), {
        method: 'POST',
        headers: authHeaders({ 'Content-Type': 'application/json' }),
        body: JSON.stringify({ name }),
      });
      const body = await res.json().catch(() => ({}));
      if (!res.ok) {
        say(`Not saved: ${body.error || `HTTP ${res.status}`}`, true);
        return;
      }
      say(`Saved as ${body.name} (${body.file})`);
      await refresh();
    } catch (err) {
      say(`Not saved: ${err instanceof Error ? err.message : err}`, true);
    }
  }

  // The outcome of the load or import that reloaded the page.
  const stored = sessionStorage.getItem(RESULT_KEY);
  if (stored) {
    sessionStorage.removeItem(RESULT_KEY);
    try {
      const result = JSON.parse(stored);
      const warnings = Array.isArray(result.warnings) ? result.warnings.map(String) : [];
      say(`Loaded ${result.name}` + (warnings.length ? ` with ${warnings.length} warning(s)` : ''));
      if (warnings.length) {
        showImport(true);
        showWarnings(warnings);
      }
    } catch {
      // a stale or foreign value: nothing to show
    }
  }
  refresh();
  return {
    /** Load: replaces the cluster with the picked scenario. */
    load() {
      const name = picker.value;
      if (name) replaceCluster(`/api/scenarios/${encodeURIComponent(name)}/load`, {}, `Loading ${name}`);
    },
    /** Import…: shows or hides the import form. */
    toggleImport() {
      showImport(importPanel.hidden);
    },
    save: saveAs,
  };
}

/**
 * Replaces the picker's options: built-ins, then the directory's files
 * (a file that cannot load is shown disabled with its error).
 * @param {Document} doc
 * @param {HTMLSelectElement} picker
 * @param {ScenarioList} list
 */
function fillPicker(doc, picker, list) {
  /** @type {HTMLOptGroupElement[]} */
  const groups = [];
  for (const [source, label] of [['builtin', 'Built-in'], ['dir', 'Your scenarios']]) {
    const entries = list.scenarios.filter((s) => s.source === source);
    if (!entries.length) continue;
    const group = doc.createElement('optgroup');
    group.label = label;
    group.dataset.source = source;
    for (const s of entries) {
      const option = doc.createElement('option');
      option.value = s.name;
      option.textContent = s.error
        ? `${s.name || s.file} — cannot load: ${s.error}`
        : s.title && s.title !== s.name ? `${s.title} (${s.name})` : s.name;
      option.disabled = !!s.error || !s.name;
      if (s.error) option.title = s.error;
      group.append(option);
    }
    groups.push(group);
  }
  picker.replaceChildren(...groups);
  if (list.current.name && [...picker.options].some((o) => o.value === list.current.name)) {
    picker.value = list.current.name;
  }
}
