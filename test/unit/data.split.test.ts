import { describe, it, expect } from 'vitest';
import { Rng } from '../../app/engine/rng.js';
import type { Points } from '../../app/engine/points.js';
import { splitDataset, splitSizes } from '../../app/engine/data/split.js';
import { sampleRows } from '../../app/engine/data/batch.js';
import { errorOf } from './errorOf.js';

/** Points whose row i is (i, -i): every row identifies itself. */
function labelled(n: number): Points {
  const data = new Float32Array(2 * n);
  for (let i = 0; i < n; i++) {
    data[2 * i] = i;
    data[2 * i + 1] = -i;
  }
  return { data, n, d: 2 };
}
const ids = (p: Points): number[] => Array.from({ length: p.n }, (_, i) => p.data[2 * i]);

describe('train / validation / test split', () => {
  it('splits 1000 points 800 / 100 / 100, each original row in exactly one part, rows intact', () => {
    const s = splitDataset(labelled(1000), new Rng(1));
    expect([s.train.n, s.validation.n, s.test.n]).toEqual([800, 100, 100]);
    const all = [...ids(s.train), ...ids(s.validation), ...ids(s.test)].sort((a, b) => a - b);
    expect(all).toEqual(Array.from({ length: 1000 }, (_, i) => i));
    for (const part of [s.train, s.validation, s.test]) {
      for (let i = 0; i < part.n; i++) expect(part.data[2 * i + 1]).toBe(-part.data[2 * i]);
    }
  });

  it('shuffles (the test part is not the last rows) and is the same for the same seed', () => {
    const a = splitDataset(labelled(200), new Rng(5));
    const b = splitDataset(labelled(200), new Rng(5));
    expect(ids(a.test)).toEqual(ids(b.test));
    expect(ids(a.test).some((i) => i < 180)).toBe(true);
    expect(ids(splitDataset(labelled(200), new Rng(6)).test)).not.toEqual(ids(a.test));
  });

  it('keeps at least one validation and one test point for small n, and honours other fractions', () => {
    expect(splitSizes(3, { validation: 0.1, test: 0.1 })).toEqual({ train: 1, validation: 1, test: 1 });
    expect(splitSizes(5, { validation: 0.4, test: 0.4 })).toEqual({ train: 1, validation: 2, test: 2 });
    expect(splitSizes(4, { validation: 0.45, test: 0.45 })).toEqual({ train: 1, validation: 1, test: 2 });
    expect(splitSizes(100, { validation: 0, test: 0.25 })).toEqual({ train: 74, validation: 1, test: 25 });
  });

  it('refuses fewer than 3 points and impossible fractions', () => {
    expect(errorOf(() => splitDataset(labelled(2), new Rng(1))).message).toBe(
      'dataset: 2 points cannot be split into train, validation and test; use at least 3 points',
    );
    expect(errorOf(() => splitSizes(100, { validation: 0.6, test: 0.4 })).field).toBe('split');
    expect(errorOf(() => splitSizes(100, { validation: -0.1, test: 0.1 })).field).toBe('split.validation');
    expect(errorOf(() => splitSizes(100, { validation: 0.1, test: NaN })).field).toBe('split.test');
  });
});

describe('minibatch sampling with replacement', () => {
  it('draws whole stored rows, uniformly, the same for the same seed', () => {
    const p = labelled(4);
    const batch = sampleRows(p, 40000, new Rng(2));
    expect([batch.n, batch.d]).toEqual([40000, 2]);
    const counts = [0, 0, 0, 0];
    for (let i = 0; i < batch.n; i++) {
      expect(batch.data[2 * i + 1]).toBe(-batch.data[2 * i]);
      counts[batch.data[2 * i]]++;
    }
    // Binomial(40000, 1/4): mean 10000, sd 86.6.
    for (const c of counts) expect(Math.abs(c - 10000)).toBeLessThan(4 * 86.6);
    expect(Array.from(sampleRows(p, 50, new Rng(3)).data)).toEqual(Array.from(sampleRows(p, 50, new Rng(3)).data));
  });

  it('can draw a batch larger than the dataset (with replacement) and rejects a bad batch size', () => {
    expect(sampleRows(labelled(3), 10, new Rng(1)).n).toBe(10);
    expect(errorOf(() => sampleRows(labelled(3), 0, new Rng(1))).field).toBe('batch');
  });
});
