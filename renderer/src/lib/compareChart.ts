/**
 * Several runs' loss curves overlaid on one Chart.js chart, with DESIGN.md's
 * conventions (as lib/lossChart.ts): animation off, parsing off ({x, y}
 * points in plain arrays outside Svelte's proxies), LTTB decimation for long
 * lines, a log-scale y axis with thinned ticks, and redraws coalesced to one
 * `chart.update('none')` per animation frame.
 *
 * Each run is two datasets: its raw curve, faded, behind its smoothed curve
 * in the run's colour (lib/runColors.ts, by the run's index in the
 * selection). With smoothing off the raw curve is hidden and the "smoothed"
 * one is the data itself. The chart paints the panel colour under itself so
 * a saved PNG reads in either theme. The canvas carries data-lines (runs
 * with a visible curve) and data-points (points on those curves) for tests
 * and assistive tooling. Non-positive or non-finite losses cannot sit on a
 * log axis and are left out.
 */
import {
  Chart,
  Decimation,
  LinearScale,
  LineController,
  LineElement,
  LogarithmicScale,
  PointElement,
  ScatterController,
  Tooltip,
  type ChartConfiguration,
  type Plugin,
  type Scale,
  type TooltipItem,
} from 'chart.js';
import { formatNumber } from './format.js';
import { runColor } from './runColors.js';

Chart.register(LineController, ScatterController, LineElement, PointElement, LinearScale, LogarithmicScale, Decimation, Tooltip);

export interface Point {
  x: number;
  y: number;
}

export function themeColor(name: string, fallback: string): string {
  return getComputedStyle(document.documentElement).getPropertyValue(name).trim() || fallback;
}

/** A colour such as #0072b2 at the given opacity (8-digit hex; other notations are returned as they are). */
export function withAlpha(color: string, alpha: number): string {
  if (!/^#[0-9a-f]{6}$/i.test(color)) return color;
  return color + Math.round(Math.max(0, Math.min(1, alpha)) * 255).toString(16).padStart(2, '0');
}

/**
 * Chart.js's log axis puts a tick at every 1..9 x 10^k and at the data's
 * ends, piling labels on one another over a narrow range; keep ticks at
 * least 1/7 of the axis apart in log space (as lib/lossChart.ts does).
 */
export function thinLogTicks(scale: Scale): void {
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

/** Paints the panel colour under the chart, so its PNG is not transparent. */
export const panelBackground: Plugin = {
  id: 'cfmPanelBackground',
  beforeDraw(chart) {
    const { ctx } = chart;
    ctx.save();
    ctx.globalCompositeOperation = 'destination-over';
    ctx.fillStyle = themeColor('--panel', '#ffffff');
    ctx.fillRect(0, 0, chart.width, chart.height);
    ctx.restore();
  },
};

/**
 * Axis, grid and title colours from the theme's CSS variables. Grid and tick
 * colours are scriptable options reading this cache; titles are not
 * scriptable, so `apply` assigns their colour in place. Nothing spreads
 * Chart.js's resolved option proxies into new objects: that breaks its
 * resolver ("Recursion detected").
 */
export class AxisTheme {
  fg = '#666';
  grid = 'rgba(128,128,128,0.2)';

  constructor() {
    this.refresh();
  }

  refresh(): void {
    this.fg = themeColor('--muted', '#666');
    this.grid = themeColor('--grid', 'rgba(128,128,128,0.2)');
  }

  /** The colour options of one axis, for the chart's configuration. */
  axis(title: string): { grid: { color: () => string }; ticks: { color: () => string }; title: { display: true; text: string; color: string } } {
    return {
      grid: { color: () => this.grid },
      ticks: { color: () => this.fg },
      title: { display: true, text: title, color: this.fg },
    };
  }

  /** After refresh(): the titles' colour, set in place. */
  apply(chart: Chart): void {
    for (const scale of Object.values(chart.options.scales ?? {})) {
      const title = (scale as { title?: { color?: unknown } } | undefined)?.title;
      if (title) title.color = this.fg;
    }
  }
}

export interface CompareLine {
  /** "#12 my-run": the legend's and the tooltip's name. */
  label: string;
  /** Index of the run in the selection: its colour. */
  colorIndex: number;
  x: ArrayLike<number>;
  raw: ArrayLike<number>;
  smooth: ArrayLike<number>;
}

type LineDataset = ChartConfiguration<'line', Point[]>['data']['datasets'][number];

function pointsOf(x: ArrayLike<number>, y: ArrayLike<number>): Point[] {
  const out: Point[] = [];
  const n = Math.min(x.length, y.length);
  for (let i = 0; i < n; i++) {
    const px = x[i]!;
    const py = y[i]!;
    if (Number.isFinite(px) && Number.isFinite(py) && py > 0) out.push({ x: px, y: py });
  }
  return out;
}

export class CompareChart {
  private readonly chart: Chart<'line', Point[]>;
  private lines: CompareLine[] = [];
  private smoothing = false;
  private readonly hidden = new Set<number>();
  private xLabel: 'step' | 'time' = 'step';
  private readonly theme = new AxisTheme();
  private frame = 0;
  private readonly scheme = matchMedia('(prefers-color-scheme: dark)');
  private readonly onScheme = (): void => {
    this.theme.refresh();
    this.theme.apply(this.chart);
    this.applyColors();
    this.schedule();
  };

  constructor(private readonly canvas: HTMLCanvasElement) {
    const x = this.theme.axis('step');
    const config: ChartConfiguration<'line', Point[]> = {
      type: 'line',
      data: { datasets: [] },
      options: {
        animation: false,
        parsing: false,
        normalized: true,
        responsive: true,
        maintainAspectRatio: false,
        interaction: { mode: 'nearest', axis: 'x', intersect: false },
        scales: {
          x: { type: 'linear', ...x, ticks: { ...x.ticks, maxTicksLimit: 8 } },
          y: { type: 'logarithmic', ...this.theme.axis('loss'), afterBuildTicks: thinLogTicks },
        },
        plugins: {
          decimation: { enabled: true, algorithm: 'lttb', samples: 1000, threshold: 2000 },
          legend: { display: false },
          tooltip: {
            enabled: true,
            // The smoothed curves only (odd datasets): the faded raw ones would double every entry.
            filter: (item: TooltipItem<'line'>) => item.datasetIndex % 2 === 1,
            callbacks: {
              title: (items: TooltipItem<'line'>[]) => {
                const x = items[0]?.parsed.x;
                if (x === undefined || x === null) return '';
                return this.xLabel === 'step' ? `step ${Math.round(x)}` : `${formatNumber(x, 4)} s`;
              },
              label: (item: TooltipItem<'line'>) => `${this.lines[(item.datasetIndex - 1) / 2]?.label ?? ''}: ${formatNumber(item.parsed.y, 4)}`,
            },
          },
        },
      },
      plugins: [panelBackground],
    };
    this.chart = new Chart(canvas, config);
    this.scheme.addEventListener('change', this.onScheme);
    this.applyColors();
    this.mark();
  }

  /** Replaces every curve; `smoothing` false hides the faded raw curves (the lines are the data). */
  setLines(lines: CompareLine[], o: { smoothing: boolean; x: 'step' | 'time' }): void {
    this.lines = lines;
    this.smoothing = o.smoothing;
    this.xLabel = o.x;
    const datasets: LineDataset[] = [];
    for (const line of lines) {
      datasets.push({ label: `${line.label} (raw)`, data: pointsOf(line.x, line.raw), borderWidth: 1, pointRadius: 0, tension: 0, indexAxis: 'x' });
      datasets.push({ label: line.label, data: pointsOf(line.x, o.smoothing ? line.smooth : line.raw), borderWidth: 1.75, pointRadius: 0, tension: 0, indexAxis: 'x' });
    }
    this.chart.data.datasets = datasets;
    const title = (this.chart.options.scales?.['x'] as { title?: { text?: unknown } } | undefined)?.title;
    if (title) title.text = o.x === 'step' ? 'step' : 'wall time (s)';
    this.applyColors();
    this.schedule();
  }

  /** Hides or shows one run's curves (legend toggles). */
  setHidden(index: number, hidden: boolean): void {
    if (hidden) this.hidden.add(index);
    else this.hidden.delete(index);
    this.applyColors();
    this.schedule();
  }

  destroy(): void {
    cancelAnimationFrame(this.frame);
    this.scheme.removeEventListener('change', this.onScheme);
    this.chart.destroy();
  }

  private applyColors(): void {
    this.chart.data.datasets.forEach((ds, k) => {
      const i = Math.floor(k / 2);
      const line = this.lines[i];
      if (!line) return;
      const color = runColor(line.colorIndex);
      const raw = k % 2 === 0;
      ds.borderColor = raw ? withAlpha(color, 0.28) : color;
      ds.backgroundColor = ds.borderColor;
      ds.hidden = this.hidden.has(i) || (raw && !this.smoothing);
    });
  }

  private schedule(): void {
    if (this.frame) return;
    this.frame = requestAnimationFrame(() => {
      this.frame = 0;
      this.chart.update('none');
      this.mark();
    });
  }

  private mark(): void {
    let lines = 0;
    let points = 0;
    this.chart.data.datasets.forEach((ds, k) => {
      if (k % 2 === 0 || ds.hidden || ds.data.length === 0) return;
      lines++;
      points += ds.data.length;
    });
    this.canvas.dataset.lines = String(lines);
    this.canvas.dataset.points = String(points);
  }
}
