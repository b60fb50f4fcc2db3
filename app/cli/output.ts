/**
 * How the CLI talks: human text on stdout, progress and errors on stderr, and
 * with --json exactly one JSON object (or array) on stdout, errors included.
 */
import { CfmError } from '../errors.js';

export interface OutputMode {
  json: boolean;
}

export function printJson(value: unknown): void {
  process.stdout.write(JSON.stringify(value, (_k, v) => (typeof v === 'number' && !Number.isFinite(v) ? null : v)) + '\n');
}

export function printLine(text = ''): void {
  process.stdout.write(text + '\n');
}

/** Left-aligned text columns, right-aligned numbers. */
export function formatTable(header: string[], rows: (string | number | null | undefined)[][]): string {
  const cells = [header, ...rows.map((r) => r.map((c) => (c === null || c === undefined ? '-' : typeof c === 'number' ? formatNumber(c) : c)))];
  const numeric = header.map((_, j) => rows.length > 0 && rows.every((r) => typeof r[j] === 'number' || r[j] == null));
  const widths = header.map((_, j) => Math.max(...cells.map((r) => String(r[j]).length)));
  return cells
    .map((r) => r.map((c, j) => (numeric[j] ? String(c).padStart(widths[j]) : String(c).padEnd(widths[j]))).join('  ').trimEnd())
    .join('\n');
}

export function formatNumber(v: number): string {
  if (!Number.isFinite(v)) return String(v);
  if (Number.isInteger(v) && Math.abs(v) < 1e9) return String(v);
  const a = Math.abs(v);
  if (a !== 0 && (a < 1e-3 || a >= 1e6)) return v.toExponential(3);
  return v.toPrecision(4);
}

export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds)) return '?';
  if (seconds < 60) return `${seconds.toFixed(1)}s`;
  const m = Math.floor(seconds / 60);
  if (m < 60) return `${m}m${String(Math.round(seconds % 60)).padStart(2, '0')}s`;
  return `${Math.floor(m / 60)}h${String(m % 60).padStart(2, '0')}m`;
}

/** One line on stderr (and the error object on stdout with --json); returns the exit code. */
export function reportError(e: unknown, mode: OutputMode): number {
  const err =
    e instanceof CfmError
      ? e
      : new CfmError('internal', `internal error: ${e instanceof Error ? e.message : String(e)}; please report it with the command you ran`);
  if (mode.json) printJson({ error: err.toJSON() });
  process.stderr.write(`error: ${err.message}\n`);
  if (err.code === 'internal' && process.env.CFM_DEBUG && e instanceof Error) process.stderr.write(`${e.stack}\n`);
  return err.code === 'invalid_input' ? 2 : 1;
}
