/**
 * The DOM-free half of the loss chart (lib/lossChart.ts draws with it), kept
 * apart so it is tested under Node:
 *
 * - IncrementalEma: TensorBoard's debiased EMA (the numbers of lib/smoothing.ts
 *   smoothEma),  m_k = w m_{k-1} + (1 - w) y_k,  s_k = m_k / (1 - w^k),
 *   continued one value at a time: a recurrence, so a live point costs O(1)
 *   however long the curve, and only a new w recomputes the whole line.
 * - trainingSeconds: the x of the "training time" axis from stored wall
 *   times, with the pauses between a cancel and a resume taken out, so the
 *   axis counts what the run's `seconds` and the progress events'
 *   elapsedSeconds count (a resumed run's idle hours are not training).
 * - Curve: one metric's steps, times, raw values and EMA in growable arrays.
 */
export interface Point {
  x: number;
  y: number;
}

export type XAxis = 'step' | 'time';

/**
 * The debiased EMA continued one value at a time, giving smoothEma's numbers:
 * `seed` smooths a whole array and keeps the state after it (m_k, k and w^k),
 * `next` adds one value. w^k is kept as a running product rather than a power
 * per point: a new weight on a 100,000-point curve then costs one cheap pass
 * (about 1 ms, where a ** per point costs several). Non-finite values pass
 * through and do not enter the average, as in smoothEma.
 */
export class IncrementalEma {
  private m = 0;
  private k = 0;
  /** w^k. */
  private wk = 1;

  constructor(readonly weight: number) {
    if (!(weight >= 0 && weight < 1)) throw new RangeError(`smoothing weight must be in [0, 1), got ${weight}`);
  }

  /** Smooths `values` from scratch and keeps the state after the last one. */
  seed(values: ArrayLike<number>): number[] {
    this.m = 0;
    this.k = 0;
    this.wk = 1;
    const out = new Array<number>(values.length);
    for (let i = 0; i < values.length; i++) out[i] = this.next(values[i]!);
    return out;
  }

  next(y: number): number {
    if (!Number.isFinite(y)) return y;
    const w = this.weight;
    this.m = w * this.m + (1 - w) * y;
    this.k++;
    this.wk *= w;
    return w === 0 ? y : this.m / (1 - this.wk);
  }
}

/** A pause is a gap this many times longer than the run's usual pace for that many steps... */
export const PAUSE_FACTOR = 20;
/** ...and at least this many seconds longer. */
export const PAUSE_MIN_SECONDS = 2;

/**
 * Training time in seconds since the first point, from the points' steps and
 * wall times (ms), with pauses taken out: a gap between two points that is
 * PAUSE_FACTOR times longer than the median seconds per step predicts (and
 * PAUSE_MIN_SECONDS longer) is a cancel-to-resume pause, and counts as the
 * median pace would. Never decreasing, even if the clock stepped back.
 */
export function trainingSeconds(steps: ArrayLike<number>, wallTimesMs: ArrayLike<number>): Float64Array {
  const n = Math.min(steps.length, wallTimesMs.length);
  const out = new Float64Array(n);
  if (n === 0) return out;
  const pace: number[] = [];
  for (let i = 1; i < n; i++) {
    const ds = steps[i]! - steps[i - 1]!;
    const dt = (wallTimesMs[i]! - wallTimesMs[i - 1]!) / 1000;
    if (ds > 0 && dt >= 0 && Number.isFinite(dt)) pace.push(dt / ds);
  }
  pace.sort((a, b) => a - b);
  const perStep = pace.length ? (pace.length % 2 ? pace[(pace.length - 1) / 2]! : (pace[pace.length / 2 - 1]! + pace[pace.length / 2]!) / 2) : 0;
  for (let i = 1; i < n; i++) {
    const ds = Math.max(0, steps[i]! - steps[i - 1]!);
    let dt = (wallTimesMs[i]! - wallTimesMs[i - 1]!) / 1000;
    if (!Number.isFinite(dt) || dt < 0) dt = 0;
    const expected = ds * perStep;
    if (perStep > 0 && dt > PAUSE_FACTOR * expected && dt - expected > PAUSE_MIN_SECONDS) dt = expected;
    out[i] = out[i - 1]! + dt;
  }
  return out;
}

/** The median seconds per step of a curve (0 when it cannot tell). */
export function secondsPerStep(steps: readonly number[], times: readonly number[]): number {
  const pace: number[] = [];
  for (let i = 1; i < steps.length; i++) {
    const ds = steps[i]! - steps[i - 1]!;
    if (ds > 0) pace.push((times[i]! - times[i - 1]!) / ds);
  }
  if (pace.length === 0) return 0;
  pace.sort((a, b) => a - b);
  return pace[Math.floor(pace.length / 2)]!;
}

/** The time at `step` on a curve, linear between its points, clamped to its ends. */
export function timeAtStep(steps: readonly number[], times: readonly number[], step: number): number {
  const n = steps.length;
  if (n === 0) return 0;
  if (step <= steps[0]!) return times[0]!;
  if (step >= steps[n - 1]!) return times[n - 1]!;
  let lo = 0;
  let hi = n - 1;
  while (hi - lo > 1) {
    const mid = (lo + hi) >> 1;
    if (steps[mid]! <= step) lo = mid;
    else hi = mid;
  }
  const s0 = steps[lo]!;
  const s1 = steps[hi]!;
  return times[lo]! + ((step - s0) / (s1 - s0)) * (times[hi]! - times[lo]!);
}

/** Axis labels for seconds: 12 s, 2.5 s, 1:05, 1:02:05. */
export function formatClock(seconds: number): string {
  if (!Number.isFinite(seconds)) return '';
  const sign = seconds < 0 ? '−' : '';
  const a = Math.abs(seconds);
  if (a < 60) return `${sign}${Number(a.toFixed(a < 10 ? 1 : 0))} s`;
  const s = Math.round(a);
  const ss = String(s % 60).padStart(2, '0');
  if (s < 3600) return `${sign}${Math.floor(s / 60)}:${ss}`;
  return `${sign}${Math.floor(s / 3600)}:${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}:${ss}`;
}

/**
 * One metric's points: steps, training times, raw values and their EMA, in
 * plain arrays that grow by appends. Only values that can sit on a log axis
 * (finite, > 0) and steps after the last one are kept.
 */
export class Curve {
  readonly steps: number[] = [];
  readonly times: number[] = [];
  readonly raw: number[] = [];
  smooth: number[] = [];
  private ema: IncrementalEma;

  constructor(weight: number) {
    this.ema = new IncrementalEma(weight);
  }

  get size(): number {
    return this.steps.length;
  }

  get lastStep(): number | undefined {
    return this.steps.length ? this.steps[this.steps.length - 1] : undefined;
  }

  get lastTime(): number | undefined {
    return this.times.length ? this.times[this.times.length - 1] : undefined;
  }

  /** Replaces the points. */
  reset(steps: ArrayLike<number>, times: ArrayLike<number>, values: ArrayLike<number>): void {
    this.steps.length = 0;
    this.times.length = 0;
    this.raw.length = 0;
    for (let i = 0; i < steps.length; i++) this.keep(steps[i]!, times[i]!, values[i]!);
    this.smooth = this.ema.seed(this.raw);
  }

  /** Adds one point after the last; false when it is not kept. */
  append(step: number, time: number, value: number): boolean {
    if (!this.keep(step, time, value)) return false;
    this.smooth.push(this.ema.next(value));
    return true;
  }

  setWeight(weight: number): void {
    this.ema = new IncrementalEma(weight);
    this.smooth = this.ema.seed(this.raw);
  }

  /** {x, y} points of the raw or smoothed values, x by step or time. */
  points(axis: XAxis, which: 'raw' | 'smooth'): Point[] {
    const xs = axis === 'step' ? this.steps : this.times;
    const ys = which === 'raw' ? this.raw : this.smooth;
    const out = new Array<Point>(xs.length);
    for (let i = 0; i < xs.length; i++) out[i] = { x: xs[i]!, y: ys[i]! };
    return out;
  }

  private keep(step: number, time: number, value: number): boolean {
    if (!Number.isFinite(step) || !Number.isFinite(value) || !(value > 0)) return false;
    const last = this.lastStep;
    if (last !== undefined && step <= last) return false;
    const t = Number.isFinite(time) ? Math.max(time, this.lastTime ?? -Infinity) : (this.lastTime ?? 0);
    this.steps.push(step);
    this.times.push(t);
    this.raw.push(value);
    return true;
  }
}
