/**
 * The IPC wire between the preload and the main process, in one place (as
 * Mattermost Desktop keeps its channel names): one invoke channel per API
 * method, named `workbench:<method>`, and one push channel for live events.
 *
 *   renderer: window.workbench.api.getRun({ run: 3 })
 *   preload:  ipcRenderer.invoke('workbench:getRun', { run: 3 })  ->  BridgeReply
 *   main:     ipcMain.handle('workbench:getRun', ...)            (ipcBridge.ts)
 *   main:     webContents.send('workbench:event', event)          ->  subscribe listeners
 *
 * Replies are values, never thrown errors: Electron passes only an error's
 * message through `invoke`, so the { code, field, message } of a failure
 * travels as { ok: false, error }. Values are structured-cloned, so
 * Float32Arrays cross as they are. Types only: this module has no run-time
 * code the preload would have to bundle beyond two strings.
 */
import type { ApiError, ApiMethod } from '../app/contract.js';

export const EVENT_CHANNEL = 'workbench:event';

export function methodChannel<M extends ApiMethod>(method: M): `workbench:${M}` {
  return `workbench:${method}`;
}

export type BridgeReply<T = unknown> = { ok: true; value: T } | { ok: false; error: ApiError };
