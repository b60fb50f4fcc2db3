/** `cfm runs`, `cfm show`, `cfm compare`: find runs again and set them side by side. */
import type { Command } from 'commander';
import { invalid } from '../errors.js';
import type { RunDetail, RunView } from '../contract.js';
import { isProcessAlive } from '../runs/manager.js';
import { differingConfigKeys, runDetail, runView } from '../service/views.js';
import { RUN_STATUSES, type RunFilter, type RunStatus, type Store } from '../store/interface.js';
import { outputMode, withStore } from './context.js';
import { formatDuration, formatNumber, formatTable, printJson, printLine } from './output.js';

/** The latest evaluation's metrics of a run, for the compare table. */
function latestMetrics(d: RunDetail): Record<string, number> {
  return d.evaluations.length ? d.evaluations[d.evaluations.length - 1].metrics : {};
}

/** Runs newest first, after marking those whose trainer process is gone as interrupted. */
function newestFirst(store: Store, filter: RunFilter): RunView[] {
  store.markStaleRunning(isProcessAlive);
  return store
    .listRuns(filter)
    .reverse()
    .map((r) => runView(store, r));
}

function runsTable(store: Store, filter: RunFilter): string {
  const runs = newestFirst(store, filter);
  if (!runs.length) return 'no runs yet; start one with: cfm train';
  return formatTable(
    ['id', 'name', 'status', 'dataset', 'source', 'method', 'steps', 'loss', 'W2', 'NFE', 'time', 'tags'],
    runs.map((r) => [
      r.id,
      r.name,
      r.status,
      String(r.config.dataset ?? '-'),
      String(r.config.source ?? '-'),
      String(r.config.method ?? '-'),
      `${r.step}/${r.totalSteps}`,
      r.loss,
      r.w2,
      r.nfe,
      formatDuration(r.seconds),
      r.tags.join(','),
    ]),
  );
}

/** Calls `draw` every `ms` until Ctrl-C (the store is read afresh each time: any process may be writing). */
export function repeatUntilInterrupted(ms: number, draw: () => boolean | void): Promise<void> {
  return new Promise((resolve) => {
    const stop = () => {
      clearInterval(timer);
      process.off('SIGINT', stop);
      resolve();
    };
    const tick = () => {
      if (draw() === false) stop();
    };
    const timer = setInterval(tick, ms);
    process.on('SIGINT', stop);
    tick();
  });
}

function statusFilter(value: string | undefined): RunStatus | undefined {
  if (value === undefined) return undefined;
  if (!(RUN_STATUSES as readonly string[]).includes(value)) throw invalid('status', `unknown status "${value}"; use one of ${RUN_STATUSES.join(', ')}`);
  return value as RunStatus;
}

export function registerInspectCommands(program: Command): void {
  program
    .command('runs')
    .description('list runs, newest first')
    .option('--experiment <name>', 'only this experiment')
    .option('--status <status>', `only this status (${RUN_STATUSES.join(', ')})`)
    .option('--tag <tag>', 'only runs with this tag')
    .option('--watch', 'redraw every second until Ctrl-C')
    .action((o: { experiment?: string; status?: string; tag?: string; watch?: boolean }, cmd: Command) =>
      withStore(cmd, async (store) => {
        const filter = { experiment: o.experiment, status: statusFilter(o.status), tag: o.tag };
        if (outputMode(cmd).json) return printJson(newestFirst(store, filter));
        if (!o.watch) return printLine(runsTable(store, filter));
        await repeatUntilInterrupted(1000, () => {
          const table = runsTable(store, filter);
          if (process.stdout.isTTY) process.stdout.write('\x1b[2J\x1b[H');
          printLine(`${new Date().toLocaleTimeString()}  (Ctrl-C to stop)\n${table}`);
        });
      }),
    );

  program
    .command('show')
    .description('everything about one run: config, progress, metrics, evaluations, checkpoints, samples')
    .argument('<run>', 'run id or name')
    .action((ref: string, _o: unknown, cmd: Command) =>
      withStore(cmd, (store) => {
        const r = store.getRun(ref);
        const view = runDetail(store, r);
        if (outputMode(cmd).json) return printJson(view);
        printLine(`run ${view.id} (${view.name}), experiment ${view.experiment}: ${view.status}, step ${view.step}/${view.totalSteps}, ${formatDuration(view.seconds)} on ${view.backend}`);
        if (view.error) printLine(`error: ${view.error}`);
        if (view.tags.length) printLine(`tags: ${view.tags.join(', ')}`);
        if (view.notes) printLine(`notes: ${view.notes}`);
        printLine(`loss ${view.loss === null ? '-' : formatNumber(view.loss)}, validation loss ${view.valLoss === null ? '-' : formatNumber(view.valLoss)}`);
        printLine('config:');
        printLine(formatTable(['key', 'value'], Object.entries(view.config).map(([k, v]) => [k, String(v)])).replace(/^/gm, '  '));
        if (view.evaluations.length) {
          printLine('evaluations:');
          printLine(
            formatTable(
              ['id', 'step', 'solver', 'n', 'W1', 'W2', 'MMD', 'NPE', 'NFE'],
              view.evaluations.map((e) => [e.id, e.checkpointStep, e.solver + (e.steps ? `/${e.steps}` : ''), e.n, e.metrics.w1, e.metrics.w2, e.metrics.mmd, e.metrics.npe, e.nfe]),
            ).replace(/^/gm, '  '),
          );
        }
        printLine(`checkpoints at steps ${view.checkpoints.map((c) => c.step).join(', ') || '-'}; ${view.samples.length} stored sample set(s)`);
      }),
    );

  program
    .command('compare')
    .description('runs side by side: configs (differences marked *), losses and latest evaluations')
    .argument('<runs...>', 'two or more run ids or names')
    .option('--all', 'show every config key, not only those that differ')
    .action((refs: string[], o: { all?: boolean }, cmd: Command) =>
      withStore(cmd, (store) => {
        if (refs.length < 2) throw invalid('runs', 'compare needs at least two runs, e.g. cfm compare 1 2');
        const views = refs.map((ref) => runDetail(store, store.getRun(ref)));
        const differing = differingConfigKeys(views);
        const metricNames = [...new Set(views.flatMap((v) => Object.keys(latestMetrics(v))))];
        if (outputMode(cmd).json) return printJson({ runs: views, differing });
        const header = ['', ...views.map((v) => `${v.id} ${v.name}`)];
        const rows: (string | number | null)[][] = [
          ['status', ...views.map((v) => v.status)],
          ['steps', ...views.map((v) => `${v.step}/${v.totalSteps}`)],
          ['time', ...views.map((v) => formatDuration(v.seconds))],
          ['loss', ...views.map((v) => v.loss)],
          ['val loss', ...views.map((v) => v.valLoss)],
          ...metricNames.map((m) => [m, ...views.map((v) => latestMetrics(v)[m] ?? null)]),
          ...(o.all ? [...new Set(views.flatMap((v) => Object.keys(v.config)))].sort() : differing).map((k) => [`${differing.includes(k) ? '*' : ' '} ${k}`, ...views.map((v) => (v.config[k] === undefined ? null : String(v.config[k])))]),
        ];
        printLine(formatTable(header, rows));
        if (!o.all) printLine(differing.length ? `* config keys that differ (${differing.length}); --all shows every key` : 'configs are identical');
      }),
    );
}
