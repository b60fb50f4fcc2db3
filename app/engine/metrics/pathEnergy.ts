/**
 * Normalised path energy (Tong et al. 2024, "NPE"): how far a model's kinetic
 * energy is from the least possible, that of the optimal transport map,
 *   NPE = |E - W2^2| / W2^2,
 *   E   = E_{x0 ~ p0} integral_0^1 ||v(t, x_t)||^2 dt  (from the ODE integrator),
 *   W2^2 between source and target (metrics/wasserstein.ts, squared).
 * 0 means the flow moves mass along straight, optimally matched lines.
 */
import { invalid } from '../../errors.js';

export function normalizedPathEnergy(energy: number, w2sq: number): number {
  if (!Number.isFinite(energy) || energy < 0) {
    throw invalid('energy', `${energy} is not a path energy; it must be a finite number >= 0`);
  }
  if (!Number.isFinite(w2sq) || w2sq <= 0) {
    throw invalid('w2sq', `${w2sq} cannot normalise the path energy; W2^2 between source and target must be > 0 (identical source and target have no transport to compare with)`);
  }
  return Math.abs(energy - w2sq) / w2sq;
}
