/**
 * One data box for every sample and trajectory plot of a comparison, so that
 * a point sits at the same place in each run's picture: the union of the
 * boxes of every run's samples, every frame of its trajectories (sources,
 * intermediate points and ends), and the datasets drawn underneath. Only the
 * first two columns count (rows of d > 2 are projected); NaN and infinite
 * rows are ignored. Undefined when nothing finite is given. DOM-free.
 */
import { fitBounds, unionBounds, type Bounds } from './plotGeometry.js';

export interface RunPoints {
  d: number;
  samples?: Float32Array | undefined;
  trajectory?: readonly Float32Array[] | undefined;
}

export function sharedBounds(
  runs: readonly (RunPoints | undefined)[],
  data: readonly { points: Float32Array; d: number }[] = [],
  pad = 0.05,
): Bounds | undefined {
  const boxes: (Bounds | undefined)[] = [];
  for (const r of runs) {
    if (!r || r.d < 2) continue;
    const sets = [...(r.samples ? [r.samples] : []), ...(r.trajectory ?? [])].map((points) => ({ points, d: r.d }));
    boxes.push(fitBounds(sets, pad));
  }
  for (const set of data) if (set.d >= 2) boxes.push(fitBounds([set], pad));
  return unionBounds(...boxes);
}
