/**
 * The bridge the app talks to: `window.workbench` as the Electron preload
 * exposes it, or else the HTTP client of `cfm serve`, installed on window
 * under the same name so both hosts (and tests) see one surface.
 */
import type { WorkbenchBridge } from '../../../app/contract.js';
import { createHttpBridge } from './client.js';

declare global {
  interface Window {
    workbench: WorkbenchBridge;
  }
}

export function installWorkbench(): WorkbenchBridge {
  if (!window.workbench) window.workbench = createHttpBridge();
  return window.workbench;
}

export const workbench = (): WorkbenchBridge => window.workbench;
