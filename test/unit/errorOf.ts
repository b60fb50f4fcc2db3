/** The CfmError a call throws (the test fails if it throws anything else, or nothing). */
import { expect } from 'vitest';
import { CfmError } from '../../app/errors.js';

export function errorOf(fn: () => unknown): CfmError {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(CfmError);
    return e as CfmError;
  }
  throw new Error('expected an error');
}

export async function asyncErrorOf(p: Promise<unknown>): Promise<CfmError> {
  try {
    await p;
  } catch (e) {
    expect(e).toBeInstanceOf(CfmError);
    return e as CfmError;
  }
  throw new Error('expected an error');
}
