/**
 * The window's security settings and guards, without Electron: the
 * webPreferences the window is built with, the CSP every page response
 * carries, the navigation / window-open / permission handlers, the external
 * link allow-list, and the app:// scheme that serves the renderer (real files
 * in a temp folder, real fetch Request/Response objects).
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  APP_PAGE_URL,
  APP_SCHEME_PRIVILEGES,
  createAppProtocolHandler,
  isAppPageUrl,
  resolveAppPath,
} from '../../main/appProtocol.js';
import {
  CONTENT_SECURITY_POLICY,
  cspAppliesTo,
  DOCS_URL,
  GPU_GUIDE_URL,
  denyNavigation,
  denyPermissionCheck,
  denyPermissionRequest,
  denyWindowOpen,
  isAllowedExternalUrl,
  withCsp,
} from '../../main/security.js';
import { appPageUrl, webPreferences, windowOptions } from '../../main/window.js';

/** The CSP as directive -> sources. */
function directives(csp: string): Map<string, string[]> {
  const m = new Map<string, string[]>();
  for (const part of csp.split(';')) {
    const [name, ...sources] = part.trim().split(/\s+/);
    if (name) m.set(name, sources);
  }
  return m;
}

describe('the workbench window', () => {
  it('is built with context isolation, the sandbox, no Node integration and web security on', () => {
    const prefs = windowOptions({ preload: '/app/dist/main/preload.cjs' }).webPreferences;
    expect(prefs).toEqual({
      preload: '/app/dist/main/preload.cjs',
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
    });
    // Nothing that would widen the page's powers is set at all.
    for (const key of ['enableBlinkFeatures', 'additionalArguments', 'partition', 'session', 'plugins']) expect(prefs).not.toHaveProperty(key);
    expect(webPreferences({ preload: 'p' })).toEqual({ ...prefs, preload: 'p' });
  });

  it('stays hidden until its first paint and loads the app page from app://workbench', () => {
    const o = windowOptions({ preload: 'p' });
    expect(o.show).toBe(false);
    expect(appPageUrl()).toBe('app://workbench/index.html');
    expect(appPageUrl('#/datasets')).toBe('app://workbench/index.html#/datasets');
    expect(APP_PAGE_URL).toBe('app://workbench/index.html');
  });

  it('registers app:// as a standard secure scheme that does not bypass the CSP', () => {
    expect(APP_SCHEME_PRIVILEGES.scheme).toBe('app');
    expect(APP_SCHEME_PRIVILEGES.privileges).toMatchObject({ standard: true, secure: true, corsEnabled: true, supportFetchAPI: true });
    expect(APP_SCHEME_PRIVILEGES.privileges).not.toHaveProperty('bypassCSP');
  });
});

describe('the content security policy', () => {
  const d = directives(CONTENT_SECURITY_POLICY);

  it('lets scripts and styles come only from the app itself: no inline code, no eval, no remote origin', () => {
    for (const name of ['default-src', 'script-src', 'style-src', 'connect-src', 'font-src']) {
      expect(d.get(name), name).toEqual(["'self'"]);
    }
    expect(CONTENT_SECURITY_POLICY).not.toMatch(/unsafe-inline|unsafe-eval|unsafe-hashes|wasm-unsafe-eval|strict-dynamic|https?:|\*/);
  });

  it('allows images from the app, data: and blob: URLs (canvas exports, the favicon) and nothing else', () => {
    expect(d.get('img-src')).toEqual(["'self'", 'data:', 'blob:']);
  });

  it('forbids plugins, <base>, framing, frames and form posts', () => {
    expect(d.get('object-src')).toEqual(["'none'"]);
    expect(d.get('base-uri')).toEqual(["'none'"]);
    expect(d.get('frame-ancestors')).toEqual(["'none'"]);
    expect(d.get('frame-src')).toEqual(["'none'"]);
    expect(d.get('form-action')).toEqual(["'none'"]);
  });

  it('replaces any CSP a response had, whatever the header spelling, and keeps the other headers', () => {
    const h = withCsp({ 'content-security-policy': ["default-src *"], 'Content-Type': ['text/html'], 'X-One': 'single' });
    expect(h).toEqual({ 'Content-Type': ['text/html'], 'X-One': ['single'], 'Content-Security-Policy': [CONTENT_SECURITY_POLICY] });
    expect(withCsp(undefined)).toEqual({ 'Content-Security-Policy': [CONTENT_SECURITY_POLICY] });
  });

  it('is put on the app’s and any web response, but leaves DevTools’ own pages alone', () => {
    for (const url of ['app://workbench/index.html', 'file:///x/index.html', 'https://example.com/', 'http://127.0.0.1/']) expect(cspAppliesTo(url), url).toBe(true);
    for (const url of ['devtools://devtools/bundled/devtools_app.html', 'chrome-extension://abc/x.js', 'chrome://gpu']) expect(cspAppliesTo(url), url).toBe(false);
  });
});

describe('navigation, new windows, permissions and external links', () => {
  const recorder = () => {
    const opened: string[] = [];
    return { opened, open: (url: string) => void opened.push(url) };
  };
  const event = () => {
    let prevented = false;
    return { e: { preventDefault: () => void (prevented = true) }, prevented: () => prevented };
  };

  it('prevents every navigation away from the page, including to another app:// page or a file', () => {
    for (const url of ['https://evil.example/', 'file:///etc/passwd', 'app://workbench/other.html', 'http://127.0.0.1:8765/', 'javascript:alert(1)']) {
      const r = recorder();
      const ev = event();
      denyNavigation(ev.e, url, r.open);
      expect(ev.prevented(), url).toBe(true);
      expect(r.opened, url).toEqual([]);
    }
  });

  it('sends an allow-listed https link to the browser instead of navigating to it', () => {
    const r = recorder();
    const ev = event();
    denyNavigation(ev.e, DOCS_URL, r.open);
    expect(ev.prevented()).toBe(true);
    expect(r.opened).toEqual([DOCS_URL]);
  });

  it('never opens a new Electron window; allow-listed links open in the browser', () => {
    const r = recorder();
    expect(denyWindowOpen({ url: 'https://evil.example/' }, r.open)).toEqual({ action: 'deny' });
    expect(denyWindowOpen({ url: GPU_GUIDE_URL }, r.open)).toEqual({ action: 'deny' });
    expect(r.opened).toEqual([GPU_GUIDE_URL]);
  });

  it('denies every permission request and check', () => {
    const answers: boolean[] = [];
    for (const p of ['media', 'notifications', 'geolocation', 'clipboard-read', 'openExternal']) denyPermissionRequest(null, p, (g) => answers.push(g));
    expect(answers).toEqual([false, false, false, false, false]);
    expect(denyPermissionCheck()).toBe(false);
  });

  it('allows only https pages under the allow-listed prefixes, matched on whole path segments', () => {
    expect(isAllowedExternalUrl('https://github.com/atong01/conditional-flow-matching')).toBe(true);
    expect(isAllowedExternalUrl('https://github.com/atong01/conditional-flow-matching/blob/main/README.md')).toBe(true);
    expect(isAllowedExternalUrl('https://www.tensorflow.org/install/source#gpu')).toBe(true);
    // Same prefix as text but another repository.
    expect(isAllowedExternalUrl('https://github.com/atong01/conditional-flow-matching-evil')).toBe(false);
    expect(isAllowedExternalUrl('https://github.com/someone/else')).toBe(false);
    expect(isAllowedExternalUrl('http://github.com/atong01/conditional-flow-matching')).toBe(false);
    expect(isAllowedExternalUrl('https://user:pw@github.com/atong01/conditional-flow-matching')).toBe(false);
    expect(isAllowedExternalUrl('https://github.com:444/atong01/conditional-flow-matching')).toBe(false);
    expect(isAllowedExternalUrl('https://github.com.evil.example/atong01/conditional-flow-matching')).toBe(false);
    expect(isAllowedExternalUrl('file:///etc/passwd')).toBe(false);
    expect(isAllowedExternalUrl('not a url')).toBe(false);
  });
});

describe('the app:// scheme serving the renderer', () => {
  let root: string;
  let outside: string;
  beforeAll(() => {
    const base = mkdtempSync(path.join(tmpdir(), 'cfm-main-proto-'));
    root = path.join(base, 'renderer');
    outside = base;
    mkdirSync(path.join(root, 'assets'), { recursive: true });
    writeFileSync(path.join(root, 'index.html'), '<!doctype html><title>t</title>');
    writeFileSync(path.join(root, 'assets', 'index-1.js'), 'export const x = 1;');
    writeFileSync(path.join(root, 'assets', 'index-1.css'), 'body{}');
    writeFileSync(path.join(base, 'secret.txt'), 'do not serve');
  });
  afterAll(() => rmSync(outside, { recursive: true, force: true }));

  const get = (url: string, method = 'GET') => createAppProtocolHandler(root)(new Request(url, { method }));

  it('serves the page and its assets with their content types and the CSP on every response', async () => {
    const page = await get('app://workbench/index.html');
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(page.headers.get('content-security-policy')).toBe(CONTENT_SECURITY_POLICY);
    expect(page.headers.get('x-content-type-options')).toBe('nosniff');
    expect(await page.text()).toBe('<!doctype html><title>t</title>');
    const js = await get('app://workbench/assets/index-1.js');
    expect(js.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    expect(await js.text()).toBe('export const x = 1;');
    expect((await get('app://workbench/assets/index-1.css')).headers.get('content-type')).toBe('text/css; charset=utf-8');
    expect(await (await get('app://workbench/')).text()).toBe('<!doctype html><title>t</title>');
    const missing = await get('app://workbench/nope.js');
    expect(missing.status).toBe(404);
    expect(missing.headers.get('content-security-policy')).toBe(CONTENT_SECURITY_POLICY);
  });

  it('never serves a file outside the renderer folder, however the path is spelt', async () => {
    for (const url of [
      'app://workbench/../secret.txt',
      'app://workbench/%2e%2e/secret.txt',
      'app://workbench/assets/..%2f..%2fsecret.txt',
      'app://workbench/..%5csecret.txt',
      `app://workbench/${encodeURIComponent(path.join(outside, 'secret.txt'))}`,
      'app://workbench/assets/%00.js',
      'app://workbench/assets',
    ]) {
      const r = await get(url);
      expect(r.status, url).toBe(404);
      expect(await r.text(), url).not.toContain('do not serve');
    }
    expect(resolveAppPath(root, '/assets/../../secret.txt')).toBeUndefined();
    expect(resolveAppPath(root, '/assets/index-1.js')).toBe(path.join(root, 'assets', 'index-1.js'));
  });

  it('answers only GET and HEAD, and only for its own host', async () => {
    expect((await get('app://workbench/index.html', 'POST')).status).toBe(405);
    const head = await get('app://workbench/index.html', 'HEAD');
    expect(head.status).toBe(200);
    expect(await head.text()).toBe('');
    expect((await get('app://other/index.html')).status).toBe(404);
  });

  it('recognises the app page with any hash route, and nothing else', () => {
    expect(isAppPageUrl('app://workbench/index.html')).toBe(true);
    expect(isAppPageUrl('app://workbench/index.html#/runs/3')).toBe(true);
    expect(isAppPageUrl('app://workbench/')).toBe(true);
    for (const url of ['app://workbench/other.html', 'app://evil/index.html', 'file:///index.html', 'https://workbench/index.html', 'app://x@workbench/index.html', '']) {
      expect(isAppPageUrl(url), url).toBe(false);
    }
  });
});
