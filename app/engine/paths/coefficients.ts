/**
 * Every path of the workbench is affine in (x1, x0, eps) with coefficients that
 * depend on t only:
 *
 *   x_t = a(t) x1 + b(t) x0 + s(t) eps,   u_t = a'(t) x1 + b'(t) x0 + s'(t) eps
 *
 * u_t is then exactly d x_t / dt for fixed (x0, x1, eps), which is the
 * conditional velocity each method's paper writes in its own form (see
 * methods.ts and the tests, which check those forms independently).
 */
export interface PathCoefficients {
  a(t: number): number;
  b(t: number): number;
  s(t: number): number;
  da(t: number): number;
  db(t: number): number;
  ds(t: number): number;
}
