/**
 * `cfm cancel` (stop a run trained by any process: the request goes through the
 * database) and `cfm sweep` (a grid of configs x seeds as queued runs in one
 * experiment, trained in worker processes, several at a time).
 */
import type { Command } from 'commander';
import { CfmError, invalid } from '../errors.js';
import type { RunView, WorkbenchEvent } from '../contract.js';
import { isProcessAlive } from '../runs/manager.js';
import { runView } from '../service/views.js';
import { ENDED_STATUSES } from '../store/interface.js';
import { addConfigOptions, configFromOptions } from './configFlags.js';
import { globals, outputMode, withStore } from './context.js';
import { formatDuration, formatNumber, formatTable, printJson, printLine } from './output.js';
import { intOption } from './parse.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** `lr=1e-3,3e-4` -> ['lr', [0.001, 0.0003]]; keys may be flag-style (weight-decay) or camelCase. */
function parseGrid(value: string, previous: Record<string, (string | number)[]> = {}): Record<string, (string | number)[]> {
  const eq = value.indexOf('=');
  if (eq <= 0 || eq === value.length - 1) throw invalid('grid', `"${value}" is not KEY=V1,V2,...; e.g. --grid lr=1e-3,3e-4`);
  const key = value.slice(0, eq).trim().replace(/-([a-z])/g, (_m, c: string) => c.toUpperCase());
  const values = value
    .slice(eq + 1)
    .split(',')
    .map((v) => v.trim())
    .filter(Boolean)
    .map((v) => (v !== '' && Number.isFinite(Number(v)) ? Number(v) : v));
  return { ...previous, [key]: values };
}

export function registerQueueCommands(program: Command): void {
  program
    .command('cancel')
    .description('stop a queued or running run; a running one saves a checkpoint first (cfm resume continues it)')
    .argument('<run>', 'run id or name')
    .option('--no-wait', 'return at once instead of waiting for the trainer to stop')
    .action((ref: string, o: { wait: boolean }, cmd: Command) =>
      withStore(cmd, async (store) => {
        store.markStaleRunning(isProcessAlive);
        let run = store.getRun(ref);
        if (ENDED_STATUSES.has(run.status)) {
          throw new CfmError('conflict', `run ${run.id} is already ${run.status}; nothing to cancel`, 'run');
        }
        store.requestCancel(run.id);
        // A queued run nobody trains yet is cancelled here; if a trainer claimed it meanwhile, it honours the request.
        if (run.status === 'queued') run = store.transitionRun(run.id, ['queued'], { status: 'cancelled', finishedAt: Date.now() }) ?? store.getRun(run.id);
        while (o.wait && !ENDED_STATUSES.has(run.status)) {
          await sleep(200);
          store.markStaleRunning(isProcessAlive);
          run = store.getRun(run.id);
        }
        if (outputMode(cmd).json) return printJson({ id: run.id, name: run.name, status: run.status, step: run.step });
        printLine(
          ENDED_STATUSES.has(run.status)
            ? `run ${run.id} (${run.name}) ${run.status} at step ${run.step}${run.status === 'cancelled' ? `; continue with: cfm resume ${run.id}` : ''}`
            : `cancel requested for run ${run.id}; its trainer stops at its next metrics flush`,
        );
      }),
    );

  const sweep = program
    .command('sweep')
    .description('train a grid of configs x seeds as runs of one experiment, several at a time in worker processes')
    .option('--grid <key=v1,v2>', 'config key and the values to try (repeat for a Cartesian product)', parseGrid)
    .option('--seeds <n>', 'seeds per grid point (seed, seed+1, ...)', intOption('seeds'), 1)
    .option('--experiment <name>', 'experiment holding the runs [sweep-<date>]')
    .option('--concurrency <n>', 'runs training at once [one per core]', intOption('concurrency'));
  addConfigOptions(sweep).action(async (opts: Record<string, unknown>, cmd: Command) => {
    const json = outputMode(cmd).json;
    const grid = (opts.grid as Record<string, (string | number)[]> | undefined) ?? {};
    const config = await configFromOptions(opts);
    const experiment = (opts.experiment as string | undefined) ?? `sweep-${new Date().toISOString().slice(0, 19).replace(/[:T]/g, '-')}`;
    await withStore(cmd, async (store) => {
      const { createRunManager } = await import('../runs/manager.js');
      const { createService } = await import('../service.js');
      const { savedConcurrency } = await import('../service/settings.js');
      const concurrency = (opts.concurrency as number | undefined) ?? savedConcurrency(store);
      const manager = createRunManager({ store, backend: globals(cmd).backend, concurrency });
      const service = createService({ store, manager });
      const latest = new Map<number, string>();
      const unsubscribe = service.subscribe((e: WorkbenchEvent) => {
        if (e.type === 'status') latest.set(e.run, `${e.status}${e.error ? `: ${e.error}` : ''}`);
        if (e.type === 'progress') latest.set(e.run, `${e.step}/${e.totalSteps} loss ${formatNumber(e.loss)}`);
      });
      let stopping = false;
      const onSigint = () => {
        if (stopping) process.exit(130);
        stopping = true;
        process.stderr.write('\ncancelling the sweep: running runs save a checkpoint (Ctrl-C again to quit now)\n');
        void service.close();
      };
      process.on('SIGINT', onSigint);
      const ticker = setInterval(() => {
        if (!json) process.stderr.write(`${[...latest].map(([id, s]) => `#${id} ${s}`).join(' | ')}\n`);
      }, 5000);
      try {
        const runs = await service.startSweep({ config, grid, seeds: opts.seeds as number, experiment });
        process.stderr.write(`sweep: ${runs.length} runs in experiment "${experiment}", ${manager.concurrency} at a time\n`);
        await manager.idle();
        if (stopping) {
          // Runs that never started are the sweep's to cancel: no other host should pick them up later.
          for (const r of runs) store.transitionRun(r.id, ['queued'], { status: 'cancelled', finishedAt: Date.now() });
        }
        const ids = new Set(runs.map((r) => r.id));
        const done: RunView[] = store
          .listRuns({ experiment })
          .filter((r) => ids.has(r.id))
          .map((r) => runView(store, r));
        if (json) printJson(done);
        else {
          printLine(
            formatTable(
              ['id', 'name', 'status', 'steps', 'loss', 'val loss', 'time'],
              done.map((r) => [r.id, r.name, r.status, `${r.step}/${r.totalSteps}`, r.loss, r.valLoss, formatDuration(r.seconds)]),
            ),
          );
        }
        if (done.some((r) => r.status !== 'completed')) process.exitCode = stopping ? 130 : 1;
      } finally {
        clearInterval(ticker);
        process.off('SIGINT', onSigint);
        unsubscribe();
        await service.close();
      }
    });
  });
}
