/**
 * The runs table: the store's experiment / status / tag filter, then free text
 * (every word must occur, ignoring case, in the name, experiment, dataset,
 * source, method, a tag or the notes), then the `where` expression
 * (runFilter.ts), then a stable sort on one RUN_SORT_KEYS column.
 *
 * Sort order: numbers numerically, names in natural order (run-2 before
 * run-10), statuses in their lifecycle order (queued, running, completed,
 * failed, cancelled, interrupted); runs lacking the value (no loss yet, never
 * evaluated) always come last; ties are broken by id in the same direction.
 */
import { RUN_SORT_KEYS, type ApiParsed, type RunView } from '../contract.js';
import { RUN_STATUSES, type Store } from '../store/interface.js';
import { matchesRunFilter, parseRunFilter } from './runFilter.js';
import { runView } from './views.js';

export type RunSortKey = (typeof RUN_SORT_KEYS)[number];

function textMatches(run: RunView, words: string[]): boolean {
  if (!words.length) return true;
  const c = run.config;
  const haystack = [run.name, run.experiment, c.dataset, c.source, c.method, ...run.tags, run.notes]
    .filter((v) => v !== undefined && v !== null)
    .map((v) => String(v).toLowerCase());
  return words.every((w) => haystack.some((h) => h.includes(w)));
}

const collator = new Intl.Collator('en', { numeric: true, sensitivity: 'base' });

function sortValue(run: RunView, key: RunSortKey): number | string | null {
  switch (key) {
    case 'status':
      return RUN_STATUSES.indexOf(run.status);
    default: {
      const v = run[key];
      return typeof v === 'number' && Number.isNaN(v) ? null : v;
    }
  }
}

export function compareRunsBy(key: RunSortKey, descending: boolean): (a: RunView, b: RunView) => number {
  const dir = descending ? -1 : 1;
  return (a, b) => {
    const x = sortValue(a, key);
    const y = sortValue(b, key);
    if (x === null && y !== null) return 1;
    if (y === null && x !== null) return -1;
    let c = 0;
    if (x !== null && y !== null) {
      c = typeof x === 'string' || typeof y === 'string' ? collator.compare(String(x), String(y)) : x - y;
    }
    if (c === 0) c = a.id - b.id;
    return c * dir;
  };
}

export function listRunViews(store: Store, p: ApiParsed<'listRuns'>): RunView[] {
  const where = parseRunFilter(p.where ?? '');
  const words = (p.text ?? '').toLowerCase().split(/\s+/).filter(Boolean);
  const records = store.listRuns({
    ...(p.experiment !== undefined ? { experiment: p.experiment } : {}),
    ...(p.status !== undefined ? { status: p.status } : {}),
    ...(p.tag !== undefined ? { tag: p.tag } : {}),
  });
  return records
    .map((r) => runView(store, r))
    .filter((v) => textMatches(v, words) && matchesRunFilter(v, where))
    .sort(compareRunsBy(p.sort, p.descending));
}
