/**
 * The New run form's model: every key of the engine's RunConfigSchema
 * (app/engine/train/config.ts) as a typed field list with its input kind,
 * enum options, default and group, plus the presets and the sweep parser.
 *
 * The renderer may import only types from app/, and the config module's
 * types drag the engine (and Node's types) into the renderer's type check,
 * so keys, options and defaults are mirrored here. They are checked against
 * the engine both ways by test/unit/ui.newrunFields.test.ts: at compile time
 * (a key or enum value added to RunConfigSchema but missing here is a type
 * error) and at run time (defaults equal RunConfigSchema.parse({})).
 */

export const METHODS = ['icfm', 'otcfm', 'fm', 'sbcfm', 'vp', 'rf', 'affine'] as const;
export const SCHEDULERS = ['condot', 'polynomial', 'vp', 'linear-vp', 'cosine'] as const;
export const ACTIVATIONS = ['selu', 'silu', 'relu', 'elu', 'tanh', 'gelu'] as const;
export const LR_SCHEDULES = ['constant', 'cosine', 'linear'] as const;
export const OPTIMIZERS = ['adam', 'adamw'] as const;
export const SOLVERS = ['euler', 'midpoint', 'heun', 'rk4', 'dopri5'] as const;

/** Every key of RunConfigSchema, in form order. */
export const CONFIG_KEYS = [
  'dataset',
  'source',
  'method',
  'sigma',
  'scheduler',
  'schedulerN',
  'width',
  'depth',
  'activation',
  'timeFrequencies',
  'steps',
  'batch',
  'lr',
  'lrSchedule',
  'warmup',
  'optimizer',
  'weightDecay',
  'gradClip',
  'ema',
  'seed',
  'checkpointEvery',
  'validateEvery',
  'parentRun',
  'reflowPairs',
  'reflowSolver',
  'reflowSteps',
] as const;
export type ConfigKey = (typeof CONFIG_KEYS)[number];

type Missing<All, Listed> = [Exclude<All, Listed>] extends [never] ? true : Exclude<All, Listed>;

export const METHOD_HELP: Record<(typeof METHODS)[number], string> = {
  icfm: 'independent CFM',
  otcfm: 'OT-CFM: exact minibatch OT pairs',
  fm: 'Lipman et al. flow matching (Gaussian source)',
  sbcfm: 'Schrödinger bridge CFM: entropic OT pairs',
  vp: 'trigonometric (variance preserving) interpolant',
  rf: 'rectified flow: reflow on a previous model',
  affine: 'affine path with a chosen scheduler',
};

export type GroupName = 'data' | 'model' | 'optimisation' | 'reflow';
export const GROUPS: { name: GroupName; title: string }[] = [
  { name: 'data', title: 'Data & path' },
  { name: 'model', title: 'Model' },
  { name: 'optimisation', title: 'Optimisation' },
  { name: 'reflow', title: 'Reflow (rf)' },
];

export type FieldValue = string | number | null | undefined;
export type FormValues = Record<ConfigKey, FieldValue>;

export interface FieldSpec {
  key: ConfigKey;
  label: string;
  group: GroupName;
  kind: 'int' | 'number' | 'select' | 'dataset';
  options?: readonly string[];
  min?: number;
  max?: number;
  step?: number | 'any';
  help?: string;
  /** Shown only when this holds for the current values. */
  when?: (v: FormValues) => boolean;
}

const FIELD_LIST = [
  { key: 'dataset', label: 'Dataset (target)', group: 'data', kind: 'dataset' },
  { key: 'source', label: 'Source', group: 'data', kind: 'dataset', help: 'x0 distribution; fm needs gaussian' },
  { key: 'method', label: 'Method', group: 'data', kind: 'select', options: METHODS },
  { key: 'sigma', label: 'Sigma', group: 'data', kind: 'number', min: 0, max: 10, step: 'any' },
  { key: 'scheduler', label: 'Scheduler', group: 'data', kind: 'select', options: SCHEDULERS, when: (v) => v.method === 'affine' },
  {
    key: 'schedulerN',
    label: 'Scheduler exponent n',
    group: 'data',
    kind: 'number',
    min: 0,
    max: 20,
    step: 'any',
    when: (v) => v.method === 'affine' && v.scheduler === 'polynomial',
  },
  { key: 'width', label: 'Width', group: 'model', kind: 'int', min: 1, max: 8192 },
  { key: 'depth', label: 'Depth', group: 'model', kind: 'int', min: 1, max: 64 },
  { key: 'activation', label: 'Activation', group: 'model', kind: 'select', options: ACTIVATIONS },
  { key: 'timeFrequencies', label: 'Time frequencies', group: 'model', kind: 'int', min: 0, max: 32, help: '0 feeds t as is' },
  { key: 'steps', label: 'Steps', group: 'optimisation', kind: 'int', min: 1 },
  { key: 'batch', label: 'Batch', group: 'optimisation', kind: 'int', min: 1, max: 65536 },
  { key: 'lr', label: 'Learning rate', group: 'optimisation', kind: 'number', step: 'any' },
  { key: 'lrSchedule', label: 'LR schedule', group: 'optimisation', kind: 'select', options: LR_SCHEDULES },
  { key: 'warmup', label: 'Warmup steps', group: 'optimisation', kind: 'int', min: 0 },
  { key: 'optimizer', label: 'Optimizer', group: 'optimisation', kind: 'select', options: OPTIMIZERS },
  { key: 'weightDecay', label: 'Weight decay', group: 'optimisation', kind: 'number', min: 0, step: 'any' },
  { key: 'gradClip', label: 'Gradient clip', group: 'optimisation', kind: 'number', min: 0, step: 'any', help: '0: off' },
  { key: 'ema', label: 'EMA decay', group: 'optimisation', kind: 'number', min: 0, max: 0.99999, step: 'any', help: '0: off' },
  { key: 'seed', label: 'Seed', group: 'optimisation', kind: 'int', min: 0 },
  { key: 'checkpointEvery', label: 'Checkpoint every', group: 'optimisation', kind: 'int', min: 1 },
  { key: 'validateEvery', label: 'Validate every', group: 'optimisation', kind: 'int', min: 0, help: '0: off' },
  { key: 'parentRun', label: 'Parent run', group: 'reflow', kind: 'int', min: 1, help: 'the run whose model makes the pairs', when: (v) => v.method === 'rf' },
  { key: 'reflowPairs', label: 'Reflow pairs', group: 'reflow', kind: 'int', min: 1, when: (v) => v.method === 'rf' },
  { key: 'reflowSolver', label: 'Reflow solver', group: 'reflow', kind: 'select', options: SOLVERS, when: (v) => v.method === 'rf' },
  { key: 'reflowSteps', label: 'Reflow solver steps', group: 'reflow', kind: 'int', min: 1, when: (v) => v.method === 'rf' },
] as const satisfies readonly FieldSpec[];

export const FIELDS: readonly FieldSpec[] = FIELD_LIST;

/** Fails to compile, naming the key, when CONFIG_KEYS has a key without a field. */
const everyKey: Missing<ConfigKey, (typeof FIELD_LIST)[number]['key']> = true;
void everyKey;

/** The engine's defaults (config.ts); parentRun has none. */
export const DEFAULTS: FormValues = {
  dataset: 'moons',
  source: 'gaussian',
  method: 'otcfm',
  sigma: 0.1,
  scheduler: 'condot',
  schedulerN: 2,
  steps: 20000,
  batch: 256,
  lr: 1e-3,
  lrSchedule: 'constant',
  warmup: 0,
  optimizer: 'adam',
  weightDecay: 0,
  gradClip: 0,
  width: 64,
  depth: 3,
  activation: 'selu',
  timeFrequencies: 0,
  ema: 0,
  seed: 0,
  checkpointEvery: 1000,
  validateEvery: 500,
  parentRun: null,
  reflowPairs: 10000,
  reflowSolver: 'rk4',
  reflowSteps: 100,
};

export interface Preset {
  id: string;
  label: string;
  values: Partial<FormValues>;
}

const protocol = (method: (typeof METHODS)[number]): Preset => ({
  id: `protocol-${method}`,
  label: `2-D protocol (Tong et al.): ${method}`,
  values: {
    ...DEFAULTS,
    dataset: 'moons',
    source: method === 'fm' ? 'gaussian' : '8gaussians',
    method,
    sigma: 0.1,
    width: 64,
    depth: 3,
    activation: 'selu',
    lr: 1e-3,
    batch: 256,
    steps: 20000,
  },
});

export const PRESETS: Preset[] = [
  { id: 'quick-demo', label: 'Quick demo', values: { ...DEFAULTS, dataset: 'moons', source: 'gaussian', method: 'otcfm', steps: 1500 } },
  ...(['icfm', 'otcfm', 'sbcfm', 'fm', 'vp'] as const).map(protocol),
];

export const isVisible = (f: FieldSpec, v: FormValues): boolean => f.when === undefined || f.when(v);

const empty = (v: FieldValue): boolean => v === null || v === undefined || (typeof v === 'string' && v.trim() === '') || (typeof v === 'number' && Number.isNaN(v));

/**
 * The config to send and the obvious problems (a number left empty, a
 * fraction where a whole number belongs), keyed by config key. Range checks
 * are left to the engine, whose message names the field.
 */
export function buildConfig(values: FormValues): { config: Record<string, string | number>; errors: Partial<Record<ConfigKey, string>> } {
  const config: Record<string, string | number> = {};
  const errors: Partial<Record<ConfigKey, string>> = {};
  for (const f of FIELDS) {
    const v = values[f.key];
    if (!isVisible(f, values) && f.group === 'reflow') continue;
    if (f.kind === 'int' || f.kind === 'number') {
      if (empty(v)) {
        if (f.key === 'parentRun' && !isVisible(f, values)) continue;
        errors[f.key] = 'enter a number';
        continue;
      }
      const n = typeof v === 'number' ? v : Number(v);
      if (!Number.isFinite(n)) errors[f.key] = `"${String(v)}" is not a number`;
      else if (f.kind === 'int' && !Number.isInteger(n)) errors[f.key] = 'must be a whole number';
      else config[f.key] = n;
    } else {
      if (empty(v)) errors[f.key] = 'choose a value';
      else config[f.key] = String(v);
    }
  }
  return { config, errors };
}

const isConfigKey = (key: string | undefined): key is ConfigKey => key !== undefined && FIELDS.some((f) => f.key === key);

/**
 * The config key an API error's field names (`config.lr` or `lr`), if it is
 * one. A swept key's error (`grid.lr`, app/service/start.ts) is not one: it
 * belongs to the sweep row that lists the values (sweepKeyOf), not to the
 * form's input, which the sweep overrides.
 */
export function configKeyOf(field: string | undefined): ConfigKey | undefined {
  if (!field || field.startsWith('grid')) return undefined;
  const key = field.replace(/^config\./, '');
  return isConfigKey(key) ? key : undefined;
}

/** The swept key an API error's field names (`grid.lr`, or `grid.lr.1` for one of its values), if it is one. */
export function sweepKeyOf(field: string | undefined): ConfigKey | undefined {
  const key = /^grid\.([^.]+)/.exec(field ?? '')?.[1];
  return isConfigKey(key) ? key : undefined;
}

/** Keys a sweep may vary. */
export const SWEEP_KEYS: ConfigKey[] = FIELDS.filter((f) => f.group !== 'reflow' && f.key !== 'dataset').map((f) => f.key);

/** "1e-3, 3e-4" -> [0.001, 0.0003] for a numeric key; "icfm, otcfm" -> strings for the rest. */
export function parseSweepValues(key: ConfigKey, text: string): { values: (string | number)[] } | { error: string } {
  const f = FIELDS.find((x) => x.key === key);
  const parts = text
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
  if (parts.length === 0) return { error: 'list at least one value, separated by commas' };
  if (parts.length > 100) return { error: 'at most 100 values' };
  if (f && (f.kind === 'int' || f.kind === 'number')) {
    const out: number[] = [];
    for (const p of parts) {
      const n = Number(p);
      if (!Number.isFinite(n)) return { error: `"${p}" is not a number` };
      if (f.kind === 'int' && !Number.isInteger(n)) return { error: `"${p}" must be a whole number` };
      out.push(n);
    }
    return { values: out };
  }
  if (f?.options) {
    const bad = parts.find((p) => !f.options!.includes(p));
    if (bad !== undefined) return { error: `"${bad}" is not one of ${f.options.join(', ')}` };
  }
  return { values: parts };
}
