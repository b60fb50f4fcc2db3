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
 * - clockTicks / clockTickLabels / wallAxisTitle: the "wall clock" axis, x in
 *   ms since 1970 (the stored wall times), ticked at round times of day in
 *   the local time zone (every 1, 2, 5, 10, 15, 30 s; 1, 2, 5, 10, 15, 30 min;
 *   1, 2, 3, 6, 12 h; 1, 2, 7 days: Chart.js's linear ticks would fall on
 *   round numbers of milliseconds, 14:03:20 then 14:05:00 then 14:06:40) and
 *   labelled HH:MM:SS, or HH:MM from a minute up, with the date under the first
 *   tick and under each tick where the day changes when the axis spans days.
 *   Ticks are made from local clock fields (new Date(y, m, d, 0, 0, 0, ms)), so
 *   they stay on round local times across time zones and daylight-saving days.
 * - Curve: one metric's steps, times, wall times, raw values and EMA in growable arrays.
 */
export interface Point {
  x: number;
  y: number;
}

/** step; training time (s, pauses left out); wall clock (ms since 1970, pauses in). */
export type XAxis = 'step' | 'time' | 'wall';

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

// ---------------------------------------------------------------- the wall-clock axis

const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;
export const DAY = 24 * HOUR;

/** Tick spacings of the wall-clock axis, ms: round times of day (a day has a whole number of each below a day). */
export const CLOCK_STEPS: readonly number[] = [
  100, 200, 500,
  SECOND, 2 * SECOND, 5 * SECOND, 10 * SECOND, 15 * SECOND, 30 * SECOND,
  MINUTE, 2 * MINUTE, 5 * MINUTE, 10 * MINUTE, 15 * MINUTE, 30 * MINUTE,
  HOUR, 2 * HOUR, 3 * HOUR, 6 * HOUR, 12 * HOUR,
  DAY, 2 * DAY, 7 * DAY,
];

/** Local midnight of the day holding `ms`. */
function midnight(ms: number): Date {
  const d = new Date(ms);
  return new Date(d.getFullYear(), d.getMonth(), d.getDate());
}

const sameDay = (a: number, b: number): boolean => midnight(a).getTime() === midnight(b).getTime();

/** Milliseconds past local midnight by the clock on the wall (hours, minutes, seconds, ms fields). */
function clockOfDay(ms: number): number {
  const d = new Date(ms);
  return ((d.getHours() * 60 + d.getMinutes()) * 60 + d.getSeconds()) * 1000 + d.getMilliseconds();
}

/**
 * Ticks for a wall-clock axis from `minMs` to `maxMs` (ms since 1970): the
 * smallest CLOCK_STEPS spacing that puts at most `maxTicks` ticks on the span,
 * at round local times of day (14:05:00, 14:06:00, ...; days at local
 * midnight). Beyond 7-day ticks, whole multiples of 7 days.
 */
export function clockTicks(minMs: number, maxMs: number, maxTicks = 8): { step: number; ticks: number[] } {
  if (!Number.isFinite(minMs) || !Number.isFinite(maxMs) || maxMs < minMs) return { step: SECOND, ticks: [] };
  const span = maxMs - minMs;
  const wanted = span / Math.max(1, maxTicks - 1);
  const step = CLOCK_STEPS.find((s) => s >= wanted) ?? 7 * DAY * Math.ceil(wanted / (7 * DAY));
  const ticks: number[] = [];
  if (step >= DAY) {
    // Local midnights, every step / DAY days from the first at or after minMs.
    const days = Math.round(step / DAY);
    let first = midnight(minMs);
    if (first.getTime() < minMs) first = new Date(first.getFullYear(), first.getMonth(), first.getDate() + 1);
    for (let k = 0; ; k += days) {
      const t = new Date(first.getFullYear(), first.getMonth(), first.getDate() + k).getTime();
      if (t > maxMs) break;
      ticks.push(t);
    }
    return { step, ticks };
  }
  // Per local day: the clock times j * step of that day that fall in [minMs, maxMs].
  const last = midnight(maxMs).getTime();
  for (let day = midnight(minMs); day.getTime() <= last; day = new Date(day.getFullYear(), day.getMonth(), day.getDate() + 1)) {
    const d0 = day.getTime();
    const from = sameDay(d0, minMs) ? Math.ceil(clockOfDay(minMs) / step) : 0;
    const to = sameDay(d0, maxMs) ? Math.floor(clockOfDay(maxMs) / step) : Math.ceil(DAY / step) - 1;
    for (let j = from; j <= to; j++) {
      const t = new Date(day.getFullYear(), day.getMonth(), day.getDate(), 0, 0, 0, j * step).getTime();
      if (t < minMs || t > maxMs) continue;
      // A time that does not exist on a daylight-saving day lands on one already taken.
      if (ticks.length && t <= ticks[ticks.length - 1]!) continue;
      ticks.push(t);
    }
  }
  return { step, ticks };
}

const pad2 = (v: number): string => String(v).padStart(2, '0');
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** "Mar 5": a local date, short. */
export function shortDate(ms: number): string {
  const d = new Date(ms);
  return `${MONTHS[d.getMonth()]} ${d.getDate()}`;
}

/** "2024-03-05": a local date, in full. */
export function isoDate(ms: number): string {
  const d = new Date(ms);
  return `${d.getFullYear()}-${pad2(d.getMonth() + 1)}-${pad2(d.getDate())}`;
}

/** A local time of day to the precision a tick spacing needs: 14:05:07.5 (under 1 s), 14:05:07 (under 1 min), 14:05. */
export function clockTime(ms: number, stepMs: number): string {
  const d = new Date(ms);
  const hm = `${pad2(d.getHours())}:${pad2(d.getMinutes())}`;
  if (stepMs >= MINUTE) return hm;
  const hms = `${hm}:${pad2(d.getSeconds())}`;
  return stepMs >= SECOND ? hms : `${hms}.${Math.floor(d.getMilliseconds() / 100)}`;
}

/**
 * Labels of clockTicks' ticks. Day ticks are dates ("Mar 5"); others are times
 * of day, and when the axis (minMs..maxMs) spans more than one local day, the
 * first tick and each tick on a new day carry the date on a second line
 * (["00:00", "Mar 6"]: Chart.js draws an array as lines).
 */
export function clockTickLabels(ticks: readonly number[], stepMs: number, minMs: number, maxMs: number): (string | string[])[] {
  if (stepMs >= DAY) return ticks.map(shortDate);
  const spansDays = Number.isFinite(minMs) && Number.isFinite(maxMs) && !sameDay(minMs, maxMs);
  return ticks.map((t, i) => {
    const time = clockTime(t, stepMs);
    return spansDays && (i === 0 || !sameDay(t, ticks[i - 1]!)) ? [time, shortDate(t)] : time;
  });
}

/** The wall-clock axis title, with the date(s) it covers: "time of day, 2024-03-05" or "... 2024-03-05 to 2024-03-07". */
export function wallAxisTitle(minMs: number, maxMs: number): string {
  const base = 'wall clock (local time, pauses included)';
  if (!Number.isFinite(minMs) || !Number.isFinite(maxMs)) return base;
  return sameDay(minMs, maxMs) ? `${base}, ${isoDate(minMs)}` : `${base}, ${isoDate(minMs)} to ${isoDate(maxMs)}`;
}

/**
 * One metric's points: steps, training times, raw values and their EMA, in
 * plain arrays that grow by appends. Only values that can sit on a log axis
 * (finite, > 0) and steps after the last one are kept.
 */
export class Curve {
  readonly steps: number[] = [];
  readonly times: number[] = [];
  /** Wall-clock times, ms since 1970 (NaN where unknown). */
  readonly walls: number[] = [];
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

  get lastWall(): number | undefined {
    return this.walls.length ? this.walls[this.walls.length - 1] : undefined;
  }

  /** Replaces the points (wall times in ms since 1970, when known). */
  reset(steps: ArrayLike<number>, times: ArrayLike<number>, values: ArrayLike<number>, walls?: ArrayLike<number>): void {
    this.steps.length = 0;
    this.times.length = 0;
    this.walls.length = 0;
    this.raw.length = 0;
    for (let i = 0; i < steps.length; i++) this.keep(steps[i]!, times[i]!, values[i]!, walls ? walls[i]! : Number.NaN);
    this.smooth = this.ema.seed(this.raw);
  }

  /** Adds one point after the last; false when it is not kept. */
  append(step: number, time: number, value: number, wall = Number.NaN): boolean {
    if (!this.keep(step, time, value, wall)) return false;
    this.smooth.push(this.ema.next(value));
    return true;
  }

  setWeight(weight: number): void {
    this.ema = new IncrementalEma(weight);
    this.smooth = this.ema.seed(this.raw);
  }

  /** The x values on an axis: steps, training seconds or wall-clock ms. */
  xs(axis: XAxis): readonly number[] {
    return axis === 'step' ? this.steps : axis === 'time' ? this.times : this.walls;
  }

  /** {x, y} points of the raw or smoothed values, x by step, training time or wall clock. */
  points(axis: XAxis, which: 'raw' | 'smooth'): Point[] {
    const xs = this.xs(axis);
    const ys = which === 'raw' ? this.raw : this.smooth;
    const out = new Array<Point>(xs.length);
    for (let i = 0; i < xs.length; i++) out[i] = { x: xs[i]!, y: ys[i]! };
    return out;
  }

  private keep(step: number, time: number, value: number, wall: number): boolean {
    if (!Number.isFinite(step) || !Number.isFinite(value) || !(value > 0)) return false;
    const last = this.lastStep;
    if (last !== undefined && step <= last) return false;
    const t = Number.isFinite(time) ? Math.max(time, this.lastTime ?? -Infinity) : (this.lastTime ?? 0);
    // Wall times never run backwards either (a clock stepped back, a live point joined on).
    const lastWall = this.lastWall;
    const w = Number.isFinite(wall) ? (lastWall !== undefined && lastWall > wall ? lastWall : wall) : (lastWall ?? Number.NaN);
    this.steps.push(step);
    this.times.push(t);
    this.walls.push(w);
    this.raw.push(value);
    return true;
  }
}
