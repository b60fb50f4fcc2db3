/**
 * The CFM methods by their usual (TorchCFM) names, as data: path coefficients
 * (see coefficients.ts), the minibatch coupling, and what the source must be.
 *
 * | method | mu_t                            | sigma_t                  | u_t                                           |
 * | icfm   | t x1 + (1-t) x0                 | sigma                    | x1 - x0                                       |
 * | otcfm  | same, pairs by exact minibatch OT| sigma                   | x1 - x0                                       |
 * | fm     | t x1 (x0 ~ N(0,I) plays eps)    | 1 - (1 - sigma) t        | (x1 - (1 - sigma) x_t) / (1 - (1 - sigma) t)  |
 * | sbcfm  | t x1 + (1-t) x0, entropic OT pairs (reg 2 sigma^2) | sigma sqrt(t(1-t)) | (1-2t)/(2t(1-t)) (x_t - mu_t) + x1 - x0 |
 * | vp     | cos(pi t/2) x0 + sin(pi t/2) x1 | sigma                    | pi/2 (cos(pi t/2) x1 - sin(pi t/2) x0)        |
 * | rf     | icfm, sigma 0, on (x0, ODE(x0)) pairs of a previous model                                         |
 * | affine | alpha_t x1 + sigma_t x0 for a scheduler of schedulers.ts, no extra noise                          |
 */
import type { CouplingName } from '../couplings/types.js';
import type { PathCoefficients } from './coefficients.js';
import { makeScheduler, type SchedulerName } from './schedulers.js';

export const METHODS = ['icfm', 'otcfm', 'fm', 'sbcfm', 'vp', 'rf', 'affine'] as const;
export type MethodName = (typeof METHODS)[number];

export interface MethodSpec {
  name: MethodName;
  description: string;
  coupling: CouplingName;
  /** fm's derivation assumes x0 ~ N(0, I). */
  requiresGaussianSource: boolean;
  /** rf trains on pairs produced by a previous run's model. */
  requiresParentRun: boolean;
}

export const METHOD_SPECS: Record<MethodName, MethodSpec> = {
  icfm: { name: 'icfm', description: 'independent CFM', coupling: 'independent', requiresGaussianSource: false, requiresParentRun: false },
  otcfm: { name: 'otcfm', description: 'OT-CFM: exact minibatch OT pairs', coupling: 'exact', requiresGaussianSource: false, requiresParentRun: false },
  fm: { name: 'fm', description: 'Lipman et al. flow matching (Gaussian source)', coupling: 'independent', requiresGaussianSource: true, requiresParentRun: false },
  sbcfm: { name: 'sbcfm', description: 'Schrödinger bridge CFM: entropic OT pairs', coupling: 'sinkhorn', requiresGaussianSource: false, requiresParentRun: false },
  vp: { name: 'vp', description: 'trigonometric (variance preserving) interpolant', coupling: 'independent', requiresGaussianSource: false, requiresParentRun: false },
  rf: { name: 'rf', description: 'rectified flow: reflow on a previous model\'s pairs', coupling: 'independent', requiresGaussianSource: false, requiresParentRun: true },
  affine: { name: 'affine', description: 'affine path alpha_t x1 + sigma_t x0 with a chosen scheduler', coupling: 'independent', requiresGaussianSource: false, requiresParentRun: false },
};

/** Keeps sbcfm's s'(t) finite at the ends, where it diverges like 1/sqrt(t). */
const T_EDGE = 1e-5;

export interface MethodParams {
  sigma: number;
  scheduler?: SchedulerName;
  /** Exponent of the polynomial scheduler. */
  schedulerN?: number;
}

export function pathCoefficients(method: MethodName, p: MethodParams): PathCoefficients {
  const sigma = p.sigma;
  const zero = () => 0;
  switch (method) {
    case 'icfm':
    case 'otcfm':
      return { a: (t) => t, b: (t) => 1 - t, s: () => sigma, da: () => 1, db: () => -1, ds: zero };
    case 'rf':
      return { a: (t) => t, b: (t) => 1 - t, s: zero, da: () => 1, db: () => -1, ds: zero };
    case 'fm':
      return { a: (t) => t, b: (t) => 1 - (1 - sigma) * t, s: zero, da: () => 1, db: () => -(1 - sigma), ds: zero };
    case 'sbcfm':
      return {
        a: (t) => t,
        b: (t) => 1 - t,
        s: (t) => sigma * Math.sqrt(t * (1 - t)),
        da: () => 1,
        db: () => -1,
        ds: (t) => {
          const tc = Math.min(Math.max(t, T_EDGE), 1 - T_EDGE);
          return (sigma * (1 - 2 * tc)) / (2 * Math.sqrt(tc * (1 - tc)));
        },
      };
    case 'vp': {
      const h = Math.PI / 2;
      return {
        a: (t) => Math.sin(h * t),
        b: (t) => Math.cos(h * t),
        s: () => sigma,
        da: (t) => h * Math.cos(h * t),
        db: (t) => -h * Math.sin(h * t),
        ds: zero,
      };
    }
    case 'affine': {
      const sc = makeScheduler(p.scheduler ?? 'condot', p.schedulerN ?? 2);
      return { a: sc.alpha, b: sc.sigma, s: zero, da: sc.dAlpha, db: sc.dSigma, ds: zero };
    }
  }
}
