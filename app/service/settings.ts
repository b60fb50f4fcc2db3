/**
 * Settings kept in the database, so the CLI, `cfm serve` and the app agree:
 * today, how many runs train at once.
 */
import type { Store } from '../store/interface.js';

const CONCURRENCY = 'concurrency';

/** The saved concurrency, if a front end ever set one (else the manager's default applies). */
export function savedConcurrency(store: Store): number | undefined {
  const v = store.getSetting(CONCURRENCY);
  return typeof v === 'number' && Number.isSafeInteger(v) && v >= 1 ? v : undefined;
}

export function saveConcurrency(store: Store, n: number): void {
  store.setSetting(CONCURRENCY, n);
}
