/**
 * What the File menu does once the user has picked a file, without Electron:
 *
 * - Import dataset: the file's bytes go through the service's importDataset
 *   (the same validation and parsing as the UI and the HTTP API), named after
 *   the file (its stem reduced to the contract's name rule, `-2`, `-3`, ...
 *   appended when the name is taken or built in).
 * - Export run: the run the window shows (#/runs/<id>) is written like
 *   `cfm export` writes it (store.exportRun, with the run's imported dataset
 *   if it uses one). The native save dialog has already asked before
 *   replacing a file, so the export goes to a new file next to the target and
 *   is renamed over it only once complete: a failed export leaves the old file.
 */
import { randomBytes } from 'node:crypto';
import { readFile, rename, rm } from 'node:fs/promises';
import path from 'node:path';
import type { ApiMethod, DatasetView } from '../app/contract.js';
import { isBuiltinDataset } from '../app/engine/data/registry.js';
import { parseRunConfig } from '../app/engine/train/config.js';
import { CfmError } from '../app/errors.js';
import type { RunRecord, Store } from '../app/store/interface.js';

/** The contract's rule for a dataset name (API_METHODS.importDataset). */
const NAME_RE = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/;

/** A free dataset name derived from a file name: `my data (1).csv` -> `my-data-1`. */
export function datasetNameFor(fileName: string, taken: ReadonlySet<string>): string {
  const stem = path.basename(fileName).replace(/\.[^.]*$/, '');
  let base = stem
    .replace(/[^A-Za-z0-9_.-]+/g, '-')
    .replace(/^[^A-Za-z0-9]+/, '')
    .replace(/-+$/, '')
    .slice(0, 56);
  if (!NAME_RE.test(base)) base = 'dataset';
  const free = (n: string): boolean => !taken.has(n) && !isBuiltinDataset(n);
  if (free(base)) return base;
  for (let i = 2; ; i++) {
    const candidate = `${base}-${i}`;
    if (free(candidate)) return candidate;
  }
}

/** What importing needs of the service. */
export interface DatasetService {
  call(method: ApiMethod, input: unknown): Promise<unknown>;
}

/** Reads `file` and imports it under a free name; rejects with the service's CfmError. */
export async function importDatasetFile(service: DatasetService, file: string): Promise<DatasetView> {
  let bytes: Buffer;
  try {
    bytes = await readFile(file);
  } catch (e) {
    const reason = (e as NodeJS.ErrnoException).code ?? 'unreadable';
    throw new CfmError('not_found', `file: ${file} cannot be read (${reason}); choose another file`, 'file');
  }
  const datasets = (await service.call('listDatasets', {})) as DatasetView[];
  const name = datasetNameFor(file, new Set(datasets.map((d) => d.name)));
  const fileName = path.basename(file);
  return (await service.call('importDataset', { name, fileName, content: new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength) })) as DatasetView;
}

/** The run id of a page URL's hash route `#/runs/<id>`, else undefined. */
export function runIdFromPageUrl(url: string): number | undefined {
  let hash: string;
  try {
    hash = new URL(url).hash;
  } catch {
    return undefined;
  }
  const m = /^#\/runs\/(\d{1,15})$/.exec(hash);
  const id = m ? Number(m[1]) : NaN;
  return Number.isSafeInteger(id) && id > 0 ? id : undefined;
}

/** The imported dataset a run trains on or starts from, which its export should carry (as `cfm export` picks it). */
export function exportedDatasetOf(run: RunRecord): string | undefined {
  try {
    const c = parseRunConfig(run.config);
    return [c.dataset, c.source].find((d) => !isBuiltinDataset(d));
  } catch {
    return undefined;
  }
}

/** A file name to suggest in the save dialog. */
export function suggestedExportName(run: RunRecord): string {
  const safe = run.name.replace(/[^A-Za-z0-9_.-]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 80) || 'run';
  return `run-${run.id}-${safe}.cfmrun`;
}

/** Writes run `runId` to `target` (replacing it only once the export is complete). */
export async function exportRunFile(store: Store, runId: number, target: string): Promise<{ run: RunRecord; out: string }> {
  const run = store.getRun(runId);
  const out = path.resolve(target);
  const partial = path.join(path.dirname(out), `.${path.basename(out)}.${randomBytes(4).toString('hex')}.partial`);
  try {
    store.exportRun(run.id, partial, exportedDatasetOf(run));
    await rename(partial, out);
  } catch (e) {
    await rm(partial, { force: true }).catch(() => undefined);
    if (e instanceof CfmError) {
      // The message names the temporary file; the user chose `out`.
      throw new CfmError(e.code, e.message.split(partial).join(out), e.field);
    }
    throw new CfmError('database', `export ${out}: the file could not be written (${(e as NodeJS.ErrnoException).code ?? 'error'}); choose another folder`, 'path');
  }
  return { run, out };
}
