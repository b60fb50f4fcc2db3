/**
 * The runs table's model, kept out of the component so it can be tested
 * alone: the columns (what each shows, how it sorts), the key hyperparameters
 * of a run's config in compact form (lr 1e-3, batch 256, σ 0.1; the key names
 * are RunConfigSchema's in app/engine/train/config.ts), the sort (missing
 * values last in either direction, ties by newest id), the tag parser of the
 * inline editor, and the CSV export of a set of rows (metrics plus the whole
 * config, one row per run).
 */
import type { RunView } from '../../../app/contract.js';
import type { CsvCell } from './csv.js';
import { formatDuration } from './format.js';

/** Methods whose path uses `sigma` (rf trains with sigma 0; affine adds no noise). */
export const SIGMA_METHODS: readonly string[] = ['icfm', 'otcfm', 'fm', 'sbcfm', 'vp'];

const MISSING = '—';

function configNumber(r: RunView, key: string): number | null {
  const v = r.config[key];
  return typeof v === 'number' && Number.isFinite(v) ? v : null;
}

function configString(r: RunView, key: string): string | null {
  const v = r.config[key];
  return v === undefined || v === null || v === '' ? null : String(v);
}

/**
 * Short, exact-enough numbers for narrow cells: 1e-3, 2.5e-4, 0.1, 256, 20k,
 * 12.5k, 1.2M. Below 0.01 the exponent form (as papers write learning rates);
 * at or above 10,000 a k / M suffix with up to three significant digits.
 */
export function compactNumber(v: number | null | undefined): string {
  if (v === null || v === undefined || Number.isNaN(v)) return MISSING;
  if (!Number.isFinite(v)) return v > 0 ? '∞' : '−∞';
  const a = Math.abs(v);
  const sign = v < 0 ? '-' : '';
  if (a === 0) return '0';
  if (a < 0.01) {
    const [mantissa, exponent] = a.toExponential(2).split('e');
    return `${sign}${Number(mantissa)}e${Number(exponent)}`;
  }
  if (a >= 1e6) return `${sign}${Number((a / 1e6).toPrecision(3))}M`;
  if (a >= 1e4) return `${sign}${Number((a / 1e3).toPrecision(3))}k`;
  return `${sign}${Number(a.toPrecision(4))}`;
}

/** "1.2k / 20k": a run's progress in compact steps. */
export function stepsText(r: RunView): string {
  return `${compactNumber(r.step)} / ${compactNumber(r.totalSteps)}`;
}

/** sigma when the run's method uses it, else null. */
export function runSigma(r: RunView): number | null {
  const method = configString(r, 'method');
  return method !== null && SIGMA_METHODS.includes(method) ? configNumber(r, 'sigma') : null;
}

/** The method, with its scheduler when the method is the general affine path. */
export function methodText(r: RunView): string {
  const method = configString(r, 'method');
  if (method === null) return MISSING;
  const scheduler = configString(r, 'scheduler');
  return method === 'affine' && scheduler !== null ? `affine · ${scheduler}` : method;
}

export interface RunColumn {
  key: string;
  label: string;
  /** The header's tooltip, where the label is an abbreviation. */
  title?: string;
  numeric?: boolean;
  /** What the column sorts by; null sorts last. */
  value: (r: RunView) => string | number | null;
  /** The cell's text, for the columns drawn as plain text. */
  text: (r: RunView) => string;
}

const textOf = (v: string | null): string => v ?? MISSING;

export const RUN_COLUMNS: readonly RunColumn[] = [
  { key: 'id', label: 'ID', numeric: true, value: (r) => r.id, text: (r) => String(r.id) },
  { key: 'name', label: 'Name', value: (r) => r.name, text: (r) => r.name },
  { key: 'status', label: 'Status', value: (r) => r.status, text: (r) => r.status },
  { key: 'dataset', label: 'Dataset', value: (r) => configString(r, 'dataset'), text: (r) => textOf(configString(r, 'dataset')) },
  { key: 'source', label: 'Source', title: 'Where x0 comes from: gaussian is N(0, I), else a dataset', value: (r) => configString(r, 'source'), text: (r) => textOf(configString(r, 'source')) },
  { key: 'method', label: 'Method', value: (r) => methodText(r), text: (r) => methodText(r) },
  { key: 'lr', label: 'lr', title: 'Learning rate', numeric: true, value: (r) => configNumber(r, 'lr'), text: (r) => compactNumber(configNumber(r, 'lr')) },
  { key: 'batch', label: 'Batch', title: 'Batch size', numeric: true, value: (r) => configNumber(r, 'batch'), text: (r) => compactNumber(configNumber(r, 'batch')) },
  { key: 'sigma', label: 'σ', title: 'sigma of the probability path (methods icfm, otcfm, fm, sbcfm, vp)', numeric: true, value: runSigma, text: (r) => compactNumber(runSigma(r)) },
  { key: 'steps', label: 'Steps', title: 'Step reached / total steps', numeric: true, value: (r) => r.totalSteps, text: stepsText },
  { key: 'loss', label: 'Loss', title: 'Last logged training loss', numeric: true, value: (r) => r.loss, text: (r) => compactNumber(r.loss) },
  { key: 'w2', label: 'W2', title: 'Wasserstein-2 distance of the latest evaluation', numeric: true, value: (r) => r.w2, text: (r) => compactNumber(r.w2) },
  { key: 'nfe', label: 'NFE', title: 'Function evaluations of the latest evaluation', numeric: true, value: (r) => r.nfe, text: (r) => compactNumber(r.nfe) },
  { key: 'seconds', label: 'Duration', title: 'Training time so far', numeric: true, value: (r) => r.seconds, text: (r) => formatDuration(r.seconds) },
  { key: 'tags', label: 'Tags', value: (r) => (r.tags.length ? r.tags.join(', ') : null), text: (r) => r.tags.join(', ') },
  { key: 'notes', label: 'Notes', value: (r) => (r.notes.trim() ? r.notes : null), text: (r) => r.notes },
];

/** Sorts by a column: missing values last whichever the direction, equal values newest first. */
export function sortRuns(runs: readonly RunView[], key: string, descending: boolean): RunView[] {
  const col = RUN_COLUMNS.find((c) => c.key === key) ?? RUN_COLUMNS[0]!;
  const sign = descending ? -1 : 1;
  return [...runs].sort((a, b) => {
    const va = col.value(a);
    const vb = col.value(b);
    if (va === vb) return b.id - a.id;
    if (va === null) return 1;
    if (vb === null) return -1;
    const c = typeof va === 'number' && typeof vb === 'number' ? va - vb : String(va).localeCompare(String(vb));
    return c === 0 ? b.id - a.id : sign * c;
  });
}

/** The sort direction a column starts in: numbers largest first, text A to Z. */
export function defaultDescending(key: string): boolean {
  return RUN_COLUMNS.find((c) => c.key === key)?.numeric ?? false;
}

/** "baseline, lr sweep ,baseline,," -> ["baseline", "lr sweep"]: comma separated, trimmed, no blanks or repeats. */
export function parseTags(text: string): string[] {
  const seen = new Set<string>();
  for (const part of text.split(',')) {
    const tag = part.trim().replace(/\s+/g, ' ');
    if (tag) seen.add(tag);
  }
  return [...seen];
}

/** Notes for a table cell: the first line, cut at `max` characters with an ellipsis. */
export function notesPreview(notes: string, max = 60): string {
  const text = notes.trim();
  const first = text.split(/\r?\n/, 1)[0] ?? '';
  const more = first.length < text.length;
  if (first.length > max) return `${first.slice(0, max - 1).trimEnd()}…`;
  return more ? `${first} …` : first;
}

/** Fewest runs a comparison takes (the most is router's MAX_COMPARE). */
export const COMPARE_MIN = 2;

/** Runs deleteRun refuses until they are cancelled. */
export function isActive(r: RunView): boolean {
  return r.status === 'running' || r.status === 'queued';
}

/** Leading CSV columns; every config key follows, in first-seen order. */
export const CSV_HEADER = [
  'id',
  'name',
  'experiment',
  'status',
  'dataset',
  'source',
  'method',
  'lr',
  'batch',
  'sigma',
  'total_steps',
  'step',
  'loss',
  'val_loss',
  'w2',
  'nfe',
  'seconds',
  'created_at',
  'tags',
  'notes',
] as const;

const LEADING_CONFIG = new Set(['dataset', 'source', 'method', 'lr', 'batch', 'sigma', 'steps']);

function configCell(v: unknown): CsvCell {
  if (v === undefined || v === null) return null;
  if (typeof v === 'number' || typeof v === 'string' || typeof v === 'boolean') return v;
  return JSON.stringify(v);
}

/**
 * The rows as a table for toCsv: one row per run with its metrics and every
 * config key (sigma as configured, even where the method ignores it), tags
 * joined by "; ", times as ISO 8601.
 */
export function runsTable(runs: readonly RunView[]): { header: string[]; rows: CsvCell[][] } {
  const extra: string[] = [];
  for (const r of runs) for (const k of Object.keys(r.config)) if (!LEADING_CONFIG.has(k) && !extra.includes(k)) extra.push(k);
  const rows = runs.map((r): CsvCell[] => [
    r.id,
    r.name,
    r.experiment,
    r.status,
    configCell(r.config.dataset),
    configCell(r.config.source),
    configCell(r.config.method),
    configCell(r.config.lr),
    configCell(r.config.batch),
    configCell(r.config.sigma),
    r.totalSteps,
    r.step,
    r.loss,
    r.valLoss,
    r.w2,
    r.nfe,
    r.seconds,
    new Date(r.createdAt).toISOString(),
    r.tags.join('; '),
    r.notes,
    ...extra.map((k) => configCell(r.config[k])),
  ]);
  return { header: [...CSV_HEADER, ...extra], rows };
}
