/**
 * Tables as CSV text (RFC 4180: fields with a comma, quote or line break are
 * quoted, quotes doubled; numbers written in full precision so a re-import
 * gives the same values). Pure, so Node tests import it without a DOM.
 */
export type CsvCell = string | number | boolean | null | undefined;

function csvField(v: CsvCell): string {
  if (v === null || v === undefined) return '';
  const s = typeof v === 'number' ? (Number.isFinite(v) ? String(v) : v > 0 ? 'inf' : Number.isNaN(v) ? 'nan' : '-inf') : String(v);
  return /[",\r\n]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s;
}

export function toCsv(header: readonly string[], rows: Iterable<readonly CsvCell[]>): string {
  const lines = [header.map(csvField).join(',')];
  for (const row of rows) lines.push(row.map(csvField).join(','));
  return lines.join('\n') + '\n';
}

/** Rows of a row-major point array, with columns x0..x{d-1}. */
export function pointsCsv(points: ArrayLike<number>, d: number): string {
  const n = Math.floor(points.length / d);
  const header = Array.from({ length: d }, (_, j) => `x${j}`);
  function* rows(): Generator<number[]> {
    for (let i = 0; i < n; i++) yield Array.from({ length: d }, (_, j) => points[i * d + j]!);
  }
  return toCsv(header, rows());
}
