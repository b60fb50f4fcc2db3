/**
 * The import form's small rules, kept out of the component: which input an
 * API error belongs under (the service blames `name` for naming problems,
 * `content` / `file` for what is inside the file, with the line and column in
 * the message, `fileName` for its extension; the server blames `body` when
 * the request is too large), a dataset name suggested from a file name (the
 * contract's pattern: a letter or digit, then letters, digits, _ . -, at most
 * 64), and a file size for people.
 */

export type ImportTarget = 'name' | 'file' | 'form';

export function errorTarget(field: string | undefined): ImportTarget {
  if (field === 'name') return 'name';
  if (field === 'content' || field === 'file' || field === 'fileName' || field === 'body') return 'file';
  return 'form';
}

/** The contract's rule for a dataset name (app/contract.ts importDataset). */
export const NAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/;

/** "my data (v2).csv" -> "my-data-v2": a valid name from the file's stem, or '' when nothing usable is left. */
export function suggestName(fileName: string): string {
  const base = fileName.split(/[\\/]/).pop() ?? '';
  const stem = base.includes('.') ? base.slice(0, base.lastIndexOf('.')) : base;
  const cleaned = stem
    .replace(/[^A-Za-z0-9_.-]+/g, '-')
    .replace(/-{2,}/g, '-')
    .replace(/^[^A-Za-z0-9]+/, '')
    .replace(/[-.]+$/, '')
    .slice(0, 64);
  return NAME_PATTERN.test(cleaned) ? cleaned : '';
}

export function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(n < 10 * 1024 ? 1 : 0)} KB`;
  return `${(n / 1024 / 1024).toFixed(1)} MB`;
}

/** File types the importer reads (app/engine/data/parseFile.ts). */
export const ACCEPT = '.csv,.tsv,.txt,.npy';
