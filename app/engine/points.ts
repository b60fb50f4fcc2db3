/**
 * A set of n points in d dimensions, row-major float32: the one shape in which
 * datasets, samples and trajectories move between engine, store and front ends.
 */
export interface Points {
  readonly data: Float32Array;
  readonly n: number;
  readonly d: number;
}

export function points(data: Float32Array, n: number, d: number): Points {
  if (data.length !== n * d) {
    throw new Error(`points: data has ${data.length} values, expected n*d = ${n}*${d}`);
  }
  return { data, n, d };
}

/** Rows `idx` of p, in that order. */
export function takeRows(p: Points, idx: ArrayLike<number>): Points {
  const out = new Float32Array(idx.length * p.d);
  for (let i = 0; i < idx.length; i++) {
    out.set(p.data.subarray(idx[i] * p.d, idx[i] * p.d + p.d), i * p.d);
  }
  return { data: out, n: idx.length, d: p.d };
}

export function sliceRows(p: Points, start: number, end: number): Points {
  return { data: p.data.slice(start * p.d, end * p.d), n: end - start, d: p.d };
}

export function concatRows(a: Points, b: Points): Points {
  if (a.d !== b.d) throw new Error(`concatRows: dimensions differ (${a.d} vs ${b.d})`);
  const out = new Float32Array(a.data.length + b.data.length);
  out.set(a.data);
  out.set(b.data, a.data.length);
  return { data: out, n: a.n + b.n, d: a.d };
}
