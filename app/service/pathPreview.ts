/**
 * What a method's probability path looks like on a dataset before any
 * training: n source and n target points (runs/samplers.ts, as a run draws
 * them), re-paired by the method's minibatch coupling exactly as the trainer
 * does (engine/train/pairs.ts coupledPairs; sinkhorn with reg = 2 sigma^2) in
 * minibatches of PREVIEW_BATCH = 256 rows (a run's default batch: OT pairs
 * within a minibatch, not across the whole cloud, are what training sees), and
 * for each requested t the cloud
 *   x_t = a(t) x1 + b(t) x0 + s(t) eps        (engine/paths/sample.ts)
 * (affine: a, b from the chosen scheduler, the polynomial one with exponent schedulerN)
 * with one eps ~ N(0, I) drawn once and reused for every t, so the clouds of
 * neighbouring t are the same points moved a little and an animation is smooth.
 * Plain typed arrays, no tfjs. Coupling per minibatch keeps the cost linear in
 * n (one 256-row Sinkhorn is up to 1000 iterations over 65,536 entries); the
 * event loop gets a turn between minibatches so the host stays responsive.
 *
 * rf has no closed-form pairs (they come from integrating a trained model), so
 * it is refused with a pointer to icfm, the path rf uses on its pairs.
 */
import { invalid } from '../errors.js';
import { makeCoupling } from '../engine/couplings/index.js';
import { METHOD_SPECS, pathCoefficients } from '../engine/paths/methods.js';
import { samplePath } from '../engine/paths/sample.js';
import { concatRows, type Points } from '../engine/points.js';
import { Rng } from '../engine/rng.js';
import { coupledPairs } from '../engine/train/pairs.js';
import { runSamplers } from '../runs/samplers.js';
import type { ApiParsed, PathPreviewView } from '../contract.js';
import type { Store } from '../store/interface.js';

/** Rows coupled together: the default `batch` of a run's config. */
export const PREVIEW_BATCH = 256;

const yieldToEventLoop = () => new Promise<void>((resolve) => setImmediate(resolve));

export async function previewPath(store: Store, p: ApiParsed<'previewPath'>): Promise<PathPreviewView> {
  const spec = METHOD_SPECS[p.method];
  if (spec.requiresParentRun) {
    throw invalid('method', 'rf pairs come from a trained model (reflow of a previous run), so they cannot be previewed; preview icfm instead (rf trains on its path with sigma 0)');
  }
  if (spec.requiresGaussianSource && p.source !== 'gaussian') {
    throw invalid('source', `method ${p.method} needs the gaussian source (got "${p.source}"); use source gaussian or method icfm`);
  }
  if (p.method === 'sbcfm' && p.sigma <= 0) {
    throw invalid('sigma', 'sbcfm needs sigma > 0 (its entropic OT uses reg = 2 sigma^2)');
  }
  const { source, target } = runSamplers(store, p.dataset, p.source);
  const coupling = makeCoupling(spec.coupling, { reg: 2 * p.sigma * p.sigma });
  const pairs = coupledPairs(source, target, coupling);
  const rng = new Rng(p.seed);
  let x0: Points | undefined;
  let x1: Points | undefined;
  for (let done = 0; done < p.n; done += PREVIEW_BATCH) {
    if (done > 0) await yieldToEventLoop();
    const batch = pairs.sample(Math.min(PREVIEW_BATCH, p.n - done), rng);
    x0 = x0 ? concatRows(x0, batch.x0) : batch.x0;
    x1 = x1 ? concatRows(x1, batch.x1) : batch.x1;
  }
  if (!x0 || !x1) throw new Error('previewPath: n must be >= 1');
  const eps = rng.fillNormal(new Float32Array(x0.n * x0.d));
  const coefficients = pathCoefficients(p.method, { sigma: p.sigma, scheduler: p.scheduler, schedulerN: p.schedulerN });
  const t = new Float32Array(x0.n);
  const xt = p.times.map((time) => {
    t.fill(time);
    return samplePath(coefficients, x0, x1, t, eps).xt.data;
  });
  return { n: x0.n, d: x0.d, x0: x0.data, x1: x1.data, times: [...p.times], xt };
}
