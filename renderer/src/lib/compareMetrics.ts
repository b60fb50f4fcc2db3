/**
 * The compare view's metrics table: per run its last training loss and
 * validation loss, and W2 / W1 / MMD / NPE / NFE of its latest evaluation
 * (the one with the highest id, i.e. stored last), then steps, duration and
 * status. The best value of each scored column (lowest: losses, distances,
 * NPE, NFE, duration) is marked; ties mark every run holding it; missing or
 * non-finite values never win. The same rows export as CSV. DOM-free.
 */
import type { EvaluationView, RunDetail, RunStatus } from '../../../app/contract.js';

export type MetricKey = 'loss' | 'valLoss' | 'w2' | 'w1' | 'mmd' | 'npe' | 'nfe' | 'steps' | 'seconds';

export interface MetricColumn {
  key: MetricKey;
  label: string;
  /** What the header's title says. */
  help: string;
  /** Whether the lowest value is marked best. */
  best: boolean;
}

export const METRIC_COLUMNS: readonly MetricColumn[] = [
  { key: 'loss', label: 'Final loss', help: 'Last logged training loss', best: true },
  { key: 'valLoss', label: 'Val. loss', help: 'Last validation loss (held-out batch)', best: true },
  { key: 'w2', label: 'W2', help: '2-Wasserstein distance to held-out data, latest evaluation', best: true },
  { key: 'w1', label: 'W1', help: '1-Wasserstein distance, latest evaluation', best: true },
  { key: 'mmd', label: 'MMD', help: 'Maximum mean discrepancy, latest evaluation', best: true },
  { key: 'npe', label: 'NPE', help: 'Normalized path energy, latest evaluation', best: true },
  { key: 'nfe', label: 'NFE', help: 'Function evaluations of the latest evaluation’s solver', best: true },
  { key: 'steps', label: 'Steps', help: 'Training steps done', best: false },
  { key: 'seconds', label: 'Duration', help: 'Training time', best: true },
];

export interface MetricRow {
  run: number;
  name: string;
  status: RunStatus;
  totalSteps: number;
  values: Record<MetricKey, number | null>;
  /** The evaluation the W2..NFE columns come from. */
  evaluation: EvaluationView | undefined;
}

export function latestEvaluation(evaluations: readonly EvaluationView[]): EvaluationView | undefined {
  let out: EvaluationView | undefined;
  for (const e of evaluations) if (!out || e.id > out.id) out = e;
  return out;
}

function finite(v: number | null | undefined): number | null {
  return v === null || v === undefined || !Number.isFinite(v) ? null : v;
}

export function metricRows(runs: readonly RunDetail[]): MetricRow[] {
  return runs.map((r) => {
    const e = latestEvaluation(r.evaluations);
    const m = e?.metrics ?? {};
    return {
      run: r.id,
      name: r.name,
      status: r.status,
      totalSteps: r.totalSteps,
      evaluation: e,
      values: {
        loss: finite(r.loss),
        valLoss: finite(r.valLoss),
        w2: finite(m['w2']),
        w1: finite(m['w1']),
        mmd: finite(m['mmd']),
        npe: finite(m['npe']),
        nfe: e ? finite(e.nfe) : null,
        steps: r.step,
        // A run that has not started has no duration yet (not a best one of 0 s).
        seconds: r.step > 0 || r.startedAt !== null ? finite(r.seconds) : null,
      },
    };
  });
}

/** Per scored column, the indices of the rows holding its lowest value (empty with fewer than two values). */
export function bestRows(rows: readonly MetricRow[]): Partial<Record<MetricKey, Set<number>>> {
  const out: Partial<Record<MetricKey, Set<number>>> = {};
  for (const col of METRIC_COLUMNS) {
    if (!col.best) continue;
    let lo = Infinity;
    let present = 0;
    for (const r of rows) {
      const v = r.values[col.key];
      if (v === null) continue;
      present++;
      if (v < lo) lo = v;
    }
    const set = new Set<number>();
    if (present >= 2) rows.forEach((r, i) => r.values[col.key] === lo && set.add(i));
    out[col.key] = set;
  }
  return out;
}

export const METRICS_CSV_HEADER = [
  'run', 'name', 'status', 'loss', 'val_loss', 'w2', 'w1', 'mmd', 'npe', 'nfe',
  'eval_solver', 'eval_steps', 'eval_n', 'eval_checkpoint_step', 'steps', 'total_steps', 'seconds',
] as const;

export function metricsCsvRows(rows: readonly MetricRow[]): (string | number | null)[][] {
  return rows.map((r) => [
    r.run, r.name, r.status,
    r.values.loss, r.values.valLoss, r.values.w2, r.values.w1, r.values.mmd, r.values.npe, r.values.nfe,
    r.evaluation?.solver ?? null, r.evaluation?.steps ?? null, r.evaluation?.n ?? null, r.evaluation?.checkpointStep ?? null,
    r.values.steps, r.totalSteps, r.values.seconds,
  ]);
}
