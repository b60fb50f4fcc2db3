import { describe, it, expect } from 'vitest';
import type { RunView } from '../../app/contract.js';
import { CfmError } from '../../app/errors.js';
import { matchesRunFilter, parseRunFilter } from '../../app/service/runFilter.js';

function run(id: number, over: Partial<RunView> = {}, config: Record<string, unknown> = {}): RunView {
  return {
    id,
    name: `run-${id}`,
    experiment: 'default',
    status: 'completed',
    config: { dataset: 'moons', source: 'gaussian', method: 'otcfm', lr: 0.001, sigma: 0.1, batch: 256, ...config },
    seed: 0,
    backend: 'wasm',
    parentRunId: null,
    createdAt: 0,
    startedAt: null,
    finishedAt: null,
    step: 100,
    totalSteps: 100,
    seconds: 1,
    tags: [],
    notes: '',
    error: null,
    loss: 1,
    valLoss: null,
    w2: null,
    nfe: null,
    ...over,
  };
}

const ids = (runs: RunView[], where: string) => runs.filter((r) => matchesRunFilter(r, parseRunFilter(where))).map((r) => r.id);

function parseError(where: string): CfmError {
  try {
    parseRunFilter(where);
  } catch (e) {
    if (e instanceof CfmError) return e;
    throw e;
  }
  throw new Error(`"${where}" parsed without error`);
}

describe('the runs filter (where)', () => {
  const lrs = [1e-4, 3e-4, 1e-3, 3e-3].map((lr, i) => run(i + 1, {}, { lr }));

  it('compares numbers with each operator', () => {
    expect(ids(lrs, 'lr < 0.001')).toEqual([1, 2]);
    expect(ids(lrs, 'lr <= 1e-3')).toEqual([1, 2, 3]);
    expect(ids(lrs, 'lr > 3e-4')).toEqual([3, 4]);
    expect(ids(lrs, 'lr >= 3e-4')).toEqual([2, 3, 4]);
    expect(ids(lrs, 'lr = 0.0003')).toEqual([2]);
    expect(ids(lrs, 'lr == 0.0003')).toEqual([2]);
    expect(ids(lrs, 'lr != 0.0003')).toEqual([1, 3, 4]);
    expect(ids(lrs, 'lr<0.001')).toEqual([1, 2]);
  });

  it('compares text ignoring case, and ~ finds a substring', () => {
    const runs = [run(1, { name: 'Baseline-A' }, { method: 'icfm' }), run(2, { name: 'ot-big' }), run(3, { name: 'baseline-b' }, { method: 'sbcfm' })];
    expect(ids(runs, 'method = otcfm')).toEqual([2]);
    expect(ids(runs, 'method != otcfm')).toEqual([1, 3]);
    expect(ids(runs, 'name ~ baseline')).toEqual([1, 3]);
    expect(ids(runs, 'name ~ "LINE-B"')).toEqual([3]);
    expect(ids(runs, "name = 'baseline-a'")).toEqual([1]);
    expect(ids(runs, 'name < c')).toEqual([1, 3]);
  });

  it('binds and tighter than or, and parentheses override it', () => {
    // a: method = icfm, b: lr > 0.01, c: batch = 64; the runs tell the two readings apart.
    const runs = [
      run(1, {}, { method: 'icfm', lr: 0.001, batch: 256 }), // a only
      run(2, {}, { method: 'otcfm', lr: 0.1, batch: 256 }), // b only
      run(3, {}, { method: 'otcfm', lr: 0.1, batch: 64 }), // b and c
      run(4, {}, { method: 'icfm', lr: 0.001, batch: 64 }), // a and c
    ];
    // a or (b and c)
    expect(ids(runs, 'method = icfm or lr > 0.01 and batch = 64')).toEqual([1, 3, 4]);
    // (a or b) and c
    expect(ids(runs, '(method = icfm or lr > 0.01) and batch = 64')).toEqual([3, 4]);
    // (b and c) or a, written the other way round: same as the first
    expect(ids(runs, 'lr > 0.01 AND batch = 64 OR method = icfm')).toEqual([1, 3, 4]);
  });

  it('matches run fields: status, loss, w2, nfe, step, seconds, experiment, tags', () => {
    const runs = [
      run(1, { status: 'running', loss: 0.5, step: 10, seconds: 5, tags: ['baseline', 'moons'] }),
      run(2, { status: 'completed', loss: 2, w2: 0.3, nfe: 62, experiment: 'sweep-1', tags: ['big'] }),
      run(3, { status: 'failed', loss: null, w2: 0.1, nfe: 20, seconds: 100 }),
    ];
    expect(ids(runs, 'status = running')).toEqual([1]);
    expect(ids(runs, 'loss < 1')).toEqual([1]);
    expect(ids(runs, 'w2 < 0.2')).toEqual([3]);
    expect(ids(runs, 'nfe >= 20 and nfe <= 62')).toEqual([2, 3]);
    expect(ids(runs, 'step < 50')).toEqual([1]);
    expect(ids(runs, 'seconds > 50')).toEqual([3]);
    expect(ids(runs, 'experiment = sweep-1')).toEqual([2]);
    expect(ids(runs, 'tag = baseline')).toEqual([1]);
    expect(ids(runs, 'tag ~ oon')).toEqual([1]);
    expect(ids(runs, 'tag != big')).toEqual([1, 3]);
  });

  it('a run without the value (no loss yet, never evaluated) matches only !=', () => {
    const runs = [run(1, { loss: null, w2: null }), run(2, { loss: 0.5, w2: 0.2 })];
    expect(ids(runs, 'loss < 100')).toEqual([2]);
    expect(ids(runs, 'w2 >= 0')).toEqual([2]);
    expect(ids(runs, 'w2 != 0.2')).toEqual([1]);
  });

  it('an empty filter keeps every run', () => {
    expect(parseRunFilter('   ')).toBeUndefined();
    expect(ids(lrs, '')).toEqual([1, 2, 3, 4]);
  });

  it('says where a malformed filter goes wrong, on the where field', () => {
    const cases: [string, number, RegExp][] = [
      ['lr < 0.001 and', 15, /expected a key/],
      ['lr 0.001', 4, /expected an operator/],
      ['lr <', 5, /expected a value/],
      ['lr < abc', 6, /lr is a number/],
      ['lr ~ 1', 4, /~ \(contains\) applies to text/],
      ['name = "abc', 8, /quote " is never closed/],
      ['lr ! 1', 4, /"!" must be followed by "="/],
      ['lr < 1 method = icfm', 8, /expected "and", "or" or the end/],
      ['(lr < 1', 8, /expected "\)"/],
      ['tag < a', 5, /tags compare with = != or ~/],
    ];
    for (const [where, pos, pattern] of cases) {
      const e = parseError(where);
      expect(e.code, where).toBe('invalid_input');
      expect(e.field, where).toBe('where');
      expect(e.message, where).toMatch(pattern);
      expect(e.message, where).toContain(`at position ${pos};`);
      expect(e.message, where).toContain('lr < 0.001 and method = otcfm');
    }
  });

  it('names an unknown key and lists the known ones', () => {
    const e = parseError('method = icfm and learning_rate < 1');
    expect(e.field).toBe('where');
    expect(e.message).toMatch(/unknown key "learning_rate" at position 19/);
    expect(e.message).toMatch(/\blr\b/);
    expect(e.message).toMatch(/\bstatus\b/);
  });
});
