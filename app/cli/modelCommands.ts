/** `cfm sample` and `cfm eval`: use a trained run's field. */
import { existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Command } from 'commander';
import { CfmError, invalid } from '../errors.js';
import { writeCsv } from '../engine/data/csv.js';
import { writeNpy } from '../engine/data/npy.js';
import { SOLVERS, type SolverName } from '../engine/ode/types.js';
import type { Points } from '../engine/points.js';
import { backendFor, outputMode, withStore } from './context.js';
import { formatDuration, formatTable, printJson, printLine } from './output.js';
import { intOption, numberOption } from './parse.js';

interface SolverFlags {
  n: number;
  solver: string;
  steps?: number;
  atol?: number;
  rtol?: number;
  seed: number;
}

function solverOf(value: string): SolverName {
  if (!(SOLVERS as readonly string[]).includes(value)) throw invalid('solver', `unknown solver "${value}"; use one of ${SOLVERS.join(', ')}`);
  return value as SolverName;
}

function pointCount(n: number, least: number): number {
  if (n < least) throw invalid('n', `${n} points requested; use --n ${least} or more`);
  return n;
}

function solverOptions(cmd: Command, defaultN: number): Command {
  return cmd
    .option('--n <n>', 'number of points', intOption('n'), defaultN)
    .option('--solver <name>', `ODE solver: ${SOLVERS.join(', ')}`, 'dopri5')
    .option('--steps <n>', 'steps of a fixed-step solver [100]', intOption('steps'))
    .option('--atol <x>', 'dopri5 absolute tolerance [1e-5]', numberOption('atol'))
    .option('--rtol <x>', 'dopri5 relative tolerance [1e-5]', numberOption('rtol'))
    .option('--seed <n>', 'seed of the source draws', intOption('seed'), 0);
}

/** Checked before any work, so a bad --out costs nothing. */
function checkOut(file: string): void {
  const ext = path.extname(file).toLowerCase();
  if (ext !== '.csv' && ext !== '.npy') throw invalid('out', `cannot write "${ext || file}" files; use a .csv or .npy name`);
  if (existsSync(file)) throw new CfmError('conflict', `out: ${file} exists; choose another name (nothing is overwritten)`, 'out');
}

async function writePoints(file: string, p: Points): Promise<void> {
  await writeFile(file, path.extname(file).toLowerCase() === '.npy' ? writeNpy(p) : writeCsv(p), { flag: 'wx' });
}

export function registerModelCommands(program: Command): void {
  solverOptions(program.command('sample').description('draw samples from a trained run by integrating its ODE').argument('<run>', 'run id or name'), 1000)
    .option('--out <file>', 'write the samples to a .csv or .npy file')
    .action(async (runRef: string, o: SolverFlags & { out?: string }, cmd: Command) => {
      const json = outputMode(cmd).json;
      if (o.out) checkOut(o.out);
      await backendFor(cmd);
      const { sampleRun } = await import('../runs/sample.js');
      await withStore(cmd, async (store) => {
        const r = await sampleRun(store, runRef, { n: pointCount(o.n, 1), solver: solverOf(o.solver), steps: o.steps, atol: o.atol, rtol: o.rtol, seed: o.seed });
        if (o.out) await writePoints(o.out, r.points);
        const summary = { run: r.runId, sample: r.sampleId, n: r.points.n, d: r.points.d, solver: o.solver, nfe: r.nfe, checkpointStep: r.checkpointStep, seconds: r.seconds, ...(o.out ? { out: path.resolve(o.out) } : {}) };
        if (json) printJson(summary);
        else printLine(`${r.points.n} samples from run ${r.runId} (step ${r.checkpointStep}) with ${o.solver}: NFE ${r.nfe}, ${formatDuration(r.seconds)}${o.out ? `, written to ${o.out}` : ''}`);
      });
    });

  solverOptions(program.command('eval').description('score a run against held-out data: W1, W2, MMD, normalized path energy, NFE').argument('<run>', 'run id or name'), 2000)
    .option('--nll <k>', 'also the negative log-likelihood of k held-out points (gaussian source only)', intOption('nll'))
    .action(async (runRef: string, o: SolverFlags & { nll?: number }, cmd: Command) => {
      const json = outputMode(cmd).json;
      if (o.nll !== undefined && o.nll < 1) throw invalid('nll', `${o.nll} points; use --nll 1 or more, or leave it out`);
      await backendFor(cmd);
      const { evaluateRun } = await import('../runs/evaluate.js');
      await withStore(cmd, async (store) => {
        const r = await evaluateRun(store, runRef, { n: pointCount(o.n, 2), solver: solverOf(o.solver), steps: o.steps, atol: o.atol, rtol: o.rtol, seed: o.seed, nllPoints: o.nll });
        if (json) {
          printJson({ run: r.runId, evaluation: r.evaluationId, w1: r.w1, w2: r.w2, mmd: r.mmd, npe: r.npe, pathEnergy: r.pathEnergy, nfe: r.nfe, n: r.n, solver: r.solver, steps: r.steps, checkpointStep: r.checkpointStep, seconds: r.seconds, ...(r.nll !== undefined ? { nll: r.nll, nllPoints: r.nllPoints } : {}) });
          return;
        }
        printLine(`run ${r.runId} at step ${r.checkpointStep}, ${r.n} generated vs ${r.n} held-out points, ${r.solver}${r.steps ? ` ${r.steps} steps` : ''}:`);
        const nllHeader = r.nll !== undefined ? [`NLL (${r.nllPoints} pts)`] : [];
        const nllValue = r.nll !== undefined ? [r.nll] : [];
        printLine(formatTable(['W1', 'W2', 'MMD', 'NPE', 'path energy', 'NFE', ...nllHeader, 'time'], [[r.w1, r.w2, r.mmd, r.npe, r.pathEnergy, r.nfe, ...nllValue, formatDuration(r.seconds)]]));
        if (r.n < 10_000) printLine(`note: the published 2-D W2 figures use 10,000 points (--n 10000); smaller n has a higher sampling floor`);
      });
    });
}
