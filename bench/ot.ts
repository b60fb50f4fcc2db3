/**
 * Exact OT timings: the otcfm minibatch assignment (512 x 512, x0 ~ N(0, I)
 * against moons rows, squared Euclidean cost; what exactCoupling() solves each
 * step), split into building the cost matrix and solving it, median over
 * fresh batches; and the exact W2 of the evaluation protocol, 10,000 x 10,000
 * points of two independent moons draws (a well-trained model's samples
 * against held-out data), costs computed on the fly.
 */
import { generateDataset, gaussian, sampleRows } from '../app/engine/data/index.js';
import { wasserstein } from '../app/engine/metrics/wasserstein.js';
import { solveAssignment } from '../app/engine/ot/assignment.js';
import { costMatrix } from '../app/engine/ot/cost.js';
import { Rng } from '../app/engine/rng.js';
import { median, timeOnce } from './measure.js';
import { POOL_SIZE } from './train.js';

export interface MinibatchOtFigure {
  n: number;
  reps: number;
  /** Wall time per batch (the solve plus the mean cost-matrix time): median, min, max. */
  totalMs: number;
  minTotalMs: number;
  maxTotalMs: number;
  /** Mean CPU time per batch. */
  costCpuMs: number;
  solveCpuMs: number;
  totalCpuMs: number;
}

export interface W2Figure {
  n: number;
  seconds: number;
  cpuSeconds: number;
  w2: number;
}

export function benchMinibatchOt(n: number, reps: number, warmups = 10): MinibatchOtFigure {
  const pool = generateDataset('moons', POOL_SIZE, new Rng(1));
  const rng = new Rng(7);
  const batch = () => ({ x0: gaussian(n, rng, 2), x1: sampleRows(pool, n, rng) });
  // Warm-up: the first calls run the solver before V8 has optimised it.
  for (let r = 0; r < warmups; r++) {
    const { x0, x1 } = batch();
    solveAssignment(costMatrix(x0, x1, 'sqeuclidean'), n);
  }
  const batches = Array.from({ length: reps }, batch);
  // CPU clocks tick in milliseconds here, so CPU time is taken over all batches
  // at once (mean per batch); wall time per batch gives the median and range.
  const cost = timeOnce(() => batches.map(({ x0, x1 }) => costMatrix(x0, x1, 'sqeuclidean')));
  const wall: number[] = [];
  const solve = timeOnce(() =>
    cost.value.forEach((c) => {
      const t0 = performance.now();
      solveAssignment(c, n);
      wall.push(performance.now() - t0 + (1000 * cost.wallS) / reps);
    }),
  );
  return {
    n,
    reps,
    totalMs: median(wall),
    minTotalMs: Math.min(...wall),
    maxTotalMs: Math.max(...wall),
    costCpuMs: (1000 * cost.cpuS) / reps,
    solveCpuMs: (1000 * solve.cpuS) / reps,
    totalCpuMs: (1000 * (cost.cpuS + solve.cpuS)) / reps,
  };
}

export function benchW2(n: number): W2Figure {
  const a = generateDataset('moons', n, new Rng(11));
  const b = generateDataset('moons', n, new Rng(12));
  const r = timeOnce(() => wasserstein(a, b, 2));
  return { n, seconds: r.wallS, cpuSeconds: r.cpuS, w2: r.value };
}
