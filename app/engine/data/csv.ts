/**
 * Delimited text <-> Points, for user datasets of any dimension and for
 * `cfm sample --out x.csv`.
 *
 * Reading: one point per line, d values per line, d the same on every line.
 * The separator is chosen once per file from its first content line: ';' if
 * present, else ',', else tab, else runs of whitespace. Blank lines and lines
 * starting with '#' (np.savetxt's header) are skipped. The first content line
 * may be a header of names (no cell numeric, e.g. pandas' ",x,y"); they come back as
 * `columns`. Cells may be wrapped in double quotes. Values must be finite
 * decimal numbers within float32 range. Every error names the file, line and
 * column (1-based, as an editor shows them).
 *
 * Writing: comma separated, each float32 with the fewest significant digits
 * that read back to the same float32, so write-then-parse is exact.
 */
import type { Points } from '../points.js';
import { CfmError } from '../../errors.js';

export type LabeledPoints = Points & { columns?: string[] };

const NUMBER = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;
const NON_FINITE = /^[+-]?(nan|inf|infinity)$/i;

function fail(message: string): CfmError {
  return new CfmError('invalid_input', message, 'file');
}

function splitter(line: string): (s: string) => string[] {
  if (line.includes(';')) return (s) => s.split(';');
  if (line.includes(',')) return (s) => s.split(',');
  if (line.includes('\t')) return (s) => s.split('\t');
  return (s) => s.trim().split(/\s+/);
}

function unquote(cell: string): string {
  const c = cell.trim();
  return c.length >= 2 && c.startsWith('"') && c.endsWith('"') ? c.slice(1, -1).trim() : c;
}

export function parseCsv(text: string, fileLabel: string): LabeledPoints {
  const lines = text.replace(/^\uFEFF/, '').split(/\r\n|\n|\r/);
  let split: ((s: string) => string[]) | null = null;
  let sep = '';
  let columns: string[] | undefined;
  let d = -1;
  let dLine = 0;
  const values: number[] = [];
  for (let li = 0; li < lines.length; li++) {
    const raw = lines[li];
    const trimmed = raw.trim();
    if (trimmed === '' || trimmed.startsWith('#')) continue;
    const lineNo = li + 1;
    if (split === null) {
      split = splitter(trimmed);
      sep = trimmed.includes(';') ? ';' : '';
      const cells = split(trimmed).map(unquote);
      const isName = (c: string): boolean => !NUMBER.test(c) && !NON_FINITE.test(c);
      if (cells.every(isName) && cells.some((c) => c !== '')) {
        columns = cells;
        d = cells.length;
        dLine = lineNo;
        continue;
      }
    }
    const cells = split(trimmed).map(unquote);
    if (d === -1) {
      d = cells.length;
      dLine = lineNo;
    } else if (cells.length !== d) {
      const what = columns ? `the header (line ${dLine}) has ${d} names` : `line ${dLine} has ${d}`;
      throw fail(
        `${fileLabel} line ${lineNo}: has ${cells.length} value${cells.length === 1 ? '' : 's'} but ${what}; every row must have the same number of columns`,
      );
    }
    for (let c = 0; c < cells.length; c++) {
      const cell = cells[c];
      const where = `${fileLabel} line ${lineNo}, column ${c + 1}`;
      if (cell === '') throw fail(`${where}: empty value; every row needs a number in every column`);
      if (NON_FINITE.test(cell)) throw fail(`${where}: "${cell}" is not a finite number; remove or replace NaN and infinite values`);
      if (!NUMBER.test(cell)) {
        const hint = sep === ';' && /^[+-]?\d*,\d+$/.test(cell) ? ' (use "." as the decimal point)' : '';
        throw fail(`${where}: "${cell}" is not a number${hint}; every value must be numeric`);
      }
      const v = Number(cell);
      if (!Number.isFinite(Math.fround(v))) {
        throw fail(`${where}: ${cell} is outside the float32 range (about 3.4e38); rescale the data`);
      }
      values.push(v);
    }
  }
  if (d === -1) throw fail(`${fileLabel}: the file is empty; it needs one point per line, values separated by commas`);
  if (values.length === 0) throw fail(`${fileLabel}: has a header but no data rows; add one point per line below it`);
  const n = values.length / d;
  return { data: Float32Array.from(values), n, d, ...(columns ? { columns } : {}) };
}

/** Shortest decimal string that reads back (via Math.fround) to the float32 v. */
export function formatFloat32(v: number): string {
  if (v === 0) return Object.is(v, -0) ? '-0' : '0';
  for (let p = 1; p < 9; p++) {
    const s = v.toPrecision(p);
    if (Math.fround(Number(s)) === v) return String(Number(s));
  }
  return String(Number(v.toPrecision(9)));
}

/** Comma-separated text, one point per line, with an optional header line of column names. */
export function writeCsv(p: Points, columns?: readonly string[]): string {
  if (columns && columns.length !== p.d) {
    throw new Error(`writeCsv: ${columns.length} column names for ${p.d} columns`);
  }
  const lines: string[] = [];
  if (columns) lines.push(columns.join(','));
  const row: string[] = new Array(p.d);
  for (let i = 0; i < p.n; i++) {
    for (let j = 0; j < p.d; j++) row[j] = formatFloat32(p.data[i * p.d + j]);
    lines.push(row.join(','));
  }
  return lines.join('\n') + '\n';
}
