/**
 * Affine schedulers for the general path x_t = alpha_t x1 + sigma_t x0, with
 * u_t = alpha'_t x1 + sigma'_t x0 (Meta's flow_matching convention: t = 1 is data).
 * Each scheduler is four closed-form functions of t; nothing else.
 *
 *   condot      alpha = t            sigma = 1 - t
 *   polynomial  alpha = t^n          sigma = 1 - t^n
 *   vp          alpha = exp(-T(1-t)/2), sigma = sqrt(1 - alpha^2),
 *               T(s) = beta_min s + (beta_max - beta_min) s^2 / 2, beta 0.1 .. 20
 *   linear-vp   alpha = t            sigma = sqrt(1 - t^2)
 *   cosine      alpha = sin(pi t/2)  sigma = cos(pi t/2)
 */
export const SCHEDULERS = ['condot', 'polynomial', 'vp', 'linear-vp', 'cosine'] as const;
export type SchedulerName = (typeof SCHEDULERS)[number];

export interface Scheduler {
  alpha(t: number): number;
  sigma(t: number): number;
  dAlpha(t: number): number;
  dSigma(t: number): number;
}

const BETA_MIN = 0.1;
const BETA_MAX = 20;

export function makeScheduler(name: SchedulerName, n = 2): Scheduler {
  switch (name) {
    case 'condot':
      return { alpha: (t) => t, sigma: (t) => 1 - t, dAlpha: () => 1, dSigma: () => -1 };
    case 'polynomial':
      return {
        alpha: (t) => t ** n,
        sigma: (t) => 1 - t ** n,
        dAlpha: (t) => n * t ** (n - 1),
        dSigma: (t) => -n * t ** (n - 1),
      };
    case 'vp': {
      const T = (s: number) => BETA_MIN * s + 0.5 * (BETA_MAX - BETA_MIN) * s * s;
      const dT = (s: number) => BETA_MIN + (BETA_MAX - BETA_MIN) * s;
      const alpha = (t: number) => Math.exp(-0.5 * T(1 - t));
      // d/dt alpha = alpha * T'(1-t) / 2 (chain rule through s = 1 - t).
      const dAlpha = (t: number) => 0.5 * alpha(t) * dT(1 - t);
      const sigma = (t: number) => Math.sqrt(Math.max(0, 1 - alpha(t) ** 2));
      // Guard the t -> 1 end where sigma -> 0 (alpha(1) = 1 exactly).
      const dSigma = (t: number) => (sigma(t) > 1e-12 ? (-alpha(t) * dAlpha(t)) / sigma(t) : 0);
      return { alpha, sigma, dAlpha, dSigma };
    }
    case 'linear-vp':
      return {
        alpha: (t) => t,
        sigma: (t) => Math.sqrt(Math.max(0, 1 - t * t)),
        dAlpha: () => 1,
        dSigma: (t) => (t < 1 ? -t / Math.sqrt(1 - t * t) : 0),
      };
    case 'cosine':
      return {
        alpha: (t) => Math.sin((Math.PI * t) / 2),
        sigma: (t) => Math.cos((Math.PI * t) / 2),
        dAlpha: (t) => (Math.PI / 2) * Math.cos((Math.PI * t) / 2),
        dSigma: (t) => (-Math.PI / 2) * Math.sin((Math.PI * t) / 2),
      };
  }
}
