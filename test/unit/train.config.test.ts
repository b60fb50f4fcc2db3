import { describe, expect, it } from 'vitest';
import { parseRunConfig } from '../../app/engine/train/config.js';
import { CfmError } from '../../app/errors.js';

function errorOf(input: unknown): CfmError {
  try {
    parseRunConfig(input);
  } catch (e) {
    if (e instanceof CfmError) return e;
    throw e;
  }
  throw new Error('expected parseRunConfig to throw');
}

describe('run config', () => {
  it('fills the 2-D protocol defaults', () => {
    const c = parseRunConfig({});
    expect(c).toMatchObject({ method: 'otcfm', source: 'gaussian', width: 64, depth: 3, activation: 'selu', lr: 1e-3, sigma: 0.1 });
  });

  it.each([
    [{ steps: 0 }, 'steps', />= 1/],
    [{ steps: -5 }, 'steps', />= 1/],
    [{ steps: 1.5 }, 'steps', /whole number/],
    [{ batch: 'big' }, 'batch', /number/],
    [{ method: 'ddpm' }, 'method', /use one of icfm, otcfm/],
    [{ activation: 'softplus' }, 'activation', /use one of selu/],
    [{ lrr: 1 }, 'config', /unknown key.*lrr/],
    [{ method: 'fm', source: 'moons' }, 'source', /gaussian/],
    [{ method: 'rf' }, 'parentRun', /--from RUN/],
    [{ method: 'sbcfm', sigma: 0 }, 'sigma', /sigma > 0/],
    [{ ema: 1 }, 'ema', /< 1/],
  ])('%j is refused with a message naming %s', (input, field, message) => {
    const e = errorOf(input);
    expect(e.code).toBe('invalid_input');
    expect(e.field).toBe(field);
    expect(e.message.startsWith(`${field}:`)).toBe(true);
    expect(e.message).toMatch(message);
    expect(e.message).not.toContain('\n');
  });
});
