import { describe, it, expect } from 'vitest';
import { Rng } from '../../app/engine/rng.js';
import { BUILTIN_DATASETS, DATASETS, generateDataset, isBuiltinDataset } from '../../app/engine/data/registry.js';
import { errorOf } from './errorOf.js';


describe('dataset registry', () => {
  it('lists every built-in once, with a description and a dimension', () => {
    expect(DATASETS.map((d) => d.name)).toEqual([...BUILTIN_DATASETS]);
    for (const d of DATASETS) expect(d.description.length).toBeGreaterThan(10);
    expect(DATASETS.filter((d) => d.reference).map((d) => d.name)).toEqual(['moons', 'scurve', '8gaussians']);
  });

  it('recognises built-in names only', () => {
    expect(isBuiltinDataset('moons')).toBe(true);
    expect(isBuiltinDataset('2spirals')).toBe(true);
    expect(isBuiltinDataset('Moons')).toBe(false);
    expect(isBuiltinDataset('data.csv')).toBe(false);
  });

  it('rejects an unknown name with the list of valid ones', () => {
    const e = errorOf(() => generateDataset('mooons', 10, new Rng(1)));
    expect(e.code).toBe('invalid_input');
    expect(e.field).toBe('dataset');
    expect(e.message).toContain('dataset: unknown dataset "mooons"; use one of moons, scurve, 8gaussians');
    expect(e.message).toContain('25gaussians, gaussian');
  });

  it('draws the gaussian source in the dimension asked for, 2 by default', () => {
    expect(generateDataset('gaussian', 7, new Rng(1)).d).toBe(2);
    const p = generateDataset('gaussian', 7, new Rng(1), 5);
    expect([p.n, p.d, p.data.length]).toEqual([7, 5, 35]);
  });

  it('refuses a dimension other than 2 for a 2-D dataset, and bad n or dim', () => {
    expect(errorOf(() => generateDataset('moons', 10, new Rng(1), 3)).message).toMatch(/^dim: dataset "moons" is 2-dimensional, not 3/);
    expect(generateDataset('moons', 10, new Rng(1), 2).d).toBe(2);
    for (const n of [0, -5, 2.5, NaN]) expect(errorOf(() => generateDataset('moons', n, new Rng(1))).field).toBe('n');
    expect(errorOf(() => generateDataset('gaussian', 10, new Rng(1), 0)).field).toBe('dim');
  });

  it('makes a single point for n = 1 without failing (odd splits of the arcs)', () => {
    for (const name of BUILTIN_DATASETS) {
      const p = generateDataset(name, 1, new Rng(3));
      expect(p.n).toBe(1);
      expect(p.data.every(Number.isFinite)).toBe(true);
    }
  });
});
