/**
 * Entropic optimal transport between uniform marginals a = 1/n, b = 1/m:
 *   P = argmin_{P 1 = a, P^T 1 = b} <P, C> - reg H(P),
 *   P_ij = exp((f_i + g_j - C_ij) / reg),
 * found by Sinkhorn's alternating projections on the dual potentials f, g:
 *   f_i = reg log a_i - reg LSE_j((g_j - C_ij) / reg),
 *   g_j = reg log b_j - reg LSE_i((f_i - C_ij) / reg).
 *
 * Stabilised as in Schmitzer (2019, "Stabilized sparse scaling algorithms for
 * entropy regularized transport problems"): the potentials live in the log
 * domain and a kernel K_ij = exp((f_i + g_j - C_ij)/reg) is kept relative to
 * them, so most iterations are cheap scalings u = a / (K v), v = b / (K^T u)
 * (two matrix-vector products, no exp). Whenever a scaling would leave
 * [1/TAU, TAU] or divide by an underflowed sum, that half-step is done exactly
 * in the log domain instead (log-sum-exp with the max factored out), absorbing
 * u, v into f, g and rebuilding K. With TAU = 1e50 a kernel entry that
 * underflows to 0 stands for a plan entry below 1e-200, so nothing of weight
 * is lost, and small reg (1e-3 of the cost scale and below) neither underflows
 * nor returns NaN: it only needs more iterations.
 *
 * Small reg needs many iterations (about cost span / reg), so the potentials are
 * first warmed up by epsilon scaling: Sinkhorn at reg * 4^k from about the
 * cost span down (each stage to an L1 error of 1e-3 or 100 iterations), then at
 * reg itself. The entropic plan is unique, so this changes the iteration count,
 * not the answer.
 *
 * Stops when the row marginals are within `tol` in L1 (the column marginals are
 * exact after every column step) or after maxIter iterations at reg (warm-up
 * iterations come on top; `iterations` counts all); defaults follow POT's
 * ot.sinkhorn (1000 iterations, 1e-9), which TorchCFM's sbcfm uses.
 */
import { invalid } from '../../errors.js';

export interface SinkhornOptions {
  maxIter?: number;
  tol?: number;
}

export interface SinkhornResult {
  /** n x m row-major, sums to 1, rows ~ 1/n, columns 1/m. */
  plan: Float64Array;
  iterations: number;
  converged: boolean;
}

export const SINKHORN_DEFAULTS = { maxIter: 1000, tol: 1e-9 } as const;

const TAU = 1e50;
const INV_TAU = 1 / TAU;
/** Warm-up stages: reg grows by this factor per stage, each run to STAGE_TOL or STAGE_MAX_ITER. */
const STAGE_FACTOR = 4;
const STAGE_TOL = 1e-3;
const STAGE_MAX_ITER = 100;

export function sinkhorn(cost: Float64Array, n: number, m: number, reg: number, opts: SinkhornOptions = {}): SinkhornResult {
  const maxIter = opts.maxIter ?? SINKHORN_DEFAULTS.maxIter;
  const tol = opts.tol ?? SINKHORN_DEFAULTS.tol;
  if (!Number.isInteger(n) || n < 1 || !Number.isInteger(m) || m < 1) {
    throw invalid('n', `the plan needs at least one row and one column (got ${n} x ${m})`);
  }
  if (cost.length !== n * m) throw invalid('cost', `the cost matrix has ${cost.length} entries, expected n*m = ${n}*${m}`);
  if (!(reg > 0) || !Number.isFinite(reg)) throw invalid('reg', `${reg} is not a valid entropic regularisation; use a number > 0`);
  if (!Number.isInteger(maxIter) || maxIter < 1) throw invalid('maxIter', `${maxIter} is not valid; use a whole number >= 1`);
  if (!(tol >= 0)) throw invalid('tol', `${tol} is not valid; use a number >= 0`);
  for (let k = 0; k < cost.length; k++) {
    if (!Number.isFinite(cost[k])) {
      throw invalid('cost', `entry (${Math.floor(k / m)}, ${k % m}) is ${cost[k]}; every cost must be finite`);
    }
  }

  const st = new State(cost, n, m);
  // Epsilon scaling: warm up the potentials at reg * 4^k, from about the cost
  // span down, then solve at reg. Same fixed point, far fewer iterations for small reg.
  let lo = Infinity;
  let hi = -Infinity;
  for (let k = 0; k < cost.length; k++) {
    if (cost[k] < lo) lo = cost[k];
    if (cost[k] > hi) hi = cost[k];
  }
  const stages: number[] = [];
  for (let s = reg * STAGE_FACTOR; s < hi - lo; s *= STAGE_FACTOR) stages.unshift(s);
  stages.push(reg);
  let iterations = 0;
  let converged = false;
  for (let k = 0; k < stages.length; k++) {
    st.absorb(); // scalings at the old reg into the potentials (no-op at the start)
    st.reg = stages[k];
    st.logRowStep();
    const last = k === stages.length - 1;
    const res = last ? st.iterate(maxIter, tol) : st.iterate(STAGE_MAX_ITER, Math.max(tol, STAGE_TOL));
    iterations += res.its;
    converged = last && res.done;
  }
  return { plan: st.plan(), iterations, converged };
}

/** Potentials f, g (cost units), scalings u, v and kernel K = exp((f + g - C) / reg); plan = u K v. */
class State {
  reg = 1;
  readonly a: number;
  readonly b: number;
  readonly f: Float64Array;
  readonly g: Float64Array;
  readonly u: Float64Array;
  readonly v: Float64Array;
  readonly K: Float64Array;
  readonly Kv: Float64Array;
  readonly KTu: Float64Array;
  readonly tmp: Float64Array;

  constructor(
    readonly cost: Float64Array,
    readonly n: number,
    readonly m: number,
  ) {
    this.a = 1 / n;
    this.b = 1 / m;
    this.f = new Float64Array(n);
    this.g = new Float64Array(m);
    this.u = new Float64Array(n).fill(1);
    this.v = new Float64Array(m).fill(1);
    this.K = new Float64Array(n * m);
    this.Kv = new Float64Array(n);
    this.KTu = new Float64Array(m);
    this.tmp = new Float64Array(m);
  }

  /** Moves the scalings into the potentials: f += reg log u, g += reg log v; u = v = 1. */
  absorb(): void {
    const { f, g, u, v, reg } = this;
    for (let i = 0; i < this.n; i++) f[i] += reg * Math.log(u[i]);
    for (let j = 0; j < this.m; j++) g[j] += reg * Math.log(v[j]);
    u.fill(1);
    v.fill(1);
  }

  /** Exact row step in the log domain; rebuilds K with rows summing to a (u = v = 1 after). */
  logRowStep(): void {
    this.absorb();
    const { cost, n, m, f, g, K, reg, a } = this;
    logRowStep(cost, n, m, f, g, K, reg, a);
  }

  /** Exact column step in the log domain; rebuilds K with columns summing to b (u = v = 1 after). */
  logColStep(): void {
    this.absorb();
    const { cost, n, m, f, g, K, reg, b, tmp, KTu } = this;
    logColStep(cost, n, m, f, g, K, reg, b, tmp, KTu);
  }

  /** Sinkhorn iterations until the row error (L1) is <= tol or maxIt have run. */
  iterate(maxIt: number, tol: number): { its: number; done: boolean } {
    const { n, m, u, v, K, Kv, KTu, tmp, a, b } = this;
    for (let its = 1; its <= maxIt; its++) {
      // Column step: v = b / (K^T u), or exactly in the log domain if out of range.
      matTVec(K, u, n, m, KTu);
      for (let j = 0; j < m; j++) tmp[j] = b / KTu[j];
      if (inRange(tmp)) v.set(tmp);
      else this.logColStep();
      // Row marginals of the current plan (columns are exact now): u_i (K v)_i.
      matVec(K, v, n, m, Kv);
      let err = 0;
      let ok = true;
      for (let i = 0; i < n; i++) {
        err += Math.abs(u[i] * Kv[i] - a);
        const z = a / Kv[i];
        if (!(z <= TAU && z >= INV_TAU)) ok = false;
      }
      if (err <= tol) return { its, done: true };
      if (its === maxIt) return { its, done: false };
      // Row step: u = a / (K v).
      if (ok) for (let i = 0; i < n; i++) u[i] = a / Kv[i];
      else this.logRowStep();
    }
    return { its: maxIt, done: false };
  }

  plan(): Float64Array {
    const { n, m, u, v, K } = this;
    const plan = new Float64Array(n * m);
    for (let i = 0; i < n; i++) {
      const off = i * m;
      const ui = u[i];
      for (let j = 0; j < m; j++) plan[off + j] = ui * K[off + j] * v[j];
    }
    return plan;
  }
}

function inRange(w: Float64Array): boolean {
  for (let k = 0; k < w.length; k++) {
    const z = w[k];
    if (!(z <= TAU && z >= INV_TAU)) return false;
  }
  return true;
}

/** out = K v (K is n x m). */
function matVec(K: Float64Array, v: Float64Array, n: number, m: number, out: Float64Array): void {
  for (let i = 0; i < n; i++) {
    const off = i * m;
    let s = 0;
    for (let j = 0; j < m; j++) s += K[off + j] * v[j];
    out[i] = s;
  }
}

/** out = K^T u. */
function matTVec(K: Float64Array, u: Float64Array, n: number, m: number, out: Float64Array): void {
  out.fill(0);
  for (let i = 0; i < n; i++) {
    const off = i * m;
    const ui = u[i];
    for (let j = 0; j < m; j++) out[j] += K[off + j] * ui;
  }
}

/** f_i = reg log a - reg LSE_j((g_j - C_ij) / reg), and K_ij = exp((f_i + g_j - C_ij) / reg). */
function logRowStep(
  cost: Float64Array,
  n: number,
  m: number,
  f: Float64Array,
  g: Float64Array,
  K: Float64Array,
  reg: number,
  a: number,
): void {
  for (let i = 0; i < n; i++) {
    const off = i * m;
    let mx = -Infinity;
    for (let j = 0; j < m; j++) {
      const z = g[j] - cost[off + j];
      if (z > mx) mx = z;
    }
    let s = 0;
    for (let j = 0; j < m; j++) {
      const e = Math.exp((g[j] - cost[off + j] - mx) / reg);
      K[off + j] = e;
      s += e;
    }
    f[i] = reg * Math.log(a) - mx - reg * Math.log(s);
    const scale = a / s;
    for (let j = 0; j < m; j++) K[off + j] *= scale;
  }
}

/** g_j = reg log b - reg LSE_i((f_i - C_ij) / reg), and K rebuilt; mx and sums are scratch of length m. */
function logColStep(
  cost: Float64Array,
  n: number,
  m: number,
  f: Float64Array,
  g: Float64Array,
  K: Float64Array,
  reg: number,
  b: number,
  mx: Float64Array,
  sums: Float64Array,
): void {
  mx.fill(-Infinity);
  for (let i = 0; i < n; i++) {
    const off = i * m;
    const fi = f[i];
    for (let j = 0; j < m; j++) {
      const z = fi - cost[off + j];
      if (z > mx[j]) mx[j] = z;
    }
  }
  sums.fill(0);
  for (let i = 0; i < n; i++) {
    const off = i * m;
    const fi = f[i];
    for (let j = 0; j < m; j++) {
      const e = Math.exp((fi - cost[off + j] - mx[j]) / reg);
      K[off + j] = e;
      sums[j] += e;
    }
  }
  for (let j = 0; j < m; j++) {
    g[j] = reg * Math.log(b) - mx[j] - reg * Math.log(sums[j]);
    sums[j] = b / sums[j]; // per-column rescale of K
  }
  for (let i = 0; i < n; i++) {
    const off = i * m;
    for (let j = 0; j < m; j++) K[off + j] *= sums[j];
  }
}
