/**
 * The window's security, as Electron's security checklist lists it
 * (https://www.electronjs.org/docs/latest/tutorial/security), in one place:
 *
 * - A strict Content-Security-Policy: everything from the app's own origin
 *   only, no inline script or style, no eval, no plugins, no <base>, no
 *   framing, no form posts. The renderer build emits only files (Vite with
 *   assetsInlineLimit 0, base './'); images may be data: or blob: URLs
 *   (canvas exports, the favicon `data:,`). It is sent with every response of
 *   the app:// scheme (appProtocol.ts) and added to every other response of
 *   the session as well (DevTools' own pages keep theirs).
 * - Navigation denied: the page is one document routed by hash, so any
 *   navigation away (a link, a form, a redirect, a frame) is prevented; an
 *   allow-listed https link opens in the user's browser instead.
 * - New windows denied: window.open and target=_blank never create an
 *   Electron window; allow-listed https links go to the user's browser.
 * - <webview> refused; permission requests (camera, notifications, ...)
 *   denied: the workbench needs none.
 * - shell.openExternal only for https URLs under EXTERNAL_ALLOW_LIST.
 *
 * The handlers are exported as plain functions so tests check them without
 * Electron; hardenWebContents and hardenSession wire them up.
 */
import type { Session, WebContents } from 'electron';

export const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data: blob:",
  "font-src 'self'",
  "connect-src 'self'",
  "worker-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-src 'none'",
  "frame-ancestors 'none'",
].join('; ');

/**
 * Pages the app may open in the user's browser: the method's references and
 * the GPU set-up guides the help text points to. An entry is an https origin
 * and a path prefix (matched on whole segments).
 */
export const EXTERNAL_ALLOW_LIST: readonly string[] = [
  'https://github.com/atong01/conditional-flow-matching',
  'https://arxiv.org/abs/2302.00482',
  'https://arxiv.org/abs/2210.02747',
  'https://www.tensorflow.org/install/pip',
  'https://www.tensorflow.org/install/source#gpu',
  'https://github.com/tensorflow/tfjs/tree/master/tfjs-node',
  'https://www.npmjs.com/package/@tensorflow/tfjs-node-gpu',
  'https://developer.nvidia.com/cuda-toolkit-archive',
  'https://developer.nvidia.com/rdp/cudnn-archive',
];

/** "Help → Method Reference": the CFM reference implementation whose method names and definitions the workbench follows. */
export const DOCS_URL = 'https://github.com/atong01/conditional-flow-matching';
/** Where "Help → Using the GPU" points for CUDA and cuDNN of the versions gpuHelp names. */
export const GPU_GUIDE_URL = 'https://www.tensorflow.org/install/source#gpu';

/** True only for an https URL (no credentials, default port) under an allow-listed prefix. */
export function isAllowedExternalUrl(raw: string, allowList: readonly string[] = EXTERNAL_ALLOW_LIST): boolean {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return false;
  }
  if (url.protocol !== 'https:' || url.username !== '' || url.password !== '' || url.port !== '') return false;
  return allowList.some((entry) => {
    const allowed = new URL(entry);
    if (allowed.origin !== url.origin) return false;
    // Whole segments: /a/b allows /a/b and /a/b/c, not /a/bc. Query and fragment do not matter.
    const prefix = allowed.pathname.replace(/\/+$/, '');
    return prefix === '' || url.pathname === prefix || url.pathname.startsWith(`${prefix}/`);
  });
}

export type OpenExternal = (url: string) => Promise<void> | void;

/** Opens `url` in the user's browser when allow-listed; returns whether it did. */
export function openAllowedExternal(url: string, openExternal: OpenExternal): boolean {
  if (!isAllowedExternalUrl(url)) return false;
  void Promise.resolve(openExternal(url)).catch(() => undefined);
  return true;
}

/** `will-navigate`, `will-frame-navigate`, `will-redirect`: always prevented; allow-listed links go to the browser. */
export function denyNavigation(event: { preventDefault(): void }, url: string, openExternal: OpenExternal): void {
  event.preventDefault();
  openAllowedExternal(url, openExternal);
}

/** setWindowOpenHandler: never a new Electron window. */
export function denyWindowOpen(details: { url: string }, openExternal: OpenExternal): { action: 'deny' } {
  openAllowedExternal(details.url, openExternal);
  return { action: 'deny' };
}

/** setPermissionRequestHandler: every request refused. */
export function denyPermissionRequest(_contents: unknown, _permission: string, callback: (granted: boolean) => void): void {
  callback(false);
}

/** setPermissionCheckHandler: nothing is granted. */
export function denyPermissionCheck(): boolean {
  return false;
}

/** The response headers with our CSP in place of any the response had (header names are case-insensitive). */
export function withCsp(headers: Record<string, string[] | string> | undefined): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const [k, v] of Object.entries(headers ?? {})) {
    if (k.toLowerCase() === 'content-security-policy') continue;
    out[k] = Array.isArray(v) ? v : [v];
  }
  out['Content-Security-Policy'] = [CONTENT_SECURITY_POLICY];
  return out;
}

const hardened = new WeakSet<WebContents>();

/**
 * Every navigation and window-open of a webContents denied. Applied to every
 * webContents the app creates ('web-contents-created') and to the window;
 * a second call on the same webContents does nothing.
 */
export function hardenWebContents(contents: WebContents, openExternal: OpenExternal): void {
  if (hardened.has(contents)) return;
  hardened.add(contents);
  contents.on('will-navigate', (event, url) => denyNavigation(event, url, openExternal));
  contents.on('will-frame-navigate', (event) => denyNavigation(event, event.url, openExternal));
  contents.on('will-redirect', (event, url) => denyNavigation(event, url, openExternal));
  contents.on('will-attach-webview', (event) => event.preventDefault());
  contents.setWindowOpenHandler((details) => denyWindowOpen(details, openExternal));
}

/** Whether the app's CSP is put on a response: everything but the browser's own pages (DevTools keeps its policy). */
export function cspAppliesTo(url: string): boolean {
  return !/^(devtools|chrome|chrome-extension|chrome-untrusted):/i.test(url);
}

/** Permissions denied and the CSP added to every response of the session. */
export function hardenSession(session: Session): void {
  session.setPermissionRequestHandler(denyPermissionRequest);
  session.setPermissionCheckHandler(denyPermissionCheck);
  session.webRequest.onHeadersReceived((details, callback) => {
    callback(cspAppliesTo(details.url) ? { responseHeaders: withCsp(details.responseHeaders) } : {});
  });
}
