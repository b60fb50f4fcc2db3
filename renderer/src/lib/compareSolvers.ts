/**
 * W2 against NFE across solvers, for the compare view: which (solver, steps)
 * settings "Evaluate solvers" still has to run, and how the stored
 * evaluations become chart series.
 *
 * A setting is done for a run when the run already holds an evaluation at its
 * latest checkpoint with the same solver, the same steps (null for dopri5's
 * adaptive steps) and the same n. The service clamps n to the size of an
 * imported dataset's test split; `caps` (run -> the n it answered with when
 * asked for more) makes such a run count as done at its clamped n. Runs
 * without a checkpoint cannot be evaluated and are listed apart.
 *
 * Series: one per (run, solver, checkpoint step, n), its points (NFE, W2)
 * sorted by NFE, so a line joins the step counts of one solver on one model
 * with one sample size; evaluations of older checkpoints are marked as such
 * (drawn fainter). Non-positive or non-finite values cannot sit on log axes
 * and are left out. DOM-free.
 */
import type { EvaluationResultView, EvaluationView, RunDetail } from '../../../app/contract.js';

export const SOLVERS = ['euler', 'midpoint', 'heun', 'rk4', 'dopri5'] as const;
export type Solver = (typeof SOLVERS)[number];

export interface SolverSetting {
  solver: Solver;
  /** null: adaptive steps (dopri5). */
  steps: number | null;
}

/** One line of the grid editor: a solver, whether it is used, and its step counts as typed. */
export interface GridRow {
  solver: Solver;
  enabled: boolean;
  /** Comma- or space-separated step counts; ignored for dopri5. */
  steps: string;
}

export const DEFAULT_GRID: readonly GridRow[] = [
  { solver: 'euler', enabled: true, steps: '2, 4, 8, 16, 32' },
  { solver: 'midpoint', enabled: true, steps: '2, 4, 8, 16' },
  { solver: 'heun', enabled: false, steps: '2, 4, 8, 16' },
  { solver: 'rk4', enabled: true, steps: '1, 2, 4, 8' },
  { solver: 'dopri5', enabled: true, steps: '' },
];

export const MAX_SOLVER_STEPS = 10_000;

/** Step counts from text such as "2, 4 8": sorted, without repeats; an error message naming the bad entry otherwise. */
export function parseSteps(text: string): { steps: number[] } | { error: string } {
  const parts = text.split(/[\s,;]+/).filter((p) => p !== '');
  if (parts.length === 0) return { error: 'give at least one step count, e.g. 2, 4, 8' };
  const out = new Set<number>();
  for (const p of parts) {
    const v = Number(p);
    if (!/^\d+$/.test(p) || !Number.isInteger(v) || v < 1 || v > MAX_SOLVER_STEPS) {
      return { error: `"${p}" is not a step count; use whole numbers from 1 to ${MAX_SOLVER_STEPS}` };
    }
    out.add(v);
  }
  return { steps: [...out].sort((a, b) => a - b) };
}

/** The settings of the enabled rows, or the first row's error (with the solver it belongs to). */
export function gridSettings(rows: readonly GridRow[]): { settings: SolverSetting[] } | { solver: Solver; error: string } {
  const settings: SolverSetting[] = [];
  for (const row of rows) {
    if (!row.enabled) continue;
    if (row.solver === 'dopri5') {
      settings.push({ solver: 'dopri5', steps: null });
      continue;
    }
    const parsed = parseSteps(row.steps);
    if ('error' in parsed) return { solver: row.solver, error: parsed.error };
    for (const steps of parsed.steps) settings.push({ solver: row.solver, steps });
  }
  return { settings };
}

export function latestCheckpoint(run: Pick<RunDetail, 'checkpoints'>): number | undefined {
  let out: number | undefined;
  for (const c of run.checkpoints) if (out === undefined || c.step > out) out = c.step;
  return out;
}

export interface EvaluationTask extends SolverSetting {
  run: number;
}

export interface EvaluationPlan {
  /** Setting by setting, each over the runs in order, so every run's line grows as results come. */
  tasks: EvaluationTask[];
  /** Settings skipped because a matching evaluation is stored. */
  skipped: number;
  /** Runs with no checkpoint (nothing to evaluate). */
  untrained: number[];
}

type PlanRun = Pick<RunDetail, 'id' | 'checkpoints' | 'evaluations'>;

export function hasEvaluation(run: PlanRun, setting: SolverSetting, n: number, cap?: number): boolean {
  const step = latestCheckpoint(run);
  if (step === undefined) return false;
  const wanted = cap !== undefined && cap < n ? cap : n;
  return run.evaluations.some(
    (e) => e.checkpointStep === step && e.solver === setting.solver && (e.steps ?? null) === setting.steps && e.n === wanted,
  );
}

export function planEvaluations(
  runs: readonly PlanRun[],
  settings: readonly SolverSetting[],
  n: number,
  caps: ReadonlyMap<number, number> = new Map(),
): EvaluationPlan {
  const trained = runs.filter((r) => latestCheckpoint(r) !== undefined);
  const untrained = runs.filter((r) => latestCheckpoint(r) === undefined).map((r) => r.id);
  const tasks: EvaluationTask[] = [];
  let skipped = 0;
  for (const s of settings) {
    for (const r of trained) {
      if (hasEvaluation(r, s, n, caps.get(r.id))) skipped++;
      else tasks.push({ run: r.id, solver: s.solver, steps: s.steps });
    }
  }
  return { tasks, skipped, untrained };
}

/** The stored evaluation an evaluateRun answer amounts to (as getRun would list it). */
export function evaluationFromResult(r: EvaluationResultView, seed: number, createdAt: number): EvaluationView {
  return {
    id: r.evaluation,
    createdAt,
    checkpointStep: r.checkpointStep,
    solver: r.solver,
    steps: r.steps,
    n: r.n,
    seed,
    nfe: r.nfe,
    metrics: {
      w1: r.w1,
      w2: r.w2,
      mmd: r.mmd,
      npe: r.npe,
      path_energy: r.pathEnergy,
      nfe: r.nfe,
      ...(r.nll !== undefined ? { nll: r.nll } : {}),
    },
  };
}

export interface W2Point {
  x: number;
  y: number;
  steps: number | null;
}

export interface W2Series {
  /** Index of the run in the compared selection (its colour). */
  runIndex: number;
  run: number;
  solver: string;
  checkpointStep: number;
  n: number;
  /** At the run's latest checkpoint. */
  latest: boolean;
  points: W2Point[];
}

function solverRank(s: string): number {
  const i = (SOLVERS as readonly string[]).indexOf(s);
  return i < 0 ? SOLVERS.length : i;
}

/**
 * Every stored evaluation with a positive finite W2 and NFE, grouped into
 * series; a setting evaluated twice in one group keeps its latest result.
 */
export function w2Series(runs: readonly Pick<RunDetail, 'id' | 'checkpoints' | 'evaluations'>[]): W2Series[] {
  const out: W2Series[] = [];
  runs.forEach((run, runIndex) => {
    const last = latestCheckpoint(run);
    const groups = new Map<string, { series: W2Series; bySteps: Map<string, { id: number; p: W2Point }> }>();
    for (const e of run.evaluations) {
      const w2 = e.metrics['w2'];
      if (w2 === undefined || !Number.isFinite(w2) || w2 <= 0 || !Number.isFinite(e.nfe) || e.nfe <= 0) continue;
      const key = `${e.solver}|${e.checkpointStep}|${e.n}`;
      let g = groups.get(key);
      if (!g) {
        g = {
          series: { runIndex, run: run.id, solver: e.solver, checkpointStep: e.checkpointStep, n: e.n, latest: e.checkpointStep === last, points: [] },
          bySteps: new Map(),
        };
        groups.set(key, g);
      }
      const sk = String(e.steps ?? 'adaptive');
      const prev = g.bySteps.get(sk);
      if (!prev || e.id > prev.id) g.bySteps.set(sk, { id: e.id, p: { x: e.nfe, y: w2, steps: e.steps ?? null } });
    }
    const series = [...groups.values()].map((g) => ({ ...g.series, points: [...g.bySteps.values()].map((v) => v.p).sort((a, b) => a.x - b.x) }));
    series.sort((a, b) => solverRank(a.solver) - solverRank(b.solver) || Number(b.latest) - Number(a.latest) || b.checkpointStep - a.checkpointStep || a.n - b.n);
    out.push(...series);
  });
  return out;
}
