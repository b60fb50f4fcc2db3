/**
 * The compiled Electron entry (dist/main/main.js) run against a stand-in for
 * the `electron` module, since Electron's binary cannot run here: the app
 * lifecycle, window, protocol, session, ipcMain, menu, dialogs and
 * utilityProcess are recorded, and utilityProcess.fork starts the real worker
 * (child_process with a process.parentPort shim, utilityHarness.ts).
 * Everything behind them is real: the database file in the userData folder,
 * the run manager, the service.
 *
 * Checked: what must happen before 'ready' does; the window is built with the
 * secure options, the bundled preload and the app:// page, and hardened; the
 * scheme serves the built renderer with the CSP; the session denies
 * permissions; every API method has a channel and the window can call it; the
 * menu; a second launch focuses the window; quitting mid-run is held until the
 * running run has saved a checkpoint and become 'cancelled'; a second instance
 * quits at once.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { API_METHODS, type BridgeEvent, type InfoView, type RunView } from '../../app/contract.js';
import { openStore, resolveDbPath } from '../../app/store/index.js';
import type { BridgeReply } from '../../main/channels.js';
import { CONTENT_SECURITY_POLICY } from '../../main/security.js';
import { windowOptions } from '../../main/window.js';
import { makeTempDir, REPO_ROOT, waitFor } from './cliHarness.js';
import { tinyConfig } from './serverHarness.js';
import { writeUtilityShim } from './utilityHarness.js';

const E = await vi.hoisted(async () => {
  const { EventEmitter } = await import('node:events');
  const { forkUtility } = await import('./utilityHarness.js');

  const state = {
    log: [] as string[],
    lock: true,
    userData: '',
    shim: '',
    readyResolve: (() => undefined) as () => void,
    ready: undefined as unknown as Promise<void>,
    windows: [] as FakeWindow[],
    handlers: new Map<string, (event: unknown, ...args: unknown[]) => unknown>(),
    schemes: [] as unknown[],
    protocolHandlers: new Map<string, (request: Request) => Promise<Response> | Response>(),
    permissionRequest: undefined as undefined | ((wc: unknown, permission: string, cb: (granted: boolean) => void) => void),
    permissionCheck: undefined as undefined | (() => boolean),
    headersReceived: undefined as undefined | ((details: { url: string; responseHeaders?: Record<string, string[]> }, cb: (r: { responseHeaders?: Record<string, string[]> }) => void) => void),
    menu: undefined as undefined | { template: { label?: string; role?: string; submenu?: { label?: string; role?: string; click?: () => void }[] }[] },
    errorBoxes: [] as string[],
    boxes: [] as { type?: string; message: string; detail?: string }[],
    nextOpen: undefined as string | undefined,
    nextSave: undefined as string | undefined,
    opened: [] as string[],
    quits: 0,
    preventedQuits: 0,
    quitted: false,
    exitCode: undefined as number | undefined,
    forks: [] as { modulePath: string; args: string[] }[],
    reset() {
      this.log = [];
      this.windows = [];
      this.handlers.clear();
      this.quits = 0;
      this.preventedQuits = 0;
      this.quitted = false;
      this.ready = new Promise<void>((r) => (this.readyResolve = r));
    },
  };
  state.ready = new Promise<void>((r) => (state.readyResolve = r));

  let nextId = 1;
  class FakeWebContents extends EventEmitter {
    readonly id = nextId++;
    readonly mainFrame = { url: '', processId: 10 + this.id, routingId: 1, parent: null, origin: '' };
    readonly sent: { channel: string; args: unknown[] }[] = [];
    windowOpenHandler: ((d: { url: string }) => { action: string }) | undefined;
    loadURL(url: string): Promise<void> {
      state.log.push(`loadURL ${url}`);
      this.mainFrame.url = url;
      return Promise.resolve();
    }
    getURL(): string {
      return this.mainFrame.url;
    }
    send(channel: string, ...args: unknown[]): void {
      this.sent.push({ channel, args: structuredClone(args) });
    }
    isDestroyed(): boolean {
      return false;
    }
    setWindowOpenHandler(h: (d: { url: string }) => { action: string }): void {
      this.windowOpenHandler = h;
    }
  }
  class FakeWindow extends EventEmitter {
    readonly webContents = new FakeWebContents();
    title = '';
    focused = 0;
    constructor(readonly options: Record<string, unknown>) {
      super();
      state.windows.push(this);
      state.log.push('new BrowserWindow');
    }
    loadURL(url: string) {
      return this.webContents.loadURL(url);
    }
    show() {}
    isDestroyed() {
      return false;
    }
    isMinimized() {
      return false;
    }
    restore() {}
    focus() {
      this.focused++;
    }
    setTitle(t: string) {
      this.title = t;
    }
  }

  class FakeApp extends EventEmitter {
    enableSandbox() {
      state.log.push('enableSandbox');
    }
    setPath(name: string, value: string) {
      if (name !== 'userData') throw new Error(`unexpected setPath(${name})`);
      state.log.push('setPath userData');
      state.userData = value;
    }
    requestSingleInstanceLock() {
      state.log.push('requestSingleInstanceLock');
      return state.lock;
    }
    whenReady() {
      return state.ready.then(() => void state.log.push('ready'));
    }
    getPath(name: string) {
      if (name !== 'userData') throw new Error(`unexpected getPath(${name})`);
      return state.userData;
    }
    getVersion() {
      return '0.1.0-test';
    }
    quit() {
      state.quits++;
      state.log.push('quit');
      let prevented = false;
      this.emit('before-quit', { preventDefault: () => void (prevented = true) });
      if (prevented) state.preventedQuits++;
      else state.quitted = true;
    }
    exit(code: number) {
      state.exitCode = code;
    }
  }

  const electron = {
    app: new FakeApp(),
    BrowserWindow: FakeWindow,
    ipcMain: {
      handle: (channel: string, l: (event: unknown, ...args: unknown[]) => unknown) => {
        if (state.handlers.has(channel)) throw new Error(`second handler for ${channel}`);
        state.handlers.set(channel, l);
      },
      removeHandler: (channel: string) => void state.handlers.delete(channel),
    },
    protocol: {
      registerSchemesAsPrivileged: (schemes: unknown[]) => {
        state.log.push('registerSchemesAsPrivileged');
        state.schemes.push(...schemes);
      },
      handle: (scheme: string, h: (request: Request) => Promise<Response>) => {
        state.log.push(`protocol.handle ${scheme}`);
        state.protocolHandlers.set(scheme, h);
      },
    },
    session: {
      defaultSession: {
        setPermissionRequestHandler: (h: typeof state.permissionRequest) => void (state.permissionRequest = h),
        setPermissionCheckHandler: (h: typeof state.permissionCheck) => void (state.permissionCheck = h),
        webRequest: { onHeadersReceived: (h: typeof state.headersReceived) => void (state.headersReceived = h) },
      },
    },
    Menu: {
      buildFromTemplate: (template: unknown) => ({ template }),
      setApplicationMenu: (m: typeof state.menu) => void (state.menu = m),
    },
    dialog: {
      showErrorBox: (title: string, detail: string) => void state.errorBoxes.push(`${title}: ${detail}`),
      showMessageBox: async (_win: unknown, o: { type?: string; message: string; detail?: string }) => {
        state.boxes.push({ type: o.type, message: o.message, detail: o.detail });
        return { response: 0, checkboxChecked: false };
      },
      showOpenDialog: async () => (state.nextOpen ? { canceled: false, filePaths: [state.nextOpen] } : { canceled: true, filePaths: [] }),
      showSaveDialog: async () => (state.nextSave ? { canceled: false, filePath: state.nextSave } : { canceled: true, filePath: '' }),
    },
    shell: { openExternal: async (url: string) => void state.opened.push(url) },
    utilityProcess: {
      fork: (modulePath: string, args: string[], options: { env: NodeJS.ProcessEnv }) => {
        state.forks.push({ modulePath, args });
        return forkUtility(state.shim, modulePath, args, options.env);
      },
    },
  };
  return { electron, state };
});

vi.mock('electron', () => E.electron);

const MAIN_JS = path.join(REPO_ROOT, 'dist', 'main', 'main.js');
const PRELOAD = path.join(REPO_ROOT, 'dist', 'main', 'preload.cjs');
const INDEX = path.join(REPO_ROOT, 'dist', 'renderer', 'index.html');
const { state } = E;

let tmp: ReturnType<typeof makeTempDir>;
const savedEnv = { CFM_DB: process.env.CFM_DB, CFM_BACKEND: process.env.CFM_BACKEND, XDG_DATA_HOME: process.env.XDG_DATA_HOME };
let signalListeners: { SIGINT: Function[]; SIGTERM: Function[] };

beforeAll(async () => {
  for (const f of [MAIN_JS, PRELOAD, INDEX]) if (!existsSync(f)) throw new Error(`${f} is missing: run \`npm run build\` before the integration tests`);
  tmp = makeTempDir('main-app');
  // The app pins userData to the cfm command's data folder: under this XDG_DATA_HOME, not the real home.
  process.env.XDG_DATA_HOME = tmp.dir;
  state.shim = writeUtilityShim(tmp.dir);
  delete process.env.CFM_DB;
  process.env.CFM_BACKEND = 'wasm';
  signalListeners = { SIGINT: process.listeners('SIGINT'), SIGTERM: process.listeners('SIGTERM') };
  await import(pathToFileURL(MAIN_JS).href);
});

afterAll(() => {
  // main.js maps SIGINT/SIGTERM to a graceful quit; give the test process its own handling back.
  for (const s of ['SIGINT', 'SIGTERM'] as const) {
    for (const l of process.listeners(s)) if (!signalListeners[s].includes(l)) process.removeListener(s, l as () => void);
  }
  for (const [k, v] of Object.entries(savedEnv)) {
    if (v === undefined) delete process.env[k];
    else process.env[k] = v;
  }
  tmp?.remove();
});

const win = () => state.windows[0]!;
const fromWindow = () => ({ sender: { id: win().webContents.id }, senderFrame: win().webContents.mainFrame });
async function invoke<T>(method: string, input: unknown = {}): Promise<T> {
  const handler = state.handlers.get(`workbench:${method}`);
  if (!handler) throw new Error(`no handler for ${method}`);
  const reply = structuredClone(await handler(fromWindow(), structuredClone(input))) as BridgeReply<T>;
  if (!reply.ok) throw new Error(`${method}: ${JSON.stringify(reply.error)}`);
  return reply.value;
}
function menuItem(top: string, label: string) {
  const menu = state.menu!.template.find((m) => (m.label ?? m.role) === top)!;
  const item = menu.submenu!.find((i) => i.label === label);
  if (!item) throw new Error(`no menu item ${top} → ${label}`);
  return item;
}
const events = (): BridgeEvent[] => win().webContents.sent.filter((s) => s.channel === 'workbench:event').map((s) => s.args[0] as BridgeEvent);

describe('the Electron main process (dist/main/main.js)', () => {
  it('registers the app scheme, enables the sandbox and takes the single-instance lock before ready, and nothing else', () => {
    expect(state.log).toEqual(['registerSchemesAsPrivileged', 'enableSandbox', 'setPath userData', 'requestSingleInstanceLock']);
    expect(state.userData).toBe(path.join(tmp.dir, 'cfm-workbench'));
    expect(state.schemes).toEqual([{ scheme: 'app', privileges: { standard: true, secure: true, supportFetchAPI: true, corsEnabled: true, codeCache: true } }]);
    expect(E.electron.app.listenerCount('web-contents-created')).toBe(1);
  });

  it('once ready, opens one window with the secure options, the bundled preload and the app page', async () => {
    state.readyResolve();
    await waitFor(() => (state.windows.length ? true : undefined), 'the window');
    expect(state.windows).toHaveLength(1);
    expect(win().options).toEqual(windowOptions({ preload: PRELOAD }));
    expect(state.log).toContain('protocol.handle app');
    expect(state.log.indexOf('protocol.handle app')).toBeLessThan(state.log.indexOf('new BrowserWindow'));
    expect(win().webContents.getURL()).toBe('app://workbench/index.html');
    expect(state.errorBoxes).toEqual([]);
  });

  it('hardens the window: new windows denied, navigation prevented, permissions denied, the CSP on every response', async () => {
    expect(win().webContents.windowOpenHandler!({ url: 'https://evil.example/' })).toEqual({ action: 'deny' });
    let prevented = false;
    win().webContents.emit('will-navigate', { preventDefault: () => void (prevented = true) }, 'https://evil.example/');
    expect(prevented).toBe(true);
    expect(state.opened).toEqual([]);

    const granted: boolean[] = [];
    state.permissionRequest!(win().webContents, 'media', (g) => granted.push(g));
    expect(granted).toEqual([false]);
    expect(state.permissionCheck!()).toBe(false);
    let headers: Record<string, string[]> | undefined;
    state.headersReceived!({ url: 'app://workbench/index.html', responseHeaders: { 'Content-Type': ['text/html'] } }, (r) => void (headers = r.responseHeaders));
    expect(headers).toEqual({ 'Content-Type': ['text/html'], 'Content-Security-Policy': [CONTENT_SECURITY_POLICY] });

    const page = await state.protocolHandlers.get('app')!(new Request('app://workbench/index.html'));
    expect(page.status).toBe(200);
    expect(page.headers.get('content-security-policy')).toBe(CONTENT_SECURITY_POLICY);
    expect(await page.text()).toBe(readFileSync(INDEX, 'utf8'));
  });

  it('bridges every API method, with the database in the userData folder, the one the cfm command uses', async () => {
    expect([...state.handlers.keys()].sort()).toEqual(Object.keys(API_METHODS).map((m) => `workbench:${m}`).sort());
    const info = await invoke<InfoView>('info');
    expect(info.database).toBe(path.join(state.userData, 'workbench.sqlite'));
    expect(info.database).toBe(resolveDbPath({ env: { XDG_DATA_HOME: tmp.dir }, platform: 'linux', createParent: false }));
    expect(info.backend.name).toBe('wasm');
    expect(info.version).toBe('0.1.0-test');
    expect(state.forks.map((f) => f.args[0])).toContain('compute');
  });

  it('sets the File, View and Help menu', () => {
    const top = state.menu!.template;
    expect(top.map((m) => m.label ?? m.role)).toEqual(['File', 'View', 'help']);
    expect(top[0].submenu!.map((i) => i.label ?? i.role)).toEqual(['Import Dataset…', 'Import Run…', 'Export Run…', undefined, 'quit']);
    expect(top[2].submenu!.map((i) => i.label)).toEqual(['Using the GPU…', 'Method Reference (TorchCFM)', undefined, 'About CFM Workbench']);
  });

  it('imports a dataset from File → Import Dataset…, then shows the datasets and tells the page to reload', async () => {
    const file = path.join(tmp.dir, 'ring points.csv');
    writeFileSync(file, `x,y\n${Array.from({ length: 30 }, (_, i) => `${Math.cos(i)},${Math.sin(i)}`).join('\n')}\n`);
    state.nextOpen = file;
    const sentBefore = win().webContents.sent.length;
    menuItem('File', 'Import Dataset…').click!();
    await waitFor(() => (state.boxes.some((b) => b.message === 'Imported "ring-points"') ? true : undefined), 'the import to finish');
    state.nextOpen = undefined;
    expect(win().webContents.getURL()).toBe('app://workbench/index.html#/datasets');
    expect(win().webContents.sent.slice(sentBefore)).toContainEqual({ channel: 'workbench:event', args: [{ type: 'resync' }] });
    const datasets = await invoke<{ name: string; dim: number | string }[]>('listDatasets');
    expect(datasets.find((d) => d.name === 'ring-points')?.dim).toBe(2);
  });

  it('exports the run the window shows from File → Export Run…, and says so when no run is open', async () => {
    const noRun = state.boxes.length;
    menuItem('File', 'Export Run…').click!();
    await waitFor(() => (state.boxes.length > noRun ? true : undefined), 'the message');
    expect(state.boxes[noRun].message).toBe('Open a run to export it');

    const run = await invoke<RunView>('startRun', { config: tinyConfig({ steps: 20, checkpointEvery: 10 }), name: 'to-export' });
    await waitFor(() => (events().some((e) => e.type === 'status' && e.run === run.id && e.status === 'completed') ? true : undefined), 'the run to finish', 90_000);
    await win().webContents.loadURL(`app://workbench/index.html#/runs/${run.id}`);
    const out = path.join(tmp.dir, 'exported.cfmrun');
    state.nextSave = out;
    menuItem('File', 'Export Run…').click!();
    await waitFor(() => (state.boxes.some((b) => b.message === `Run ${run.id} exported`) ? true : undefined), 'the export to finish');
    state.nextSave = undefined;
    const other = openStore(path.join(tmp.dir, 'other.sqlite'));
    try {
      const copy = other.importRun(out);
      expect(copy.name).toBe('to-export');
      expect(copy.status).toBe('completed');
      expect(other.listCheckpoints(copy.id).map((c) => c.step)).toContain(20);
    } finally {
      other.close();
    }
  });

  it('focuses the window when the app is launched again', () => {
    const before = win().focused;
    E.electron.app.emit('second-instance');
    expect(win().focused).toBe(before + 1);
    expect(state.windows).toHaveLength(1);
  });

  it('holds the quit until the running run has saved a checkpoint and become cancelled, then quits', async () => {
    const run = await invoke<RunView>('startRun', { config: tinyConfig({ steps: 20_000, checkpointEvery: 10_000 }), name: 'quit-mid-run' });
    await waitFor(() => (events().some((e) => e.type === 'progress' && e.run === run.id && e.step >= 30) ? true : undefined), 'training past step 30', 90_000);

    E.electron.app.quit();
    expect(state.preventedQuits).toBe(1);
    expect(state.quitted).toBe(false);
    expect(win().title).toMatch(/saving checkpoints/);
    // Quitting again while it saves changes nothing; neither does a second launch.
    E.electron.app.quit();
    expect(state.preventedQuits).toBe(2);
    const focused = win().focused;
    E.electron.app.emit('second-instance');
    expect(win().focused).toBe(focused);
    expect(state.windows).toHaveLength(1);

    await waitFor(() => (state.quitted ? true : undefined), 'the app to quit', 90_000);
    // The window heard the run end.
    expect(events().some((e) => e.type === 'status' && e.run === run.id && e.status === 'cancelled')).toBe(true);
    // The handlers are gone and the database was closed: another connection reads the final state.
    expect(state.handlers.size).toBe(0);
    const store = openStore(path.join(state.userData, 'workbench.sqlite'));
    try {
      const r = store.getRun(run.id);
      expect(r.status).toBe('cancelled');
      expect(r.step).toBeGreaterThanOrEqual(30);
      expect(Math.max(...store.listCheckpoints(r.id).map((c) => c.step))).toBe(r.step);
    } finally {
      store.close();
    }
  });

  it('quits at once, opening nothing, when another instance holds the lock', async () => {
    vi.resetModules();
    state.reset();
    state.lock = false;
    await import(`${pathToFileURL(MAIN_JS).href}?second`);
    state.readyResolve();
    await new Promise((r) => setTimeout(r, 200));
    expect(state.log).toEqual(['registerSchemesAsPrivileged', 'enableSandbox', 'setPath userData', 'requestSingleInstanceLock', 'quit']);
    expect(state.windows).toHaveLength(0);
    expect(state.handlers.size).toBe(0);
    expect(state.quitted).toBe(true);
  });
});
