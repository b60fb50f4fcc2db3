/**
 * The IPC bridge with the real service behind it: a real SQLite file in a
 * temp folder, the real run manager with its worker processes (tfjs on wasm),
 * and a recording stand-in for Electron's ipcMain that, like Electron,
 * refuses a second handler on a channel and structured-clones what crosses.
 * The window is a stand-in webContents whose main frame shows the app page.
 *
 * Checked: every contract method has exactly one channel; valid calls return
 * the service's real answers (a tiny run trains to completion and its events
 * reach the window); invalid payloads come back as error values with the
 * field at fault and write nothing; calls from anywhere but the app page in
 * the app window's main frame are refused before the service is called.
 */
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { API_METHODS, type ApiError, type BridgeEvent, type DatasetView, type InfoView, type RunDetail, type RunView, type SeriesView } from '../../app/contract.js';
import { createManager } from '../../app/runs/manager.js';
import { createService, type Service } from '../../app/service.js';
import { openStore, type Store } from '../../app/store/index.js';
import type { BridgeReply } from '../../main/channels.js';
import { installIpcBridge, type FrameLike, type InvokeEventLike, type InvokeHandler, type IpcBridge, type IpcMainLike, type WebContentsLike } from '../../main/ipcBridge.js';
import { makeTempDir, waitFor } from './cliHarness.js';
import { tinyConfig } from './serverHarness.js';

/** ipcMain as the bridge sees it: records handlers; a second handler on a channel is an error, as in Electron. */
class RecordingIpcMain implements IpcMainLike {
  readonly handlers = new Map<string, InvokeHandler>();
  readonly registered: string[] = [];
  readonly removed: string[] = [];

  handle(channel: string, listener: InvokeHandler): void {
    if (this.handlers.has(channel)) throw new Error(`Attempted to register a second handler for '${channel}'`);
    this.handlers.set(channel, listener);
    this.registered.push(channel);
  }
  removeHandler(channel: string): void {
    this.handlers.delete(channel);
    this.removed.push(channel);
  }
  /** What ipcRenderer.invoke does: arguments and reply cross by structured clone. */
  async invoke(event: InvokeEventLike, channel: string, ...args: unknown[]): Promise<BridgeReply<any>> {
    const handler = this.handlers.get(channel);
    if (!handler) throw new Error(`No handler registered for '${channel}'`);
    const reply = await handler(event, ...structuredClone(args));
    return structuredClone(reply) as BridgeReply<any>;
  }
}

const frame = (url: string, o: Partial<FrameLike> = {}): FrameLike => ({ url, processId: 4, routingId: 1, parent: null, ...o });

class FakeWebContents implements WebContentsLike {
  readonly sent: { channel: string; args: unknown[] }[] = [];
  destroyed = false;
  constructor(
    readonly id: number,
    public mainFrame: FrameLike,
  ) {}
  send(channel: string, ...args: unknown[]): void {
    this.sent.push({ channel, args: structuredClone(args) });
  }
  isDestroyed(): boolean {
    return this.destroyed;
  }
  events(): BridgeEvent[] {
    return this.sent.filter((s) => s.channel === 'workbench:event').map((s) => s.args[0] as BridgeEvent);
  }
}

const APP_PAGE = 'app://workbench/index.html#/runs';
const CHANNELS = Object.keys(API_METHODS).map((m) => `workbench:${m}`);

let tmp: ReturnType<typeof makeTempDir>;
let db: string;
let store: Store;
let service: Service;
let ipc: RecordingIpcMain;
let win: FakeWebContents;
let other: FakeWebContents;
let bridge: IpcBridge;
/** Methods the bridge passed on to the service, in order. */
const serviceCalls: string[] = [];
const refusals: string[] = [];

/** Row counts of every table, read through a separate connection: what "nothing was written" means. */
function tableCounts(): Record<string, number> {
  const conn = new Database(db, { readonly: true, fileMustExist: true });
  try {
    const tables = conn.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name").all() as { name: string }[];
    return Object.fromEntries(tables.map((t) => [t.name, (conn.prepare(`SELECT count(*) AS n FROM "${t.name}"`).get() as { n: number }).n]));
  } finally {
    conn.close();
  }
}

const fromApp = (): InvokeEventLike => ({ sender: { id: win.id }, senderFrame: win.mainFrame });

async function call<T>(channel: string, ...args: unknown[]): Promise<BridgeReply<T>> {
  return (await ipc.invoke(fromApp(), channel, ...args)) as BridgeReply<T>;
}

async function value<T>(channel: string, input: unknown = {}): Promise<T> {
  const r = await call<T>(channel, input);
  if (!r.ok) throw new Error(`${channel} failed: ${JSON.stringify(r.error)}`);
  return r.value;
}

function failure(r: BridgeReply<unknown>): ApiError {
  if (r.ok) throw new Error(`expected a failure, got ${JSON.stringify(r.value).slice(0, 200)}`);
  return r.error;
}

beforeAll(() => {
  tmp = makeTempDir('main-bridge');
  db = path.join(tmp.dir, 'workbench.sqlite');
  store = openStore(db);
  const manager = createManager({ store, backend: 'wasm', concurrency: 1 });
  service = createService({ store, manager, version: 'test', onInternalError: () => undefined });
  ipc = new RecordingIpcMain();
  win = new FakeWebContents(7, frame(APP_PAGE));
  other = new FakeWebContents(8, frame(APP_PAGE, { processId: 5 }));
  bridge = installIpcBridge({
    ipcMain: ipc,
    service: {
      call: (method, input) => {
        serviceCalls.push(method);
        return service.call(method, input);
      },
      subscribe: (l) => service.subscribe(l),
    },
    window: () => win,
    onRefused: (method, reason) => refusals.push(`${method}: ${reason}`),
  });
});

afterAll(async () => {
  bridge?.dispose();
  await service?.close();
  store?.close();
  tmp?.remove();
});

describe('the IPC bridge over the real service', () => {
  it('registers exactly one channel per contract method, and removes them all when disposed', () => {
    expect([...ipc.registered].sort()).toEqual([...CHANNELS].sort());
    expect(new Set(ipc.registered).size).toBe(ipc.registered.length);
    expect([...bridge.channels].sort()).toEqual([...CHANNELS].sort());

    const other = new RecordingIpcMain();
    const b = installIpcBridge({ ipcMain: other, service, window: () => undefined });
    b.dispose();
    expect([...other.removed].sort()).toEqual([...CHANNELS].sort());
    expect(other.handlers.size).toBe(0);
  });

  it('answers info and listDatasets with the service’s real values', async () => {
    const info = await value<InfoView>('workbench:info');
    expect(info.backend.name).toBe('wasm');
    expect(info.database).toBe(db);
    expect(info.version).toBe('test');
    expect(info.gpuHelp).toMatch(/CUDA 11\.2 and cuDNN 8\.1/);
    const datasets = await value<DatasetView[]>('workbench:listDatasets');
    expect(datasets.map((d) => d.name)).toEqual(expect.arrayContaining(['moons', '8gaussians', 'scurve']));
    // No argument at all is the empty object, as an HTTP call without a body.
    expect((await call('workbench:getSettings')).ok).toBe(true);
  });

  it('starts a tiny run that trains to completion, its events reach the window, and getRun shows it', async () => {
    const started = await value<RunView>('workbench:startRun', { config: tinyConfig({ steps: 60, checkpointEvery: 30 }), name: 'over-ipc' });
    expect(started.status).toBe('queued');
    expect(started.name).toBe('over-ipc');
    await waitFor(
      () => (win.events().some((e) => e.type === 'status' && e.run === started.id && e.status === 'completed') ? true : undefined),
      'the completed status event at the window',
      90_000,
    );
    const statuses = win.events().flatMap((e) => (e.type === 'status' && e.run === started.id ? [e.status] : []));
    expect(statuses).toEqual(['queued', 'running', 'completed']);
    expect(win.events().some((e) => e.type === 'progress' && e.run === started.id)).toBe(true);
    // Events go to the app window only.
    expect(other.sent).toEqual([]);

    const detail = await value<RunDetail>('workbench:getRun', { run: started.id });
    expect(detail.status).toBe('completed');
    expect(detail.step).toBe(60);
    expect(detail.checkpoints.map((c) => c.step)).toContain(60);
    const loss = await value<SeriesView>('workbench:metricSeries', { run: started.id, points: 1000 });
    // Float arrays cross as typed arrays, not number lists.
    expect(loss.steps).toBeInstanceOf(Float64Array);
    expect(loss.total).toBe(60);
  });

  it('refuses invalid payloads with the field at fault, as an error value without a stack, and writes nothing', async () => {
    const before = tableCounts();
    const callsBefore = serviceCalls.length;
    const cases: [channel: string, input: unknown, field: string][] = [
      ['workbench:startRun', { config: 'moons' }, 'config'],
      ['workbench:startRun', { config: tinyConfig(), evil: true }, 'evil'],
      ['workbench:startRun', { config: tinyConfig(), name: 42 }, 'name'],
      ['workbench:startRun', { config: tinyConfig({ lr: -1 }) }, 'config.lr'],
      ['workbench:getRun', {}, 'run'],
      ['workbench:renameRun', { run: 1, name: '' }, 'name'],
      ['workbench:setSettings', { concurrency: 'many' }, 'concurrency'],
      ['workbench:setSettings', { concurrency: 0 }, 'concurrency'],
      ['workbench:importDataset', { name: 'x', fileName: 'x.csv', content: '1,2\n3,4' }, 'content'],
      ['workbench:importDataset', { name: '../etc', fileName: 'x.csv', content: new Uint8Array([49, 44, 50]) }, 'name'],
      ['workbench:tagRun', { run: 1, tags: Array.from({ length: 51 }, (_, i) => `t${i}`) }, 'tags'],
      ['workbench:deleteRun', 42, 'input'],
      ['workbench:deleteRun', null, 'input'],
      ['workbench:info', [], 'input'],
    ];
    for (const [channel, input, field] of cases) {
      const e = failure(await call(channel, input));
      expect(e.code, `${channel} ${JSON.stringify(input)?.slice(0, 80)}`).toBe('invalid_input');
      expect(e.field, channel).toBe(field);
      expect(e.message.startsWith(`${field}: `), e.message).toBe(true);
      expect(e.message).not.toMatch(/\n|\s+at\s+\S+\s+\(|\.ts:\d+/);
    }
    // A second argument is not how the preload calls: refused before the service sees it.
    const two = failure(await call('workbench:info', {}, {}));
    expect(two).toMatchObject({ code: 'invalid_input', field: 'input' });
    expect(serviceCalls.length - callsBefore).toBe(cases.length);
    // A run that does not exist is another kind of failure.
    expect(failure(await call('workbench:getRun', { run: 9999 }))).toMatchObject({ code: 'not_found', field: 'run' });
    expect(tableCounts()).toEqual(before);
  });

  it('routes every channel to its own method’s schema: an unknown field is refused by all of them', async () => {
    const before = tableCounts();
    for (const channel of CHANNELS) {
      const e = failure(await call(channel, { notAField: 1 }));
      expect(e, channel).toMatchObject({ code: 'invalid_input', field: 'notAField' });
      const method = channel.slice('workbench:'.length) as keyof typeof API_METHODS;
      const shape = Object.keys((API_METHODS[method] as unknown as { shape: Record<string, unknown> }).shape);
      // The message lists the method's own fields: the call reached that method's schema.
      expect(e.message, channel).toContain(shape.length ? `this method takes ${shape.join(', ')}` : 'this method takes no fields');
    }
    expect(tableCounts()).toEqual(before);
  });

  it('refuses calls from another window, a subframe, another page or a gone frame, without calling the service', async () => {
    const before = tableCounts();
    const callsBefore = serviceCalls.length;
    const refusedBefore = refusals.length;
    const input = { config: tinyConfig(), name: 'must-not-exist' };
    const foreign: [what: string, event: InvokeEventLike][] = [
      ['another webContents', { sender: { id: other.id }, senderFrame: other.mainFrame }],
      ['a subframe of the window', { sender: { id: win.id }, senderFrame: frame(APP_PAGE, { routingId: 9, parent: win.mainFrame }) }],
      ['a subframe with the main frame’s ids', { sender: { id: win.id }, senderFrame: frame(APP_PAGE, { parent: win.mainFrame }) }],
      ['a frame of another renderer process', { sender: { id: win.id }, senderFrame: frame(APP_PAGE, { processId: 99 }) }],
      ['a remote page', { sender: { id: win.id }, senderFrame: frame('https://evil.example/index.html') }],
      ['a file:// page', { sender: { id: win.id }, senderFrame: frame('file:///tmp/index.html') }],
      ['another app:// page', { sender: { id: win.id }, senderFrame: frame('app://workbench/other.html') }],
      ['another app:// host', { sender: { id: win.id }, senderFrame: frame('app://evil/index.html') }],
      ['a frame that navigated away', { sender: { id: win.id }, senderFrame: null }],
    ];
    for (const [what, event] of foreign) {
      const e = failure(await ipc.invoke(event, 'workbench:startRun', input));
      expect(e, what).toMatchObject({ code: 'invalid_input', field: 'sender' });
      expect(e.message, what).toMatch(/^sender: refused \(.+\); only the workbench window may call the API$/);
    }
    expect(serviceCalls.length).toBe(callsBefore);
    expect(refusals.length - refusedBefore).toBe(foreign.length);
    expect(tableCounts()).toEqual(before);
  });

  it('refuses every call while there is no window, or the window is destroyed', async () => {
    const callsBefore = serviceCalls.length;
    win.destroyed = true;
    try {
      expect(failure(await call('workbench:listRuns', {}))).toMatchObject({ code: 'invalid_input', field: 'sender' });
    } finally {
      win.destroyed = false;
    }
    const lonely = new RecordingIpcMain();
    const b = installIpcBridge({ ipcMain: lonely, service, window: () => undefined, onRefused: () => undefined });
    try {
      expect(failure(await lonely.invoke(fromApp(), 'workbench:listRuns', {}))).toMatchObject({ field: 'sender' });
    } finally {
      b.dispose();
    }
    expect(serviceCalls.length).toBe(callsBefore);
  });

  it('sends bridge events of its own (resync) to the window', () => {
    const n = win.sent.length;
    bridge.emit({ type: 'resync' });
    expect(win.sent.slice(n)).toEqual([{ channel: 'workbench:event', args: [{ type: 'resync' }] }]);
  });
});
