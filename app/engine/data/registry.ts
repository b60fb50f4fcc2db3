/**
 * The built-in datasets by name: what `--data moons` or a run's config refers
 * to. Every one is a pure function of (n, seed): the same name, n and Rng state
 * give the same points. All are 2-D except `gaussian`, N(0, I) in any dimension
 * (the default source).
 */
import type { Rng } from '../rng.js';
import type { Points } from '../points.js';
import { invalid } from '../../errors.js';
import { eightGaussians, moons, scurve } from './reference.js';
import { checkerboard, circles, pinwheel, swissroll, twentyFiveGaussians, twoSpirals } from './toy.js';
import { gaussian } from './gaussian.js';
import type { Generator2D } from './common.js';

/** Names, in the order shown to users; a readonly tuple so zod can build an enum from it. */
export const BUILTIN_DATASETS = [
  'moons',
  'scurve',
  '8gaussians',
  'circles',
  'checkerboard',
  'pinwheel',
  'swissroll',
  '2spirals',
  '25gaussians',
  'gaussian',
] as const;

export type BuiltinDataset = (typeof BUILTIN_DATASETS)[number];

export interface DatasetInfo {
  readonly name: BuiltinDataset;
  readonly description: string;
  /** Dimension of its points; 'any' where the caller chooses (default 2). */
  readonly dim: number | 'any';
  /** One of the three pinned datasets of the Tong et al. 2-D protocol. */
  readonly reference: boolean;
}

export const DATASETS: readonly DatasetInfo[] = [
  { name: 'moons', dim: 2, reference: true, description: 'two interleaved half circles (make_moons, noise 0.05, x*2, first coordinate -1)' },
  { name: 'scurve', dim: 2, reference: true, description: 'S-shaped curve (make_s_curve x and z, noise 0.05, x*1.5)' },
  { name: '8gaussians', dim: 2, reference: true, description: 'eight std-1 Gaussians on a circle of radius 5, n/8 points each' },
  { name: 'circles', dim: 2, reference: false, description: 'two concentric circles of radii 3 and 1.5 (make_circles, noise 0.05, x*3)' },
  { name: 'checkerboard', dim: 2, reference: false, description: 'uniform on the black squares of a 4x4 checkerboard over [-4, 4]^2' },
  { name: 'pinwheel', dim: 2, reference: false, description: 'five curved arms (FFJORD pinwheel)' },
  { name: 'swissroll', dim: 2, reference: false, description: 'swiss roll spiral (make_swiss_roll x and z, noise 1, /5)' },
  { name: '2spirals', dim: 2, reference: false, description: 'two interleaved spirals (FFJORD 2spirals)' },
  { name: '25gaussians', dim: 2, reference: false, description: '5x5 grid of small Gaussians (WGAN-GP toy)' },
  { name: 'gaussian', dim: 'any', reference: false, description: 'standard normal N(0, I) in any dimension (the default source)' },
];

const GENERATORS: Record<Exclude<BuiltinDataset, 'gaussian'>, Generator2D> = {
  moons,
  scurve,
  '8gaussians': eightGaussians,
  circles,
  checkerboard,
  pinwheel,
  swissroll,
  '2spirals': twoSpirals,
  '25gaussians': twentyFiveGaussians,
};

export function isBuiltinDataset(name: string): name is BuiltinDataset {
  return (BUILTIN_DATASETS as readonly string[]).includes(name);
}

/**
 * n points of the named dataset. `dim` is for `gaussian` (default 2); a 2-D
 * dataset accepts only dim 2 or none.
 */
export function generateDataset(name: string, n: number, rng: Rng, dim?: number): Points {
  if (!isBuiltinDataset(name)) {
    throw invalid('dataset', `unknown dataset "${name}"; use one of ${BUILTIN_DATASETS.join(', ')}, or a .csv/.npy file`);
  }
  if (name === 'gaussian') return gaussian(n, rng, dim ?? 2);
  if (dim !== undefined && dim !== 2) {
    throw invalid('dim', `dataset "${name}" is 2-dimensional, not ${dim}; leave dim unset or use "gaussian" for other dimensions`);
  }
  return GENERATORS[name](n, rng);
}
