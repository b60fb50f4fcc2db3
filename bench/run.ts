/**
 * `npm run bench`: how fast the engine trains, samples and solves exact OT on
 * the active tfjs backend, side by side with the same loop in PyTorch + POT on
 * one CPU thread (bench/reference/torch_cfm.py) where python3 has them.
 *
 *   npm run bench                    full run (about 3 minutes on 2 cores)
 *   npm run bench -- --quick         smoke run, tiny step counts
 *   npm run bench -- --json          the figures as one JSON object on stdout
 *   npm run bench -- --backend cpu   another tfjs backend (or CFM_BACKEND)
 *   npm run bench -- --no-torch      skip the PyTorch reference
 *   npm run bench -- --torch-w2      also time POT's exact W2 on the same points (10k: ~1.5 min, ~1 GB)
 *   npm run bench -- --no-ui         skip the UI frame times (Chromium)
 *   npm run bench -- --only-ui       only the UI frame times
 *
 * A benchmark, not a test: it prints figures and asserts nothing. Progress
 * goes to stderr, so stdout holds only the table (or the JSON).
 */
import os from 'node:os';
import { parseArgs } from 'node:util';
import { initBackend } from '../app/engine/backend.js';
import { CfmError } from '../app/errors.js';
import { benchKernels } from './kernels.js';
import { machineLoad } from './measure.js';
import { benchMinibatchOt, benchW2 } from './ot.js';
import { formatReport, goals, limits, specLabel, type BenchResults } from './report.js';
import { benchSampling } from './sampling.js';
import { runTorchReference } from './torchRef.js';
import { benchUi, formatUi } from './ui/uiBench.js';
import { benchTrain, type TrainFigure, type TrainSpec } from './train.js';

const SPECS: TrainSpec[] = [
  { method: 'icfm', width: 64, depth: 3, batch: 512 },
  { method: 'otcfm', width: 64, depth: 3, batch: 512 },
  { method: 'icfm', width: 256, depth: 3, batch: 256 },
];

interface Settings {
  trainSeconds: number;
  kernelSeconds: number;
  samplePoints: number;
  sampleSteps: number;
  sampleSeconds: number;
  otReps: number;
  w2Points: number;
  torchSeconds: number;
  torchWarmup: number;
  uiSeconds: number;
}

const FULL: Settings = {
  trainSeconds: 4,
  kernelSeconds: 0.3,
  samplePoints: 10_000,
  sampleSteps: 20,
  sampleSeconds: 4,
  otReps: 9,
  w2Points: 10_000,
  torchSeconds: 4,
  torchWarmup: 20,
  uiSeconds: 6,
};

const QUICK: Settings = {
  trainSeconds: 0.2,
  kernelSeconds: 0.02,
  samplePoints: 10_000,
  sampleSteps: 2,
  sampleSeconds: 0,
  otReps: 3,
  w2Points: 1_000,
  torchSeconds: 0.2,
  torchWarmup: 3,
  uiSeconds: 1,
};

const HELP = `usage: npm run bench -- [--quick] [--json] [--backend NAME] [--no-torch] [--torch-w2]
  --quick         smoke run with tiny step counts (W2 on 1,000 points)
  --json          print the figures as one JSON object
  --backend NAME  tfjs backend: tensorflow-gpu, tensorflow, wasm, cpu (default: CFM_BACKEND, else the best available)
  --no-torch      skip the PyTorch + POT reference
  --torch-w2      also time POT's exact W2 (emd2) on the W2 points (10,000: about 1.5 minutes and 1 GB)
  --no-ui         skip the UI frame times in Chromium
  --only-ui       measure only the UI frame times`;

const progress = (msg: string) => process.stderr.write(`bench: ${msg}\n`);

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      quick: { type: 'boolean', default: false },
      json: { type: 'boolean', default: false },
      backend: { type: 'string' },
      'no-torch': { type: 'boolean', default: false },
      'torch-w2': { type: 'boolean', default: false },
      'no-ui': { type: 'boolean', default: false },
      'only-ui': { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
    strict: true,
  });
  if (values.help) {
    process.stdout.write(`${HELP}\n`);
    return;
  }
  const set = values.quick ? QUICK : FULL;
  if (values['only-ui']) {
    const ui = await benchUi(set.uiSeconds, progress);
    process.stdout.write(values.json ? `${JSON.stringify({ ui })}\n` : `${formatUi(ui)}\n`);
    return;
  }
  const loadBefore = machineLoad();
  const backend = await initBackend(values.backend);
  progress(`backend ${backend.name}; ${values.quick ? 'quick' : 'full'} run`);

  const train: TrainFigure[] = [];
  for (const spec of SPECS) {
    progress(`training ${specLabel(spec)}`);
    train.push(await benchTrain(spec, set.trainSeconds));
  }

  // After training, so that the engine's JS is warm when single kernels are timed.
  progress('single kernels');
  const kernels = benchKernels(set.kernelSeconds);

  progress(`sampling rk4, ${set.samplePoints} points x ${set.sampleSteps} steps`);
  const sampling = await benchSampling(set.samplePoints, set.sampleSteps, set.sampleSeconds);

  progress(`exact OT 512 x 512 (${set.otReps} batches)`);
  const minibatchOt = benchMinibatchOt(512, set.otReps);

  progress(`exact W2 ${set.w2Points} x ${set.w2Points}`);
  const w2 = benchW2(set.w2Points);

  let torch = null;
  if (!values['no-torch']) {
    progress('PyTorch + POT reference');
    torch = await runTorchReference({
      seconds: set.torchSeconds,
      warmup: set.torchWarmup,
      emdReps: set.otReps,
      sampleSteps: set.sampleSteps,
      samplePoints: set.samplePoints,
      w2Points: values['torch-w2'] ? set.w2Points : 0,
    });
  }

  let ui = null;
  if (!values['no-ui']) {
    progress('UI frame times in Chromium');
    ui = await benchUi(set.uiSeconds, progress);
  }

  const results: BenchResults = {
    mode: values.quick ? 'quick' : 'full',
    backend: { name: backend.name, description: backend.description },
    node: process.version,
    cpu: os.cpus()[0]?.model.trim() ?? 'unknown CPU',
    loadBefore,
    loadAfter: machineLoad(),
    train,
    sampling,
    minibatchOt,
    w2,
    kernels,
    torch,
    ui,
  };
  if (values.json) {
    process.stdout.write(`${JSON.stringify({ ...results, limits: limits(results), goals: goals(results) })}\n`);
  } else {
    process.stdout.write(`${formatReport(results)}\n`);
  }
}

main().catch((e: unknown) => {
  if (e instanceof CfmError || (e instanceof TypeError && 'code' in e && String(e.code).startsWith('ERR_PARSE_ARGS'))) {
    process.stderr.write(`bench: ${e.message}\n${e instanceof CfmError ? '' : `${HELP}\n`}`);
  } else {
    process.stderr.write(`bench: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
  }
  process.exitCode = 1;
});
