/**
 * A run's configuration: every knob of a training run, with defaults, checked
 * by zod at the boundary (CLI flags, --config files, later IPC and HTTP).
 * Defaults follow the 2-D protocol of Tong et al.: 3 x 64 SELU MLP, Adam at 1e-3,
 * sigma 0.1.
 */
import { z } from 'zod';
import { invalid } from '../../errors.js';
import { ACTIVATIONS } from '../model/activationNames.js';
import { METHODS, METHOD_SPECS } from '../paths/methods.js';
import { SCHEDULERS } from '../paths/schedulers.js';
import { SOLVERS } from '../ode/types.js';
import { LR_SCHEDULES } from './schedule.js';
import { OPTIMIZERS } from './optimizerNames.js';

const int = (min: number, max = Number.MAX_SAFE_INTEGER) => z.number().int().min(min).max(max);

export const RunConfigSchema = z
  .object({
    dataset: z.string().min(1).default('moons'),
    source: z.string().min(1).default('gaussian'),
    method: z.enum(METHODS).default('otcfm'),
    sigma: z.number().min(0).max(10).default(0.1),
    scheduler: z.enum(SCHEDULERS).default('condot'),
    schedulerN: z.number().positive().max(20).default(2),
    steps: int(1, 10_000_000).default(20_000),
    batch: int(1, 65_536).default(256),
    lr: z.number().positive().max(10).default(1e-3),
    lrSchedule: z.enum(LR_SCHEDULES).default('constant'),
    warmup: int(0).default(0),
    optimizer: z.enum(OPTIMIZERS).default('adam'),
    weightDecay: z.number().min(0).max(10).default(0),
    gradClip: z.number().min(0).default(0),
    width: int(1, 8192).default(64),
    depth: int(1, 64).default(3),
    activation: z.enum(ACTIVATIONS).default('selu'),
    timeFrequencies: int(0, 32).default(0),
    /** EMA decay of the weights; 0 turns EMA off. */
    ema: z.number().min(0).lt(1).default(0),
    seed: int(0, 2 ** 31 - 1).default(0),
    checkpointEvery: int(1).default(1000),
    /** Validation loss on a fixed held-out batch every N steps; 0 turns it off. */
    validateEvery: int(0).default(500),
    /** rf: the run whose model makes the (x0, x1) pairs. */
    parentRun: int(1).optional(),
    reflowPairs: int(1, 1_000_000).default(10_000),
    reflowSolver: z.enum(SOLVERS).default('rk4'),
    reflowSteps: int(1, 10_000).default(100),
  })
  .strict();

export type RunConfig = z.infer<typeof RunConfigSchema>;
export type RunConfigInput = z.input<typeof RunConfigSchema>;

/** The keys a user may set, for CLI help and sweep grids. */
export const RUN_CONFIG_KEYS = Object.keys(RunConfigSchema.shape) as (keyof RunConfig)[];

function describeIssue(issue: z.core.$ZodIssue): string {
  const i = issue as z.core.$ZodIssue & Record<string, unknown>;
  switch (issue.code) {
    case 'invalid_value':
      return `"${String(i.input)}" is not allowed; use one of ${(i.values as unknown[]).join(', ')}`;
    case 'unrecognized_keys':
      return `unknown key(s) ${(i.keys as string[]).join(', ')}; known keys are ${RUN_CONFIG_KEYS.join(', ')}`;
    case 'too_small':
      return `must be ${i.inclusive ? '>=' : '>'} ${String(i.minimum)} (got ${String(i.input)})`;
    case 'too_big':
      return `must be ${i.inclusive ? '<=' : '<'} ${String(i.maximum)} (got ${String(i.input)})`;
    case 'invalid_type':
      return i.expected === 'int' || i.expected === 'number'
        ? `must be a ${i.expected === 'int' ? 'whole number' : 'number'} (got ${JSON.stringify(i.input) ?? 'nothing'})`
        : `must be a ${String(i.expected)} (got ${JSON.stringify(i.input) ?? 'nothing'})`;
    default:
      return issue.message;
  }
}

/** Validates and fills defaults; the first problem becomes a CfmError naming the field. */
export function parseRunConfig(input: unknown): RunConfig {
  const r = RunConfigSchema.safeParse(input, { reportInput: true });
  if (!r.success) {
    const issue = r.error.issues[0];
    const field = issue.path.length ? issue.path.join('.') : issue.code === 'unrecognized_keys' ? 'config' : 'config';
    throw invalid(field, describeIssue(issue));
  }
  const c = r.data;
  const spec = METHOD_SPECS[c.method];
  if (spec.requiresGaussianSource && c.source !== 'gaussian') {
    throw invalid('source', `method ${c.method} needs the gaussian source (got "${c.source}"); use --source gaussian or method icfm`);
  }
  if (spec.requiresParentRun && c.parentRun === undefined) {
    throw invalid('parentRun', `method rf reflows a previous model; name its run with --from RUN`);
  }
  if (c.method === 'sbcfm' && c.sigma <= 0) {
    throw invalid('sigma', 'sbcfm needs sigma > 0 (its entropic OT uses reg = 2 sigma^2)');
  }
  if (c.warmup >= c.steps && c.warmup > 0) {
    throw invalid('warmup', `warmup (${c.warmup}) must be shorter than steps (${c.steps})`);
  }
  return c;
}
