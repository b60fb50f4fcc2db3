/**
 * The preload, as the sandboxed window runs it: the bundle vite builds
 * (main/vite.preload.config.ts, into a temp folder) is run in a fresh V8
 * context whose only `require` is a stand-in for Electron's contextBridge and
 * ipcRenderer. It must expose exactly { api, subscribe } as `window.workbench`,
 * with one api function per contract method and nothing more, load no module
 * but `electron`, and carry no zod. Then the bridge's behaviour: the channel
 * each method invokes, replies unwrapped, failures rejected with their code
 * and field in a shape the renderer's WorkbenchError recognises even after
 * the context bridge copied it, and events delivered without Electron's
 * event object.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import vm from 'node:vm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { API_METHODS, type ApiError, type ApiMethod, type BridgeEvent } from '../../app/contract.js';
import { createPreloadBridge, type IpcRendererLike } from '../../main/preloadBridge.js';

// The renderer's error class and message helper. client.ts is renderer code typed against the DOM,
// so it is loaded at run time only and not type-checked as part of this Node-typed test.
const CLIENT = '../../renderer/src/lib/client.js';
type WorkbenchError = Error & ApiError & { status: number };
const { WorkbenchError, errorMessage } = (await import(/* @vite-ignore */ CLIENT)) as {
  WorkbenchError: new (error: ApiError, status: number) => WorkbenchError;
  errorMessage(e: unknown): string;
};

const CONTRACT_METHODS = Object.keys(API_METHODS).sort();

/** An ipcRenderer stand-in: records invokes, answers with `reply`, and lets the test push events. */
class FakeIpcRenderer implements IpcRendererLike {
  readonly invoked: { channel: string; args: unknown[] }[] = [];
  readonly listeners = new Map<string, Set<(event: unknown, ...args: unknown[]) => void>>();
  reply: (channel: string, args: unknown[]) => Promise<unknown> = async () => ({ ok: true, value: null });

  invoke(channel: string, ...args: unknown[]): Promise<unknown> {
    this.invoked.push({ channel, args });
    return this.reply(channel, args);
  }
  on(channel: string, listener: (event: unknown, ...args: unknown[]) => void): this {
    if (!this.listeners.has(channel)) this.listeners.set(channel, new Set());
    this.listeners.get(channel)!.add(listener);
    return this;
  }
  removeListener(channel: string, listener: (event: unknown, ...args: unknown[]) => void): this {
    this.listeners.get(channel)?.delete(listener);
    return this;
  }
  push(channel: string, payload: unknown): void {
    const ipcEvent = { sender: this, senderId: 0 };
    for (const l of [...(this.listeners.get(channel) ?? [])]) l(ipcEvent, payload);
  }
  count(channel: string): number {
    return this.listeners.get(channel)?.size ?? 0;
  }
}

describe('the bundled preload (dist/main/preload.cjs as vite builds it)', () => {
  let out: string;
  let code: string;
  beforeAll(async () => {
    out = mkdtempSync(path.join(tmpdir(), 'cfm-preload-'));
    const { build } = await import('vite');
    await build({ configFile: path.resolve('main/vite.preload.config.ts'), logLevel: 'silent', build: { outDir: out } });
    code = readFileSync(path.join(out, 'preload.cjs'), 'utf8');
  }, 120_000);
  afterAll(() => rmSync(out, { recursive: true, force: true }));

  /** Runs the bundle as a sandboxed preload would: a CommonJS script with a minimal require. */
  function runPreload() {
    const required: string[] = [];
    const exposed: { key: string; api: unknown }[] = [];
    const ipc = new FakeIpcRenderer();
    const electron = { contextBridge: { exposeInMainWorld: (key: string, api: unknown) => exposed.push({ key, api }) }, ipcRenderer: ipc };
    const module = { exports: {} };
    const context = vm.createContext({
      require: (id: string) => {
        required.push(id);
        if (id !== 'electron') throw new Error(`the sandbox has no module ${id}`);
        return electron;
      },
      module,
      exports: module.exports,
      console,
    });
    vm.runInContext(code, context, { filename: 'preload.cjs' });
    return { required, exposed, ipc };
  }

  it('is one CommonJS file that needs no module but electron, and no zod', () => {
    const { required } = runPreload();
    expect([...new Set(required)]).toEqual(['electron']);
    expect(code).not.toMatch(/^\s*(import|export)\b/m);
    // zod would bring its schema classes (and tens of kilobytes).
    expect(code).not.toMatch(/\$ZodType|ZodError|safeParse/);
    expect(code.length).toBeLessThan(16_000);
  });

  it('exposes exactly window.workbench = { api, subscribe }, with one function per contract method', () => {
    const { exposed } = runPreload();
    expect(exposed.map((e) => e.key)).toEqual(['workbench']);
    const bridge = exposed[0].api as Record<string, unknown>;
    expect(Object.keys(bridge).sort()).toEqual(['api', 'subscribe']);
    expect(typeof bridge.subscribe).toBe('function');
    const api = bridge.api as Record<string, unknown>;
    expect(Object.keys(api).sort()).toEqual(CONTRACT_METHODS);
    for (const m of CONTRACT_METHODS) expect(typeof api[m], m).toBe('function');
  });

  it('invokes workbench:<method> for each method of the bundle', async () => {
    const { exposed, ipc } = runPreload();
    const api = (exposed[0].api as { api: Record<string, (input: unknown) => Promise<unknown>> }).api;
    for (const m of CONTRACT_METHODS) await api[m]({ probe: m });
    expect(ipc.invoked.map((i) => i.channel)).toEqual(CONTRACT_METHODS.map((m) => `workbench:${m}`));
    expect(ipc.invoked.every((i, k) => i.args.length === 1 && (i.args[0] as { probe: string }).probe === CONTRACT_METHODS[k])).toBe(true);
  });
});

describe('the preload bridge', () => {
  const methods = Object.keys(API_METHODS) as ApiMethod[];

  it('returns the main process value of an ok reply', async () => {
    const ipc = new FakeIpcRenderer();
    const points = new Float32Array([1, 2, 3, 4]);
    ipc.reply = async (channel, args) => ({ ok: true, value: { channel, input: args[0], points } });
    const bridge = createPreloadBridge(ipc, methods);
    const value = (await bridge.api.previewDataset({ name: 'moons', n: 2 })) as unknown as { channel: string; input: unknown; points: Float32Array };
    expect(value.channel).toBe('workbench:previewDataset');
    expect(value.input).toEqual({ name: 'moons', n: 2 });
    expect(value.points).toBe(points);
  });

  it('rejects a failure with its code, field and message, recognised by the renderer as a WorkbenchError even after the context bridge copied it', async () => {
    const ipc = new FakeIpcRenderer();
    ipc.reply = async () => ({ ok: false, error: { code: 'invalid_input', field: 'config.lr', message: 'config.lr: must be > 0 (got -1)' } });
    const bridge = createPreloadBridge(ipc, methods);
    let caught: unknown;
    await bridge.api.startRun({ config: { lr: -1 } }).catch((e: unknown) => (caught = e));
    // What reaches the page: the context bridge copies a plain object field by field (structured clone is the same for these values).
    const copied = structuredClone(caught);
    for (const e of [caught, copied]) {
      expect(e).toBeInstanceOf(WorkbenchError);
      const w = e as WorkbenchError;
      expect(w.code).toBe('invalid_input');
      expect(w.field).toBe('config.lr');
      expect(errorMessage(w)).toBe('config.lr: must be > 0 (got -1)');
    }
    // An HTTP-side WorkbenchError still is one; an unrelated object or error is not.
    expect(new WorkbenchError({ code: 'not_found', message: 'm' }, 404)).toBeInstanceOf(WorkbenchError);
    expect({ code: 'x', message: 'y' }).not.toBeInstanceOf(WorkbenchError);
    expect(new Error('plain')).not.toBeInstanceOf(WorkbenchError);
    expect(errorMessage(new Error('plain'))).toBe('plain');
  });

  it('reports a main process that does not answer, or answers nonsense, as an internal error', async () => {
    const ipc = new FakeIpcRenderer();
    const bridge = createPreloadBridge(ipc, methods);
    ipc.reply = () => Promise.reject(new Error("Error invoking remote method 'workbench:info': No handler registered"));
    const e1 = (await bridge.api.info({}).catch((e: unknown) => e)) as WorkbenchError;
    expect(e1).toBeInstanceOf(WorkbenchError);
    expect(e1.code).toBe('internal');
    expect(e1.message).toMatch(/^info: .*restart the app$/);
    ipc.reply = async () => ({ value: 1 });
    const e2 = (await bridge.api.info({}).catch((e: unknown) => e)) as WorkbenchError;
    expect(e2.code).toBe('internal');
  });

  it('delivers each event to every subscriber without Electron’s event object, and stops listening when the last one leaves', () => {
    const ipc = new FakeIpcRenderer();
    const bridge = createPreloadBridge(ipc, methods);
    const a: unknown[][] = [];
    const b: unknown[][] = [];
    const offA = bridge.subscribe((...args: unknown[]) => void a.push(args));
    const offB = bridge.subscribe((...args: unknown[]) => void b.push(args));
    expect(ipc.count('workbench:event')).toBe(1);
    const status: BridgeEvent = { type: 'status', run: 3, status: 'running', step: 0, error: null };
    ipc.push('workbench:event', status);
    ipc.push('other:channel', { type: 'resync' });
    expect(a).toEqual([[status]]);
    expect(b).toEqual([[status]]);
    offA();
    offA();
    ipc.push('workbench:event', { type: 'resync' });
    expect(a).toHaveLength(1);
    expect(b).toHaveLength(2);
    expect(ipc.count('workbench:event')).toBe(1);
    offB();
    expect(ipc.count('workbench:event')).toBe(0);
    // Subscribing again listens again.
    const offC = bridge.subscribe(() => undefined);
    expect(ipc.count('workbench:event')).toBe(1);
    offC();
  });

  it('keeps delivering to the other subscribers when one throws', () => {
    const ipc = new FakeIpcRenderer();
    const bridge = createPreloadBridge(ipc, methods);
    const got: BridgeEvent[] = [];
    const original = console.error;
    console.error = () => undefined;
    try {
      bridge.subscribe(() => {
        throw new Error('a broken view');
      });
      bridge.subscribe((e) => void got.push(e));
      ipc.push('workbench:event', { type: 'resync' });
    } finally {
      console.error = original;
    }
    expect(got).toEqual([{ type: 'resync' }]);
  });
});
