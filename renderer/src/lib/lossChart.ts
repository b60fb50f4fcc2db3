/**
 * The live loss curve on Chart.js, following DESIGN.md's front-end conventions:
 * animation off, parsing off ({x, y} points kept in plain arrays, outside
 * Svelte's proxies), LTTB decimation for long lines, a log-scale y axis, and
 * appends coalesced to one `chart.update('none')` per animation frame, so a
 * run streaming many progress events a second costs at most one redraw a frame.
 *
 * Each metric (training loss, and the validation loss when the run logs one)
 * is drawn twice: the raw values faded, and over them TensorBoard's debiased
 * EMA (lib/smoothing.ts smoothEma),
 *
 *   m_k = w m_{k-1} + (1 - w) y_k,  s_k = m_k / (1 - w^k).
 *
 * The EMA is a recurrence, so a live append costs O(1): the state (m_k, k) is
 * kept after the last point and only a change of w recomputes the whole curve
 * (lib/lossCurve.ts, the DOM-free half, tested under Node).
 *
 * The x axis is the step, the training time or the wall clock. Training time is the clock the
 * run's `seconds` counts: the stored series' wall times (metricSeries) with the
 * pauses between a cancel and a resume taken out (lossCurve.ts trainingSeconds), and
 * for live points the progress events' elapsedSeconds (which counts the same
 * way), joined on to the stored curve where it ends. Wall-clock time with the
 * pauses left in would put a resumed run's hours of idling on the axis; that
 * is the third reading, "wall clock": the time of day each point was logged
 * (the stored wall times, ms since 1970; a live point's is its elapsedSeconds
 * on a clock set from this computer's at the first live point after the
 * stored series, so successive live points keep the trainer's spacing), ticked
 * at round local times and labelled HH:MM:SS / HH:MM with the date where the
 * axis spans days (lossCurve.ts clockTicks, clockTickLabels).
 *
 * Non-positive or non-finite values cannot sit on a log axis and are skipped.
 * The canvas carries data-* attributes for tests and assistive tooling:
 * data-points (training-loss points), data-val-points, data-x-axis,
 * data-smoothing, data-last-step, data-last-x, data-raw-last, data-smoothed-last,
 * data-x-ticks (the x tick labels drawn, " | " between them) and data-x-title.
 */
import {
  Chart,
  Decimation,
  LinearScale,
  LineController,
  LineElement,
  LogarithmicScale,
  PointElement,
  Tooltip,
  type ChartConfiguration,
  type Scale,
} from 'chart.js';
import { CHART_CONVENTIONS, configScale, followTheme, FrameCoalescer, panelBackground, thinLogTicks, themeColor, withAlpha, type ScaleConfig } from './chartTheme.js';
import { saveCanvasPng } from './download.js';
import {
  clockTickLabels,
  clockTicks,
  Curve,
  formatClock,
  secondsPerStep,
  timeAtStep,
  trainingSeconds,
  wallAxisTitle,
  type Point,
  type XAxis,
} from './lossCurve.js';

export { Curve, formatClock, IncrementalEma, trainingSeconds, type Point, type XAxis } from './lossCurve.js';

Chart.register(LineController, LineElement, PointElement, LinearScale, LogarithmicScale, Decimation, Tooltip);

export type CurveName = 'loss' | 'val_loss';

/** What the slider starts at (TensorBoard's default is 0.6 too). */
export const DEFAULT_SMOOTHING = 0.6;
export const MAX_SMOOTHING = 0.99;

// ---------------------------------------------------------------- the chart

const TIME_TITLE = 'training time (pauses between cancel and resume left out)';
/** Dataset order: raw lines first so the smoothed ones are drawn over them. */
const ORDER: readonly { curve: CurveName; which: 'raw' | 'smooth' }[] = [
  { curve: 'loss', which: 'raw' },
  { curve: 'val_loss', which: 'raw' },
  { curve: 'loss', which: 'smooth' },
  { curve: 'val_loss', which: 'smooth' },
];

export class LossChart {
  private readonly chart: Chart<'line', Point[]>;
  private weight = DEFAULT_SMOOTHING;
  private axis: XAxis = 'step';
  private readonly curves: Record<CurveName, Curve> = { loss: new Curve(DEFAULT_SMOOTHING), val_loss: new Curve(DEFAULT_SMOOTHING) };
  /** Points the chart holds, one array per dataset of ORDER (appends push into them). */
  private data: Point[][] = ORDER.map(() => []);
  /** Live training time = elapsedSeconds + this, fixed at the first live point after a reset. */
  private liveOffset: number | undefined;
  /** Live wall time (ms) = 1000 elapsedSeconds + this, fixed at the first live point after a reset. */
  private wallOffset: number | undefined;
  /** The latest live loss points as append() was given them (with their wall time), replayed after a reset if they are newer than it. */
  private readonly live: { step: number; value: number; elapsed: number; wall: number }[] = [];
  /** The wall-clock axis's tick labels, made with its ticks (afterBuildTicks) for the tick callback. */
  private wallLabels: (string | string[])[] = [];
  private readonly redraw = new FrameCoalescer(() => this.draw());
  /** The weight changed since the last frame: the smoothed lines are recomputed in it. */
  private reweigh = false;
  private readonly unfollowTheme: () => void;

  constructor(private readonly canvas: HTMLCanvasElement) {
    const config: ChartConfiguration<'line', Point[]> = {
      type: 'line',
      data: {
        datasets: ORDER.map((o, i) => ({
          label: `${o.curve === 'loss' ? 'training loss' : 'validation loss'}${o.which === 'raw' ? '' : ' (smoothed)'}`,
          data: this.data[i]!,
          borderWidth: o.which === 'raw' ? 1 : 2,
          // Validation is logged every few hundred steps: mark its points (a run may have one).
          pointRadius: o.curve === 'val_loss' && o.which === 'smooth' ? 2.5 : 0,
          pointHoverRadius: 3,
          tension: 0,
          indexAxis: 'x' as const,
        })),
      },
      options: {
        ...CHART_CONVENTIONS,
        interaction: { mode: 'nearest', axis: 'x', intersect: false },
        scales: {
          x: { type: 'linear', title: { display: true, text: 'step' }, ticks: { maxTicksLimit: 8 }, afterBuildTicks: (scale: Scale) => this.wallTicks(scale) },
          y: { type: 'logarithmic', title: { display: true, text: 'loss (log scale)' }, afterBuildTicks: thinLogTicks },
        },
        plugins: {
          decimation: { enabled: true, algorithm: 'lttb', samples: 1000, threshold: 2000 },
          tooltip: { enabled: true },
          legend: { display: false },
        },
      },
      plugins: [panelBackground],
    };
    this.chart = new Chart(canvas, config);
    this.applyAxis();
    this.unfollowTheme = followTheme(this.chart, () => this.applyColors());
    this.mark();
  }

  /** Replaces a metric's curve with a stored series (metricSeries: bucket means, wall times in ms). */
  setSeries(name: CurveName, steps: ArrayLike<number>, wallTimesMs: ArrayLike<number>, values: ArrayLike<number>): void {
    const curve = this.curves[name];
    if (name === 'loss') {
      // Live points newer than the stored series stay (they came while it was on its way).
      const end = steps.length ? steps[steps.length - 1]! : -Infinity;
      const keep = this.live.filter((p) => p.step > end);
      this.live.length = 0; // the replay below adds the kept ones back
      curve.reset(steps, trainingSeconds(steps, wallTimesMs), values, wallTimesMs);
      this.liveOffset = undefined;
      this.wallOffset = undefined;
      for (const p of keep) this.appendLoss(p.step, p.value, p.elapsed, p.wall);
      // The validation curve sits on the training curve's clock.
      this.retime(this.curves.val_loss);
    } else {
      curve.reset(steps, this.timesOnLossClock(steps), values, wallTimesMs);
    }
    this.rebuild();
  }

  /**
   * Appends stored points of a metric that came after the curve's last step
   * (metricSeries with afterStep); without their wall times they are placed on
   * the training curve's wall clock by step.
   */
  appendSeries(name: CurveName, steps: ArrayLike<number>, values: ArrayLike<number>, wallTimesMs?: ArrayLike<number>): void {
    const times = this.timesOnLossClock(steps);
    const loss = this.curves.loss;
    const walls = wallTimesMs ?? Array.from(steps, (s) => timeAtStep(loss.steps, loss.walls, s));
    let added = false;
    for (let i = 0; i < steps.length; i++) added = this.push(name, steps[i]!, times[i]!, values[i]!, walls[i]!) || added;
    if (added) this.redraw.schedule();
  }

  /** Appends one training-loss point from a progress event; drawn at the next animation frame. */
  append(step: number, loss: number, elapsedSeconds: number): void {
    if (this.appendLoss(step, loss, elapsedSeconds)) this.redraw.schedule();
  }

  get smoothing(): number {
    return this.weight;
  }

  /** Applied at the next frame: a slider dragged through many values in one frame smooths once. */
  set smoothing(weight: number) {
    const w = Math.min(MAX_SMOOTHING, Math.max(0, weight));
    if (w === this.weight) return;
    this.weight = w;
    this.reweigh = true;
    this.redraw.schedule();
  }

  get xAxis(): XAxis {
    return this.axis;
  }

  set xAxis(axis: XAxis) {
    if (axis === this.axis) return;
    this.axis = axis;
    this.applyAxis();
    this.refill('x');
    this.redraw.schedule();
  }

  get lastStep(): number | undefined {
    return this.curves.loss.lastStep;
  }

  get size(): number {
    return this.curves.loss.size;
  }

  get lastValStep(): number | undefined {
    return this.curves.val_loss.lastStep;
  }

  /** The chart as a PNG download (the panel colour behind it). */
  savePng(filename: string): Promise<void> {
    return saveCanvasPng(this.canvas, filename);
  }

  destroy(): void {
    this.redraw.cancel();
    this.unfollowTheme();
    this.chart.destroy();
  }

  // ------------------------------------------------------------ internals

  private appendLoss(step: number, loss: number, elapsed: number, wall?: number): boolean {
    const curve = this.curves.loss;
    const last = curve.lastStep;
    if (last !== undefined && step <= last) return false;
    if (this.liveOffset === undefined) {
      // Join the live clock to the stored curve: where the stored pace says this step would be.
      const predicted = last === undefined ? 0 : curve.lastTime! + (step - last) * secondsPerStep(curve.steps, curve.times);
      this.liveOffset = last === undefined ? 0 : predicted - elapsed;
    }
    // Progress events carry no time of day: the first live point is "now", later ones keep the trainer's spacing.
    this.wallOffset ??= Date.now() - 1000 * elapsed;
    const at = wall ?? 1000 * elapsed + this.wallOffset;
    const ok = this.push('loss', step, elapsed + this.liveOffset, loss, at);
    if (ok) {
      this.live.push({ step, value: loss, elapsed, wall: at });
      // Only the newest few matter for a replay; the rest are in the store by then.
      if (this.live.length > 256) this.live.splice(0, this.live.length - 128);
    }
    return ok;
  }

  private push(name: CurveName, step: number, time: number, value: number, wall: number): boolean {
    const curve = this.curves[name];
    if (!curve.append(step, time, value, wall)) return false;
    const i = curve.size - 1;
    const x = curve.xs(this.axis)[i]!;
    for (let d = 0; d < ORDER.length; d++) {
      const o = ORDER[d]!;
      if (o.curve !== name) continue;
      this.data[d]!.push({ x, y: o.which === 'raw' ? curve.raw[i]! : curve.smooth[i]! });
    }
    return true;
  }

  private timesOnLossClock(steps: ArrayLike<number>): number[] {
    const loss = this.curves.loss;
    return Array.from(steps, (s) => timeAtStep(loss.steps, loss.times, s));
  }

  private retime(curve: Curve): void {
    if (curve.size === 0) return;
    const steps = curve.steps.slice();
    const raw = curve.raw.slice();
    curve.reset(steps, this.timesOnLossClock(steps), raw, curve.walls.slice());
  }

  /**
   * Rewrites the points' x (a new axis) or the smoothed lines' y (a new weight)
   * in place: no new objects, so dragging the slider over a 100,000-point
   * curve costs one pass over the numbers, not a heap of garbage.
   */
  private refill(what: 'x' | 'smooth'): void {
    ORDER.forEach((o, d) => {
      if (what === 'smooth' && o.which !== 'smooth') return;
      const curve = this.curves[o.curve];
      const pts = this.data[d]!;
      if (pts.length !== curve.size) {
        this.rebuild();
        return;
      }
      const xs = curve.xs(this.axis);
      for (let i = 0; i < pts.length; i++) {
        const p = pts[i]!;
        if (what === 'x') p.x = xs[i]!;
        else p.y = curve.smooth[i]!;
      }
    });
  }

  /** New point arrays for every dataset (after a reset). */
  private rebuild(): void {
    this.data = ORDER.map((o) => this.curves[o.curve].points(this.axis, o.which));
    this.chart.data.datasets.forEach((ds, i) => {
      ds.data = this.data[i]!;
    });
    this.redraw.schedule();
  }

  /** The frame's redraw: a new weight's smoothing, the wall-clock title, one update('none'). */
  private draw(): void {
    if (this.reweigh) {
      this.reweigh = false;
      for (const c of Object.values(this.curves)) c.setWeight(this.weight);
      this.refill('smooth');
    }
    this.wallTitle();
    this.chart.update('none');
    this.mark();
  }

  private mark(): void {
    const loss = this.curves.loss;
    const n = loss.size;
    const ds = this.canvas.dataset;
    ds.points = String(n);
    ds.valPoints = String(this.curves.val_loss.size);
    ds.xAxis = this.axis;
    ds.smoothing = String(this.weight);
    ds.lastStep = n ? String(loss.steps[n - 1]) : '';
    ds.lastX = n ? String(loss.xs(this.axis)[n - 1]) : '';
    ds.rawLast = n ? String(loss.raw[n - 1]) : '';
    ds.smoothedLast = n ? String(loss.smooth[n - 1]) : '';
    const x = this.chart.scales['x'];
    ds.xTicks = x ? x.ticks.map((t) => (Array.isArray(t.label) ? t.label.join(' ') : String(t.label ?? ''))).join(' | ') : '';
    ds.xTitle = String(this.scale('x').title['text'] ?? '');
  }

  /** A scale's plain config options (chartTheme.ts configScale). */
  private scale(axis: 'x' | 'y'): ScaleConfig {
    return configScale(this.chart, axis);
  }

  private applyAxis(): void {
    const x = this.scale('x');
    if (this.axis === 'wall') {
      // Tight to the data (Chart.js would widen the range to round numbers of ms); the title gets its dates before each update.
      (x as Record<string, unknown>)['bounds'] = 'data';
      x.title['text'] = wallAxisTitle(Number.NaN, Number.NaN);
      x.ticks['callback'] = (_v: string | number, i: number) => this.wallLabels[i] ?? '';
    } else {
      delete (x as Record<string, unknown>)['bounds'];
      x.title['text'] = this.axis === 'step' ? 'step' : TIME_TITLE;
      x.ticks['callback'] = this.axis === 'step' ? (v: string | number) => Number(v).toLocaleString('en-US') : (v: string | number) => formatClock(Number(v));
    }
  }

  /** On the wall-clock axis: ticks at round local times of day (clockTicks), their labels, and the dates in the title. */
  private wallTicks(scale: Scale): void {
    if (this.axis !== 'wall' || !(scale.max >= scale.min)) return;
    const { step, ticks } = clockTicks(scale.min, scale.max, 8);
    scale.ticks = ticks.map((value) => ({ value }));
    this.wallLabels = clockTickLabels(ticks, step, scale.min, scale.max);
  }

  /** The wall-clock axis title names the date(s) the curve covers; set before each update. */
  private wallTitle(): void {
    if (this.axis !== 'wall') return;
    const walls = this.curves.loss.walls;
    const first = walls.find((w) => Number.isFinite(w));
    this.scale('x').title['text'] = wallAxisTitle(first ?? Number.NaN, this.curves.loss.lastWall ?? Number.NaN);
  }

  /** The curves' colours from the theme (axis colours: chartTheme.ts followTheme). */
  private applyColors(): void {
    const colors: Record<CurveName, string> = { loss: themeColor('--accent', '#2563eb'), val_loss: themeColor('--warn', '#b45309') };
    this.chart.data.datasets.forEach((ds, i) => {
      const o = ORDER[i]!;
      const c = o.which === 'raw' ? withAlpha(colors[o.curve], 0.28) : colors[o.curve];
      ds.borderColor = c;
      ds.backgroundColor = c;
    });
    this.chart.update('none');
  }
}
