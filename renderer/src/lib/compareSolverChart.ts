/**
 * W2 against NFE on Chart.js: a scatter with lines (one line per run, solver,
 * checkpoint and n; lib/compareSolvers.ts w2Series), both axes logarithmic,
 * colour per run (lib/runColors.ts), point style per solver. Evaluations of
 * an older checkpoint are drawn faded and dashed. Same conventions as the
 * other charts: animation off, parsing off, plain arrays, one
 * update('none') per animation frame, the panel colour painted underneath
 * for the PNG. The canvas carries data-points (evaluations drawn) and
 * data-series (lines) for tests and assistive tooling.
 */
import {
  Chart,
  LineElement,
  LogarithmicScale,
  PointElement,
  ScatterController,
  Tooltip,
  type ChartConfiguration,
  type PointStyle,
  type Scale,
  type TooltipItem,
} from 'chart.js';
import { CHART_CONVENTIONS, followTheme, FrameCoalescer, panelBackground, thinLogTicks, withAlpha } from './chartTheme.js';
import type { W2Point, W2Series } from './compareSolvers.js';
import { formatNumber } from './format.js';
import type { Point } from './lossCurve.js';
import { runColor } from './runColors.js';

Chart.register(ScatterController, LineElement, PointElement, LogarithmicScale, Tooltip);

/** One marker per solver, the same in the chart and its HTML key. */
export const SOLVER_POINT_STYLE: Record<string, PointStyle> = {
  euler: 'circle',
  midpoint: 'triangle',
  heun: 'rectRot',
  rk4: 'rect',
  dopri5: 'star',
};

export interface LabelledSeries extends W2Series {
  /** "#12 my-run" */
  runLabel: string;
}

/**
 * NFE ticks at powers of two (2, 4, 8, ...: the step counts of a grid), at
 * most nine of them; the thinned log ticks where the range holds fewer than two.
 */
export function powerOfTwoTicks(scale: Scale): void {
  const lo = scale.min;
  const hi = scale.max;
  if (!(lo > 0) || !(hi > lo)) return;
  const first = Math.ceil(Math.log2(lo) - 1e-9);
  const last = Math.floor(Math.log2(hi) + 1e-9);
  if (last - first < 1) {
    thinLogTicks(scale);
    return;
  }
  const every = Math.ceil((last - first + 1) / 9);
  const ticks: { value: number }[] = [];
  for (let k = first; k <= last; k += every) ticks.push({ value: 2 ** k });
  scale.ticks = ticks;
}

/**
 * W2 ticks: the thinned log ticks without the axis's ends, which the padded
 * range puts at unround values (0.546, 1.11), when at least two others remain.
 */
function w2Ticks(scale: Scale): void {
  const inner = scale.ticks.filter((t) => t.value !== scale.min && t.value !== scale.max);
  if (inner.length >= 2) scale.ticks = inner;
  thinLogTicks(scale);
}

/** A log range padded by a factor on each side, so markers at the ends are not cut in half. */
function paddedRange(values: number[], factor: number): { min: number; max: number } | undefined {
  const finite = values.filter((v) => v > 0 && Number.isFinite(v));
  if (finite.length === 0) return undefined;
  const lo = Math.min(...finite);
  const hi = Math.max(...finite);
  return { min: lo / factor, max: hi * factor };
}

type Dataset = ChartConfiguration<'scatter', (Point & W2Point)[]>['data']['datasets'][number];

export class SolverChart {
  private readonly chart: Chart<'scatter', (Point & W2Point)[]>;
  private series: LabelledSeries[] = [];
  private readonly redraw = new FrameCoalescer(() => {
    this.chart.update('none');
    this.mark();
  });
  private readonly unfollowTheme: () => void;

  constructor(private readonly canvas: HTMLCanvasElement) {
    const label = (v: number | string): string => formatNumber(Number(v), 3);
    const config: ChartConfiguration<'scatter', (Point & W2Point)[]> = {
      type: 'scatter',
      data: { datasets: [] },
      options: {
        ...CHART_CONVENTIONS,
        interaction: { mode: 'nearest', intersect: true },
        scales: {
          x: { type: 'logarithmic', title: { display: true, text: 'NFE (function evaluations)' }, ticks: { callback: label }, afterBuildTicks: powerOfTwoTicks },
          y: { type: 'logarithmic', title: { display: true, text: 'W2 to held-out data' }, ticks: { callback: label }, afterBuildTicks: w2Ticks },
        },
        plugins: {
          legend: { display: false },
          tooltip: {
            enabled: true,
            callbacks: {
              title: (items: TooltipItem<'scatter'>[]) => this.series[items[0]?.datasetIndex ?? -1]?.runLabel ?? '',
              label: (item: TooltipItem<'scatter'>) => {
                const s = this.series[item.datasetIndex];
                const p = s?.points[item.dataIndex];
                if (!s || !p) return '';
                const steps = p.steps === null ? 'adaptive' : `${p.steps} steps`;
                return `${s.solver} ${steps}: W2 ${formatNumber(p.y, 4)}, NFE ${p.x} (n ${s.n}, checkpoint ${s.checkpointStep}${s.latest ? '' : ', older'})`;
              },
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

  setSeries(series: LabelledSeries[]): void {
    this.series = series;
    this.chart.data.datasets = series.map(
      (s): Dataset => ({
        label: `${s.runLabel} ${s.solver}`,
        data: s.points.map((p) => ({ ...p })),
        showLine: true,
        pointStyle: SOLVER_POINT_STYLE[s.solver] ?? 'crossRot',
        pointRadius: s.latest ? 5 : 3.5,
        pointHoverRadius: 7,
        borderWidth: s.latest ? 1.75 : 1,
        ...(s.latest ? {} : { borderDash: [4, 3] }),
      }),
    );
    const all = series.flatMap((s) => s.points);
    const scales = this.chart.options.scales as Record<'x' | 'y', { min?: number; max?: number }>;
    for (const [axis, range] of [
      ['x', paddedRange(all.map((p) => p.x), 1.3)],
      ['y', paddedRange(all.map((p) => p.y), 1.12)],
    ] as const) {
      scales[axis].min = range?.min;
      scales[axis].max = range?.max;
    }
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
      const s = this.series[k];
      if (!s) return;
      const color = runColor(s.runIndex);
      ds.borderColor = s.latest ? color : withAlpha(color, 0.45);
      // Hollow star and cross markers need a stroke; the others are filled.
      ds.backgroundColor = s.latest ? withAlpha(color, 0.85) : withAlpha(color, 0.3);
    });
  }

  private mark(): void {
    let points = 0;
    for (const ds of this.chart.data.datasets) points += ds.data.length;
    this.canvas.dataset.points = String(points);
    this.canvas.dataset.series = String(this.chart.data.datasets.length);
  }
}
