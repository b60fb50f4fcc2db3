/**
 * What the preload exposes as `window.workbench`: exactly the contract's
 * WorkbenchBridge, { api, subscribe }, and nothing else. `api` has one
 * function per API method, each `ipcRenderer.invoke('workbench:<method>',
 * input)` unwrapping the main process's { ok, value | error } reply;
 * `subscribe` listens on 'workbench:event' and returns its unsubscribe.
 * Listeners get the event only, never Electron's IpcRendererEvent (whose
 * `sender` is ipcRenderer itself).
 *
 * A failure rejects with a plain object { name: 'WorkbenchError', code,
 * field?, message, status: 0 }, not an Error: the context bridge copies an
 * Error as a bare Error with its message only (Electron's
 * PassValueToOtherContext), which would lose the code and the field the
 * renderer's forms show. A plain object crosses with its fields, and the
 * renderer's WorkbenchError (renderer/src/lib/client.ts) recognises it with
 * `instanceof`.
 *
 * Pure: it takes ipcRenderer and the method names, so it is tested in Node;
 * preload.ts binds it to Electron.
 */
import type { ApiError, ApiMethod, BridgeEvent, WorkbenchApi, WorkbenchBridge } from '../app/contract.js';
import { EVENT_CHANNEL, methodChannel, type BridgeReply } from './channels.js';

/** What the preload uses of Electron's ipcRenderer. */
export interface IpcRendererLike {
  invoke(channel: string, ...args: unknown[]): Promise<unknown>;
  on(channel: string, listener: (event: unknown, ...args: unknown[]) => void): unknown;
  removeListener(channel: string, listener: (event: unknown, ...args: unknown[]) => void): unknown;
}

/** An API failure as it crosses the context bridge (see above). */
export interface BridgedError extends ApiError {
  name: 'WorkbenchError';
  /** No HTTP here: always 0. */
  status: 0;
}

function bridgedError(error: ApiError): BridgedError {
  return { name: 'WorkbenchError', code: error.code, ...(error.field !== undefined ? { field: error.field } : {}), message: error.message, status: 0 };
}

function isReply(v: unknown): v is BridgeReply {
  if (typeof v !== 'object' || v === null) return false;
  const r = v as { ok?: unknown; error?: unknown };
  if (r.ok === true) return 'value' in r;
  return r.ok === false && typeof r.error === 'object' && r.error !== null && typeof (r.error as ApiError).message === 'string';
}

async function invoke(ipc: IpcRendererLike, method: ApiMethod, input: unknown): Promise<unknown> {
  let reply: unknown;
  try {
    reply = await ipc.invoke(methodChannel(method), input);
  } catch {
    throw bridgedError({ code: 'internal', message: `${method}: the workbench's main process did not answer; restart the app` });
  }
  if (!isReply(reply)) throw bridgedError({ code: 'internal', message: `${method}: the main process sent a malformed reply; restart the app` });
  if (reply.ok) return reply.value;
  throw bridgedError(reply.error);
}

export function createPreloadBridge(ipc: IpcRendererLike, methods: readonly ApiMethod[]): WorkbenchBridge {
  const api = Object.fromEntries(methods.map((m) => [m, (input: unknown) => invoke(ipc, m, input)])) as unknown as WorkbenchApi;

  // One IPC listener however many subscribers: views come and go.
  const listeners = new Set<(event: BridgeEvent) => void>();
  const onEvent = (_event: unknown, payload: unknown): void => {
    for (const listener of [...listeners]) {
      try {
        listener(payload as BridgeEvent);
      } catch (e) {
        console.error('workbench: an event listener failed', e);
      }
    }
  };
  let listening = false;

  return {
    api,
    subscribe(listener) {
      // A fresh wrapper per call: subscribing one function twice gives two independent subscriptions.
      const entry = (event: BridgeEvent): void => listener(event);
      listeners.add(entry);
      if (!listening) {
        ipc.on(EVENT_CHANNEL, onEvent);
        listening = true;
      }
      return () => {
        if (!listeners.delete(entry) || listeners.size > 0 || !listening) return;
        ipc.removeListener(EVENT_CHANNEL, onEvent);
        listening = false;
      };
    },
  };
}
