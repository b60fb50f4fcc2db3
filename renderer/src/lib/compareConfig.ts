/**
 * The configs of compared runs side by side: one row per config key (the
 * union of every run's keys, sorted), one cell per run. A row "differs" when
 * the service listed its key in CompareView.differing (values compared as
 * JSON there, a missing key counting as its own value); "Differences only"
 * keeps just those rows. Cells are display text: strings as they are,
 * numbers and booleans by String, objects and arrays as JSON, a missing key
 * as an em dash. DOM-free so it is tested under Node.
 */

export interface ConfigRow {
  key: string;
  /** One display text per run, in the runs' order. */
  values: string[];
  differs: boolean;
}

/** How one config value reads in a cell. */
export function configCell(v: unknown): string {
  if (v === undefined || v === null) return '—';
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean' || typeof v === 'bigint') return String(v);
  return JSON.stringify(v) ?? String(v);
}

export function configRows(
  configs: readonly Record<string, unknown>[],
  differing: readonly string[],
  differencesOnly = false,
): ConfigRow[] {
  const diff = new Set(differing);
  const keys = [...new Set(configs.flatMap((c) => Object.keys(c)))].sort();
  const rows = keys.map((key) => ({ key, values: configs.map((c) => configCell(c[key])), differs: diff.has(key) }));
  return differencesOnly ? rows.filter((r) => r.differs) : rows;
}
