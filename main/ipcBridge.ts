/**
 * The IPC bridge: the service's API on ipcMain, generated from API_METHODS
 * (one `workbench:<method>` channel per method, so a method added to the
 * contract cannot lack one), and its live events pushed to the window.
 *
 * Every call is checked before the service sees it:
 *  1. the sender is the app window's webContents, the frame is its main frame
 *     (not a subframe), and the frame shows the app's own page
 *     (app://workbench/index.html): anything else is refused, and logged;
 *  2. the payload is validated by the service against the method's zod
 *     schema (strict objects: wrong types, unknown keys, missing fields fail).
 * Failures come back as values, { ok: false, error: { code, field, message } }
 * (channels.ts), never as a thrown error or stack trace: Electron would pass
 * only a message. An unexpected failure is logged by the service and
 * answered with a generic `internal` message.
 *
 * Written against the few members it uses (IpcMainLike, WebContentsLike), which
 * Electron's ipcMain and WebContents satisfy, so tests drive it with
 * recording stand-ins and the real service.
 *
 *   const bridge = installIpcBridge({ ipcMain, service, window: () => win?.webContents });
 *   ...
 *   bridge.dispose();
 */
import { API_METHODS, type ApiError, type ApiMethod, type BridgeEvent, type WorkbenchEvent } from '../app/contract.js';
import { toApiError } from '../app/service/errors.js';
import { isAppPageUrl } from './appProtocol.js';
import { EVENT_CHANNEL, methodChannel, type BridgeReply } from './channels.js';

/** What the bridge reads of a frame (Electron's WebFrameMain). */
export interface FrameLike {
  readonly url: string;
  readonly processId: number;
  readonly routingId: number;
  readonly parent: FrameLike | null;
}

/** What the bridge uses of the window's webContents. */
export interface WebContentsLike {
  readonly id: number;
  readonly mainFrame: FrameLike;
  send(channel: string, ...args: unknown[]): void;
  isDestroyed(): boolean;
}

/** What an invoke handler receives (Electron's IpcMainInvokeEvent). */
export interface InvokeEventLike {
  readonly sender: { readonly id: number };
  readonly senderFrame: FrameLike | null;
}

export type InvokeHandler = (event: InvokeEventLike, ...args: unknown[]) => unknown;

/** What the bridge uses of ipcMain. */
export interface IpcMainLike {
  handle(channel: string, listener: InvokeHandler): void;
  removeHandler(channel: string): void;
}

/** What the bridge uses of the service (app/service.ts's Service has both). */
export interface BridgedService {
  call(method: ApiMethod, input: unknown): Promise<unknown>;
  subscribe(listener: (event: WorkbenchEvent) => void): () => void;
}

export interface IpcBridgeOptions {
  ipcMain: IpcMainLike;
  service: BridgedService;
  /** The app window's webContents (undefined while there is no window). */
  window: () => WebContentsLike | undefined;
  /** Whether a frame URL is the app's page; default: app://workbench/index.html. */
  isAppPage?: (url: string) => boolean;
  /** Where refused calls are reported; default console.warn. */
  onRefused?: (method: ApiMethod, reason: string) => void;
}

export interface IpcBridge {
  /** The channels it registered, one per API method. */
  readonly channels: readonly string[];
  /** Sends a bridge event (e.g. resync after the main process changed data) to the window. */
  emit(event: BridgeEvent): void;
  /** Removes every handler and stops forwarding events. */
  dispose(): void;
}

export const API_METHOD_LIST = Object.keys(API_METHODS) as ApiMethod[];

/** Why a call is refused, or undefined when it comes from the app's page in the app window's main frame. */
export function senderProblem(
  event: InvokeEventLike,
  window: WebContentsLike | undefined,
  isAppPage: (url: string) => boolean = isAppPageUrl,
): string | undefined {
  if (!window || window.isDestroyed()) return 'there is no app window';
  if (event.sender.id !== window.id) return `webContents ${event.sender.id} is not the app window`;
  const frame = event.senderFrame;
  if (!frame) return 'the sending frame is gone (it navigated or was destroyed)';
  const main = window.mainFrame;
  if (frame.parent !== null || frame.processId !== main.processId || frame.routingId !== main.routingId) {
    return 'the call comes from a subframe, not the main frame';
  }
  if (!isAppPage(frame.url)) return `the frame shows ${JSON.stringify(frame.url.slice(0, 200))}, not the app's page`;
  return undefined;
}

function refused(reason: string): BridgeReply<never> {
  const error: ApiError = { code: 'invalid_input', field: 'sender', message: `sender: refused (${reason}); only the workbench window may call the API` };
  return { ok: false, error };
}

export function installIpcBridge(o: IpcBridgeOptions): IpcBridge {
  const isAppPage = o.isAppPage ?? isAppPageUrl;
  const onRefused = o.onRefused ?? ((method, reason) => console.warn(`workbench: refused an IPC call to ${method}: ${reason}`));
  const channels: string[] = [];

  for (const method of API_METHOD_LIST) {
    const channel = methodChannel(method);
    o.ipcMain.handle(channel, async (event, ...args): Promise<BridgeReply> => {
      const problem = senderProblem(event, o.window(), isAppPage);
      if (problem) {
        onRefused(method, problem);
        return refused(problem);
      }
      if (args.length > 1) {
        return { ok: false, error: { code: 'invalid_input', field: 'input', message: `input: ${method} takes one argument, an object of its fields (got ${args.length})` } };
      }
      try {
        // No argument is the empty object, as an HTTP call without a body.
        return { ok: true, value: await o.service.call(method, args[0] === undefined ? {} : args[0]) };
      } catch (e) {
        return { ok: false, error: toApiError(e) };
      }
    });
    channels.push(channel);
  }

  const emit = (event: BridgeEvent): void => {
    const target = o.window();
    if (!target || target.isDestroyed()) return;
    try {
      target.send(EVENT_CHANNEL, event);
    } catch {
      // The window is closing; its next page load subscribes again.
    }
  };
  const unsubscribe = o.service.subscribe(emit);

  let disposed = false;
  return {
    channels,
    emit,
    dispose() {
      if (disposed) return;
      disposed = true;
      unsubscribe();
      for (const channel of channels) o.ipcMain.removeHandler(channel);
    },
  };
}
