/**
 * A live loss curve on Chart.js, following DESIGN.md's front-end conventions:
 * animation off, parsing off ({x, y} points kept in a plain array, outside
 * Svelte's proxies), LTTB decimation for long lines, a log-scale y axis, and
 * appends coalesced to one `chart.update('none')` per animation frame, so a
 * run streaming hundreds of progress events a second costs one redraw a frame.
 *
 * Non-positive or non-finite losses cannot sit on a log axis and are skipped.
 * The canvas's `data-points` attribute holds the number of points drawn (for
 * tests and assistive tooling).
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

Chart.register(LineController, LineElement, PointElement, LinearScale, LogarithmicScale, Decimation, Tooltip);

export interface Point {
  x: number;
  y: number;
}

function themeColor(name: string, fallback: string): string {
  return getComputedStyle(document.documentElement).getPropertyValue(name).trim() || fallback;
}

/**
 * Chart.js's log axis puts a tick at every 1..9 x 10^k step and at the data's
 * ends, which piles labels on top of each other over a narrow range (a loss
 * between 3.31 and 3.6); keep ticks at least 1/7 of the axis apart in log space.
 */
function thinLogTicks(scale: Scale): void {
  const ticks = scale.ticks;
  if (ticks.length <= 7 || !(scale.min > 0) || !(scale.max > scale.min)) return;
  const gap = (Math.log(scale.max) - Math.log(scale.min)) / 7;
  let last = -Infinity;
  scale.ticks = ticks.filter((t) => {
    const v = Math.log(t.value);
    if (v - last < gap) return false;
    last = v;
    return true;
  });
}

export class LossChart {
  private readonly chart: Chart<'line', Point[]>;
  private readonly points: Point[] = [];
  private pending: Point[] = [];
  private frame = 0;
  private readonly scheme = matchMedia('(prefers-color-scheme: dark)');
  private readonly onScheme = (): void => this.applyTheme();

  constructor(private readonly canvas: HTMLCanvasElement) {
    const config: ChartConfiguration<'line', Point[]> = {
      type: 'line',
      data: { datasets: [{ label: 'loss', data: this.points, borderWidth: 1.5, pointRadius: 0, tension: 0, indexAxis: 'x' }] },
      options: {
        animation: false,
        parsing: false,
        normalized: true,
        responsive: true,
        maintainAspectRatio: false,
        interaction: { mode: 'nearest', axis: 'x', intersect: false },
        scales: {
          x: { type: 'linear', title: { display: true, text: 'step' }, ticks: { maxTicksLimit: 8 } },
          y: { type: 'logarithmic', title: { display: true, text: 'loss' }, afterBuildTicks: thinLogTicks },
        },
        plugins: {
          decimation: { enabled: true, algorithm: 'lttb', samples: 1000, threshold: 2000 },
          tooltip: { enabled: true },
          legend: { display: false },
        },
      },
    };
    this.chart = new Chart(canvas, config);
    this.applyTheme();
    this.scheme.addEventListener('change', this.onScheme);
    this.mark();
  }

  /** Replaces the curve (e.g. with a downsampled metricSeries). */
  reset(steps: ArrayLike<number>, values: ArrayLike<number>): void {
    this.points.length = 0;
    this.pending = [];
    for (let i = 0; i < steps.length; i++) this.push(this.points, steps[i], values[i]);
    this.schedule();
  }

  /** Appends one point (a progress event); drawn at the next animation frame. */
  append(step: number, loss: number): void {
    const last = this.pending.length ? this.pending[this.pending.length - 1] : this.points[this.points.length - 1];
    if (last && step <= last.x) return; // already have it (from the series or an earlier event)
    this.push(this.pending, step, loss);
    this.schedule();
  }

  get lastStep(): number | undefined {
    return this.points.length ? this.points[this.points.length - 1].x : undefined;
  }

  get size(): number {
    return this.points.length + this.pending.length;
  }

  destroy(): void {
    cancelAnimationFrame(this.frame);
    this.scheme.removeEventListener('change', this.onScheme);
    this.chart.destroy();
  }

  private push(into: Point[], x: number, y: number): void {
    if (Number.isFinite(x) && Number.isFinite(y) && y > 0) into.push({ x, y });
  }

  private schedule(): void {
    if (this.frame) return;
    this.frame = requestAnimationFrame(() => {
      this.frame = 0;
      for (const p of this.pending) this.points.push(p);
      this.pending = [];
      this.chart.update('none');
      this.mark();
    });
  }

  private mark(): void {
    this.canvas.dataset.points = String(this.points.length);
  }

  private applyTheme(): void {
    const fg = themeColor('--muted', '#666');
    const grid = themeColor('--grid', 'rgba(128,128,128,0.2)');
    const line = themeColor('--accent', '#2563eb');
    const ds = this.chart.data.datasets[0];
    ds.borderColor = line;
    ds.backgroundColor = line;
    for (const axis of ['x', 'y'] as const) {
      const scale = this.chart.options.scales![axis]!;
      scale.grid = { ...scale.grid, color: grid };
      scale.ticks = { ...scale.ticks, color: fg };
      (scale as { title: { color?: string } }).title.color = fg;
    }
    this.chart.update('none');
  }
}
