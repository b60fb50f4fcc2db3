/**
 * Seeded random numbers for everything the engine draws (data, t, noise, init),
 * so that one seed and one backend give one history, and a checkpoint can carry
 * the generator's exact state. tfjs's own random ops are not used: their seeds
 * do not round-trip through a checkpoint.
 */
import { xoroshiro128plus, xoroshiro128plusFromState } from 'pure-rand/generator/xoroshiro128plus';
import { uniformFloat64 } from 'pure-rand/distribution/uniformFloat64';
import type { JumpableRandomGenerator } from 'pure-rand/types/JumpableRandomGenerator';

export type RngState = number[];

export class Rng {
  private gen: JumpableRandomGenerator;
  /** Box-Muller makes normals in pairs; the spare is part of the state. */
  private spare: number | null = null;

  constructor(seed: number) {
    this.gen = xoroshiro128plus(seed | 0);
  }

  static fromState(state: RngState): Rng {
    const r = new Rng(0);
    const spareFlag = state[state.length - 2];
    r.gen = xoroshiro128plusFromState(state.slice(0, -2));
    r.spare = spareFlag === 1 ? state[state.length - 1] : null;
    return r;
  }

  getState(): RngState {
    return [...this.gen.getState(), this.spare === null ? 0 : 1, this.spare ?? 0];
  }

  /** Uniform on [0, 1). */
  uniform(): number {
    return uniformFloat64(this.gen);
  }

  /** Uniform integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.uniform() * n);
  }

  normal(): number {
    if (this.spare !== null) {
      const s = this.spare;
      this.spare = null;
      return s;
    }
    let u = 0;
    while (u === 0) u = this.uniform();
    const v = this.uniform();
    const r = Math.sqrt(-2 * Math.log(u));
    this.spare = r * Math.sin(2 * Math.PI * v);
    return r * Math.cos(2 * Math.PI * v);
  }

  fillNormal(out: Float32Array, scale = 1): Float32Array {
    for (let i = 0; i < out.length; i++) out[i] = this.normal() * scale;
    return out;
  }

  fillUniform(out: Float32Array, lo = 0, hi = 1): Float32Array {
    for (let i = 0; i < out.length; i++) out[i] = lo + (hi - lo) * this.uniform();
    return out;
  }

  /** Fisher-Yates permutation of 0..n-1. */
  permutation(n: number): Int32Array {
    const p = new Int32Array(n);
    for (let i = 0; i < n; i++) p[i] = i;
    for (let i = n - 1; i > 0; i--) {
      const j = this.int(i + 1);
      const tmp = p[i];
      p[i] = p[j];
      p[j] = tmp;
    }
    return p;
  }

  /** A child generator whose stream does not depend on how much this one is used later. */
  fork(): Rng {
    return new Rng(this.gen.next());
  }
}
