/**
 * The run-config flags shared by `cfm train` and `cfm sweep`: one flag per
 * config key (commander camel-cases them), plus --config FILE.json.
 */
import { readFile } from 'node:fs/promises';
import type { Command } from 'commander';
import { CfmError, invalid } from '../errors.js';
import { intOption, numberOption } from './parse.js';

/** Flags that map one-to-one onto config keys (commander camel-cases them). */
export const CONFIG_FLAGS: [flags: string, description: string, parse?: (v: string) => unknown][] = [
  ['--dataset <name>', 'target dataset: a built-in (cfm datasets) or an imported name [moons]'],
  ['--source <name>', 'source dataset, or gaussian for N(0, I) [gaussian]'],
  ['--method <name>', 'icfm, otcfm, fm, sbcfm, vp, rf or affine [otcfm]'],
  ['--sigma <x>', 'noise level sigma of the path [0.1]', numberOption('sigma')],
  ['--scheduler <name>', 'affine method: condot, polynomial, vp, linear-vp, cosine [condot]'],
  ['--scheduler-n <x>', 'exponent of the polynomial scheduler [2]', numberOption('scheduler-n')],
  ['--steps <n>', 'optimisation steps [20000]', intOption('steps')],
  ['--batch <n>', 'minibatch size [256]', intOption('batch')],
  ['--lr <x>', 'learning rate [0.001]', numberOption('lr')],
  ['--lr-schedule <name>', 'constant, cosine or linear [constant]'],
  ['--warmup <n>', 'linear warmup steps [0]', intOption('warmup')],
  ['--optimizer <name>', 'adam or adamw [adam]'],
  ['--weight-decay <x>', 'weight decay [0]', numberOption('weight-decay')],
  ['--grad-clip <x>', 'clip the global gradient norm to x; 0 is off [0]', numberOption('grad-clip')],
  ['--width <n>', 'hidden units per layer [64]', intOption('width')],
  ['--depth <n>', 'hidden layers [3]', intOption('depth')],
  ['--activation <name>', 'selu, silu, relu, elu, tanh or gelu [selu]'],
  ['--time-frequencies <n>', 'sinusoidal time features (0: t as one input) [0]', intOption('time-frequencies')],
  ['--ema <decay>', 'EMA decay of the weights, e.g. 0.999; 0 is off [0]', numberOption('ema')],
  ['--seed <n>', 'random seed [0]', intOption('seed')],
  ['--checkpoint-every <n>', 'steps between checkpoints [1000]', intOption('checkpoint-every')],
  ['--validate-every <n>', 'steps between validation losses; 0 is off [500]', intOption('validate-every')],
  ['--reflow-pairs <n>', 'rf: pairs drawn from the previous model [10000]', intOption('reflow-pairs')],
  ['--reflow-solver <name>', 'rf: solver making the pairs [rk4]'],
  ['--reflow-steps <n>', 'rf: solver steps [100]', intOption('reflow-steps')],
];

export function configKey(flags: string): string {
  const long = flags.split(' ')[0].replace(/^--/, '');
  return long.replace(/-([a-z])/g, (_m, c: string) => c.toUpperCase());
}

async function readConfigFile(path: string): Promise<Record<string, unknown>> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch {
    throw new CfmError('not_found', `config: cannot read ${path}; check the path of --config`, 'config');
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    throw invalid('config', `${path} is not valid JSON (${(e as Error).message}); fix the file`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw invalid('config', `${path} must hold one JSON object of config keys`);
  }
  return value as Record<string, unknown>;
}

export function addConfigOptions(cmd: Command): Command {
  cmd.option('--config <file.json>', 'read config keys from a JSON file; flags override it');
  for (const [flags, description, parse] of CONFIG_FLAGS) {
    if (parse) cmd.option(flags, description, parse);
    else cmd.option(flags, description);
  }
  return cmd;
}

/** The config a command's flags describe: --config's keys, overridden by explicit flags. */
export async function configFromOptions(opts: Record<string, unknown>): Promise<Record<string, unknown>> {
  const input: Record<string, unknown> = typeof opts.config === 'string' ? await readConfigFile(opts.config) : {};
  for (const [flags] of CONFIG_FLAGS) {
    const key = configKey(flags);
    if (opts[key] !== undefined) input[key] = opts[key];
  }
  return input;
}
