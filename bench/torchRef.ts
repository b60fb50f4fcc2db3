/**
 * The PyTorch + POT reference (bench/reference/torch_cfm.py), run as a child
 * process: $CFM_BENCH_PYTHON if set, else the first of python3 and
 * /usr/bin/python3 (Debian's, where python3-torch installs) that imports torch and ot. Torch and OpenBLAS are held to one thread
 * (torch.set_num_threads(1) in the script; OMP/OPENBLAS_NUM_THREADS=1 here);
 * every other variable, OPENBLAS_CORETYPE included, is passed on unchanged.
 */
import { spawn, spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export interface TorchTrain {
  method: string;
  width: number;
  depth: number;
  batch: number;
  steps: number;
  seconds: number;
  cpuSeconds: number;
  stepsPerSec: number;
  stepsPerCpuSec: number | null;
  emdFraction?: number;
  emdMs?: number;
  emdCpuMs?: number;
  forwardMs: number;
  forwardBackwardMs: number;
}

export interface TorchResult {
  python: string;
  torch: string;
  pot: string;
  numpy: string;
  threads: number;
  blas: { torchBlas: string | null; kernel: string | null; library: string | null; blasThreads?: number; OPENBLAS_CORETYPE: string | null };
  train: TorchTrain[];
  emd: { n: number; reps: number; medianMs: number; minMs: number; meanCpuMs: number };
  sample: { n: number; steps: number; seconds: number; pointStepsPerSec: number; pointStepsPerCpuSec: number | null };
  /** Only with w2Points > 0. */
  w2?: { n: number; seconds: number; cpuSeconds: number; w2: number };
}

export type TorchOutcome = { ok: true; result: TorchResult } | { ok: false; reason: string };

export interface TorchOptions {
  seconds: number;
  warmup: number;
  emdReps: number;
  sampleSteps: number;
  samplePoints: number;
  /** Also time POT's exact W2 on this many points (0: skip). */
  w2Points: number;
}

const SCRIPT = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', '..', 'bench', 'reference', 'torch_cfm.py');

export function findPython(): string | null {
  const chosen = process.env.CFM_BENCH_PYTHON;
  for (const py of chosen ? [chosen] : ['python3', '/usr/bin/python3']) {
    const r = spawnSync(py, ['-c', 'import torch, ot'], { stdio: 'ignore', timeout: 60_000 });
    if (r.status === 0) return py;
  }
  return null;
}

export async function runTorchReference(o: TorchOptions): Promise<TorchOutcome> {
  const python = findPython();
  if (!python) {
    const who = process.env.CFM_BENCH_PYTHON
      ? `${process.env.CFM_BENCH_PYTHON} (CFM_BENCH_PYTHON) cannot import torch and ot`
      : 'neither python3 nor /usr/bin/python3 can import torch and ot';
    return { ok: false, reason: `${who}; install them (Debian: apt-get install python3-torch python3-pot)` };
  }
  const args = [
    SCRIPT,
    '--seconds', String(o.seconds),
    '--warmup', String(o.warmup),
    '--emd-reps', String(o.emdReps),
    '--sample-steps', String(o.sampleSteps),
    '--sample-points', String(o.samplePoints),
    '--w2-points', String(o.w2Points),
  ];
  const env = { ...process.env, OMP_NUM_THREADS: '1', OPENBLAS_NUM_THREADS: '1', MKL_NUM_THREADS: '1' };
  return new Promise((resolve) => {
    const child = spawn(python, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.on('error', (e) => resolve({ ok: false, reason: `${python} could not start: ${e.message}` }));
    child.on('close', (code) => {
      if (code !== 0) {
        const last = err.trim().split('\n').pop() ?? '';
        resolve({ ok: false, reason: `${python} ${path.basename(SCRIPT)} exited ${code}: ${last}` });
        return;
      }
      try {
        resolve({ ok: true, result: { python, ...(JSON.parse(out) as Omit<TorchResult, 'python'>) } });
      } catch {
        resolve({ ok: false, reason: `${path.basename(SCRIPT)} printed no JSON` });
      }
    });
  });
}
