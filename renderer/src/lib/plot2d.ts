/**
 * Hand-drawn 2-D plots on a canvas: scatters of tens of thousands of points,
 * trajectories and vector fields, which Chart.js draws far too slowly (one
 * object per point; DESIGN.md's front-end conventions). Every function takes
 * a Frame (the data-to-pixel mapping) and draws one layer:
 *
 *   const frame = beginFrame(canvas, cssWidth, cssHeight, fitBounds([data, samples]));
 *   drawAxes(frame, theme);
 *   drawPoints(frame, data, 2, { color: theme.muted, alpha: 0.35 });
 *   drawPolylines(frame, trajectory, 2, { upTo: 7.5 });   // frames 0..7 and half of 7->8
 *   drawArrows(frame, positions, vectors);
 *   drawHeatmap(frame, logp, 40, extent, lo, hi);       // a grid of values as coloured cells
 *   drawColorbar(frame, theme, { lo, hi, label: 'log q(x)' });   // needs beginFrame's COLORBAR_MARGIN
 *
 * Points are row-major Float32Arrays of n x d values (only the first two
 * columns are drawn). One data unit is the same length on both axes (equal
 * aspect), so circles stay circles. The canvas is sized at devicePixelRatio
 * for sharp lines; all coordinates below are CSS pixels. Colours come from
 * the theme's CSS variables (app.css), read at draw time so a light/dark
 * switch only needs a redraw.
 */

import { equalAspect, fitBounds, framePoints, heatmapBox, heatmapPixels, niceTicks, pointAt, unionBounds, VIRIDIS, type Bounds } from './plotGeometry.js';

export {
  equalAspect,
  fitBounds,
  framePoints,
  gridPoint,
  heatmapBox,
  logDensityRange,
  niceTicks,
  pointAt,
  timeIndex,
  unionBounds,
  VIRIDIS,
  type Bounds,
  type ValueRange,
} from './plotGeometry.js';

export interface Theme {
  fg: string;
  muted: string;
  grid: string;
  border: string;
  panel: string;
  accent: string;
  danger: string;
  ok: string;
  warn: string;
}

export interface Frame {
  ctx: CanvasRenderingContext2D;
  /** CSS pixels of the whole canvas. */
  width: number;
  height: number;
  /** The plotted area in CSS pixels. */
  left: number;
  top: number;
  right: number;
  bottom: number;
  /** The data range actually shown (widened to equal aspect). */
  bounds: Bounds;
  /** Data -> CSS pixels. */
  px(x: number): number;
  py(y: number): number;
}

export interface Margins {
  left: number;
  right: number;
  top: number;
  bottom: number;
}

/** Margins of the plotted area (room for the tick labels). */
const MARGIN: Margins = { left: 40, right: 10, top: 10, bottom: 24 };
/** The right margin that leaves room for drawColorbar's bar, labels and title. */
export const COLORBAR_MARGIN = 86;

/** A CSS colour, or the name of a theme variable such as `--accent`. */
export function resolveColor(color: string, el: Element = document.documentElement): string {
  if (!color.startsWith('--')) return color;
  return getComputedStyle(el).getPropertyValue(color).trim() || '#888';
}

export function themeColors(el: Element = document.documentElement): Theme {
  const s = getComputedStyle(el);
  const v = (name: string, fallback: string): string => s.getPropertyValue(name).trim() || fallback;
  return {
    fg: v('--fg', '#1b1c1f'),
    muted: v('--muted', '#5d6270'),
    grid: v('--grid', 'rgba(0,0,0,0.08)'),
    border: v('--border', '#d9dbe1'),
    panel: v('--panel', '#ffffff'),
    accent: v('--accent', '#2563eb'),
    danger: v('--danger', '#c62828'),
    ok: v('--ok', '#15803d'),
    warn: v('--warn', '#b45309'),
  };
}

/**
 * Size the canvas's backing store to cssWidth x cssHeight at the device pixel
 * ratio, clear it to `background`, and return the data-to-pixel mapping.
 */
export function beginFrame(
  canvas: HTMLCanvasElement,
  cssWidth: number,
  cssHeight: number,
  bounds: Bounds,
  background: string,
  margins: Partial<Margins> = {},
): Frame {
  const m: Margins = { ...MARGIN, ...margins };
  const dpr = Math.max(1, window.devicePixelRatio || 1);
  const w = Math.max(1, Math.round(cssWidth * dpr));
  const h = Math.max(1, Math.round(cssHeight * dpr));
  if (canvas.width !== w) canvas.width = w;
  if (canvas.height !== h) canvas.height = h;
  const ctx = canvas.getContext('2d');
  if (!ctx) throw new Error('plot: the canvas has no 2d context');
  ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
  ctx.globalAlpha = 1;
  ctx.fillStyle = background;
  ctx.fillRect(0, 0, cssWidth, cssHeight);
  const left = m.left;
  const top = m.top;
  const right = Math.max(left + 1, cssWidth - m.right);
  const bottom = Math.max(top + 1, cssHeight - m.bottom);
  const shown = equalAspect(bounds, right - left, bottom - top);
  const kx = (right - left) / (shown.xmax - shown.xmin);
  const ky = (bottom - top) / (shown.ymax - shown.ymin);
  return {
    ctx,
    width: cssWidth,
    height: cssHeight,
    left,
    top,
    right,
    bottom,
    bounds: shown,
    px: (x) => left + (x - shown.xmin) * kx,
    py: (y) => bottom - (y - shown.ymin) * ky,
  };
}

function tickLabel(v: number): string {
  return Number.isInteger(v) ? String(v) : String(Number(v.toPrecision(3)));
}

/** Grid lines at round values, their labels, and a frame round the plotted area. */
export function drawAxes(f: Frame, theme: Theme): void {
  const { ctx, bounds: b } = f;
  ctx.save();
  ctx.globalAlpha = 1;
  ctx.lineWidth = 1;
  ctx.strokeStyle = theme.grid;
  ctx.fillStyle = theme.muted;
  ctx.font = '11px system-ui, sans-serif';
  const xs = niceTicks(b.xmin, b.xmax, Math.max(2, Math.round((f.right - f.left) / 70)));
  const ys = niceTicks(b.ymin, b.ymax, Math.max(2, Math.round((f.bottom - f.top) / 50)));
  ctx.beginPath();
  for (const x of xs) {
    const p = Math.round(f.px(x)) + 0.5;
    ctx.moveTo(p, f.top);
    ctx.lineTo(p, f.bottom);
  }
  for (const y of ys) {
    const p = Math.round(f.py(y)) + 0.5;
    ctx.moveTo(f.left, p);
    ctx.lineTo(f.right, p);
  }
  ctx.stroke();
  ctx.textAlign = 'center';
  ctx.textBaseline = 'top';
  for (const x of xs) ctx.fillText(tickLabel(x), f.px(x), f.bottom + 5);
  ctx.textAlign = 'right';
  ctx.textBaseline = 'middle';
  for (const y of ys) ctx.fillText(tickLabel(y), f.left - 5, f.py(y));
  ctx.strokeStyle = theme.border;
  ctx.strokeRect(f.left + 0.5, f.top + 0.5, f.right - f.left - 1, f.bottom - f.top - 1);
  ctx.restore();
}

/** Restrict drawing to the plotted area until the returned function is called. */
export function clipToPlot(f: Frame): () => void {
  f.ctx.save();
  f.ctx.beginPath();
  f.ctx.rect(f.left, f.top, f.right - f.left, f.bottom - f.top);
  f.ctx.clip();
  return () => f.ctx.restore();
}

export interface PointStyle {
  color: string;
  alpha?: number;
  /** Side of each square in CSS pixels. */
  size?: number;
}

/** One filled square per finite row (the fastest way to put 10^5 points on a canvas). Returns how many were drawn. */
export function drawPoints(f: Frame, points: Float32Array, d: number, style: PointStyle): number {
  if (d < 2) return 0;
  const { ctx } = f;
  const size = style.size ?? 2;
  const half = size / 2;
  ctx.save();
  ctx.globalAlpha = style.alpha ?? 0.6;
  ctx.fillStyle = style.color;
  let drawn = 0;
  for (let i = 0; i + 1 < points.length; i += d) {
    const x = points[i]!;
    const y = points[i + 1]!;
    if (!Number.isFinite(x) || !Number.isFinite(y)) continue;
    ctx.fillRect(f.px(x) - half, f.py(y) - half, size, size);
    drawn++;
  }
  ctx.restore();
  return drawn;
}

export interface LineStyle {
  color: string;
  alpha?: number;
  width?: number;
}

/** Above this many segments, trajectories are drawn the fast way (see drawPolylines). */
const DENSE_SEGMENTS = 4000;

/**
 * Trajectories given frame by frame: frames[j] holds the k points at the j-th
 * time (k x d, row-major), and path i joins row i of every frame. `upTo` is a
 * fractional frame index: frames 0..floor(upTo) are joined, then the line goes
 * the fractional part of the way to the next frame. Returns the paths drawn.
 */
export function drawPolylines(f: Frame, frames: readonly Float32Array[], d: number, style: LineStyle & { upTo?: number }): number {
  if (d < 2 || frames.length === 0) return 0;
  const k = Math.floor(frames[0]!.length / d);
  const last = Math.min(style.upTo ?? frames.length - 1, frames.length - 1);
  if (last < 0) return 0;
  const whole = Math.floor(last);
  const frac = last - whole;
  const { ctx } = f;
  ctx.save();
  ctx.globalAlpha = style.alpha ?? 0.7;
  ctx.strokeStyle = style.color;
  // Many paths: 1 px lines with plain joins, which Skia strokes on a fast path.
  // Measured in Chromium on 1,000 paths x 21 points: round joins at 1.25 px
  // took 70-170 ms a redraw, this 3-13 ms; with a few paths round joins look better.
  const dense = k * (whole + 1) > DENSE_SEGMENTS;
  ctx.lineWidth = dense ? Math.min(style.width ?? 1, 1) : (style.width ?? 1.25);
  if (!dense) {
    ctx.lineJoin = 'round';
    ctx.lineCap = 'round';
  }
  ctx.beginPath();
  for (let i = 0; i < k; i++) {
    const o = i * d;
    let pen = false;
    for (let j = 0; j <= whole; j++) {
      const x = frames[j]![o]!;
      const y = frames[j]![o + 1]!;
      if (!Number.isFinite(x) || !Number.isFinite(y)) {
        pen = false;
        continue;
      }
      if (pen) ctx.lineTo(f.px(x), f.py(y));
      else ctx.moveTo(f.px(x), f.py(y));
      pen = true;
    }
    if (pen && frac > 0 && whole + 1 < frames.length) {
      const p = pointAt(frames, d, i, last);
      if (p) ctx.lineTo(f.px(p[0]), f.py(p[1]));
    }
  }
  ctx.stroke();
  ctx.restore();
  return k;
}

export interface ArrowStyle extends LineStyle {
  /**
   * Length in CSS pixels of an arrow at the field's 90th-percentile speed; the
   * rest scale with it (capped at 1.25 x), so lengths compare within one field.
   * Default: 0.9 of the grid spacing on screen.
   */
  maxLength?: number;
}

/**
 * An arrow from each position along its vector (both n x 2, row-major),
 * scaled as ArrowStyle.maxLength says; fainter for slower points.
 * Returns the arrows drawn.
 */
export function drawArrows(f: Frame, positions: Float32Array, vectors: Float32Array, style: ArrowStyle): number {
  const n = Math.min(positions.length, vectors.length) >> 1;
  if (n === 0) return 0;
  // Scale by the 90th percentile of the speeds, not the largest: a few fast
  // corners of the grid would otherwise shrink every arrow where the data is.
  // Faster arrows are capped at 1.25 x maxLength.
  const speeds: number[] = [];
  for (let i = 0; i < n; i++) {
    const m = Math.hypot(vectors[2 * i]!, vectors[2 * i + 1]!);
    if (Number.isFinite(m)) speeds.push(m);
  }
  speeds.sort((a, b) => a - b);
  const vmax = speeds.length > 0 ? speeds[Math.min(speeds.length - 1, Math.floor(0.9 * (speeds.length - 1)))]! : 0;
  if (!(vmax > 0)) return 0;
  const cells = Math.max(1, Math.round(Math.sqrt(n)));
  const maxLength = style.maxLength ?? (0.9 * Math.min(f.right - f.left, f.bottom - f.top)) / cells;
  const k = maxLength / vmax;
  const { ctx } = f;
  ctx.save();
  ctx.strokeStyle = style.color;
  ctx.lineWidth = style.width ?? 1.25;
  ctx.lineCap = 'round';
  let drawn = 0;
  for (let i = 0; i < n; i++) {
    const vx = vectors[2 * i]!;
    const vy = vectors[2 * i + 1]!;
    const m = Math.hypot(vx, vy);
    if (!Number.isFinite(m)) continue;
    const x0 = f.px(positions[2 * i]!);
    const y0 = f.py(positions[2 * i + 1]!);
    // Screen y grows downwards: a positive vy points up.
    const cap = Math.min(1, (1.25 * maxLength) / Math.max(m * k, 1e-12));
    const dx = vx * k * cap;
    const dy = -vy * k * cap;
    const len = m * k * cap;
    ctx.globalAlpha = (style.alpha ?? 0.9) * (0.3 + 0.7 * Math.min(1, m / vmax));
    ctx.beginPath();
    ctx.moveTo(x0, y0);
    ctx.lineTo(x0 + dx, y0 + dy);
    if (len > 2) {
      const head = Math.min(5, len * 0.4);
      const a = Math.atan2(dy, dx);
      ctx.moveTo(x0 + dx, y0 + dy);
      ctx.lineTo(x0 + dx - head * Math.cos(a - 0.45), y0 + dy - head * Math.sin(a - 0.45));
      ctx.moveTo(x0 + dx, y0 + dy);
      ctx.lineTo(x0 + dx - head * Math.cos(a + 0.45), y0 + dy - head * Math.sin(a + 0.45));
    }
    ctx.stroke();
    drawn++;
  }
  ctx.restore();
  return drawn;
}

/**
 * Values on a grid x grid grid spanning [-extent, extent]^2 (row-major from
 * (-extent, -extent), as densityGrid returns them), one coloured cell each,
 * coloured over [lo, hi] by `stops` (plotGeometry's heatmapPixels and
 * heatmapBox). Cells are drawn sharp, not blurred. Returns the cells drawn
 * (the finite values).
 */
export function drawHeatmap(
  f: Frame,
  values: ArrayLike<number>,
  grid: number,
  extent: number,
  lo: number,
  hi: number,
  stops: readonly string[] = VIRIDIS,
  alpha = 1,
): number {
  if (grid < 1 || values.length < grid * grid) return 0;
  const pixels = heatmapPixels(values, grid, lo, hi, stops);
  const image = document.createElement('canvas');
  image.width = grid;
  image.height = grid;
  const ictx = image.getContext('2d');
  if (!ictx) return 0;
  ictx.putImageData(new ImageData(pixels, grid, grid), 0, 0);
  const box = heatmapBox(grid, extent);
  const { ctx } = f;
  ctx.save();
  ctx.globalAlpha = alpha;
  ctx.imageSmoothingEnabled = false;
  const x0 = f.px(box.xmin);
  const y0 = f.py(box.ymax);
  ctx.drawImage(image, x0, y0, f.px(box.xmax) - x0, f.py(box.ymin) - y0);
  ctx.restore();
  let cells = 0;
  for (let k = 0; k < grid * grid; k++) if (Number.isFinite(values[k]!)) cells++;
  return cells;
}

export interface Colorbar {
  lo: number;
  hi: number;
  /** What the colours measure, e.g. 'log q(x)'; written up the bar's right side. */
  label: string;
  stops?: readonly string[];
  /** Values below lo are drawn in lo's colour: mark the bottom label with ≤. */
  clippedBelow?: boolean;
}

/** A vertical colour scale right of the plotted area (beginFrame with margins.right = COLORBAR_MARGIN). */
export function drawColorbar(f: Frame, theme: Theme, bar: Colorbar): void {
  const stops = bar.stops ?? VIRIDIS;
  const { ctx } = f;
  const x = f.right + 12;
  const w = 12;
  const top = f.top;
  const bottom = f.bottom;
  ctx.save();
  ctx.globalAlpha = 1;
  const gradient = ctx.createLinearGradient(0, bottom, 0, top);
  stops.forEach((c, k) => gradient.addColorStop(k / Math.max(1, stops.length - 1), c));
  ctx.fillStyle = gradient;
  ctx.fillRect(x, top, w, bottom - top);
  ctx.strokeStyle = theme.border;
  ctx.lineWidth = 1;
  ctx.strokeRect(x + 0.5, top + 0.5, w - 1, bottom - top - 1);
  ctx.fillStyle = theme.muted;
  ctx.strokeStyle = theme.muted;
  ctx.font = '11px system-ui, sans-serif';
  ctx.textAlign = 'left';
  ctx.textBaseline = 'middle';
  const span = bar.hi - bar.lo;
  const y = (v: number): number => (span > 0 ? bottom - ((v - bar.lo) / span) * (bottom - top) : (top + bottom) / 2);
  const ticks = span > 0 ? niceTicks(bar.lo, bar.hi, Math.max(2, Math.round((bottom - top) / 45))) : [bar.lo];
  ctx.beginPath();
  for (const v of ticks) {
    const p = Math.round(y(v)) + 0.5;
    ctx.moveTo(x + w, p);
    ctx.lineTo(x + w + 3, p);
  }
  ctx.stroke();
  for (const v of ticks) ctx.fillText(tickLabel(v), x + w + 5, y(v));
  if (bar.clippedBelow) {
    ctx.textBaseline = 'top';
    ctx.fillText(`≤ ${tickLabel(bar.lo)}`, x - 2, bottom + 5);
  }
  ctx.translate(f.width - 8, (top + bottom) / 2);
  ctx.rotate(-Math.PI / 2);
  ctx.textAlign = 'center';
  ctx.textBaseline = 'middle';
  ctx.fillStyle = theme.fg;
  ctx.fillText(bar.label, 0, 0);
  ctx.restore();
}

// ---------------------------------------------------------------- layers

/**
 * One thing to draw, bottom first. Colours are CSS colours or theme variable
 * names (`--accent`, `--muted`, ...); `d` is the row width (default 2).
 */
export type Layer =
  | { kind: 'points'; points: Float32Array; d?: number; color?: string; alpha?: number; size?: number }
  | { kind: 'paths'; frames: readonly Float32Array[]; d?: number; upTo?: number; color?: string; alpha?: number; width?: number }
  | { kind: 'arrows'; positions: Float32Array; vectors: Float32Array; color?: string; alpha?: number; width?: number; maxLength?: number }
  /** grid x grid values, row-major from (-extent, -extent); coloured over [lo, hi] (default: their finite min and max). */
  | { kind: 'heatmap'; values: Float32Array; grid: number; extent: number; lo?: number; hi?: number; stops?: readonly string[]; alpha?: number };

export interface Drawn {
  points: number;
  paths: number;
  arrows: number;
  /** Heatmap cells (finite values). */
  cells: number;
}

function finiteRange(values: ArrayLike<number>): [number, number] {
  let lo = Infinity;
  let hi = -Infinity;
  for (let k = 0; k < values.length; k++) {
    const v = values[k]!;
    if (!Number.isFinite(v)) continue;
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  return hi >= lo ? [lo, hi] : [0, 1];
}

/**
 * Trajectories (n x 2 frames) drawn up to the fractional frame `at`: where
 * they start (muted dots), their paths in `color`, and where they are at
 * `at` as larger dots in `head`. No frames, no layers.
 */
export function trajectoryLayers(frames: readonly Float32Array[], at: number, color: string, head: string): Layer[] {
  if (frames.length === 0) return [];
  return [
    { kind: 'points', points: frames[0]!, d: 2, color: '--muted', alpha: 0.8, size: 3 },
    { kind: 'paths', frames, d: 2, upTo: at, color, alpha: 0.55, width: 1.25 },
    { kind: 'points', points: framePoints(frames, 2, at), color: head, alpha: 1, size: 5 },
  ];
}

/** The box fitting every layer's data (arrows by their positions). */
export function layerBounds(layers: readonly Layer[]): Bounds | undefined {
  const sets: { points: Float32Array; d: number }[] = [];
  const boxes: Bounds[] = [];
  for (const l of layers) {
    if (l.kind === 'points') sets.push({ points: l.points, d: l.d ?? 2 });
    else if (l.kind === 'paths') for (const fr of l.frames) sets.push({ points: fr, d: l.d ?? 2 });
    else if (l.kind === 'arrows') sets.push({ points: l.positions, d: 2 });
    else boxes.push(heatmapBox(l.grid, l.extent));
  }
  return unionBounds(fitBounds(sets), ...boxes);
}

/** Draw the layers in order inside the plotted area; counts of what was drawn. */
export function drawLayers(f: Frame, layers: readonly Layer[], theme: Theme): Drawn {
  const drawn: Drawn = { points: 0, paths: 0, arrows: 0, cells: 0 };
  const unclip = clipToPlot(f);
  try {
    for (const l of layers) {
      if (l.kind === 'points') {
        drawn.points += drawPoints(f, l.points, l.d ?? 2, {
          color: resolveColor(l.color ?? '--accent'),
          ...(l.alpha !== undefined ? { alpha: l.alpha } : {}),
          ...(l.size !== undefined ? { size: l.size } : {}),
        });
      } else if (l.kind === 'paths') {
        drawn.paths += drawPolylines(f, l.frames, l.d ?? 2, {
          color: resolveColor(l.color ?? '--accent'),
          ...(l.upTo !== undefined ? { upTo: l.upTo } : {}),
          ...(l.alpha !== undefined ? { alpha: l.alpha } : {}),
          ...(l.width !== undefined ? { width: l.width } : {}),
        });
      } else if (l.kind === 'heatmap') {
        const [min, max] = l.lo === undefined || l.hi === undefined ? finiteRange(l.values) : [l.lo, l.hi];
        drawn.cells += drawHeatmap(f, l.values, l.grid, l.extent, l.lo ?? min, l.hi ?? max, l.stops ?? VIRIDIS, l.alpha ?? 1);
      } else {
        drawn.arrows += drawArrows(f, l.positions, l.vectors, {
          color: resolveColor(l.color ?? theme.fg),
          ...(l.alpha !== undefined ? { alpha: l.alpha } : {}),
          ...(l.width !== undefined ? { width: l.width } : {}),
          ...(l.maxLength !== undefined ? { maxLength: l.maxLength } : {}),
        });
      }
    }
  } finally {
    unclip();
  }
  return drawn;
}
