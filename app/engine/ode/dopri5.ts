/**
 * Adaptive Dormand-Prince 5(4) (Dormand & Prince 1980; Hairer, Norsett & Wanner,
 * Solving ODEs I, II.4-II.5): seven stages, the fifth-order solution is
 * propagated, the embedded fourth-order one only estimates the local error.
 * FSAL: the last stage F(t + h, y1) is the first stage of the next step, so an
 * accepted or rejected step costs six evaluations.
 *
 * Error norm as in torchdiffeq: per component, the RMS over its elements of
 * err / (atol + rtol * max(|y0|, |y1|)); for a state with several components
 * (x plus augmented ones) the largest of those RMS values ("mixed norm"), so a
 * per-point scalar such as log-density is not drowned by the n*d entries of x.
 * A step is accepted when the norm is <= 1.
 *
 * Step-size control: Hairer's DOPRI5 PI controller (Lund stabilisation,
 * beta = 0.04, safety 0.9, factor within [0.2, 10], no growth right after a
 * rejection). Initial step: Hairer's HINIT (also torchdiffeq's
 * _select_initial_step), which costs one extra evaluation.
 */
import { tf } from '../backend.js';
import { CfmError } from '../../errors.js';
import { axpy, cloneState, disposeState, weighted } from './state.js';
import type { OdeSystem, SolveResult, State, StepObserver } from './types.js';

const C = [0, 1 / 5, 3 / 10, 4 / 5, 8 / 9, 1, 1];
const A: readonly (readonly number[])[] = [
  [],
  [1 / 5],
  [3 / 40, 9 / 40],
  [44 / 45, -56 / 15, 32 / 9],
  [19372 / 6561, -25360 / 2187, 64448 / 6561, -212 / 729],
  [9017 / 3168, -355 / 33, 46732 / 5247, 49 / 176, -5103 / 18656],
  [35 / 384, 0, 500 / 1113, 125 / 192, -2187 / 6784, 11 / 84],
];
/**
 * The fifth-order weights b = (35/384, 0, 500/1113, 125/192, -2187/6784, 11/84, 0)
 * equal the last row of A (the FSAL property), so y1 is the last stage's input.
 * E = b minus the embedded fourth-order weights
 * (5179/57600, 0, 7571/16695, 393/640, -92097/339200, 187/2100, 1/40).
 */
const E = [71 / 57600, 0, -71 / 16695, 71 / 1920, -17253 / 339200, 22 / 525, -1 / 40];

const ORDER = 5;
const SAFETY = 0.9;
const BETA = 0.04;
const EXPO1 = 1 / ORDER - BETA * 0.75;
const MIN_FACTOR = 0.2;
const MAX_FACTOR = 10;

export interface Dopri5Options {
  t0: number;
  t1: number;
  atol: number;
  rtol: number;
  maxSteps: number;
  observe?: StepObserver;
}

/** Mixed RMS norm of e / (atol + rtol * max(|a|, |b|)) over components, as a scalar tensor. */
function errorNorm(e: State, a: readonly tf.Tensor[], b: readonly tf.Tensor[], atol: number, rtol: number): tf.Scalar {
  const norms = e.map((ec, i) => {
    const scale = tf.add(atol, tf.mul(rtol, tf.maximum(tf.abs(a[i]), tf.abs(b[i]))));
    return tf.sqrt(tf.mean(tf.square(tf.div(ec, scale))));
  });
  return norms.length === 1 ? (norms[0] as tf.Scalar) : tf.max(tf.stack(norms));
}

async function readScalar(s: tf.Scalar): Promise<number> {
  try {
    return (await s.data())[0];
  } finally {
    s.dispose();
  }
}

/** Hairer's HINIT: a first step from the size of y, F(t0, y0) and a finite-difference second derivative. */
async function initialStep(
  F: OdeSystem,
  t0: number,
  y0: readonly tf.Tensor[],
  f0: readonly tf.Tensor[],
  dir: number,
  span: number,
  atol: number,
  rtol: number,
): Promise<number> {
  const [d0, d1] = await Promise.all(
    tf.tidy(() => [errorNorm(y0 as State, y0, y0, atol, rtol), errorNorm(f0 as State, y0, y0, atol, rtol)]).map(readScalar),
  );
  let h0 = d0 < 1e-5 || d1 < 1e-5 ? 1e-6 : 0.01 * (d0 / d1);
  h0 = Math.min(h0, span);
  const d2 =
    (await readScalar(
      tf.tidy(() => {
        const y1 = axpy(y0, dir * h0, [1], [f0 as State]);
        const f1 = F(t0 + dir * h0, y1);
        const diff = f1.map((c, i) => tf.sub(c, f0[i]));
        return errorNorm(diff, y0, y0, atol, rtol);
      }),
    )) / h0;
  const dm = Math.max(d1, d2);
  const h1 = dm <= 1e-15 ? Math.max(1e-6, h0 * 1e-3) : Math.pow(0.01 / dm, 1 / ORDER);
  return Math.min(100 * h0, h1, span);
}

export async function solveDopri5(F: OdeSystem, y0: readonly tf.Tensor[], o: Dopri5Options): Promise<SolveResult> {
  const { t0, t1, atol, rtol, maxSteps, observe } = o;
  const dir = t1 >= t0 ? 1 : -1;
  const span = Math.abs(t1 - t0);
  let y: State = y0 as State;
  let k1: State | null = null;
  let accepted = 0;
  let rejected = 0;
  try {
    if (observe) await observe(t0, y);
    k1 = tf.tidy(() => F(t0, y0));
    let h = dir * (await initialStep(F, t0, y0, k1, dir, span, atol, rtol));
    let t = t0;
    let facOld = 1e-4;
    let lastRejected = false;
    while ((t1 - t) * dir > 0) {
      if (accepted + rejected >= maxSteps) {
        throw new CfmError(
          'numeric',
          `maxSteps: dopri5 took ${maxSteps} steps and reached only t = ${t.toPrecision(6)} of ${t1}; ` +
            'loosen the tolerances (--rtol, --atol) or use a fixed-step solver such as --solver rk4 (the field may be stiff or diverging)',
          'maxSteps',
        );
      }
      // Do not leave a sliver: stretch the step to t1 when it would almost reach it.
      if ((t + 1.01 * h - t1) * dir > 0) h = t1 - t;
      if (t + 0.1 * h === t) {
        throw new CfmError(
          'numeric',
          `rtol: dopri5 step size underflowed at t = ${t.toPrecision(6)} (the field is not finite or too stiff there); ` +
            'loosen rtol/atol or use a fixed-step solver',
          'rtol',
        );
      }
      const yPrev = y;
      const kFirst = k1;
      const hStep = h;
      const out = tf.tidy(() => {
        const ks: State[] = [kFirst];
        let y1: State = [];
        for (let i = 1; i < 7; i++) {
          const yi = axpy(yPrev, hStep, A[i], ks);
          ks.push(F(t + C[i] * hStep, yi));
          // The last stage is taken at the fifth-order solution itself (B = A[6]): that is y1.
          if (i === 6) y1 = yi;
        }
        const err = weighted(yPrev, hStep, E, ks);
        return { y1, k7: ks[6], norm: errorNorm(err, yPrev, y1, atol, rtol) };
      });
      const err = await readScalar(out.norm);
      if (Number.isFinite(err) && err <= 1) {
        accepted++;
        const tNew = hStep === t1 - t ? t1 : t + hStep;
        if (yPrev !== y0) disposeState(yPrev);
        disposeState(kFirst);
        y = out.y1;
        k1 = out.k7;
        t = tNew;
        const fac11 = Math.pow(err, EXPO1);
        let fac = fac11 / Math.pow(facOld, BETA);
        fac = Math.max(1 / MAX_FACTOR, Math.min(1 / MIN_FACTOR, fac / SAFETY));
        let hNew = hStep / fac;
        if (Math.abs(hNew) > span) hNew = dir * span;
        if (lastRejected) hNew = dir * Math.min(Math.abs(hNew), Math.abs(hStep));
        facOld = Math.max(err, 1e-4);
        lastRejected = false;
        h = hNew;
        if (observe) await observe(t, y);
      } else {
        rejected++;
        disposeState(out.y1);
        disposeState(out.k7);
        // Not finite (overflow, NaN): shrink as much as allowed and try again.
        const shrink = Number.isFinite(err) ? Math.min(1 / MIN_FACTOR, Math.pow(err, EXPO1) / SAFETY) : 1 / MIN_FACTOR;
        h = hStep / shrink;
        lastRejected = true;
      }
    }
  } catch (e) {
    if (y !== y0) disposeState(y);
    disposeState(k1);
    throw e;
  }
  disposeState(k1);
  return { y: y === y0 ? cloneState(y0) : y, steps: accepted, rejected };
}
