/**
 * The compute jobs' numbers, in-process (the worker only carries them): a
 * constant field v = c, written as a checkpoint, has closed forms for all of
 * them (x1 = x0 + c; log q1(x) = log N(x - c; 0, I)); a trained field agrees
 * with a forward pass of its checkpoint's weights done by hand in plain JS;
 * grids follow their spec; runs a grid cannot describe get clear errors.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend, type BackendInfo } from '../../app/engine/backend.js';
import { generateDataset } from '../../app/engine/data/registry.js';
import { Rng } from '../../app/engine/rng.js';
import { decodeCheckpoint, encodeCheckpoint } from '../../app/engine/train/checkpoint.js';
import { computeDensity, computeSample, computeVectorField, runComputeJob } from '../../app/runs/compute.js';
import { createRun } from '../../app/runs/create.js';
import { executeRun } from '../../app/runs/execute.js';
import { openStore, type Store } from '../../app/store/index.js';

const C = [0.7, -0.4];
const solver = { solver: 'rk4' as const, seed: 0 };
let backend: BackendInfo;
let store: Store;

async function trainedRun(config: Record<string, unknown>): Promise<number> {
  const run = createRun(store, { method: 'icfm', batch: 16, width: 8, depth: 2, validateEvery: 0, ...config }, { backend: 'wasm' });
  await executeRun(store, run.id, backend);
  return run.id;
}

/** Replaces a run's weights by zeros except the output bias c: v(t, x) = c everywhere. */
function makeConstantField(runId: number): void {
  const ckpt = decodeCheckpoint(store.latestCheckpoint(runId)!.data);
  const weights = ckpt.weights.map((w) => new Float32Array(w.length));
  weights[weights.length - 1].set(C);
  store.saveCheckpoint(runId, ckpt.step, encodeCheckpoint({ ...ckpt, weights, ema: null }));
}

/** v(t, x) of a tanh MLP by hand: h = tanh(h W + b) per hidden layer, W stored [in, out] row-major. */
function handForward(weights: Float32Array[], x: number, y: number, t: number): number[] {
  let h = [x, y, t];
  const layers = weights.length / 2;
  for (let l = 0; l < layers; l++) {
    const w = weights[2 * l];
    const b = weights[2 * l + 1];
    const out = Array.from(b);
    for (let j = 0; j < out.length; j++) for (let i = 0; i < h.length; i++) out[j] += h[i] * w[i * out.length + j];
    h = l < layers - 1 ? out.map(Math.tanh) : out;
  }
  return h;
}

let constant: number;
let trained: number;

beforeAll(async () => {
  backend = await initBackend('wasm');
  store = openStore(':memory:');
  constant = await trainedRun({ dataset: 'moons', steps: 1 });
  makeConstantField(constant);
  trained = await trainedRun({ dataset: 'moons', steps: 20, activation: 'tanh', seed: 4 });
});

describe('compute jobs', () => {
  it('grids run row-major from (-extent, -extent) with even spacing', async () => {
    const f = await computeVectorField(store, { run: constant, t: 0.3, grid: 4, extent: 3 });
    const expected: number[] = [];
    for (const y of [-3, -1, 1, 3]) for (const x of [-3, -1, 1, 3]) expected.push(x, y);
    expect(Array.from(f.positions)).toEqual(expected);
  });

  it('a constant field: the vectors are c, the samples are the source draws moved by c, log q is the shifted Gaussian', async () => {
    const f = await computeVectorField(store, { run: constant, t: 0.8, grid: 5, extent: 2 });
    for (let k = 0; k < 25; k++) {
      expect(f.vectors[2 * k]).toBeCloseTo(C[0], 6);
      expect(f.vectors[2 * k + 1]).toBeCloseTo(C[1], 6);
    }

    const s = await computeSample(store, { save: true, run: constant, n: 40, trajectories: 3, steps: 4, ...solver, seed: 9 });
    const x0 = generateDataset('gaussian', 40, new Rng(9), 2).data;
    for (let i = 0; i < 80; i++) expect(s.points[i]).toBeCloseTo(x0[i] + C[i % 2], 5);
    expect(s.times).toEqual([0, 0.25, 0.5, 0.75, 1]);
    for (let i = 0; i < 6; i++) {
      expect(s.trajectory![0][i]).toBeCloseTo(x0[i], 6);
      expect(s.trajectory![2][i]).toBeCloseTo(x0[i] + 0.5 * C[i % 2], 5);
    }

    const d = await computeDensity(store, { run: constant, grid: 6, extent: 2.5, steps: 8, ...solver });
    expect(d).toMatchObject({ run: constant, grid: 6, extent: 2.5 });
    for (let j = 0; j < 6; j++) {
      for (let i = 0; i < 6; i++) {
        const x = -2.5 + i, y = -2.5 + j;
        const logN = -((x - C[0]) ** 2 + (y - C[1]) ** 2) / 2 - Math.log(2 * Math.PI);
        expect(d.logp[j * 6 + i]).toBeCloseTo(logN, 4);
      }
    }
  });

  it('a trained field matches a hand-computed forward pass of its checkpoint', async () => {
    const weights = decodeCheckpoint(store.latestCheckpoint(trained)!.data).weights;
    const f = await computeVectorField(store, { run: trained, t: 0.35, grid: 3, extent: 1.5 });
    for (let k = 0; k < 9; k++) {
      const [vx, vy] = handForward(weights, f.positions[2 * k], f.positions[2 * k + 1], 0.35);
      expect(f.vectors[2 * k]).toBeCloseTo(vx, 4);
      expect(f.vectors[2 * k + 1]).toBeCloseTo(vy, 4);
    }
  });

  it('the default extent covers the dataset with a 20% margin', async () => {
    // moons: x in [-3, 3] and y in [-1, 2] before noise of std 0.1, so max |coordinate| is about 3.
    const d = await computeDensity(store, { run: constant, grid: 2, steps: 2, ...solver });
    expect(d.extent).toBeGreaterThan(1.2 * 2.9);
    expect(d.extent).toBeLessThan(1.2 * 3.5);
  });

  it('grids of a run that is not 2-D, and densities without a Gaussian source, are refused with a clear error', async () => {
    const cube = generateDataset('gaussian', 64, new Rng(1), 3);
    store.saveDataset({ name: 'cube', kind: 'import', train: cube, validation: cube, test: cube });
    const threeD = await trainedRun({ dataset: 'cube', steps: 1 });
    await expect(computeVectorField(store, { run: threeD, t: 0, grid: 3 })).rejects.toMatchObject({
      code: 'invalid_input',
      field: 'run',
      message: expect.stringMatching(/models 3-D data; grids are drawn for 2-D runs only/),
    });
    const fromCircles = await trainedRun({ dataset: 'moons', source: 'circles', steps: 1 });
    await expect(computeDensity(store, { run: fromCircles, grid: 3, ...solver })).rejects.toMatchObject({
      code: 'invalid_input',
      field: 'run',
      message: expect.stringMatching(/flows from "circles", whose density is unknown; .* gaussian source/),
    });
    await expect(runComputeJob(store, 'info', {})).resolves.toEqual({ name: 'wasm', description: expect.any(String) });
  });
});
