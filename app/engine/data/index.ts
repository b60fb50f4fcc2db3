/** The engine's datasets: built-in generators, user files, splits and minibatches. */
export { BUILTIN_DATASETS, DATASETS, generateDataset, isBuiltinDataset } from './registry.js';
export type { BuiltinDataset, DatasetInfo } from './registry.js';
export type { Generator2D } from './common.js';
export { MAX_POINTS } from './common.js';
export { moons, scurve, eightGaussians, eightGaussiansWithModes } from './reference.js';
export { circles, checkerboard, pinwheel, swissroll, twoSpirals, twentyFiveGaussians } from './toy.js';
export { gaussian, MAX_DIM } from './gaussian.js';
export { parseCsv, writeCsv, formatFloat32 } from './csv.js';
export type { LabeledPoints } from './csv.js';
export { parseNpy, writeNpy } from './npy.js';
export { parsePointsFile, pointFileExtension, POINT_FILE_EXTENSIONS } from './parseFile.js';
export { splitDataset, splitSizes } from './split.js';
export type { SplitFractions, DatasetSplit } from './split.js';
export { sampleRows } from './batch.js';
