/**
 * The Electron main process of CFM Workbench (package.json "main":
 * dist/main/main.js, an ES module). It never trains: it hosts the one API
 * (app/service) over IPC, and trainers run in utility processes.
 *
 *   before ready   app:// registered as a privileged scheme, the sandbox
 *                  enabled for every renderer, userData pinned to the `cfm`
 *                  command's data folder (paths.ts), the single-instance lock
 *                  taken (a second launch focuses the first window and exits)
 *   ready          session hardened (CSP on every response, permissions
 *                  denied), app:// serving dist/renderer, the database opened
 *                  ($CFM_DB or userData/workbench.sqlite), the run manager with
 *                  utilityProcess workers, the service, the IPC bridge, the
 *                  menu, the window; runs left queued by the last session train
 *   quit           'before-quit' is held (preventDefault) until the service
 *                  has closed: running runs save a checkpoint and become
 *                  'cancelled' (resumable), workers exit, the database closes;
 *                  then the app quits for real. SIGINT/SIGTERM quit the same
 *                  way (a second one exits at once, as `cfm serve` does).
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { app, BrowserWindow, dialog, ipcMain, Menu, protocol, session, shell, utilityProcess } from 'electron';
import { createManager } from '../app/runs/manager.js';
import { createService, toApiError } from '../app/service.js';
import { savedConcurrency } from '../app/service/settings.js';
import { openStore, type Store } from '../app/store/index.js';
import { APP_SCHEME, APP_SCHEME_PRIVILEGES, createAppProtocolHandler } from './appProtocol.js';
import { installIpcBridge } from './ipcBridge.js';
import { menuActions, menuTemplate } from './menu.js';
import { appPaths, databasePath, userDataDir } from './paths.js';
import { hardenSession, hardenWebContents, type OpenExternal } from './security.js';
import { utilityProcessSpawner } from './utilitySpawner.js';
import { createWindow } from './window.js';

const APP_NAME = 'CFM Workbench';
const paths = appPaths(path.dirname(fileURLToPath(import.meta.url)));
/** Only ever called through security.ts's allow-list check. */
const openExternal: OpenExternal = (url) => shell.openExternal(url);

protocol.registerSchemesAsPrivileged([APP_SCHEME_PRIVILEGES]);
app.enableSandbox();
// Before the single-instance lock, which lives in this folder.
app.setPath('userData', userDataDir());

if (!app.requestSingleInstanceLock()) {
  app.quit();
} else {
  app.on('web-contents-created', (_event, contents) => hardenWebContents(contents, openExternal));
  void app
    .whenReady()
    .then(start)
    .catch((e: unknown) => fatal('CFM Workbench could not start', e));
}

function fatal(title: string, e: unknown): void {
  // A local user at start-up: the error's own one-line message helps more than the API's generic one.
  const detail = e instanceof Error ? e.message.split('\n')[0] : toApiError(e).message;
  console.error(`${title}:`, e);
  dialog.showErrorBox(title, detail);
  app.exit(1);
}

function start(): void {
  if (!existsSync(paths.rendererIndex) || !existsSync(paths.preload)) {
    return fatal('CFM Workbench is not built', new Error(`${paths.rendererIndex} or ${paths.preload} is missing; run \`npm run build\` first`));
  }
  hardenSession(session.defaultSession);
  protocol.handle(APP_SCHEME, createAppProtocolHandler(paths.rendererDir));

  let store: Store;
  try {
    store = openStore(databasePath(app.getPath('userData')));
  } catch (e) {
    return fatal('The workbench database could not be opened', e);
  }
  const manager = createManager({
    store,
    concurrency: savedConcurrency(store),
    spawner: utilityProcessSpawner((modulePath, args, options) => utilityProcess.fork(modulePath, args, options)),
  });
  const service = createService({ store, manager, version: app.getVersion(), packaged: app.isPackaged });

  let win: BrowserWindow | undefined;
  let phase: 'running' | 'stopping' | 'stopped' = 'running';
  const bridge = installIpcBridge({ ipcMain, service, window: () => (win && !win.isDestroyed() ? win.webContents : undefined) });

  const openWindow = (): void => {
    const w = createWindow(BrowserWindow, { preload: paths.preload }, openExternal);
    w.on('closed', () => {
      if (win === w) win = undefined;
    });
    win = w;
  };
  const focusWindow = (): void => {
    if (phase !== 'running') return;
    if (!win) return openWindow();
    if (win.isMinimized()) win.restore();
    win.focus();
  };

  const actions = menuActions({
    dialog,
    openExternal,
    window: () => (win && !win.isDestroyed() ? win : undefined),
    service,
    store,
    emit: (event) => bridge.emit(event),
    appName: APP_NAME,
    version: app.getVersion(),
  });
  Menu.setApplicationMenu(Menu.buildFromTemplate(menuTemplate(actions, process.platform, APP_NAME)));

  openWindow();
  // Runs left queued when the last session ended train now, as `cfm serve` does.
  for (const run of store.listRuns({ status: 'queued' })) manager.enqueue(run.id);

  app.on('second-instance', focusWindow);
  app.on('activate', focusWindow);
  app.on('window-all-closed', () => {
    // macOS keeps the app (and its training runs) alive without windows, as its apps do.
    if (process.platform !== 'darwin') app.quit();
  });

  const shutdown = async (): Promise<void> => {
    try {
      await service.close();
    } catch (e) {
      console.error('workbench: stopping the run manager failed', e);
    }
    bridge.dispose();
    try {
      store.close();
    } catch (e) {
      console.error('workbench: closing the database failed', e);
    }
  };
  app.on('before-quit', (event) => {
    if (phase === 'stopped') return;
    event.preventDefault();
    if (phase === 'stopping') return;
    phase = 'stopping';
    if (win && !win.isDestroyed()) win.setTitle(`${APP_NAME}: saving checkpoints of running runs…`);
    void shutdown().finally(() => {
      phase = 'stopped';
      app.quit();
    });
  });
  // Ctrl-C in the terminal that started the app: quit the same way; a second one quits at once,
  // as with `cfm serve` (the runs are then found 'interrupted' at the next start).
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.on(signal, () => (phase === 'running' ? app.quit() : app.exit(130)));
  }
}
