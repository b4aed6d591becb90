// @ts-check
// The scenario panel's part that runs from the start: the picker shows the
// cluster's current scenario (the server renders the list; GET
// /api/scenarios says which one is loaded). Its buttons — Load, Import…,
// Save — load scenarios.js on first use (lazy.js); a page that a load
// reloaded loads it at once, to show what the load said.

import { apiURL } from './base.js';
import { Lazy } from './lazy.js';

/** sessionStorage key of the last load's outcome, shown after the reload. */
export const RESULT_KEY = 'podpath.scenario.result';

/**
 * @param {Document} doc
 * @param {(err: unknown) => void} showError
 */
export function wirePicker(doc, showError) {
  const panel = doc.querySelector('[data-testid="scenarios"]');
  if (!panel) return;
  const el = (/** @type {string} */ id) => panel.querySelector(`[data-testid="${id}"]`);
  const actions = new Lazy(() => import('./scenarios.js'), { make: (m) => m.wireScenarios(doc), css: ['scenarios.css'] });
  actions.opener(el('scenario-load'), (a) => a?.load(), showError);
  actions.opener(el('import-open'), (a) => a?.toggleImport(), showError);
  actions.opener(el('scenario-save'), (a) => a?.save(), showError);

  let reloaded = false;
  try {
    reloaded = !!sessionStorage.getItem(RESULT_KEY);
  } catch {
    // no storage: nothing to show
  }
  if (reloaded) {
    actions.get().catch(showError); // it shows the outcome and selects the current scenario
    return;
  }
  const picker = /** @type {HTMLSelectElement | null} */ (el('scenario-picker'));
  const saveName = /** @type {HTMLInputElement | null} */ (el('scenario-save-name'));
  fetch(apiURL('/api/scenarios'), { headers: { Accept: 'application/json' } })
    .then((res) => (res.ok ? res.json() : null))
    .then((/** @type {{current?: {name?: string}} | null} */ list) => {
      const name = list?.current?.name;
      if (!name || actions.value) return; // scenarios.js lists them itself once loaded
      if (picker && [...picker.options].some((o) => o.value === name)) picker.value = name;
      if (saveName && !saveName.value) saveName.value = name;
    })
    .catch((err) => console.warn('podpath: listing scenarios', err));
}
