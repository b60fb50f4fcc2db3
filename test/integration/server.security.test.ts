/**
 * Who may call `cfm serve`, and what every answer carries: the token (header,
 * query or the cookie that `/?token=` sets), other origins refused with no
 * CORS header, the body size limit, JSON-only bodies in strict UTF-8, the
 * security headers, the page at `/` and the static renderer folder.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { API_METHODS } from '../../app/contract.js';
import { startServer } from '../../app/server/server.js';
import { answer, call, startTestServer, type TestServer } from './serverHarness.js';

let t: TestServer;
const LIMIT = 64 * 1024;

beforeAll(async () => {
  t = await startTestServer('security', { bodyLimit: LIMIT });
});

afterAll(async () => {
  await t?.stop();
});

function post(pathAndQuery: string, init: RequestInit = {}): Promise<Response> {
  return fetch(`${t.server.origin}${pathAndQuery}`, { method: 'POST', ...init });
}

const auth = (): Record<string, string> => ({ authorization: `Bearer ${t.server.token}`, 'content-type': 'application/json' });

describe('the token', () => {
  it('is 32 random hex characters, printed in the URL to open', () => {
    expect(t.server.token).toMatch(/^[0-9a-f]{32}$/);
    expect(t.server.url).toBe(`http://127.0.0.1:${t.server.port}/?token=${t.server.token}`);
  });

  it('a missing, wrong or malformed token gets 401 with a JSON message, on every API path', async () => {
    const cases: [string, Record<string, string>][] = [
      ['/api/listRuns', { 'content-type': 'application/json' }],
      ['/api/listRuns', { 'content-type': 'application/json', authorization: `Bearer ${t.server.token.slice(0, -1)}0` }],
      ['/api/listRuns', { 'content-type': 'application/json', authorization: `Bearer ${t.server.token}x` }],
      ['/api/listRuns', { 'content-type': 'application/json', authorization: t.server.token }],
      ['/api/listRuns', { 'content-type': 'application/json', authorization: 'Basic dXNlcjpwYXNz' }],
      [`/api/listRuns?token=${'0'.repeat(32)}`, { 'content-type': 'application/json' }],
      [`/api/listRuns?token=${t.server.token}&token=${t.server.token}`, { 'content-type': 'application/json' }],
      ['/api/listRuns', { 'content-type': 'application/json', cookie: `cfm-token-${t.server.port}=nope` }],
      // a good token in another server's cookie does not count
      ['/api/listRuns', { 'content-type': 'application/json', cookie: `cfm-token-1=${t.server.token}` }],
      ['/api/noSuchMethod', { 'content-type': 'application/json' }],
      // however the path is spelled
      ['/%61pi/listRuns', { 'content-type': 'application/json' }],
      ['/api/%6cistRuns', { 'content-type': 'application/json' }],
    ];
    for (const [p, headers] of cases) {
      const a = await answer(await post(p, { headers, body: '{}' }));
      expect(a.status, `${p} ${JSON.stringify(headers)}`).toBe(401);
      expect(a.body.error).toMatchObject({ code: 'invalid_input', field: 'token' });
      expect(a.body.error.message).toMatch(/^token: /);
      expect(a.headers.get('cache-control')).toBe('no-store');
    }
    const ev = await fetch(`${t.server.origin}/api/events?token=wrong-token`);
    expect(ev.status).toBe(401);
    await ev.body?.cancel();
  });

  it('is accepted as a Bearer header, as ?token= and as the cookie', async () => {
    const viaHeader = await post('/api/getSettings', { headers: auth(), body: '{}' });
    const viaQuery = await post(`/api/getSettings?token=${t.server.token}`, { headers: { 'content-type': 'application/json' }, body: '{}' });
    const viaCookie = await post('/api/getSettings', {
      headers: { 'content-type': 'application/json', cookie: `other=1; cfm-token-${t.server.port}=${t.server.token}` },
      body: '{}',
    });
    for (const r of [viaHeader, viaQuery, viaCookie]) {
      expect(r.status).toBe(200);
      expect(await r.json()).toHaveProperty('concurrency');
    }
  });

  it('opening /?token= sets an HttpOnly SameSite=Strict cookie and redirects to /, after which the API answers', async () => {
    const res = await fetch(t.server.url, { redirect: 'manual' });
    expect(res.status).toBe(302);
    expect(res.headers.get('location')).toBe('/');
    const cookie = res.headers.get('set-cookie')!;
    expect(cookie).toMatch(new RegExp(`^cfm-token-${t.server.port}=${t.server.token};`));
    expect(cookie).toMatch(/HttpOnly/);
    expect(cookie).toMatch(/SameSite=Strict/);
    expect(cookie).toMatch(/Path=\//);
    const pair = cookie.split(';')[0];
    const page = await fetch(`${t.server.origin}/`, { headers: { cookie: pair } });
    expect(await page.text()).toMatch(/holds the token/);
    const api = await post('/api/listRuns', { headers: { 'content-type': 'application/json', cookie: pair }, body: '{}' });
    expect(api.status).toBe(200);
    expect(await api.json()).toEqual([]);
  });

  it('opening / with a wrong token sets no cookie and says so', async () => {
    const res = await fetch(`${t.server.origin}/?token=${'f'.repeat(32)}`, { redirect: 'manual' });
    expect(res.status).toBe(401);
    expect(res.headers.get('set-cookie')).toBeNull();
    expect(await res.text()).toMatch(/token is wrong/);
  });

  it('a chosen token must be well formed', async () => {
    await expect(startServer({ service: t.service, token: 'a b' })).rejects.toThrow(/token/);
  });
});

describe('other origins', () => {
  it('a request from another origin is refused with 403 and no CORS header, even with the right token', async () => {
    for (const origin of ['http://evil.example', `http://127.0.0.1:${t.server.port + 1}`, 'null', `https://localhost:${t.server.port}`]) {
      const res = await post('/api/listRuns', { headers: { ...auth(), origin }, body: '{}' });
      const a = await answer(res);
      expect(a.status, origin).toBe(403);
      expect(a.body.error).toMatchObject({ field: 'origin' });
      expect(res.headers.get('access-control-allow-origin')).toBeNull();
    }
    const preflight = await fetch(`${t.server.origin}/api/listRuns`, {
      method: 'OPTIONS',
      headers: { origin: 'http://evil.example', 'access-control-request-method': 'POST' },
    });
    expect(preflight.status).toBe(403);
    expect(preflight.headers.get('access-control-allow-origin')).toBeNull();
    expect(preflight.headers.get('access-control-allow-methods')).toBeNull();
  });

  it("the server's own origin, as the browser addressed it, is accepted", async () => {
    const res = await post('/api/listRuns', { headers: { ...auth(), origin: t.server.origin }, body: '{}' });
    expect(res.status).toBe(200);
    expect(res.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('an API request a browser marks cross-site is refused', async () => {
    const res = await post('/api/listRuns', { headers: { ...auth(), 'sec-fetch-site': 'cross-site' }, body: '{}' });
    expect(res.status).toBe(403);
  });
});

describe('request bodies', () => {
  it('a body over the limit gets 413 with the limit in the message', async () => {
    const content = new Uint8Array(LIMIT);
    const body = JSON.stringify({ name: 'big', fileName: 'big.csv', content: { $u8: Buffer.from(content).toString('base64') } });
    const a = await answer(await post('/api/importDataset', { headers: auth(), body }));
    expect(a.status).toBe(413);
    expect(a.body.error).toMatchObject({ code: 'invalid_input', field: 'body' });
    expect(a.body.error.message).toContain(String(LIMIT));
    // and the server is fine afterwards
    expect((await call(t.server, 'getSettings')).status).toBe(200);
  });

  it('a body that is not JSON gets 415 (wrong content type) or 400 (malformed), with a message', async () => {
    const text = await answer(await post('/api/listRuns', { headers: { authorization: auth().authorization, 'content-type': 'text/plain' }, body: '{}' }));
    expect(text.status).toBe(415);
    expect(text.body.error.field).toBe('content-type');
    const form = await answer(await post('/api/listRuns', { headers: { authorization: auth().authorization }, body: new URLSearchParams({ a: '1' }) }));
    expect(form.status).toBe(415);
    const latin1 = await answer(await post('/api/listRuns', { headers: { ...auth(), 'content-type': 'application/json; charset=iso-8859-1' }, body: '{}' }));
    expect(latin1.status).toBe(415);
    const broken = await answer(await post('/api/listRuns', { headers: auth(), body: '{"sort": ' }));
    expect(broken.status).toBe(400);
    expect(broken.body.error.message).toMatch(/^body: not valid JSON/);
  });

  it('invalid UTF-8 is refused, not silently replaced', async () => {
    const bytes = Buffer.concat([Buffer.from('{"text": "'), Buffer.from([0xc3, 0x28, 0xff]), Buffer.from('"}')]);
    const a = await answer(await post('/api/listRuns', { headers: auth(), body: bytes }));
    expect(a.status).toBe(400);
    expect(a.body.error.message).toMatch(/UTF-8/);
  });

  it('an unknown method is a 404 listing the methods; another HTTP verb on a method is a 405', async () => {
    const unknown = await call(t.server, 'dropDatabase', {});
    expect(unknown.status).toBe(404);
    expect(unknown.body.error).toMatchObject({ code: 'not_found', field: 'method' });
    expect(unknown.body.error.message).toContain('listRuns');
    for (const method of ['GET', 'PUT', 'DELETE', 'PATCH']) {
      const res = await fetch(`${t.server.origin}/api/listRuns`, { method, headers: { authorization: auth().authorization } });
      expect(res.status, method).toBe(405);
      expect(res.headers.get('allow')).toBe('POST');
      expect(((await res.json()) as any).error.field).toBe('method');
    }
  });

  it('malformed HTTP gets a 400 in the same error shape, and the server goes on', async () => {
    const reply = await new Promise<string>((resolve, reject) => {
      const sock = net.connect(t.server.port, '127.0.0.1', () => sock.write('POST /api/info HTTP/1.1\r\nHost: x\r\nContent-Length: abc\r\n\r\n'));
      let got = '';
      sock.setEncoding('utf8').on('data', (d: string) => (got += d));
      sock.on('end', () => resolve(got));
      sock.on('error', reject);
    });
    expect(reply).toMatch(/^HTTP\/1.1 400/);
    expect(reply).toMatch(/"field":"request"/);
    expect((await call(t.server, 'getSettings')).status).toBe(200);
  });
});

describe('headers and pages', () => {
  it('every answer carries the security headers; API answers are never cached', async () => {
    const answers = [
      await post('/api/getSettings', { headers: auth(), body: '{}' }),
      await post('/api/getSettings', { body: '{}' }),
      await fetch(`${t.server.origin}/`),
      await fetch(`${t.server.origin}/no/such/page`),
    ];
    for (const r of answers) {
      expect(r.headers.get('content-security-policy'), r.url).toMatch(/default-src 'self'/);
      expect(r.headers.get('x-content-type-options')).toBe('nosniff');
      expect(r.headers.get('referrer-policy')).toBe('no-referrer');
      expect(r.headers.get('access-control-allow-origin')).toBeNull();
      await r.body?.cancel();
    }
    expect(answers[0].headers.get('cache-control')).toBe('no-store');
    expect(answers[1].headers.get('cache-control')).toBe('no-store');
    expect(answers[3].status).toBe(404);
  });

  it('without a built renderer, / says the API is up and lists every method and the event stream', async () => {
    const res = await fetch(`${t.server.origin}/`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/html/);
    const html = await res.text();
    expect(html).toMatch(/API is up/);
    for (const m of Object.keys(API_METHODS)) expect(html).toContain(`/api/${m}<`);
    expect(html).toContain('href="/api/events"');
    expect(html).not.toMatch(/<script|style=/);
  });

  it('with a static folder, its files are served at / and the API still needs the token', async () => {
    const dir = path.join(t.dir, 'renderer');
    mkdirSync(path.join(dir, 'assets'), { recursive: true });
    writeFileSync(path.join(dir, 'index.html'), '<!doctype html><title>renderer</title><script src="/assets/app.js"></script>');
    writeFileSync(path.join(dir, 'assets', 'app.js'), 'console.log("hi")');
    const s = await startServer({ service: t.service, staticDir: dir, log: () => undefined });
    try {
      const index = await fetch(`${s.origin}/`);
      expect(index.status).toBe(200);
      expect(await index.text()).toContain('<title>renderer</title>');
      expect(index.headers.get('content-security-policy')).toMatch(/default-src 'self'/);
      const js = await fetch(`${s.origin}/assets/app.js`);
      expect(js.status).toBe(200);
      expect(js.headers.get('content-type')).toMatch(/javascript/);
      await js.body?.cancel();
      const escape = await fetch(`${s.origin}/..%2f..%2fworkbench.sqlite`);
      expect([403, 404]).toContain(escape.status);
      expect(await escape.text()).not.toContain('SQLite format');
      const login = await fetch(s.url, { redirect: 'manual' });
      expect(login.status).toBe(302);
      expect(login.headers.get('set-cookie')).toMatch(/HttpOnly/);
      expect((await fetch(`${s.origin}/api/info`, { method: 'POST' })).status).toBe(401);
    } finally {
      await s.close();
    }
  });
});
