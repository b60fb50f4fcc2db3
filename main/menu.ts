/**
 * The native menu:
 *   File:  Import dataset… (a points file: .csv .tsv .txt .npy), Import run…
 *          (a file made by `cfm export`), Export run… (the run the window
 *          shows), Quit
 *   View:  reload, developer tools, zoom, full screen
 *   Help:  Using the GPU… (the backend and how to enable CUDA), Method
 *          Reference (TorchCFM, an allow-listed page in the browser), About
 * On macOS the app menu comes first (About, Hide, Quit) as the platform
 * expects. Quit goes through app.quit(), so running runs checkpoint first.
 *
 * menuTemplate is pure (what the menu holds); menuActions binds the items to
 * Electron's dialogs, the service and the store. After an import the window
 * is told to reload what it shows (a resync event) and goes to the datasets
 * or the run.
 */
import type { BrowserWindow, Dialog, MenuItemConstructorOptions } from 'electron';
import type { ApiMethod, BridgeEvent, InfoView } from '../app/contract.js';
import { toApiError } from '../app/service/errors.js';
import type { Store } from '../app/store/interface.js';
import { exportRunFile, importDatasetFile, runIdFromPageUrl, suggestedExportName } from './fileActions.js';
import { DOCS_URL, GPU_GUIDE_URL, openAllowedExternal, type OpenExternal } from './security.js';
import { appPageUrl } from './window.js';

export interface MenuActions {
  importDataset(): void;
  importRun(): void;
  exportRun(): void;
  showGpuHelp(): void;
  openDocs(): void;
  showAbout(): void;
}

export const POINT_FILE_FILTER = { name: 'Points (CSV, TSV, text, NumPy)', extensions: ['csv', 'tsv', 'txt', 'npy'] };
export const RUN_FILE_FILTER = { name: 'Exported runs', extensions: ['cfmrun', 'sqlite'] };

export function menuTemplate(actions: MenuActions, platform: NodeJS.Platform, appName = 'CFM Workbench'): MenuItemConstructorOptions[] {
  const mac = platform === 'darwin';
  const file: MenuItemConstructorOptions = {
    label: 'File',
    submenu: [
      { label: 'Import Dataset…', accelerator: 'CmdOrCtrl+O', click: () => actions.importDataset() },
      { label: 'Import Run…', click: () => actions.importRun() },
      { label: 'Export Run…', accelerator: 'CmdOrCtrl+E', click: () => actions.exportRun() },
      { type: 'separator' },
      mac ? { role: 'close' } : { role: 'quit' },
    ],
  };
  const view: MenuItemConstructorOptions = {
    label: 'View',
    submenu: [
      { role: 'reload' },
      { role: 'forceReload' },
      { role: 'toggleDevTools' },
      { type: 'separator' },
      { role: 'resetZoom' },
      { role: 'zoomIn' },
      { role: 'zoomOut' },
      { type: 'separator' },
      { role: 'togglefullscreen' },
    ],
  };
  const help: MenuItemConstructorOptions = {
    role: 'help',
    submenu: [
      { label: 'Using the GPU…', click: () => actions.showGpuHelp() },
      { label: 'Method Reference (TorchCFM)', click: () => actions.openDocs() },
      ...(mac ? [] : [{ type: 'separator' } as const, { label: `About ${appName}`, click: () => actions.showAbout() }]),
    ],
  };
  const appMenu: MenuItemConstructorOptions = {
    label: appName,
    submenu: [
      { label: `About ${appName}`, click: () => actions.showAbout() },
      { type: 'separator' },
      { role: 'hide' },
      { role: 'hideOthers' },
      { role: 'unhide' },
      { type: 'separator' },
      { role: 'quit' },
    ],
  };
  return [...(mac ? [appMenu] : []), file, view, ...(mac ? [{ role: 'windowMenu' } as const] : []), help];
}

export interface MenuDeps {
  dialog: Pick<Dialog, 'showOpenDialog' | 'showSaveDialog' | 'showMessageBox'>;
  openExternal: OpenExternal;
  window: () => BrowserWindow | undefined;
  service: { call(method: ApiMethod, input: unknown): Promise<unknown> };
  store: Store;
  /** Tells the window to reload what it shows. */
  emit: (event: BridgeEvent) => void;
  appName: string;
  version: string;
}

export function menuActions(d: MenuDeps): MenuActions {
  /** A message box on the window (or free-standing when there is none). */
  const box = (options: Electron.MessageBoxOptions): Promise<Electron.MessageBoxReturnValue> => {
    const win = d.window();
    return win ? d.dialog.showMessageBox(win, options) : d.dialog.showMessageBox(options);
  };
  const fail = (title: string, e: unknown): void => {
    void box({ type: 'error', message: title, detail: toApiError(e).message });
  };
  const go = (hash: string): void => {
    const win = d.window();
    if (win && !win.isDestroyed()) void win.webContents.loadURL(appPageUrl(hash)).catch(() => undefined);
  };
  /** The file the user picks in an open dialog (on the window when there is one), or undefined when cancelled. */
  const pickFile = async (title: string, filter: Electron.FileFilter): Promise<string | undefined> => {
    const win = d.window();
    const options: Electron.OpenDialogOptions = { title, properties: ['openFile'], filters: [filter, { name: 'All files', extensions: ['*'] }] };
    const picked = await (win ? d.dialog.showOpenDialog(win, options) : d.dialog.showOpenDialog(options));
    return picked.canceled ? undefined : picked.filePaths[0];
  };

  return {
    importDataset() {
      void (async () => {
        const file = await pickFile('Import a dataset', POINT_FILE_FILTER);
        if (!file) return;
        try {
          const ds = await importDatasetFile(d.service, file);
          d.emit({ type: 'resync' });
          go('#/datasets');
          void box({
            type: 'info',
            message: `Imported "${ds.name}"`,
            detail: `${ds.nTrain ?? 0} train, ${ds.nValidation ?? 0} validation and ${ds.nTest ?? 0} test points of dimension ${ds.dim}.`,
          });
        } catch (e) {
          fail('The dataset could not be imported', e);
        }
      })();
    },

    importRun() {
      void (async () => {
        const file = await pickFile('Import a run', RUN_FILE_FILTER);
        if (!file) return;
        try {
          const run = d.store.importRun(file);
          d.emit({ type: 'resync' });
          go(`#/runs/${run.id}`);
          const note =
            run.importedDataset?.outcome === 'differs'
              ? ` A different dataset named "${run.importedDataset.name}" already existed and was kept.`
              : '';
          void box({ type: 'info', message: `Imported as run ${run.id} (${run.name})`, detail: `Its metrics, checkpoints, samples and evaluations came with it.${note}` });
        } catch (e) {
          fail('The run could not be imported', e);
        }
      })();
    },

    exportRun() {
      void (async () => {
        const win = d.window();
        const runId = win && !win.isDestroyed() ? runIdFromPageUrl(win.webContents.getURL()) : undefined;
        if (runId === undefined) {
          void box({ type: 'info', message: 'Open a run to export it', detail: 'Export Run writes the run the window shows: open one from the runs table, then choose File → Export Run… again.' });
          return;
        }
        try {
          const run = d.store.getRun(runId);
          const options: Electron.SaveDialogOptions = { title: `Export run ${run.id}`, defaultPath: suggestedExportName(run), filters: [RUN_FILE_FILTER] };
          const picked = await (win ? d.dialog.showSaveDialog(win, options) : d.dialog.showSaveDialog(options));
          if (picked.canceled || !picked.filePath) return;
          const { out } = await exportRunFile(d.store, run.id, picked.filePath);
          void box({ type: 'info', message: `Run ${run.id} exported`, detail: `${out}\nAdd it to another workbench with File → Import Run… or \`cfm import\`.` });
        } catch (e) {
          fail('The run could not be exported', e);
        }
      })();
    },

    showGpuHelp() {
      void (async () => {
        try {
          const info = (await d.service.call('info', {})) as InfoView;
          const r = await box({
            type: 'info',
            message: `Training backend: ${info.backend.name} (${info.backend.description})`,
            detail: info.gpuHelp,
            buttons: ['Close', 'Open the CUDA/cuDNN version table'],
            defaultId: 0,
            cancelId: 0,
          });
          if (r.response === 1) openAllowedExternal(GPU_GUIDE_URL, d.openExternal);
        } catch (e) {
          fail('The backend could not be determined', e);
        }
      })();
    },

    openDocs() {
      openAllowedExternal(DOCS_URL, d.openExternal);
    },

    showAbout() {
      void (async () => {
        let backend = 'starting…';
        try {
          const info = (await d.service.call('info', {})) as InfoView;
          backend = `${info.backend.name} (${info.backend.description})`;
        } catch {
          backend = 'unavailable';
        }
        const v = process.versions as NodeJS.ProcessVersions & { electron?: string; chrome?: string };
        void box({
          type: 'info',
          message: `${d.appName} ${d.version}`,
          detail: [
            'Train, sample, evaluate and compare Conditional Flow Matching models.',
            `Backend: ${backend}`,
            `Database: ${d.store.path}`,
            `Electron ${v.electron ?? '?'}, Chromium ${v.chrome ?? '?'}, Node ${v.node}`,
          ].join('\n'),
        });
      })();
    },
  };
}
