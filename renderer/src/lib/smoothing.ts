/**
 * TensorBoard's loss smoothing: an exponential moving average debiased by the
 * weight it has accumulated so far,
 *
 *   m_k = w m_{k-1} + (1 - w) y_k,  m_0 = 0,   s_k = m_k / (1 - w^k)
 *
 * so the first points are not dragged toward zero. Non-finite values pass
 * through unsmoothed and do not enter the average (a NaN would poison every
 * point after it). w = 0 returns the data; w must lie in [0, 1).
 */
export function smoothEma(values: ArrayLike<number>, weight: number): Float64Array {
  if (!(weight >= 0 && weight < 1)) throw new RangeError(`smoothing weight must be in [0, 1), got ${weight}`);
  const out = new Float64Array(values.length);
  let m = 0;
  let wk = 1; // w^k, kept as a running product (a power per point costs more)
  for (let i = 0; i < values.length; i++) {
    const y = values[i]!;
    if (!Number.isFinite(y)) {
      out[i] = y;
      continue;
    }
    m = weight * m + (1 - weight) * y;
    wk *= weight;
    out[i] = weight === 0 ? y : m / (1 - wk);
  }
  return out;
}
