/**
 * Shared axes for every sample and trajectory plot of a comparison, so that a
 * point sits at the same place in each run's picture. Two parts:
 *
 *   projectComparison(runs, data, choice)
 *       ONE projection per dimension d (lib/projection.ts `projector`): for
 *       d > 2, PCA fitted once on the data drawn underneath (every dataset of
 *       that d, pooled; or, while no data of that d is loaded, on every run's
 *       samples of that d), or two chosen columns; the same linear map then
 *       draws every run's samples, every trajectory frame and the data, so
 *       the runs' pictures stay comparable. d = 2 is drawn as it is; d < 2
 *       cannot be drawn (undefined). Returns n x 2 arrays, the axes' labels,
 *       and sharedBounds of the PROJECTED points.
 *   sharedBounds(runs, data)
 *       the union of the boxes of every run's samples, every frame of its
 *       trajectories (sources, intermediate points and ends) and the data:
 *       first two columns of each row (give it projected points), NaN and
 *       infinite rows ignored, each set padded by `pad` of its own span.
 *       Undefined when nothing finite is given.
 *
 * Why fit on the data: it is the one cloud every run shares, it does not move
 * when a run writes a new checkpoint, and a run's samples are judged against
 * it. DOM-free.
 */
import { fitBounds, unionBounds, type Bounds } from './plotGeometry.js';
import { projector, type ProjectionChoice } from './projection.js';

export interface RunPoints {
  d: number;
  samples?: Float32Array | undefined;
  trajectory?: readonly Float32Array[] | undefined;
}

export interface DataPoints {
  points: Float32Array;
  d: number;
}

export function sharedBounds(runs: readonly (RunPoints | undefined)[], data: readonly DataPoints[] = [], pad = 0.05): Bounds | undefined {
  const boxes: (Bounds | undefined)[] = [];
  for (const r of runs) {
    if (!r || r.d < 2) continue;
    const sets = [...(r.samples ? [r.samples] : []), ...(r.trajectory ?? [])].map((points) => ({ points, d: r.d }));
    boxes.push(fitBounds(sets, pad));
  }
  for (const set of data) if (set.d >= 2) boxes.push(fitBounds([set], pad));
  return unionBounds(...boxes);
}

/** What the axes of the pictures of d-dimensional runs are. */
export interface CompareAxes {
  d: number;
  xLabel: string;
  yLabel: string;
  caption: string;
  /** What a PCA was fitted on (undefined for picked columns and d = 2). */
  fittedOn?: 'data' | 'samples';
  /** How many points it was fitted on. */
  fittedN?: number;
}

/** A run's points after projection: n x 2 arrays (d is always 2). */
export interface ProjectedRun {
  /** The run's own dimension, before projection. */
  sourceD: number;
  d: 2;
  samples?: Float32Array;
  trajectory?: Float32Array[];
}

export interface ProjectedData {
  sourceD: number;
  d: 2;
  points: Float32Array;
}

export interface ProjectedComparison {
  /** Aligned with the runs given; undefined where nothing can be drawn (no points, d < 2). */
  runs: (ProjectedRun | undefined)[];
  /** Aligned with the data given; undefined where it cannot be drawn. */
  data: (ProjectedData | undefined)[];
  /** One entry per dimension present, ascending (d = 2 included: x0, x1). */
  axes: CompareAxes[];
  /** sharedBounds of the projected points. */
  bounds: Bounds | undefined;
}

function concat(arrays: readonly Float32Array[]): Float32Array {
  if (arrays.length === 1) return arrays[0]!;
  const out = new Float32Array(arrays.reduce((a, x) => a + x.length, 0));
  let at = 0;
  for (const x of arrays) {
    out.set(x, at);
    at += x.length;
  }
  return out;
}

/** 2-D points are drawn as they are. */
const identity2 = (points: Float32Array): Float32Array => points;

/**
 * Every run's samples and trajectory frames and every data set through one
 * projection per dimension (see the file comment), with the box they share.
 */
export function projectComparison(
  runs: readonly (RunPoints | undefined)[],
  data: readonly (DataPoints | undefined)[],
  choice: ProjectionChoice,
  pad = 0.05,
): ProjectedComparison {
  const dims = new Set<number>();
  for (const r of runs) if (r && r.d >= 2) dims.add(r.d);
  for (const s of data) if (s && s.d >= 2) dims.add(s.d);

  const maps = new Map<number, (points: Float32Array) => Float32Array>();
  const axes: CompareAxes[] = [];
  for (const d of [...dims].sort((x, y) => x - y)) {
    if (d === 2) {
      maps.set(2, identity2);
      axes.push({ d, xLabel: 'x0', yLabel: 'x1', caption: 'x: x0 · y: x1' });
      continue;
    }
    const fromData = data.filter((s): s is DataPoints => s !== undefined && s.d === d && s.points.length >= d).map((s) => s.points);
    const fromSamples = runs.filter((r): r is RunPoints => r !== undefined && r.d === d && r.samples !== undefined).map((r) => r.samples!);
    const fitOn = fromData.length > 0 ? fromData : fromSamples;
    const points = concat(fitOn.length > 0 ? fitOn : [new Float32Array(d)]);
    const p = projector({ n: points.length / d, d, points }, choice);
    maps.set(d, p.apply);
    axes.push({
      d,
      xLabel: p.xLabel,
      yLabel: p.yLabel,
      caption: p.caption,
      ...(choice.mode === 'pca' ? { fittedOn: fromData.length > 0 ? ('data' as const) : ('samples' as const), fittedN: points.length / d } : {}),
    });
  }

  const projectedRuns = runs.map((r): ProjectedRun | undefined => {
    const map = r ? maps.get(r.d) : undefined;
    if (!r || !map) return undefined;
    return {
      sourceD: r.d,
      d: 2,
      ...(r.samples ? { samples: map(r.samples) } : {}),
      ...(r.trajectory ? { trajectory: r.trajectory.map(map) } : {}),
    };
  });
  const projectedData = data.map((s): ProjectedData | undefined => {
    const map = s ? maps.get(s.d) : undefined;
    return s && map ? { sourceD: s.d, d: 2, points: map(s.points) } : undefined;
  });
  const bounds = sharedBounds(
    projectedRuns,
    projectedData.filter((s): s is ProjectedData => s !== undefined),
    pad,
  );
  return { runs: projectedRuns, data: projectedData, axes, bounds };
}
