/**
 * The New run form's mirrored config model (renderer/src/views/new/configFields.ts)
 * against the engine's RunConfigSchema: same keys, same enum options, same
 * defaults, presets the engine accepts, and the sweep value parser.
 * The type-level checks below fail to compile when the engine gains a key or
 * an enum value the form lacks (or the form names one the engine does not have).
 */
import { describe, expect, it } from 'vitest';
import { ACTIVATIONS } from '../../app/engine/model/activationNames.js';
import { SOLVERS } from '../../app/engine/ode/types.js';
import { METHODS } from '../../app/engine/paths/methods.js';
import { SCHEDULERS } from '../../app/engine/paths/schedulers.js';
import { parseRunConfig, RUN_CONFIG_KEYS, RunConfigSchema, type RunConfigInput } from '../../app/engine/train/config.js';
import { OPTIMIZERS } from '../../app/engine/train/optimizerNames.js';
import { LR_SCHEDULES } from '../../app/engine/train/schedule.js';
import * as form from '../../renderer/src/views/new/configFields.js';

type Same<A, B> = [Exclude<A, B>, Exclude<B, A>] extends [never, never] ? true : { onlyEngine: Exclude<A, B>; onlyForm: Exclude<B, A> };
type Opt<K extends keyof RunConfigInput> = NonNullable<RunConfigInput[K]>;
const typesAgree: [
  Same<keyof RunConfigInput, form.ConfigKey>,
  Same<Opt<'method'>, (typeof form.METHODS)[number]>,
  Same<Opt<'scheduler'>, (typeof form.SCHEDULERS)[number]>,
  Same<Opt<'activation'>, (typeof form.ACTIVATIONS)[number]>,
  Same<Opt<'lrSchedule'>, (typeof form.LR_SCHEDULES)[number]>,
  Same<Opt<'optimizer'>, (typeof form.OPTIMIZERS)[number]>,
  Same<Opt<'reflowSolver'>, (typeof form.SOLVERS)[number]>,
] = [true, true, true, true, true, true, true];
void typesAgree;

describe('the New run form mirrors the engine config', () => {
  it('has one field for every config key and no other', () => {
    expect([...form.CONFIG_KEYS].sort()).toEqual([...RUN_CONFIG_KEYS].sort());
    expect(form.FIELDS.map((f) => f.key).sort()).toEqual([...RUN_CONFIG_KEYS].sort());
  });

  it('offers exactly the engine enum values in its selects', () => {
    const options = (key: form.ConfigKey) => form.FIELDS.find((f) => f.key === key)?.options;
    expect(options('method')).toEqual([...METHODS]);
    expect(options('scheduler')).toEqual([...SCHEDULERS]);
    expect(options('activation')).toEqual([...ACTIVATIONS]);
    expect(options('lrSchedule')).toEqual([...LR_SCHEDULES]);
    expect(options('optimizer')).toEqual([...OPTIMIZERS]);
    expect(options('reflowSolver')).toEqual([...SOLVERS]);
  });

  it('starts from the engine defaults', () => {
    const { parentRun, ...rest } = form.DEFAULTS;
    expect(parentRun).toBeNull();
    expect(rest).toEqual(RunConfigSchema.parse({}));
  });

  it('builds a config the engine accepts from every preset', () => {
    for (const p of form.PRESETS) {
      const { config, errors } = form.buildConfig({ ...form.DEFAULTS, ...p.values });
      expect(errors, p.id).toEqual({});
      expect(() => parseRunConfig(config), p.id).not.toThrow();
    }
  });

  it('the 2-D protocol presets are 8gaussians to moons (fm from a Gaussian), 3 x 64 SELU, lr 1e-3, batch 256, 20000 steps, sigma 0.1', () => {
    const protocol = form.PRESETS.filter((p) => p.id.startsWith('protocol-'));
    expect(protocol.map((p) => p.values.method).sort()).toEqual(['fm', 'icfm', 'otcfm', 'sbcfm', 'vp']);
    for (const p of protocol) {
      expect(p.values).toMatchObject({ dataset: 'moons', depth: 3, width: 64, activation: 'selu', lr: 1e-3, batch: 256, steps: 20000, sigma: 0.1 });
      expect(p.values.source).toBe(p.values.method === 'fm' ? 'gaussian' : '8gaussians');
    }
    expect(form.PRESETS.find((p) => p.id === 'quick-demo')?.values).toMatchObject({ dataset: 'moons', method: 'otcfm', steps: 1500 });
  });

  it('flags an empty number and a fraction where a whole number belongs, and leaves range checks to the engine', () => {
    const { errors, config } = form.buildConfig({ ...form.DEFAULTS, lr: null, steps: 2.5, sigma: 0 });
    expect(errors.lr).toMatch(/number/);
    expect(errors.steps).toMatch(/whole/);
    expect(config.sigma).toBe(0);
  });

  it('asks for the parent run only when the method is rf', () => {
    expect(form.buildConfig({ ...form.DEFAULTS, method: 'rf' }).errors.parentRun).toMatch(/number/);
    expect(form.buildConfig({ ...form.DEFAULTS, method: 'rf', parentRun: 3 }).config.parentRun).toBe(3);
    expect(form.buildConfig(form.DEFAULTS).config).not.toHaveProperty('parentRun');
  });

  it('maps an API error field to the input it names', () => {
    expect(form.configKeyOf('config.lr')).toBe('lr');
    expect(form.configKeyOf('lr')).toBe('lr');
    expect(form.configKeyOf('experiment')).toBeUndefined();
    expect(form.configKeyOf('config.nope')).toBeUndefined();
    expect(form.configKeyOf(undefined)).toBeUndefined();
    expect(form.sweepKeyOf('config.lr')).toBeUndefined();
  });

  it('maps a swept key\'s error (grid.lr) to its sweep row, never to the form input the sweep overrides', () => {
    expect(form.configKeyOf('grid.lr')).toBeUndefined();
    expect(form.configKeyOf('grid.method')).toBeUndefined();
    expect(form.sweepKeyOf('grid.lr')).toBe('lr');
    expect(form.sweepKeyOf('grid.method')).toBe('method');
    expect(form.sweepKeyOf('grid.lr.1')).toBe('lr');
    expect(form.sweepKeyOf('grid')).toBeUndefined();
    expect(form.sweepKeyOf('grid.nope')).toBeUndefined();
    expect(form.sweepKeyOf(undefined)).toBeUndefined();
  });

  it('parses comma-separated sweep values as numbers or checked names', () => {
    expect(form.parseSweepValues('lr', '1e-3, 3e-4 ,')).toEqual({ values: [0.001, 0.0003] });
    expect(form.parseSweepValues('method', 'icfm,otcfm')).toEqual({ values: ['icfm', 'otcfm'] });
    expect(form.parseSweepValues('method', 'icfm, nope')).toMatchObject({ error: expect.stringMatching(/nope/) });
    expect(form.parseSweepValues('width', '32, 6.5')).toMatchObject({ error: expect.stringMatching(/whole/) });
    expect(form.parseSweepValues('lr', ' , ')).toMatchObject({ error: expect.stringMatching(/at least one/) });
  });
});
