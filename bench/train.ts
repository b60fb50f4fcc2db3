/**
 * Training throughput of the engine's Trainer: steps/s of the whole step
 * (pairs, coupling, x_t / u_t on the CPU, forward, backward, Adam, loss read-back)
 * on the 2-D protocol (x0 ~ N(0, I), x1 = rows of a 10,000-point moons pool),
 * plus the parts that say what bounds it: the forward pass alone, forward +
 * backward without the optimizer, the coupling's share of an otcfm step, and a
 * tf.profile of one step (kernels dispatched, time by kernel type).
 */
import { tf } from '../app/engine/backend.js';
import { makeCoupling } from '../app/engine/couplings/index.js';
import type { Coupling } from '../app/engine/couplings/index.js';
import { generateDataset, gaussian, sampleRows } from '../app/engine/data/index.js';
import { Rng } from '../app/engine/rng.js';
import { parseRunConfig } from '../app/engine/train/config.js';
import { coupledPairs, type PointSampler } from '../app/engine/train/pairs.js';
import { Trainer } from '../app/engine/train/trainer.js';
import { cpuMsPer, cpuSeconds, median, msPer, timeLoop, warmup, type Timing } from './measure.js';

export interface TrainSpec {
  method: 'icfm' | 'otcfm';
  width: number;
  depth: number;
  batch: number;
}

export interface KernelShare {
  name: string;
  /** Kernels of this type per step. */
  count: number;
  /** Fraction of the profiled kernel time. */
  share: number;
}

export interface TrainFigure {
  spec: TrainSpec;
  timing: Timing;
  stepsPerSec: number;
  /** Steps per second of this process's CPU time. */
  stepsPerCpuSec: number;
  /** Wall milliseconds per step. */
  stepMs: number;
  /** The parts below are CPU milliseconds (steadier than wall time on a shared machine). */
  stepCpuMs: number;
  forwardMs: number;
  forwardBackwardMs: number;
  /** otcfm: share of the step's CPU time spent in the coupling (cost matrix + assignment). */
  couplingFraction?: number;
  couplingMs?: number;
  kernelsPerStep: number;
  topKernels: KernelShare[];
}

export const POOL_SIZE = 10_000;

/** The protocol's samplers: N(0, I) source, moons target drawn from a fixed pool. */
export function protocolSamplers(): { source: PointSampler; target: PointSampler } {
  const pool = generateDataset('moons', POOL_SIZE, new Rng(1));
  return {
    source: { dim: 2, sample: (n, rng) => gaussian(n, rng, 2) },
    target: { dim: 2, sample: (n, rng) => sampleRows(pool, n, rng) },
  };
}

/** A coupling that adds up the CPU time spent in it. */
function timedCoupling(inner: Coupling): Coupling & { ms: number } {
  const c = {
    name: inner.name,
    ms: 0,
    pair(...args: Parameters<Coupling['pair']>) {
      const t0 = cpuSeconds();
      const r = inner.pair(...args);
      c.ms += 1000 * (cpuSeconds() - t0);
      return r;
    },
  };
  return c;
}

/**
 * Kernels of `reps` profiled steps. tf.profile times kernels by the wall clock,
 * so a step preempted by another process inflates whichever kernel was running:
 * the time of each kernel type is the median over the steps.
 */
async function profileStep(trainer: Trainer, reps: number): Promise<{ kernelsPerStep: number; top: KernelShare[] }> {
  const perStep: Map<string, { count: number; ms: number }>[] = [];
  let kernels = 0;
  for (let r = 0; r < reps; r++) {
    const info = await tf.profile(() => {
      trainer.stepOnce();
    });
    const byName = new Map<string, { count: number; ms: number }>();
    for (const k of info.kernels) {
      // customGrad's wrapper ("forward") encloses kernels that are listed themselves.
      if (k.name === 'forward') continue;
      const ms = Number(await k.kernelTimeMs) || 0;
      const e = byName.get(k.name) ?? { count: 0, ms: 0 };
      e.count++;
      e.ms += ms;
      byName.set(k.name, e);
      kernels++;
    }
    perStep.push(byName);
  }
  const names = new Set(perStep.flatMap((m) => [...m.keys()]));
  const typical = [...names].map((name) => ({
    name,
    count: median(perStep.map((m) => m.get(name)?.count ?? 0)),
    ms: median(perStep.map((m) => m.get(name)?.ms ?? 0)),
  }));
  const total = typical.reduce((a, x) => a + x.ms, 0);
  const top = typical
    .sort((a, b) => b.ms - a.ms)
    .map((x) => ({ name: x.name, count: x.count, share: total > 0 ? x.ms / total : 0 }));
  return { kernelsPerStep: kernels / reps, top };
}

export async function benchTrain(spec: TrainSpec, seconds: number): Promise<TrainFigure> {
  const { source, target } = protocolSamplers();
  const coupling = timedCoupling(makeCoupling(spec.method === 'otcfm' ? 'exact' : 'independent'));
  const config = parseRunConfig({
    method: spec.method,
    width: spec.width,
    depth: spec.depth,
    batch: spec.batch,
    steps: 10_000_000,
    validateEvery: 0,
    seed: 0,
  });
  const trainer = Trainer.create(config, coupledPairs(source, target, coupling));
  try {
    // Warm-up (JIT, wasm tier-up, first allocations); the coupling's time counts from the first timed step.
    warmup(() => void trainer.stepOnce(), { iters: 10, seconds: Math.min(1, seconds / 3) });
    coupling.ms = 0;
    const main = timeLoop(() => void trainer.stepOnce(), { seconds, minIters: 5, warmupIters: 0 });
    const couplingMs = coupling.ms;

    // Parts of a step, on a fixed batch.
    const rng = new Rng(99);
    const n = spec.batch;
    const x = tf.tensor2d(rng.fillNormal(new Float32Array(n * trainer.model.inputWidth)), [n, trainer.model.inputWidth]);
    const u = tf.tensor2d(rng.fillNormal(new Float32Array(n * 2)), [n, 2]);
    const partSeconds = Math.max(0.1, seconds / 4);
    const fwd = timeLoop(
      () => {
        const y = tf.tidy(() => trainer.model.forward(x));
        y.dataSync();
        y.dispose();
      },
      { seconds: partSeconds, warmupIters: 5 },
    );
    const fwdBwd = timeLoop(
      () => {
        const v = tf.tidy(() => tf.variableGrads(() => tf.mean(tf.squaredDifference(trainer.model.forward(x), u)) as tf.Scalar, trainer.model.params).value);
        v.dataSync();
        v.dispose();
      },
      { seconds: partSeconds, warmupIters: 5 },
    );
    tf.dispose([x, u]);
    const prof = await profileStep(trainer, seconds >= 1 ? 15 : 3);

    return {
      spec,
      timing: main,
      stepsPerSec: main.iters / main.wallS,
      stepsPerCpuSec: main.iters / main.cpuS,
      stepMs: msPer(main),
      stepCpuMs: cpuMsPer(main),
      forwardMs: cpuMsPer(fwd),
      forwardBackwardMs: cpuMsPer(fwdBwd),
      ...(spec.method === 'otcfm'
        ? { couplingFraction: couplingMs / (1000 * main.cpuS), couplingMs: couplingMs / main.iters }
        : {}),
      kernelsPerStep: prof.kernelsPerStep,
      topKernels: prof.top,
    };
  } finally {
    trainer.dispose();
  }
}
