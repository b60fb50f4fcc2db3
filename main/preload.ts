/**
 * The preload script of the workbench window: exposes exactly the contract's
 * WorkbenchBridge as `window.workbench` (preloadBridge.ts) and nothing else.
 *
 * The window is sandboxed, so this script cannot load the app's modules at
 * run time: it is bundled into one CommonJS file, dist/main/preload.cjs
 * (vite.preload.config.ts), with only `electron` left to the sandbox's
 * require. The method names come from the contract at build time
 * (__CFM_API_METHODS__, the keys of API_METHODS), so the bundle carries no zod
 * and cannot miss a method.
 */
import { contextBridge, ipcRenderer } from 'electron';
import type { ApiMethod } from '../app/contract.js';
import { createPreloadBridge } from './preloadBridge.js';

declare const __CFM_API_METHODS__: readonly ApiMethod[];

contextBridge.exposeInMainWorld('workbench', createPreloadBridge(ipcRenderer, __CFM_API_METHODS__));
