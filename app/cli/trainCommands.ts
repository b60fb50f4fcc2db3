/** `cfm train` and `cfm resume`: foreground training with a progress bar; Ctrl-C checkpoints and cancels. */
import type { Command } from 'commander';
import { CfmError } from '../errors.js';
import type { BackendInfo } from '../engine/backend.js';
import type { RunSummary } from '../runs/execute.js';
import { isProcessAlive } from '../runs/manager.js';
import type { Store } from '../store/interface.js';
import { backendFor, outputMode, withStore } from './context.js';
import { formatDuration, formatNumber, printJson, printLine } from './output.js';
import { addConfigOptions, configFromOptions } from './configFlags.js';
import { listOption } from './parse.js';
import { trainProgressBar } from './progress.js';

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
    const after = store.findRun(runId);
    if (!(e instanceof CfmError) || after?.status !== 'failed') throw e;
    // The run failed while training (e.g. a NaN loss): say which run, so its kept checkpoint can be found.
    if (json) {
      printJson({
        id: after.id,
        name: after.name,
        status: after.status,
        steps: after.step,
        totalSteps: after.totalSteps,
        loss: store.lastMetric(after.id, 'loss')?.value ?? null,
        seconds: after.seconds,
        backend: backend.name,
        error: e.toJSON(),
      });
    }
    process.stderr.write(`error: ${e.message}\n`);
    return 1;
  } finally {
    process.off('SIGINT', onSigint);
  }
}

export function registerTrainCommands(program: Command): void {
  const train = program
    .command('train')
    .description('train a CFM model in the foreground (Ctrl-C saves a checkpoint and cancels)')
    .option('--from <run>', 'rf: the run whose model makes the reflow pairs')
    .option('--name <name>', 'run name [experiment-id]')
    .option('--experiment <name>', 'experiment to file the run under [default]')
    .option('--tag <tags>', 'comma-separated tags', listOption)
    .option('--notes <text>', 'free-text notes');
  addConfigOptions(train);
  train.action(async (opts: Record<string, unknown>, cmd: Command) => {
    const json = outputMode(cmd).json;
    const input = await configFromOptions(opts);
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
        // A run left 'running' by a process that is gone (a crash, a power cut) is interrupted, and resumable.
        store.markStaleRunning(isProcessAlive);
        const run = store.getRun(runRef);
        if (run.status === 'completed') throw new CfmError('conflict', `run ${run.id} is already completed; nothing to resume`, 'run');
        if (run.status === 'running') throw new CfmError('conflict', `run ${run.id} is running (pid ${run.pid ?? '?'}); cancel it first`, 'run');
        return trainForeground(store, run.id, await backendFor(cmd), json);
      });
    });
}
