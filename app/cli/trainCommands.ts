/** `cfm train` and `cfm resume`: foreground training with a progress bar; Ctrl-C checkpoints and cancels. */
import { readFile } from 'node:fs/promises';
import type { Command } from 'commander';
import { CfmError, invalid } from '../errors.js';
import type { BackendInfo } from '../engine/backend.js';
import type { RunSummary } from '../runs/execute.js';
import type { Store } from '../store/interface.js';
import { backendFor, outputMode, withStore } from './context.js';
import { formatDuration, formatNumber, printJson, printLine } from './output.js';
import { intOption, listOption, numberOption } from './parse.js';
import { trainProgressBar } from './progress.js';

/** Flags that map one-to-one onto config keys (commander camel-cases them). */
const CONFIG_FLAGS: [flags: string, description: string, parse?: (v: string) => unknown][] = [
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

function configKey(flags: string): string {
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

function printSummary(s: RunSummary, json: boolean): void {
  if (json) {
    printJson(s);
    return;
  }
  const rate = s.stepsPerSecond > 0 ? ` (${s.stepsPerSecond.toFixed(1)} steps/s)` : '';
  printLine(`run ${s.id} (${s.name}) ${s.status}: ${s.steps}/${s.totalSteps} steps in ${formatDuration(s.seconds)}${rate} on ${s.backend}`);
  if (s.loss !== null) {
    const val = s.valLoss !== null ? `, validation loss ${formatNumber(s.valLoss)}` : '';
    printLine(`loss ${formatNumber(s.loss)} (mean of the last 100 steps)${val}`);
  }
  if (s.status === 'completed') printLine(`next: cfm sample ${s.id} --out samples.csv   or   cfm eval ${s.id}`);
  if (s.status === 'cancelled') printLine(`checkpoint saved at step ${s.steps}; continue with: cfm resume ${s.id}`);
}

/** Trains in the foreground; the first Ctrl-C checkpoints and cancels, a second one exits at once. */
async function trainForeground(store: Store, runId: number, backend: BackendInfo, json: boolean): Promise<number> {
  const run = store.getRun(runId);
  const controller = new AbortController();
  const onSigint = () => {
    if (controller.signal.aborted) process.exit(130);
    process.stderr.write('\ncancelling: saving a checkpoint (Ctrl-C again to quit now)\n');
    controller.abort();
  };
  process.on('SIGINT', onSigint);
  process.stderr.write(`run ${run.id} (${run.name}) on ${backend.description}\n`);
  const bar = trainProgressBar('train', run.totalSteps, run.step);
  const { executeRun } = await import('../runs/execute.js');
  try {
    const summary = await executeRun(store, runId, backend, { signal: controller.signal, onProgress: (p) => bar.update(p) });
    bar.stop();
    printSummary(summary, json);
    return summary.status === 'cancelled' ? 130 : 0;
  } catch (e) {
    bar.stop();
    throw e;
  } finally {
    process.off('SIGINT', onSigint);
  }
}

export function registerTrainCommands(program: Command): void {
  const train = program
    .command('train')
    .description('train a CFM model in the foreground (Ctrl-C saves a checkpoint and cancels)')
    .option('--config <file.json>', 'read config keys from a JSON file; flags override it')
    .option('--from <run>', 'rf: the run whose model makes the reflow pairs')
    .option('--name <name>', 'run name [experiment-id]')
    .option('--experiment <name>', 'experiment to file the run under [default]')
    .option('--tag <tags>', 'comma-separated tags', listOption)
    .option('--notes <text>', 'free-text notes');
  for (const [flags, description, parse] of CONFIG_FLAGS) {
    if (parse) train.option(flags, description, parse);
    else train.option(flags, description);
  }
  train.action(async (opts: Record<string, unknown>, cmd: Command) => {
    const json = outputMode(cmd).json;
    const input: Record<string, unknown> = typeof opts.config === 'string' ? await readConfigFile(opts.config) : {};
    for (const [flags] of CONFIG_FLAGS) {
      const key = configKey(flags);
      if (opts[key] !== undefined) input[key] = opts[key];
    }
    const code = await withStore(cmd, async (store) => {
      if (typeof opts.from === 'string') {
        const parent = store.findRun(opts.from);
        if (!parent) throw new CfmError('not_found', `from: run "${opts.from}" does not exist; list runs with: cfm runs`, 'from');
        input.parentRun = parent.id;
      }
      if (input.method === undefined && input.parentRun !== undefined) input.method = 'rf';
      const backend = await backendFor(cmd);
      const { createRun } = await import('../runs/create.js');
      const run = createRun(store, input, {
        backend: backend.name,
        experiment: opts.experiment as string | undefined,
        name: opts.name as string | undefined,
        tags: opts.tag as string[] | undefined,
        notes: opts.notes as string | undefined,
      });
      return trainForeground(store, run.id, backend, json);
    });
    process.exitCode = code;
  });

  program
    .command('resume')
    .description('continue a cancelled, interrupted or failed run from its last checkpoint')
    .argument('<run>', 'run id or name')
    .action(async (runRef: string, _opts: unknown, cmd: Command) => {
      const json = outputMode(cmd).json;
      process.exitCode = await withStore(cmd, async (store) => {
        const run = store.getRun(runRef);
        if (run.status === 'completed') throw new CfmError('conflict', `run ${run.id} is already completed; nothing to resume`, 'run');
        if (run.status === 'running') throw new CfmError('conflict', `run ${run.id} is running (pid ${run.pid ?? '?'}); cancel it first`, 'run');
        return trainForeground(store, run.id, await backendFor(cmd), json);
      });
    });
}
