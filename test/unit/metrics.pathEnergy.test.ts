/**
 * Normalised path energy |E - W2^2| / W2^2: 0 for a flow as cheap as optimal
 * transport, the relative excess otherwise, and a clear error when W2^2 is 0.
 */
import { describe, expect, it } from 'vitest';
import { CfmError } from '../../app/errors.js';
import { normalizedPathEnergy } from '../../app/engine/metrics/pathEnergy.js';

describe('normalizedPathEnergy', () => {
  it('is |E - W2^2| / W2^2', () => {
    expect(normalizedPathEnergy(2, 2)).toBe(0);
    expect(normalizedPathEnergy(3, 2)).toBeCloseTo(0.5, 12);
    expect(normalizedPathEnergy(1.5, 2)).toBeCloseTo(0.25, 12);
    expect(normalizedPathEnergy(0, 4)).toBe(1);
  });

  it('refuses W2^2 <= 0 or non-finite inputs with a message naming the value', () => {
    expect(() => normalizedPathEnergy(1, 0)).toThrow(CfmError);
    expect(() => normalizedPathEnergy(1, 0)).toThrow(/w2sq: 0 cannot normalise/);
    expect(() => normalizedPathEnergy(1, -2)).toThrow(/must be > 0/);
    expect(() => normalizedPathEnergy(Number.NaN, 1)).toThrow(/energy/);
    expect(() => normalizedPathEnergy(-1, 1)).toThrow(/>= 0/);
  });
});
