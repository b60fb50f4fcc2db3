/**
 * The one API every front end calls (the `cfm` CLI, `cfm serve`'s HTTP and
 * Electron's IPC): the methods of contract.ts over a store and a run manager.
 *
 *   const service = createService({ store, manager, version });
 *   await service.listRuns({ where: 'lr < 1e-3 and method = otcfm', sort: 'w2' });
 *   await service.call('startRun', untrustedJson);   // what HTTP and IPC use
 *   const off = service.subscribe((event) => ...);   // progress, snapshots, status
 *
 * Every method takes its input as `unknown` at run time, validates it with the
 * method's zod schema from API_METHODS, and fails only with a CfmError (code,
 * field, one-line message); toApiError turns any thrown value into the plain
 * ApiError that crosses a process boundary. An unexpected error is logged here
 * and leaves as `internal` with a generic message, never a stack trace.
 *
 * The service never computes with tfjs itself: training, sampling,
 * evaluation, vector fields and densities go to the manager's worker
 * processes, so the host (Electron main, the HTTP server) stays responsive.
 * The only numerics here are the plain-array path preview and downsampling.
 */
import { CfmError } from './errors.js';
import {
  API_METHODS,
  type ApiMethod,
  type ApiOutput,
  type ApiParsed,
  type CompareView,
  type InfoView,
  type RunView,
  type SeriesView,
  type WorkbenchApi,
  type WorkbenchEvent,
} from './contract.js';
import type { RunManager } from './runs/managerTypes.js';
import type { RunRecord, Store } from './store/interface.js';
import { importDataset, listDatasetViews, previewDataset } from './service/datasets.js';
import { downsampleSeries } from './service/downsample.js';
import { parseWith, toCfmError } from './service/errors.js';
import { gpuHelp } from './service/gpuHelp.js';
import { previewPath } from './service/pathPreview.js';
import { listRunViews } from './service/runList.js';
import { saveConcurrency } from './service/settings.js';
import { startRun, startSweep } from './service/start.js';
import { differingConfigKeys, experimentView, runDetail, runView } from './service/views.js';

export { toApiError, toCfmError } from './service/errors.js';

export interface ServiceDeps {
  store: Store;
  manager: RunManager;
  /** The app's version, shown by `info`. */
  version?: string;
  /** An installed desktop app (no project folder to npm install into): changes the GPU help. */
  packaged?: boolean;
  /** Where an unexpected (internal) error is logged; default: stderr. */
  onInternalError?: (error: unknown, method: string) => void;
}

export type Service = WorkbenchApi & {
  /** Runs `method` on untrusted input: what the HTTP routes and the IPC bridge call. */
  call<M extends ApiMethod>(method: M, input: unknown): Promise<ApiOutput<M>>;
  /** Live progress, snapshot and status events of every run. Returns unsubscribe. */
  subscribe(listener: (event: WorkbenchEvent) => void): () => void;
  /** Stops the manager (running runs checkpoint first); the store stays open for its owner to close. */
  close(): Promise<void>;
};

export const API_METHOD_NAMES = Object.keys(API_METHODS) as ApiMethod[];

export function isApiMethod(name: string): name is ApiMethod {
  return Object.prototype.hasOwnProperty.call(API_METHODS, name);
}

type Handlers = { [M in ApiMethod]: (p: ApiParsed<M>) => Promise<ApiOutput<M>> | ApiOutput<M> };

const RESUMABLE = new Set(['cancelled', 'interrupted', 'failed']);

function label(r: RunRecord): string {
  return `run ${r.id} (${r.name})`;
}

export function createService(deps: ServiceDeps): Service {
  const { store, manager } = deps;
  const logInternal =
    deps.onInternalError ??
    ((error: unknown, method: string) => {
      process.stderr.write(`cfm service: ${method} failed unexpectedly: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    });

  let backendInfo: Promise<InfoView['backend']> | undefined;
  let knownBackend: string | undefined;
  const backend = (): Promise<InfoView['backend']> => {
    backendInfo ??= manager.compute('info', {}).then(
      (b) => {
        knownBackend = b.name;
        return { name: b.name, description: b.description };
      },
      (e: unknown) => {
        backendInfo = undefined; // try again next time
        throw e;
      },
    );
    return backendInfo;
  };

  const view = (id: number): RunView => runView(store, store.getRun(id));

  /** A run whose model the workers can load: it has a checkpoint. */
  const trainedRun = (ref: string | number): RunRecord => {
    const r = store.getRun(ref);
    if (store.listCheckpoints(r.id).length === 0) {
      throw new CfmError('conflict', `run: ${label(r)} has no trained model yet (no checkpoint); train it first or wait for its first checkpoint`, 'run');
    }
    return r;
  };

  const series = (runId: number, name: string, points: number, afterStep?: number): SeriesView => {
    const b = downsampleSeries(store.metricSeries(runId, name, afterStep), points);
    return { run: runId, name, ...b };
  };

  const handlers: Handlers = {
    info: async () => {
      const b = await backend();
      return { backend: b, database: store.path, concurrency: manager.concurrency, version: deps.version ?? 'unknown', gpuHelp: gpuHelp(b, { packaged: deps.packaged ?? false }) };
    },
    getSettings: () => ({ concurrency: manager.concurrency }),
    setSettings: (p) => {
      manager.setConcurrency(p.concurrency);
      saveConcurrency(store, p.concurrency);
      return { concurrency: manager.concurrency };
    },

    listExperiments: () => store.listExperiments().map(experimentView),
    listRuns: (p) => listRunViews(store, p),
    getRun: (p) => runDetail(store, store.getRun(p.run)),
    renameRun: (p) => runView(store, store.updateRun(store.getRun(p.run).id, { name: p.name })),
    tagRun: (p) => runView(store, store.updateRun(store.getRun(p.run).id, { tags: p.tags })),
    noteRun: (p) => runView(store, store.updateRun(store.getRun(p.run).id, { notes: p.notes })),
    deleteRun: (p) => {
      const r = store.getRun(p.run);
      if (r.status === 'running' || r.status === 'queued') {
        throw new CfmError('conflict', `run: ${label(r)} is ${r.status}; cancel it first, then delete it`, 'run');
      }
      store.deleteRun(r.id);
      return { deleted: r.id };
    },

    startRun: (p) => runView(store, startRun(store, manager, p, knownBackend ?? 'pending')),
    startSweep: (p) => startSweep(store, manager, p, knownBackend ?? 'pending').map((r) => runView(store, r)),
    cancelRun: async (p) => {
      const r = store.getRun(p.run);
      if (r.status !== 'queued' && r.status !== 'running') {
        throw new CfmError('conflict', `run: ${label(r)} is ${r.status}; only a queued or running run can be cancelled`, 'run');
      }
      await manager.cancel(r.id);
      return view(r.id);
    },
    resumeRun: (p) => {
      const r = store.getRun(p.run);
      if (!RESUMABLE.has(r.status)) {
        const why =
          r.status === 'completed'
            ? 'it has nothing left to train; start a new run with more steps instead'
            : `it is already ${r.status}`;
        throw new CfmError('conflict', `run: ${label(r)} is ${r.status}, so it cannot be resumed: ${why}`, 'run');
      }
      manager.resume(r.id);
      return view(r.id);
    },

    sampleRun: (p) => manager.compute('sample', { ...p, run: trainedRun(p.run).id }),
    evaluateRun: (p) => manager.compute('evaluate', { ...p, run: trainedRun(p.run).id }),
    vectorField: (p) => manager.compute('vectorField', { ...p, run: trainedRun(p.run).id }),
    densityGrid: (p) => manager.compute('density', { ...p, run: trainedRun(p.run).id }),
    compareRuns: (p): CompareView => {
      const records = p.runs.map((ref) => store.getRun(ref));
      const runs = records.map((r) => runDetail(store, r));
      return { runs, differing: differingConfigKeys(runs), curves: records.map((r) => series(r.id, 'loss', p.points)) };
    },
    metricSeries: (p) => series(store.getRun(p.run).id, p.name, p.points, p.afterStep),

    listDatasets: () => listDatasetViews(store),
    previewDataset: (p) => previewDataset(store, p),
    importDataset: (p) => importDataset(store, p),
    previewPath: (p) => previewPath(store, p),
  };

  let closing: Promise<void> | undefined;

  async function call<M extends ApiMethod>(method: M, input: unknown): Promise<ApiOutput<M>> {
    try {
      if (typeof method !== 'string' || !isApiMethod(method)) {
        throw new CfmError('not_found', `method: "${String(method)}" is not an API method; use one of ${API_METHOD_NAMES.join(', ')}`, 'method');
      }
      if (closing) throw new CfmError('conflict', `${method}: the service is shutting down; restart it`);
      const parsed = parseWith(API_METHODS[method], input) as ApiParsed<M>;
      const handler = handlers[method] as (p: ApiParsed<M>) => Promise<ApiOutput<M>> | ApiOutput<M>;
      return await handler(parsed);
    } catch (e) {
      if (!(e instanceof CfmError)) logInternal(e, String(method));
      throw toCfmError(e);
    }
  }

  const api = Object.fromEntries(API_METHOD_NAMES.map((m) => [m, (input: unknown) => call(m, input)])) as unknown as WorkbenchApi;

  return {
    ...api,
    call,
    subscribe: (listener) => manager.subscribe(listener),
    close: () => (closing ??= manager.close()),
  };
}
