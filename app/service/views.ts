/**
 * Store records -> the API's views (contract.ts): a run row with its last
 * logged loss / validation loss and its latest evaluation's W2 and NFE, and
 * the detail of one run (metric names, evaluations, checkpoints, samples).
 * Views are plain data: no store handles, no undefined fields.
 */
import type { EvaluationView, ExperimentView, RunDetail, RunView } from '../contract.js';
import type { EvaluationRecord, ExperimentRecord, RunRecord, Store } from '../store/interface.js';

function configRecord(config: unknown): Record<string, unknown> {
  return config !== null && typeof config === 'object' && !Array.isArray(config) ? { ...(config as Record<string, unknown>) } : {};
}

function finiteOrNull(v: number | undefined): number | null {
  return v === undefined || Number.isNaN(v) ? null : v;
}

export function runView(store: Store, r: RunRecord): RunView {
  return viewWith(store, r, store.listEvaluations(r.id));
}

/** runView from the run's evaluations already read (runDetail needs them too). */
function viewWith(store: Store, r: RunRecord, evals: readonly EvaluationRecord[]): RunView {
  const latest = evals.length ? evals[evals.length - 1] : undefined;
  return {
    id: r.id,
    name: r.name,
    experiment: r.experiment,
    status: r.status,
    config: configRecord(r.config),
    seed: r.seed,
    backend: r.backend,
    parentRunId: r.parentRunId,
    createdAt: r.createdAt,
    startedAt: r.startedAt,
    finishedAt: r.finishedAt,
    step: r.step,
    totalSteps: r.totalSteps,
    seconds: r.seconds,
    tags: [...r.tags],
    notes: r.notes,
    error: r.error,
    loss: finiteOrNull(store.lastMetric(r.id, 'loss')?.value),
    valLoss: finiteOrNull(store.lastMetric(r.id, 'val_loss')?.value),
    w2: finiteOrNull(latest?.metrics.w2),
    nfe: latest ? latest.nfe : null,
  };
}

export function evaluationView(e: EvaluationRecord): EvaluationView {
  return {
    id: e.id,
    createdAt: e.createdAt,
    checkpointStep: e.checkpointStep,
    solver: e.solver,
    steps: e.steps,
    n: e.n,
    seed: e.seed,
    nfe: e.nfe,
    metrics: { ...e.metrics },
  };
}

export function runDetail(store: Store, r: RunRecord): RunDetail {
  const evals = store.listEvaluations(r.id);
  return {
    ...viewWith(store, r, evals),
    metricNames: store.metricNames(r.id),
    evaluations: evals.map(evaluationView),
    checkpoints: store.listCheckpoints(r.id).map((c) => ({ step: c.step, createdAt: c.createdAt, bytes: c.bytes })),
    samples: store.listSamples(r.id).map((s) => ({
      id: s.id,
      createdAt: s.createdAt,
      n: s.n,
      d: s.d,
      solver: s.solver,
      steps: s.steps,
      nfe: s.nfe,
      checkpointStep: s.checkpointStep,
    })),
  };
}

export function experimentView(e: ExperimentRecord): ExperimentView {
  return { id: e.id, name: e.name, createdAt: e.createdAt, runCount: e.runCount };
}

/** Config keys (sorted) whose values are not the same in every run. */
export function differingConfigKeys(runs: readonly RunView[]): string[] {
  const keys = [...new Set(runs.flatMap((r) => Object.keys(r.config)))].sort();
  return keys.filter((k) => new Set(runs.map((r) => JSON.stringify(r.config[k]))).size > 1);
}
