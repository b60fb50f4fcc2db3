/**
 * The theming and tick helpers every Chart.js chart of the workbench shares
 * (lib/lossChart.ts, lib/compareChart.ts, lib/compareSolverChart.ts): colours
 * read from app.css's CSS variables, a colour at some opacity, log ticks
 * thinned to 1/7 of the axis apart, the panel colour painted under the chart
 * (so a saved PNG reads in either theme), and the axis colours applied in place.
 *
 * Axis colours are written into the chart's own config objects
 * (chart.config.options.scales, plain objects), never by spreading or
 * reading Chart.js's resolved option proxies (chart.options): copying those
 * breaks its resolver ("Recursion detected: _scriptable") and blanks the chart.
 */
import type { Plugin, Scale } from 'chart.js';

/** Any Chart.js chart, as far as its configuration goes (Chart<'line'> and Chart<'scatter'> alike). */
export interface ConfiguredChart {
  readonly config: { options?: unknown };
}

/**
 * DESIGN.md's Chart.js conventions, spread into each chart's options:
 * animation off, parsing off (points are plain {x, y} objects), normalized
 * data, sized by the parent box.
 */
export const CHART_CONVENTIONS = {
  animation: false,
  parsing: false,
  normalized: true,
  responsive: true,
  maintainAspectRatio: false,
} as const;

/** A CSS variable of the page's theme (app.css), or `fallback` where it is unset. */
export function themeColor(name: string, fallback: string): string {
  return getComputedStyle(document.documentElement).getPropertyValue(name).trim() || fallback;
}

/** A #rgb / #rrggbb colour at some opacity, as rgba() (other notations are returned as they are). */
export function withAlpha(color: string, alpha: number): string {
  const m = /^#([0-9a-f]{3}|[0-9a-f]{6})$/i.exec(color);
  if (!m) return color;
  const h = m[1]!.length === 3 ? [...m[1]!].map((c) => c + c).join('') : m[1]!;
  const [r, g, b] = [0, 2, 4].map((i) => parseInt(h.slice(i, i + 2), 16));
  return `rgba(${r}, ${g}, ${b}, ${Math.max(0, Math.min(1, alpha))})`;
}

/**
 * Chart.js's log axis puts a tick at every 1..9 x 10^k step and at the data's
 * ends, which piles labels on top of each other over a narrow range (a loss
 * between 3.31 and 3.6); keep ticks at least 1/7 of the axis apart in log space.
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

/** Paints the panel colour under the chart, so a saved PNG is readable in any viewer (dark theme too). */
export const panelBackground: Plugin = {
  id: 'cfmPanelBackground',
  beforeDraw(chart) {
    const { ctx, width, height } = chart;
    ctx.save();
    ctx.globalCompositeOperation = 'destination-over';
    ctx.fillStyle = themeColor('--panel', '#ffffff');
    ctx.fillRect(0, 0, width, height);
    ctx.restore();
  },
};

export type ScaleConfig = Record<'ticks' | 'title' | 'grid', Record<string, unknown>>;

/**
 * A scale's plain options as the chart keeps them (its config, not the
 * resolved proxy of chart.options). Fetched anew each time: update()
 * rebuilds these objects.
 */
export function configScale(chart: ConfiguredChart, axis: string): ScaleConfig {
  const scales = (chart.config.options as { scales: Record<string, Record<string, Record<string, unknown> | undefined>> }).scales;
  const s = scales[axis]!;
  s['ticks'] ??= {};
  s['title'] ??= {};
  s['grid'] ??= {};
  return s as ScaleConfig;
}

/** Grid, tick and title colours of every axis from the theme, set in place; the caller updates the chart. */
export function applyAxisTheme(chart: ConfiguredChart): void {
  const fg = themeColor('--muted', '#666');
  const grid = themeColor('--grid', 'rgba(128,128,128,0.2)');
  const scales = (chart.config.options as { scales?: Record<string, unknown> }).scales ?? {};
  for (const axis of Object.keys(scales)) {
    const scale = configScale(chart, axis);
    scale.grid['color'] = grid;
    scale.ticks['color'] = fg;
    scale.title['color'] = fg;
  }
}

/** Calls `onChange` when the OS switches between light and dark; returns the function that stops it. */
export function watchColorScheme(onChange: () => void): () => void {
  const scheme = matchMedia('(prefers-color-scheme: dark)');
  scheme.addEventListener('change', onChange);
  return () => scheme.removeEventListener('change', onChange);
}

/**
 * Keeps a chart's axis colours on the page's theme: applies them now and
 * again each time the OS switches theme, then calls `after` (the chart
 * recolours its datasets and redraws). Returns the function that stops it.
 */
export function followTheme(chart: ConfiguredChart, after: () => void): () => void {
  const apply = (): void => {
    applyAxisTheme(chart);
    after();
  };
  apply();
  return watchColorScheme(apply);
}

/** Coalesces redraws: however many schedule() calls come in one animation frame, `draw` runs once in it. */
export class FrameCoalescer {
  private frame = 0;

  constructor(private readonly draw: () => void) {}

  schedule(): void {
    if (this.frame) return;
    this.frame = requestAnimationFrame(() => {
      this.frame = 0;
      this.draw();
    });
  }

  cancel(): void {
    cancelAnimationFrame(this.frame);
    this.frame = 0;
  }
}
