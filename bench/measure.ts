/**
 * Timing loops for the benchmark. A figure is iterations / seconds over a loop
 * that runs at least `seconds` and `minIters` iterations after a warm-up (JIT,
 * wasm tier-up, first allocations). Both wall time and the main thread's CPU
 * time (user + system) are kept: on a shared machine whose load exceeds its
 * cores, wall time measures the neighbours too, CPU time much less so. The main
 * thread only, because V8's GC helper threads would otherwise be counted on top
 * of the work the loop waits for (process CPU time exceeded wall time here).
 */
import os from 'node:os';

export interface Timing {
  iters: number;
  wallS: number;
  cpuS: number;
}

export interface LoopOptions {
  /** Least timed duration in seconds. */
  seconds: number;
  /** Least timed iterations (default 3). */
  minIters?: number;
  /** Warm-up: at least this many iterations (default 3) ... */
  warmupIters?: number;
  /** ... and at least this many seconds (default 0). */
  warmupSeconds?: number;
}

const cpuSeconds = (): number => {
  // threadCpuUsage arrived in Node 22.x; older ones fall back to the whole process.
  const u = typeof process.threadCpuUsage === 'function' ? process.threadCpuUsage() : process.cpuUsage();
  return (u.user + u.system) / 1e6;
};

/** Runs fn at least `iters` times and for at least `seconds`. */
export function warmup(fn: () => void, o: { iters: number; seconds?: number }): void {
  const t0 = performance.now();
  for (let i = 0; i < o.iters || performance.now() - t0 < 1000 * (o.seconds ?? 0); i++) fn();
}

export function timeLoop(fn: () => void, o: LoopOptions): Timing {
  warmup(fn, { iters: o.warmupIters ?? 3, seconds: o.warmupSeconds });
  const minIters = o.minIters ?? 3;
  const c0 = cpuSeconds();
  const t0 = performance.now();
  let iters = 0;
  do {
    fn();
    iters++;
  } while (performance.now() - t0 < 1000 * o.seconds || iters < minIters);
  return { iters, wallS: (performance.now() - t0) / 1000, cpuS: cpuSeconds() - c0 };
}

export async function timeLoopAsync(fn: () => Promise<void>, o: LoopOptions): Promise<Timing> {
  const wStart = performance.now();
  for (let i = 0; i < (o.warmupIters ?? 1) || performance.now() - wStart < 1000 * (o.warmupSeconds ?? 0); i++) await fn();
  const minIters = o.minIters ?? 1;
  const c0 = cpuSeconds();
  const t0 = performance.now();
  let iters = 0;
  do {
    await fn();
    iters++;
  } while (performance.now() - t0 < 1000 * o.seconds || iters < minIters);
  return { iters, wallS: (performance.now() - t0) / 1000, cpuS: cpuSeconds() - c0 };
}

/** Milliseconds per iteration (wall). */
export const msPer = (t: Timing): number => (1000 * t.wallS) / t.iters;

/** CPU milliseconds per iteration. */
export const cpuMsPer = (t: Timing): number => (1000 * t.cpuS) / t.iters;

export { cpuSeconds };

/** Seconds of one call: wall and CPU. */
export function timeOnce<T>(fn: () => T): { value: T; wallS: number; cpuS: number } {
  const c0 = cpuSeconds();
  const t0 = performance.now();
  const value = fn();
  return { value, wallS: (performance.now() - t0) / 1000, cpuS: cpuSeconds() - c0 };
}

export function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/** 1-minute load average and core count: figures taken with load > cores are shared. */
export function machineLoad(): { load1: number; cores: number } {
  return { load1: os.loadavg()[0], cores: os.availableParallelism() };
}
