/**
 * The compare view's CSV exports (text from csv.ts, RFC 4180, numbers in full
 * precision):
 *
 *   samplesCsv(sample)        one run's generated points as sampled, every
 *                             column x0..x{d-1} (not the 2-D projection drawn),
 *                             saved as run-<id>-step-<checkpoint>-samples.csv
 *   evaluationsCsv(runs)      one row per stored evaluation of the compared
 *                             runs (run order, then the order stored):
 *                             run, name, solver, steps, nfe, n, checkpoint_step,
 *                             w2, w1, mmd, npe; steps is empty for adaptive
 *                             solvers (dopri5), a metric the evaluation lacks is
 *                             empty, a non-finite one nan / inf
 *
 * Pure, so Node tests import it without a DOM.
 */
import type { RunDetail, SampleView } from '../../../app/contract.js';
import { pointsCsv, toCsv, type CsvCell } from './csv.js';

export function samplesCsv(sample: Pick<SampleView, 'points' | 'd'>): string {
  return pointsCsv(sample.points, sample.d);
}

export function samplesCsvName(run: number, checkpointStep: number): string {
  return `run-${run}-step-${checkpointStep}-samples.csv`;
}

export const EVALUATIONS_CSV_HEADER = ['run', 'name', 'solver', 'steps', 'nfe', 'n', 'checkpoint_step', 'w2', 'w1', 'mmd', 'npe'] as const;

const METRICS = ['w2', 'w1', 'mmd', 'npe'] as const;

export function evaluationsCsvRows(runs: readonly Pick<RunDetail, 'id' | 'name' | 'evaluations'>[]): CsvCell[][] {
  const rows: CsvCell[][] = [];
  for (const run of runs) {
    for (const e of [...run.evaluations].sort((a, b) => a.id - b.id)) {
      rows.push([run.id, run.name, e.solver, e.steps, e.nfe, e.n, e.checkpointStep, ...METRICS.map((m) => e.metrics[m] ?? null)]);
    }
  }
  return rows;
}

export function evaluationsCsv(runs: readonly Pick<RunDetail, 'id' | 'name' | 'evaluations'>[]): string {
  return toCsv(EVALUATIONS_CSV_HEADER, evaluationsCsvRows(runs));
}

export function evaluationsCsvName(runs: readonly number[]): string {
  return `compare-${runs.join('-')}-evaluations.csv`;
}
