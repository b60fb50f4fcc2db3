/**
 * The one workbench window. Its webPreferences are Electron's security
 * checklist: context isolation (the preload's world is separate from the
 * page's), the Chromium sandbox (the renderer has no Node and the preload
 * only a minimal require), no Node integration anywhere (page, subframes,
 * workers), web security on, no insecure content, no experimental or extra
 * Blink features, no <webview>, no navigation by drag and drop. The page is
 * the built renderer served from app://workbench/ (appProtocol.ts).
 *
 * windowOptions is pure (the tests assert it); createWindow builds the window
 * with it, applies the navigation and window-open guards (security.ts) and
 * shows it when its first paint is ready.
 */
import type { BrowserWindow, BrowserWindowConstructorOptions, WebPreferences } from 'electron';
import { APP_PAGE_URL } from './appProtocol.js';
import { hardenWebContents, type OpenExternal } from './security.js';

export interface WindowPaths {
  /** Absolute path of the bundled preload (dist/main/preload.cjs). */
  preload: string;
}

export function webPreferences(paths: WindowPaths): WebPreferences {
  return {
    preload: paths.preload,
    contextIsolation: true,
    sandbox: true,
    nodeIntegration: false,
    nodeIntegrationInSubFrames: false,
    nodeIntegrationInWorker: false,
    webSecurity: true,
    allowRunningInsecureContent: false,
    experimentalFeatures: false,
    webviewTag: false,
    navigateOnDragDrop: false,
    safeDialogs: true,
    spellcheck: false,
  };
}

export function windowOptions(paths: WindowPaths): BrowserWindowConstructorOptions {
  return {
    width: 1440,
    height: 920,
    minWidth: 900,
    minHeight: 600,
    title: 'CFM Workbench',
    show: false,
    backgroundColor: '#f7f7f8',
    webPreferences: webPreferences(paths),
  };
}

/** The page to load, optionally at a hash route (e.g. '#/datasets'). */
export function appPageUrl(hash = ''): string {
  return `${APP_PAGE_URL}${hash}`;
}

export function createWindow(BrowserWindowClass: typeof BrowserWindow, paths: WindowPaths, openExternal: OpenExternal): BrowserWindow {
  const win = new BrowserWindowClass(windowOptions(paths));
  hardenWebContents(win.webContents, openExternal);
  win.once('ready-to-show', () => win.show());
  void win.loadURL(appPageUrl()).catch((e: unknown) => {
    console.error('workbench: the window could not load its page', e);
  });
  return win;
}
