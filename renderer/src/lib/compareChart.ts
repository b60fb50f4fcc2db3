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
  type TooltipItem,
} from 'chart.js';
import { CHART_CONVENTIONS, followTheme, FrameCoalescer, panelBackground, thinLogTicks, withAlpha } from './chartTheme.js';
import { formatNumber } from './format.js';
import type { Point } from './lossCurve.js';
import { runColor } from './runColors.js';

Chart.register(LineController, ScatterController, LineElement, PointElement, LinearScale, LogarithmicScale, Decimation, Tooltip);

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
  private readonly redraw = new FrameCoalescer(() => {
    this.chart.update('none');
    this.mark();
  });
  private readonly unfollowTheme: () => void;

  constructor(private readonly canvas: HTMLCanvasElement) {
    const config: ChartConfiguration<'line', Point[]> = {
      type: 'line',
      data: { datasets: [] },
      options: {
        ...CHART_CONVENTIONS,
        interaction: { mode: 'nearest', axis: 'x', intersect: false },
        scales: {
          x: { type: 'linear', title: { display: true, text: 'step' }, ticks: { maxTicksLimit: 8 } },
          y: { type: 'logarithmic', title: { display: true, text: 'loss' }, afterBuildTicks: thinLogTicks },
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
    this.unfollowTheme = followTheme(this.chart, () => {
      this.applyColors();
      this.redraw.schedule();
    });
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
    this.redraw.schedule();
  }

  /** Hides or shows one run's curves (legend toggles). */
  setHidden(index: number, hidden: boolean): void {
    if (hidden) this.hidden.add(index);
    else this.hidden.delete(index);
    this.applyColors();
    this.redraw.schedule();
  }

  destroy(): void {
    this.redraw.cancel();
    this.unfollowTheme();
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
