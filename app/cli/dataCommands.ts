/** `cfm datasets`, `cfm datasets import`, `cfm export`, `cfm import`. */
import path from 'node:path';
import type { Command } from 'commander';
import { invalid } from '../errors.js';
import { loadPointsFile } from './loadPointsFile.js';
import { DATASETS, isBuiltinDataset } from '../engine/data/registry.js';
import { splitDataset } from '../engine/data/split.js';
import { Rng } from '../engine/rng.js';
import { parseRunConfig } from '../engine/train/config.js';
import { outputMode, withStore } from './context.js';
import { formatTable, printJson, printLine } from './output.js';
import { intOption } from './parse.js';

const NAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/;

export function registerDataCommands(program: Command): void {
  const datasets = program
    .command('datasets')
    .description('list built-in and imported datasets')
    .action((_o: unknown, cmd: Command) =>
      withStore(cmd, (store) => {
        const imported = store.listDatasets();
        const rows = [
          ...DATASETS.map((d) => ({ name: d.name, kind: 'builtin', dim: d.dim, train: null, validation: null, test: null, description: d.description })),
          ...imported.map((d) => ({ name: d.name, kind: d.kind, dim: d.dim, train: d.nTrain, validation: d.nValidation, test: d.nTest, description: String(d.meta.source ?? '') })),
        ];
        if (outputMode(cmd).json) return printJson(rows);
        printLine(formatTable(['name', 'kind', 'dim', 'train', 'val', 'test', 'description'], rows.map((r) => [r.name, r.kind, String(r.dim), r.train, r.validation, r.test, r.description])));
      }),
    );

  datasets
    .command('import')
    .description('import a .csv or .npy file of points (any dimension), split once into train/validation/test')
    .argument('<file>', 'the file')
    .requiredOption('--name <name>', 'name to train on it with --dataset NAME')
    .option('--seed <n>', 'seed of the split', intOption('seed'), 0)
    .action(async (file: string, o: { name: string; seed: number }, cmd: Command) => {
      if (!NAME_PATTERN.test(o.name)) throw invalid('name', `"${o.name}" is not a valid dataset name; use letters, digits, _ . - (up to 64)`);
      if (isBuiltinDataset(o.name)) throw invalid('name', `"${o.name}" is a built-in dataset; choose another name`);
      const points = await loadPointsFile(file);
      const split = splitDataset(points, new Rng(o.seed));
      await withStore(cmd, (store) => {
        const info = store.saveDataset({
          name: o.name,
          kind: 'import',
          ...split,
          meta: { source: path.resolve(file), seed: o.seed, ...(points.columns ? { columns: points.columns } : {}) },
        });
        if (outputMode(cmd).json) return printJson(info);
        printLine(`imported ${points.n} points of dimension ${info.dim} as "${info.name}": ${info.nTrain} train, ${info.nValidation} validation, ${info.nTest} test`);
      });
    });

  program
    .command('export')
    .description('write one run (config, metrics, checkpoints, samples, evaluations, imported dataset) to a portable file')
    .argument('<run>', 'run id or name')
    .requiredOption('--out <file>', 'the file to create (never overwritten)')
    .action((ref: string, o: { out: string }, cmd: Command) =>
      withStore(cmd, (store) => {
        const run = store.getRun(ref);
        let dataset: string | undefined;
        try {
          const c = parseRunConfig(run.config);
          dataset = [c.dataset, c.source].find((d) => !isBuiltinDataset(d));
        } catch {
          dataset = undefined;
        }
        store.exportRun(run.id, path.resolve(o.out), dataset);
        if (outputMode(cmd).json) return printJson({ run: run.id, out: path.resolve(o.out) });
        printLine(`run ${run.id} (${run.name}) written to ${o.out}`);
      }),
    );

  program
    .command('import')
    .description('add a run exported with cfm export to this database')
    .argument('<file>', 'a file made by cfm export')
    .action((file: string, _o: unknown, cmd: Command) =>
      withStore(cmd, (store) => {
        const run = store.importRun(path.resolve(file));
        if (outputMode(cmd).json) return printJson(run);
        printLine(`imported as run ${run.id} (${run.name})`);
        if (run.importedDataset?.outcome === 'differs') {
          printLine(`note: a different dataset named "${run.importedDataset.name}" already existed and was kept`);
        }
      }),
    );

}
