/**
 * The runs table's model (renderer/src/lib/runColumns.ts): compact numbers in
 * the narrow hyperparameter cells, sigma shown only where the method's path
 * uses it (checked against the engine's own path coefficients), the sort
 * (missing values last both ways), the tag parser of the inline editor, and
 * the CSV export (read back with an independent RFC 4180 reader).
 */
import { describe, expect, it } from 'vitest';
import type { RunView } from '../../app/contract.js';
import { METHODS, pathCoefficients } from '../../app/engine/paths/methods.js';
import { RUN_CONFIG_KEYS, RunConfigSchema } from '../../app/engine/train/config.js';
import { toCsv } from '../../renderer/src/lib/csv.js';
import {
  compactNumber,
  methodText,
  notesPreview,
  parseTags,
  RUN_COLUMNS,
  runSigma,
  runsTable,
  SIGMA_METHODS,
  sortRuns,
  stepsText,
} from '../../renderer/src/lib/runColumns.js';

function run(id: number, over: Partial<RunView> = {}, config: Record<string, unknown> = {}): RunView {
  return {
    id,
    name: `run-${id}`,
    experiment: 'default',
    status: 'completed',
    config: { ...RunConfigSchema.parse({}), ...config },
    seed: 0,
    backend: 'wasm',
    parentRunId: null,
    createdAt: Date.UTC(2025, 0, 2, 3, 4, 5),
    startedAt: null,
    finishedAt: null,
    step: 100,
    totalSteps: 100,
    seconds: 12,
    tags: [],
    notes: '',
    error: null,
    loss: 1,
    valLoss: null,
    w2: null,
    nfe: null,
    ...over,
  };
}

/** An RFC 4180 reader written for the test: quoted fields, doubled quotes, line breaks inside quotes. */
function readCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') (field += '"'), i++;
      else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') row.push(field), (field = '');
    else if (c === '\n') row.push(field), rows.push(row), (row = []), (field = '');
    else field += c;
  }
  if (field || row.length) row.push(field), rows.push(row);
  return rows;
}

describe('compact numbers in the table', () => {
  it('writes learning rates as papers do and large counts with k / M', () => {
    expect(compactNumber(1e-3)).toBe('1e-3');
    expect(compactNumber(3e-4)).toBe('3e-4');
    expect(compactNumber(0.00025)).toBe('2.5e-4');
    expect(compactNumber(0.1)).toBe('0.1');
    expect(compactNumber(0.05)).toBe('0.05');
    expect(compactNumber(256)).toBe('256');
    expect(compactNumber(9999)).toBe('9999');
    expect(compactNumber(20_000)).toBe('20k');
    expect(compactNumber(12_345)).toBe('12.3k');
    expect(compactNumber(1_250_000)).toBe('1.25M');
    expect(compactNumber(0)).toBe('0');
    expect(compactNumber(-0.5)).toBe('-0.5');
  });

  it('shows a dash for a missing value and infinity as a symbol', () => {
    expect(compactNumber(null)).toBe('—');
    expect(compactNumber(Number.NaN)).toBe('—');
    expect(compactNumber(Infinity)).toBe('∞');
  });

  it('shows progress as step / total steps', () => {
    expect(stepsText(run(1, { step: 1500, totalSteps: 20_000 }))).toBe('1500 / 20k');
  });
});

describe('the key hyperparameters of a run', () => {
  it('shows sigma exactly for the methods whose path changes with it', () => {
    for (const method of METHODS) {
      const a = pathCoefficients(method, { sigma: 0.1, scheduler: 'condot', schedulerN: 2 });
      const b = pathCoefficients(method, { sigma: 0.3, scheduler: 'condot', schedulerN: 2 });
      const usesSigma = [0.25, 0.5, 0.75].some((t) => a.s(t) !== b.s(t) || a.b(t) !== b.b(t));
      expect(SIGMA_METHODS.includes(method), method).toBe(usesSigma);
      expect(runSigma(run(1, {}, { method, sigma: 0.3 })) !== null, method).toBe(usesSigma);
    }
  });

  it('reads the columns from the config keys the engine defines', () => {
    for (const key of ['dataset', 'source', 'method', 'lr', 'batch', 'sigma', 'steps']) expect(RUN_CONFIG_KEYS).toContain(key);
    const r = run(1, {}, { lr: 3e-4, batch: 128, sigma: 0.2, source: '8gaussians', dataset: 'moons' });
    const cell = (key: string): string => RUN_COLUMNS.find((c) => c.key === key)!.text(r);
    expect([cell('lr'), cell('batch'), cell('sigma'), cell('source'), cell('dataset')]).toEqual(['3e-4', '128', '0.2', '8gaussians', 'moons']);
  });

  it('names the scheduler of an affine path next to the method', () => {
    expect(methodText(run(1, {}, { method: 'affine', scheduler: 'cosine' }))).toBe('affine · cosine');
    expect(methodText(run(1, {}, { method: 'otcfm', scheduler: 'cosine' }))).toBe('otcfm');
  });
});

describe('sorting the table', () => {
  const runs = [run(1, { loss: 0.5 }), run(2, { loss: null }), run(3, { loss: 0.2 }), run(4, { loss: 0.5 })];

  it('puts runs without the value last in both directions', () => {
    expect(sortRuns(runs, 'loss', false).map((r) => r.id)).toEqual([3, 4, 1, 2]);
    expect(sortRuns(runs, 'loss', true).map((r) => r.id)).toEqual([4, 1, 3, 2]);
  });

  it('sorts by a hyperparameter as a number, not as text', () => {
    const byLr = [run(1, {}, { lr: 1e-2 }), run(2, {}, { lr: 2e-3 }), run(3, {}, { lr: 1e-4 })];
    expect(sortRuns(byLr, 'lr', false).map((r) => r.id)).toEqual([3, 2, 1]);
  });
});

describe('editing tags and notes', () => {
  it('splits tags on commas, trims them and drops blanks and repeats', () => {
    expect(parseTags(' baseline,  lr   sweep ,baseline,, ')).toEqual(['baseline', 'lr sweep']);
    expect(parseTags('')).toEqual([]);
  });

  it('previews notes by their first line, cut with an ellipsis', () => {
    expect(notesPreview('short')).toBe('short');
    expect(notesPreview('first line\nsecond')).toBe('first line …');
    const long = 'x'.repeat(100);
    const p = notesPreview(long, 40);
    expect(p.length).toBe(40);
    expect(p.endsWith('…')).toBe(true);
  });
});

describe('CSV export', () => {
  it('exports one CSV row per run with a header, the metrics and every config key', () => {
    const rows = [
      run(7, { name: 'a, "quoted" name', tags: ['x', 'y'], notes: 'two\nlines', loss: 0.125, w2: 0.5, nfe: 44 }, { lr: 3e-4 }),
      run(8, { loss: null }),
    ];
    const { header, rows: cells } = runsTable(rows);
    const back = readCsv(toCsv(header, cells));
    expect(back.length).toBe(3);
    const [head, first, second] = back as [string[], string[], string[]];
    const col = (row: string[], name: string): string => row[head.indexOf(name)]!;
    expect(head.slice(0, 4)).toEqual(['id', 'name', 'experiment', 'status']);
    for (const key of RUN_CONFIG_KEYS) if (key !== 'parentRun') expect(head, key).toContain(key === 'steps' ? 'total_steps' : key);
    expect(new Set(head).size).toBe(head.length);
    expect(col(first, 'name')).toBe('a, "quoted" name');
    expect(Number(col(first, 'lr'))).toBe(3e-4);
    expect(Number(col(first, 'loss'))).toBe(0.125);
    expect(Number(col(first, 'nfe'))).toBe(44);
    expect(col(first, 'tags')).toBe('x; y');
    expect(col(first, 'notes')).toBe('two\nlines');
    expect(col(first, 'created_at')).toBe('2025-01-02T03:04:05.000Z');
    expect(col(second, 'id')).toBe('8');
    expect(col(second, 'loss')).toBe('');
  });
});
