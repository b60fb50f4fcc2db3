/**
 * `cfm watch RUN`: follows a run's progress from the database, whichever
 * process trains it (a `cfm train` elsewhere, `cfm serve`, a sweep), until it stops.
 */
import type { Command } from 'commander';
import { outputMode, withStore } from './context.js';
import { repeatUntilInterrupted } from './inspectCommands.js';
import { printJson, printLine } from './output.js';
import { trainProgressBar, type TrainProgressBar } from './progress.js';

const LIVE = new Set(['queued', 'running']);

export function registerWatchCommand(program: Command): void {
  program
    .command('watch')
    .description("follow a run's live progress until it stops (Ctrl-C stops watching, not the run)")
    .argument('<run>', 'run id or name')
    .action((ref: string, _o: unknown, cmd: Command) =>
      withStore(cmd, async (store) => {
        const first = store.getRun(ref);
        let bar: TrainProgressBar | null = null;
        const json = outputMode(cmd).json;
        let last = { step: first.step, time: Date.now() };
        let rate = 0;
        let status = first.status;
        await repeatUntilInterrupted(500, () => {
          const run = store.getRun(first.id);
          status = run.status;
          const now = Date.now();
          if (run.step > last.step) {
            const instant = ((run.step - last.step) * 1000) / Math.max(1, now - last.time);
            rate = rate ? 0.7 * rate + 0.3 * instant : instant;
            last = { step: run.step, time: now };
          }
          if (json) return LIVE.has(run.status);
          bar ??= trainProgressBar(`run ${run.id}`, run.totalSteps, run.step);
          bar.update({
            runId: run.id,
            step: run.step,
            totalSteps: run.totalSteps,
            loss: store.lastMetric(run.id, 'loss')?.value ?? NaN,
            lr: NaN,
            stepsPerSecond: rate,
            etaSeconds: rate > 0 ? (run.totalSteps - run.step) / rate : Infinity,
            elapsedSeconds: run.seconds,
          });
          return LIVE.has(run.status);
        });
        (bar as TrainProgressBar | null)?.stop();
        const end = store.getRun(first.id);
        if (outputMode(cmd).json) printJson({ id: end.id, name: end.name, status: end.status, step: end.step, totalSteps: end.totalSteps, error: end.error });
        else printLine(`run ${first.id} is ${status}${end.error ? `: ${end.error}` : ''}`);
        // Scripts can wait on a run: 0 when it completed, 1 when it stopped any other way.
        if (!LIVE.has(status) && status !== 'completed') process.exitCode = 1;
      }),
    );
}
