/**
 * The compare view's pure logic (renderer/src/lib/compare*.ts): the configs
 * side by side and "Differences only", the metrics table's best values and
 * latest evaluation, the solver grid and which settings "Evaluate solvers"
 * skips, the W2-vs-NFE series, the shared axes of the sample plots (one
 * projection for every run when d > 2, the box taken on the projected
 * points), the samples and evaluations CSV exports and the curves' wall-time
 * axis. Fixtures are small and made here; expected values
 * are worked out by hand.
 */
import { describe, expect, it } from 'vitest';
import type { EvaluationView, RunDetail } from '../../app/contract.js';
import { projectComparison, sharedBounds } from '../../renderer/src/lib/compareBounds.js';
import { EVALUATIONS_CSV_HEADER, evaluationsCsv, evaluationsCsvName, samplesCsv, samplesCsvName } from '../../renderer/src/lib/compareExport.js';
import { configCell, configRows } from '../../renderer/src/lib/compareConfig.js';
import { curveOf, curveX } from '../../renderer/src/lib/compareCurves.js';
import { bestRows, latestEvaluation, metricRows, metricsCsvRows, METRICS_CSV_HEADER } from '../../renderer/src/lib/compareMetrics.js';
import {
  DEFAULT_GRID,
  evaluationFromResult,
  gridSettings,
  parseSteps,
  planEvaluations,
  w2Series,
  type SolverSetting,
} from '../../renderer/src/lib/compareSolvers.js';

function evaluation(o: Partial<EvaluationView> & { id: number; w2?: number }): EvaluationView {
  const { w2, ...rest } = o;
  return {
    createdAt: 1000 + o.id,
    checkpointStep: 300,
    solver: 'euler',
    steps: 8,
    n: 200,
    seed: 0,
    nfe: 8,
    metrics: { w2: w2 ?? 0.5, w1: 0.4, mmd: 0.01, npe: 0.2, nfe: o.nfe ?? 8 },
    ...rest,
  };
}

function run(o: Partial<RunDetail> & { id: number }): RunDetail {
  return {
    name: `run-${o.id}`,
    experiment: 'default',
    status: 'completed',
    config: {},
    seed: 0,
    backend: 'wasm',
    parentRunId: null,
    createdAt: 0,
    startedAt: 0,
    finishedAt: 0,
    step: 300,
    totalSteps: 300,
    seconds: 10,
    tags: [],
    notes: '',
    error: null,
    loss: null,
    valLoss: null,
    w2: null,
    nfe: null,
    metricNames: [],
    evaluations: [],
    checkpoints: [{ step: 300, createdAt: 0, bytes: 100 }],
    samples: [],
    ...o,
  };
}

describe('configs side by side', () => {
  const a = { lr: 0.001, method: 'icfm', steps: 300, dataset: 'moons' };
  const b = { lr: 0.01, method: 'icfm', steps: 300, dataset: 'moons', ema: 0.99 };

  it('lists every key of any run once, sorted, with one cell per run and a dash where a run lacks the key', () => {
    const rows = configRows([a, b], ['ema', 'lr']);
    expect(rows.map((r) => r.key)).toEqual(['dataset', 'ema', 'lr', 'method', 'steps']);
    expect(rows.find((r) => r.key === 'ema')).toEqual({ key: 'ema', values: ['—', '0.99'], differs: true });
    expect(rows.find((r) => r.key === 'lr')).toEqual({ key: 'lr', values: ['0.001', '0.01'], differs: true });
    expect(rows.find((r) => r.key === 'method')).toEqual({ key: 'method', values: ['icfm', 'icfm'], differs: false });
  });

  it('"Differences only" keeps just the keys the service says differ', () => {
    expect(configRows([a, b], ['ema', 'lr'], true).map((r) => r.key)).toEqual(['ema', 'lr']);
    expect(configRows([a, a], [], true)).toEqual([]);
  });

  it('shows objects and arrays as JSON, booleans and numbers as written', () => {
    expect(configCell({ a: 1 })).toBe('{"a":1}');
    expect(configCell([1, 2])).toBe('[1,2]');
    expect(configCell(false)).toBe('false');
    expect(configCell(1e-4)).toBe('0.0001');
    expect(configCell(null)).toBe('—');
  });
});

describe('metrics table', () => {
  const runs = [
    run({
      id: 1,
      loss: 1.5,
      valLoss: 1.7,
      seconds: 20,
      evaluations: [evaluation({ id: 3, w2: 0.3, solver: 'rk4', steps: 4, nfe: 16 }), evaluation({ id: 9, w2: 0.9, nfe: 8 })],
    }),
    run({ id: 2, loss: 1.2, valLoss: Number.NaN, seconds: 20, evaluations: [evaluation({ id: 5, w2: 0.6, nfe: 8 })] }),
    run({ id: 3, loss: null, valLoss: 1.9, seconds: 30 }),
  ];

  it('takes W2..NFE from the evaluation stored last (highest id), not the best one', () => {
    expect(latestEvaluation(runs[0]!.evaluations)?.id).toBe(9);
    const rows = metricRows(runs);
    expect(rows[0]!.values.w2).toBe(0.9);
    expect(rows[0]!.values.nfe).toBe(8);
    expect(rows[2]!.values.w2).toBeNull();
    expect(rows[1]!.values.valLoss).toBeNull(); // NaN is no value
  });

  it('marks the lowest value of each scored column, every run on a tie, and nothing with fewer than two values', () => {
    const best = bestRows(metricRows(runs));
    expect([...best.loss!]).toEqual([1]); // 1.2 < 1.5; run 3 has none
    expect([...best.w2!]).toEqual([1]); // 0.6 < 0.9
    expect([...best.valLoss!]).toEqual([0]); // 1.7 < 1.9; NaN is skipped
    expect([...best.nfe!]).toEqual([0, 1]); // 8 = 8
    expect([...best.seconds!]).toEqual([0, 1]);
    expect(best.steps).toBeUndefined(); // not scored
    const lone = bestRows(metricRows([runs[0]!, runs[2]!]));
    expect([...lone.w2!]).toEqual([]);
    // A queued run has no duration yet, so its 0 s is no best.
    const queued = metricRows([runs[0]!, run({ id: 4, status: 'queued', step: 0, startedAt: null, seconds: 0 })]);
    expect(queued[1]!.values.seconds).toBeNull();
    expect([...bestRows(queued).seconds!]).toEqual([]);
  });

  it('exports one CSV row per run with the columns of its header', () => {
    const rows = metricsCsvRows(metricRows(runs));
    expect(rows).toHaveLength(3);
    for (const r of rows) expect(r).toHaveLength(METRICS_CSV_HEADER.length);
    const h = (name: (typeof METRICS_CSV_HEADER)[number]): number => METRICS_CSV_HEADER.indexOf(name);
    expect(rows[0]![h('w2')]).toBe(0.9);
    expect(rows[0]![h('eval_solver')]).toBe('euler');
    expect(rows[2]![h('eval_solver')]).toBeNull();
  });
});

describe('the solver grid', () => {
  it('reads step counts separated by commas or spaces, sorted and without repeats, and names a bad entry', () => {
    expect(parseSteps('8, 2 4,2')).toEqual({ steps: [2, 4, 8] });
    expect(parseSteps('2, x')).toEqual({ error: expect.stringMatching(/"x" is not a step count/) });
    expect(parseSteps('0')).toEqual({ error: expect.stringMatching(/"0"/) });
    expect(parseSteps('2.5')).toEqual({ error: expect.stringMatching(/"2.5"/) });
    expect(parseSteps(' ')).toEqual({ error: expect.stringMatching(/at least one/) });
  });

  it('the default grid is euler 2-32, midpoint 2-16, rk4 1-8 and dopri5 adaptive (heun off)', () => {
    const g = gridSettings(DEFAULT_GRID);
    expect('settings' in g && g.settings).toEqual([
      ...[2, 4, 8, 16, 32].map((steps) => ({ solver: 'euler', steps })),
      ...[2, 4, 8, 16].map((steps) => ({ solver: 'midpoint', steps })),
      ...[1, 2, 4, 8].map((steps) => ({ solver: 'rk4', steps })),
      { solver: 'dopri5', steps: null },
    ]);
  });

  it('an enabled row with bad steps is reported with its solver; a disabled one is ignored', () => {
    const rows = DEFAULT_GRID.map((r) => (r.solver === 'heun' ? { ...r, steps: 'abc' } : r));
    expect('settings' in gridSettings(rows)).toBe(true);
    const on = rows.map((r) => (r.solver === 'heun' ? { ...r, enabled: true } : r));
    expect(gridSettings(on)).toEqual({ solver: 'heun', error: expect.stringMatching(/"abc"/) });
  });

  const settings: SolverSetting[] = [
    { solver: 'euler', steps: 2 },
    { solver: 'euler', steps: 8 },
    { solver: 'dopri5', steps: null },
  ];

  it('skips a setting already evaluated at the run’s latest checkpoint with the same n, and only that', () => {
    const runs = [
      run({
        id: 1,
        checkpoints: [
          { step: 100, createdAt: 0, bytes: 1 },
          { step: 300, createdAt: 0, bytes: 1 },
        ],
        evaluations: [
          evaluation({ id: 1, solver: 'euler', steps: 8, n: 200, checkpointStep: 300 }), // done
          evaluation({ id: 2, solver: 'euler', steps: 2, n: 200, checkpointStep: 100 }), // older checkpoint: redo
          evaluation({ id: 3, solver: 'dopri5', steps: null, n: 1000, checkpointStep: 300 }), // other n: redo
        ],
      }),
      run({ id: 2, evaluations: [evaluation({ id: 4, solver: 'dopri5', steps: null, n: 200, checkpointStep: 300 })] }),
    ];
    const plan = planEvaluations(runs, settings, 200);
    expect(plan.skipped).toBe(2);
    expect(plan.untrained).toEqual([]);
    // Setting by setting, each over the runs in order.
    expect(plan.tasks).toEqual([
      { run: 1, solver: 'euler', steps: 2 },
      { run: 2, solver: 'euler', steps: 2 },
      { run: 2, solver: 'euler', steps: 8 },
      { run: 1, solver: 'dopri5', steps: null },
    ]);
  });

  it('leaves out runs with no checkpoint, and counts a clamped n as the n asked for', () => {
    const runs = [
      run({ id: 1, checkpoints: [] }),
      run({ id: 2, evaluations: [evaluation({ id: 1, solver: 'euler', steps: 2, n: 150 })] }),
    ];
    const plan = planEvaluations(runs, [{ solver: 'euler', steps: 2 }], 200, new Map([[2, 150]]));
    expect(plan).toEqual({ tasks: [], skipped: 1, untrained: [1] });
    expect(planEvaluations(runs, [{ solver: 'euler', steps: 2 }], 200).tasks).toEqual([{ run: 2, solver: 'euler', steps: 2 }]);
  });

  it('an evaluateRun answer becomes the evaluation a reload would list', () => {
    const e = evaluationFromResult(
      { run: 1, evaluation: 7, checkpointStep: 300, n: 200, solver: 'rk4', steps: 4, nfe: 16, w1: 0.1, w2: 0.2, mmd: 0.3, npe: 0.4, pathEnergy: 5, seconds: 1 },
      0,
      123,
    );
    expect(e).toEqual({
      id: 7,
      createdAt: 123,
      checkpointStep: 300,
      solver: 'rk4',
      steps: 4,
      n: 200,
      seed: 0,
      nfe: 16,
      metrics: { w1: 0.1, w2: 0.2, mmd: 0.3, npe: 0.4, path_energy: 5, nfe: 16 },
    });
  });
});

describe('W2 against NFE series', () => {
  it('one line per run, solver, checkpoint and n, sorted by NFE; a re-evaluated setting keeps its latest result; bad values dropped', () => {
    const runs = [
      run({
        id: 1,
        evaluations: [
          evaluation({ id: 1, solver: 'euler', steps: 8, nfe: 8, w2: 0.5 }),
          evaluation({ id: 2, solver: 'euler', steps: 2, nfe: 2, w2: 1.5 }),
          evaluation({ id: 3, solver: 'euler', steps: 8, nfe: 8, w2: 0.45 }), // same setting, later
          evaluation({ id: 4, solver: 'rk4', steps: 1, nfe: 4, w2: 0.7 }),
          evaluation({ id: 5, solver: 'euler', steps: 4, nfe: 4, w2: 0.9, checkpointStep: 100 }), // older checkpoint
          evaluation({ id: 6, solver: 'euler', steps: 16, nfe: 16, w2: Number.NaN }),
        ],
      }),
      run({ id: 2, evaluations: [evaluation({ id: 7, solver: 'dopri5', steps: null, nfe: 62, w2: 0.3 })] }),
    ];
    const s = w2Series(runs);
    expect(s.map((x) => [x.run, x.solver, x.checkpointStep, x.latest])).toEqual([
      [1, 'euler', 300, true],
      [1, 'euler', 100, false],
      [1, 'rk4', 300, true],
      [2, 'dopri5', 300, true],
    ]);
    expect(s[0]!.points).toEqual([
      { x: 2, y: 1.5, steps: 2 },
      { x: 8, y: 0.45, steps: 8 },
    ]);
    expect(s[3]).toMatchObject({ runIndex: 1, points: [{ x: 62, y: 0.3, steps: null }] });
  });
});

describe('shared axes of the sample plots', () => {
  it('is the union of every run’s samples, trajectory frames and the data, over the first two columns', () => {
    const a = { d: 2, samples: new Float32Array([0, 0, 1, 1]), trajectory: [new Float32Array([-2, 0]), new Float32Array([0, 0])] };
    const b = { d: 3, samples: new Float32Array([4, 3, 100, NaN, 9, 100]) }; // rows (4, 3, z) and (NaN, 9, z)
    const data = [{ points: new Float32Array([0, -1, 1, 0]), d: 2 }];
    expect(sharedBounds([a, undefined, b], data, 0)).toEqual({ xmin: -2, xmax: 4, ymin: -1, ymax: 3 });
    // Padding is 5% of each set's own span.
    expect(sharedBounds([{ d: 2, samples: new Float32Array([0, 0, 10, 20]) }])).toEqual({ xmin: -0.5, xmax: 10.5, ymin: -1, ymax: 21 });
    expect(sharedBounds([undefined, { d: 1, samples: new Float32Array([1, 2]) }])).toBeUndefined();
  });
});

describe('one projection for every run of d > 2', () => {
  // Data of d = 3 spread most along z (variance 8/3), then y (2/3), not at all
  // along x (always 5): PC1 is the z axis, PC2 the y axis, the mean (5, 0, 0).
  const data = { d: 3, points: new Float32Array([5, 0, -2, 5, 0, 2, 5, -1, 0, 5, 1, 0]) };
  // Run A: a sample at (100, 3, 4) and a trajectory frame at (7, 7, -3);
  // run B: a sample at (5, -2, 1). A huge x must not matter under PCA.
  const a = { d: 3, samples: new Float32Array([100, 3, 4]), trajectory: [new Float32Array([7, 7, -3])] };
  const b = { d: 3, samples: new Float32Array([5, -2, 1]) };

  it('PCA is fitted once on the data and applied to every run’s samples and trajectory frames; the box is taken on the projected points', () => {
    const p = projectComparison([a, undefined, b], [data], { mode: 'pca' }, 0);
    // (x - mean) . e_z, (x - mean) . e_y:
    expect([...p.data[0]!.points]).toEqual([-2, 0, 2, 0, 0, -1, 0, 1]);
    expect([...p.runs[0]!.samples!]).toEqual([4, 3]);
    expect([...p.runs[0]!.trajectory![0]!]).toEqual([-3, 7]);
    expect(p.runs[1]).toBeUndefined();
    expect([...p.runs[2]!.samples!]).toEqual([1, -2]);
    // x: -3 (frame) .. 4 (A's sample); y: -2 (B's sample) .. 7 (frame). The first
    // two raw columns would have given x up to 100 instead.
    expect(p.bounds).toEqual({ xmin: -3, xmax: 4, ymin: -2, ymax: 7 });
    expect(p.axes).toEqual([
      { d: 3, xLabel: 'PC1 (80% of variance)', yLabel: 'PC2 (20% of variance)', caption: 'x: PC1 (80% of variance) · y: PC2 (20% of variance)', fittedOn: 'data', fittedN: 4 },
    ]);
  });

  it('two picked columns draw every run and the data by those columns', () => {
    const p = projectComparison([a, b], [data], { mode: 'dims', x: 2, y: 0 }, 0);
    expect([...p.runs[0]!.samples!]).toEqual([4, 100]);
    expect([...p.runs[1]!.samples!]).toEqual([1, 5]);
    expect([...p.data[0]!.points]).toEqual([-2, 5, 2, 5, 0, 5, 0, 5]);
    // x (column 2): -3 .. 4; y (column 0): 5 .. 100.
    expect(p.bounds).toEqual({ xmin: -3, xmax: 4, ymin: 5, ymax: 100 });
    expect(p.axes[0]).toMatchObject({ xLabel: 'x2', yLabel: 'x0' });
    expect(p.axes[0]!.fittedOn).toBeUndefined();
  });

  it('with no data of that dimension loaded, PCA is fitted on all runs’ samples pooled, not on each run alone', () => {
    // A alone varies only along z, B alone only along y; pooled: z (8/3) then y (2/3), mean 0.
    const ra = { d: 3, samples: new Float32Array([0, 0, -2, 0, 0, 2]) };
    const rb = { d: 3, samples: new Float32Array([0, -1, 0, 0, 1, 0]) };
    const p = projectComparison([ra, rb], [undefined], { mode: 'pca' }, 0);
    expect([...p.runs[0]!.samples!]).toEqual([-2, 0, 2, 0]);
    expect([...p.runs[1]!.samples!]).toEqual([0, -1, 0, 1]);
    expect(p.bounds).toEqual({ xmin: -2, xmax: 2, ymin: -1, ymax: 1 });
    expect(p.axes[0]).toMatchObject({ fittedOn: 'samples', fittedN: 4 });
  });

  it('2-D runs and data are drawn as they are; 1-D ones are not drawn', () => {
    const flat = { d: 2, samples: new Float32Array([1, 2, 3, 4]) };
    const line = { d: 1, samples: new Float32Array([9, 10]) };
    const p = projectComparison([flat, line], [{ d: 2, points: new Float32Array([0, 0]) }], { mode: 'pca' }, 0);
    expect([...p.runs[0]!.samples!]).toEqual([1, 2, 3, 4]);
    expect(p.runs[1]).toBeUndefined();
    expect(p.bounds).toEqual({ xmin: 0, xmax: 3, ymin: 0, ymax: 4 });
    expect(p.axes).toEqual([{ d: 2, xLabel: 'x0', yLabel: 'x1', caption: 'x: x0 · y: x1' }]);
  });
});

/** RFC 4180 fields of CSV text (quoted fields may hold commas and doubled quotes), written here independently of csv.ts. */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  const endField = (): void => {
    row.push(field);
    field = '';
  };
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') endField();
    else if (c === '\n') {
      endField();
      rows.push(row);
      row = [];
    } else field += c;
  }
  if (field !== '' || row.length > 0) {
    endField();
    rows.push(row);
  }
  return rows;
}

describe('CSV exports', () => {
  it('a run’s samples export every column as numbers, under x0..x{d-1}, named by run and checkpoint step', () => {
    const points = new Float32Array([0.1, -2.5, 3, 1e-7, 4, 250000.75]);
    const rows = parseCsv(samplesCsv({ points, d: 3 }));
    expect(rows[0]).toEqual(['x0', 'x1', 'x2']);
    expect(rows).toHaveLength(3);
    const values = rows.slice(1).flat().map(Number);
    expect(values.every(Number.isFinite)).toBe(true);
    expect(Float32Array.from(values)).toEqual(points); // full precision: the float32 values come back
    expect(samplesCsvName(7, 1200)).toBe('run-7-step-1200-samples.csv');
  });

  it('the evaluations export has one row per stored evaluation, numbers in the number columns, empty steps for dopri5', () => {
    const runs = [
      run({
        id: 1,
        name: 'lr "big", 1e-2',
        evaluations: [
          evaluation({ id: 4, solver: 'rk4', steps: 4, nfe: 16, n: 200, checkpointStep: 300, w2: 0.25 }),
          evaluation({ id: 2, solver: 'euler', steps: 8, nfe: 8, n: 200, checkpointStep: 100, w2: 0.5 }),
        ],
      }),
      run({ id: 2, name: 'b', evaluations: [evaluation({ id: 3, solver: 'dopri5', steps: null, nfe: 62, n: 1000, w2: 0.125 })] }),
      run({ id: 3, name: 'none' }),
    ];
    const rows = parseCsv(evaluationsCsv(runs));
    expect(rows[0]).toEqual(['run', 'name', 'solver', 'steps', 'nfe', 'n', 'checkpoint_step', 'w2', 'w1', 'mmd', 'npe']);
    expect(rows[0]).toEqual([...EVALUATIONS_CSV_HEADER]);
    expect(rows).toHaveLength(4); // run 3 has none
    // Run order, then stored order (id 2 before id 4); the name keeps its comma and quotes.
    expect(rows[1]).toEqual(['1', 'lr "big", 1e-2', 'euler', '8', '8', '200', '100', '0.5', '0.4', '0.01', '0.2']);
    expect(rows[2]).toEqual(['1', 'lr "big", 1e-2', 'rk4', '4', '16', '200', '300', '0.25', '0.4', '0.01', '0.2']);
    expect(rows[3]!.slice(0, 7)).toEqual(['2', 'b', 'dopri5', '', '62', '1000', '300']);
    const numeric = ['run', 'nfe', 'n', 'checkpoint_step', 'w2', 'w1', 'mmd', 'npe'].map((h) => rows[0]!.indexOf(h));
    for (const r of rows.slice(1)) for (const k of numeric) expect(Number.isFinite(Number(r[k])) && r[k] !== '').toBe(true);
    expect(evaluationsCsvName([1, 2, 3])).toBe('compare-1-2-3-evaluations.csv');
  });

  it('an evaluation without a metric leaves its cell empty; a non-finite one reads nan', () => {
    const e = { ...evaluation({ id: 1 }), metrics: { w2: Number.NaN, nfe: 8 } };
    const rows = parseCsv(evaluationsCsv([run({ id: 1, evaluations: [e] })]));
    expect(rows[1]!.slice(7)).toEqual(['nan', '', '', '']);
  });
});

describe('loss curves by step or wall time', () => {
  const series = { steps: new Float64Array([10, 20, 30]), wallTimes: new Float64Array([5_000, 6_000, 8_000]), mean: new Float64Array([4, 2, 1]) };

  it('wall time is seconds since the run started, or since its first point when that is earlier', () => {
    expect([...curveX(series, 'step', 0)]).toEqual([10, 20, 30]);
    expect([...curveX(series, 'time', 4_000)]).toEqual([1, 2, 4]);
    expect([...curveX(series, 'time', 7_000)]).toEqual([0, 1, 3]); // startedAt after the first point (a resume)
    expect([...curveX(series, 'time', null)]).toEqual([0, 1, 3]);
  });

  it('keeps the raw means beside the debiased EMA of them', () => {
    const c = curveOf(series, 'step', 0, 0.5);
    expect([...c.raw]).toEqual([4, 2, 1]);
    // w = 0.5: m = 2, 2; s1 = 2 / 0.5 = 4; m2 = 1 + 1 = 2, s2 = 2 / 0.75; m3 = 1 + 0.5 = 1.5, s3 = 1.5 / 0.875
    expect(c.smooth[0]).toBeCloseTo(4, 12);
    expect(c.smooth[1]).toBeCloseTo(8 / 3, 12);
    expect(c.smooth[2]).toBeCloseTo(12 / 7, 12);
  });
});
