/**
 * A stand-in window.workbench for the frame-time bench: it feeds the real
 * renderer data at sizes the live service would not send in one go (10,000
 * generated points and 1,000 trajectories per snapshot, a 100,000-point loss
 * curve), so the bench measures the drawing, not the trainer.
 *
 * installFakeWorkbench is serialised into the page by Playwright's
 * addInitScript: it must not reference anything outside its own body.
 * Streaming starts when the bench calls window.__benchStream(...).
 */
export interface FakeOptions {
  /** Points per generated-samples array. */
  points: number;
  trajectories: number;
  /** Time points per trajectory. */
  trajectoryTimes: number;
  /** Points of the loss series returned by metricSeries (the page's starting curve). */
  seriesPoints: number;
}

export interface StreamOptions {
  /** Progress events per second (one step each). */
  progressPerSecond: number;
  /** Snapshot events per second (0: none). */
  snapshotsPerSecond: number;
}

export function installFakeWorkbench(o: FakeOptions): void {
  const RUN = 1;
  let seed = 12345;
  const rand = (): number => {
    // xorshift32: deterministic noise without Math.random's cost or variance between runs
    seed ^= seed << 13;
    seed ^= seed >>> 17;
    seed ^= seed << 5;
    return ((seed >>> 0) % 1_000_000) / 1_000_000;
  };
  const gauss = (): number => Math.sqrt(-2 * Math.log(rand() + 1e-12)) * Math.cos(2 * Math.PI * rand());
  const moons = (n: number, jitter = 0.05): Float32Array => {
    const out = new Float32Array(2 * n);
    for (let i = 0; i < n; i++) {
      const a = Math.PI * rand();
      const upper = i % 2 === 0;
      out[2 * i] = (upper ? Math.cos(a) : 1 - Math.cos(a)) + jitter * gauss();
      out[2 * i + 1] = (upper ? Math.sin(a) : 0.5 - Math.sin(a)) + jitter * gauss();
    }
    return out;
  };
  const lossAt = (step: number): number => 0.05 + 2 / Math.sqrt(1 + step) + 0.02 * rand();
  const times = Array.from({ length: o.trajectoryTimes }, (_, i) => i / (o.trajectoryTimes - 1));
  const trajectory = (): Float32Array[] => {
    const x0 = new Float32Array(2 * o.trajectories).map(() => gauss());
    const x1 = moons(o.trajectories);
    return times.map((t) => x0.map((v, j) => (1 - t) * v + t * x1[j]!));
  };
  const grid = 20;
  const positions = new Float32Array(2 * grid * grid);
  for (let i = 0; i < grid; i++)
    for (let j = 0; j < grid; j++) {
      positions[2 * (i * grid + j)] = -3 + (6 * j) / (grid - 1);
      positions[2 * (i * grid + j) + 1] = -3 + (6 * i) / (grid - 1);
    }
  const field = () => ({ grid, extent: 3, times: [0, 0.5, 1], positions, vectors: [0, 0.5, 1].map(() => positions.map((p) => -0.5 * p)) });

  let step = 0;
  const totalSteps = 1_000_000;
  const started = performance.now();
  const config = { dataset: 'moons', source: 'gaussian', method: 'otcfm', sigma: 0.1, steps: totalSteps, batch: 256, lr: 1e-3, width: 64, depth: 3 };
  const now = Date.now();
  const runView = () => ({
    id: RUN, name: 'bench', experiment: 'bench', status: 'running', config, seed: 0, backend: 'wasm', parentRunId: null,
    createdAt: now, startedAt: now, finishedAt: null, step, totalSteps, seconds: (performance.now() - started) / 1000,
    tags: [], notes: '', error: null, loss: lossAt(step), valLoss: null, w2: null, nfe: null,
  });
  const detail = () => ({ ...runView(), metricNames: ['loss'], evaluations: [], checkpoints: [{ step: 1000, createdAt: now, bytes: 1 }], samples: [] });

  const api: Record<string, (input: Record<string, unknown>) => Promise<unknown>> = {
    info: async () => ({ backend: { name: 'wasm', description: 'bench stand-in' }, database: ':bench:', concurrency: 1, version: 'bench', gpuHelp: '' }),
    listRuns: async () => [runView()],
    getRun: async () => detail(),
    metricSeries: async () => {
      const n = o.seriesPoints;
      const steps = new Float64Array(n);
      const wallTimes = new Float64Array(n);
      const mean = new Float64Array(n);
      for (let i = 0; i < n; i++) {
        steps[i] = i + 1;
        wallTimes[i] = now + i; // ms, as the API sends them: one step a millisecond
        mean[i] = lossAt(i + 1);
      }
      step = n;
      return { run: RUN, name: 'loss', steps, wallTimes, mean, min: mean, max: mean, total: n };
    },
    previewDataset: async (input) => {
      const n = Math.min(Number(input.n ?? 2000), 100_000);
      return { n, d: 2, points: moons(n) };
    },
    sampleRun: async () => ({
      run: RUN, sampleId: null, n: o.points, d: 2, points: moons(o.points), nfe: 20, checkpointStep: step, seconds: 0.1, times, trajectory: trajectory(),
    }),
    vectorField: async (input) => ({ run: RUN, t: input.t, grid, positions, vectors: positions.map((p) => -0.5 * p) }),
  };
  const listeners = new Set<(e: unknown) => void>();
  const emit = (e: unknown): void => {
    for (const l of listeners) l(e);
  };
  const w = globalThis as unknown as Record<string, unknown>;
  w.workbench = {
    api: new Proxy(api, {
      get: (target, name: string) => target[name] ?? (async () => Promise.reject(Object.assign(new Error(`bench: ${name} is not faked`), { code: 'not_found' }))),
    }),
    subscribe(listener: (e: unknown) => void) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
  // Made up front, so the page's frame times hold the drawing, not this generator.
  const pool = Array.from({ length: 4 }, () => ({ samples: moons(o.points), trajectory: trajectory(), field: field() }));
  let next = 0;
  w.__benchStream = (s: StreamOptions): void => {
    let last = performance.now();
    let owedProgress = 0;
    let owedSnapshots = 0;
    setInterval(() => {
      const t = performance.now();
      const dt = (t - last) / 1000;
      last = t;
      owedProgress += s.progressPerSecond * dt;
      owedSnapshots += s.snapshotsPerSecond * dt;
      for (; owedProgress >= 1; owedProgress--) {
        step++;
        const elapsed = (t - started) / 1000;
        emit({ type: 'progress', run: RUN, step, totalSteps, loss: lossAt(step), lr: 1e-3, stepsPerSecond: s.progressPerSecond, etaSeconds: 1000, elapsedSeconds: elapsed });
      }
      for (; owedSnapshots >= 1; owedSnapshots--) {
        const snap = pool[next++ % pool.length]!;
        emit({ type: 'snapshot', run: RUN, step, d: 2, times, ...snap });
      }
    }, 10);
  };
}
