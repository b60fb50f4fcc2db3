/**
 * `cfm serve` under a few thousand random and malformed requests (seeded,
 * bounded in count and time, loopback only): garbage and truncated bodies,
 * invalid UTF-8, deep nesting, wrong types, huge, negative and non-finite
 * numbers, unknown fields and methods, wrong HTTP verbs and content types,
 * bad tokens, other origins, malformed HTTP. Each must get a 4xx with a JSON
 * error message; afterwards the server still answers, the database passes
 * its integrity check, and nothing was created, changed or deleted.
 *
 * A mutated input counts as invalid only when the method's own zod schema
 * (the contract) rejects it, so no request here can legitimately succeed;
 * a few schema-valid inputs that the service must refuse (unknown runs, a
 * run without a model, bad run configs) are mixed in by hand.
 */
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { API_METHODS, type ApiMethod } from '../../app/contract.js';
import { Rng } from '../../app/engine/rng.js';
import type { RunRecord } from '../../app/store/interface.js';
import { encodeWire } from '../../app/wire.js';
import { startTestServer, tinyConfig, type TestServer } from './serverHarness.js';

const REQUESTS = 3000;
const TIME_BOX_MS = 45_000;
const PARALLEL = 8;

let t: TestServer;
let F: RunRecord;

beforeAll(async () => {
  t = await startTestServer('fuzz', { bodyLimit: 256 * 1024 });
  // A run with no model: methods that need one must refuse it, and nothing may change it.
  F = t.store.createRun({ experimentName: 'fixture', name: 'fixture-run', config: tinyConfig(), seed: 1, backend: 'wasm', totalSteps: 100 });
  F = t.store.updateRun(F.id, { status: 'completed', step: 100 });
});

afterAll(async () => {
  await t?.stop();
});

interface FuzzRequest {
  kind: string;
  method: string;
  path: string;
  headers: Record<string, string>;
  body?: string | Uint8Array;
}

function templates(run: number): Record<ApiMethod, Record<string, unknown>> {
  return {
    info: {},
    getSettings: {},
    setSettings: { concurrency: 2 },
    listExperiments: {},
    listRuns: { sort: 'id', experiment: 'fixture' },
    getRun: { run },
    renameRun: { run, name: 'renamed' },
    tagRun: { run, tags: ['a'] },
    noteRun: { run, notes: 'note' },
    deleteRun: { run },
    startRun: { config: tinyConfig(), name: 'fuzz' },
    startSweep: { config: tinyConfig(), grid: { lr: [0.001, 0.002] }, experiment: 'fuzz' },
    cancelRun: { run },
    resumeRun: { run },
    sampleRun: { run, n: 10, solver: 'rk4', steps: 2 },
    evaluateRun: { run, n: 10 },
    vectorField: { run, t: 0.5, grid: 3 },
    densityGrid: { run, grid: 3 },
    compareRuns: { runs: [run] },
    metricSeries: { run, points: 10 },
    listDatasets: {},
    previewDataset: { name: 'moons', n: 10 },
    importDataset: { name: 'fuzzed', fileName: 'a.csv', content: new TextEncoder().encode('1,2\n3,4\n5,6\n7,8\n9,10\n') },
    previewPath: { dataset: 'moons', n: 4 },
  };
}

/** Inputs the schema accepts but the service must refuse (a 4xx each), for the fixture run `run`. */
function semanticCases(run: number): [ApiMethod, Record<string, unknown>][] {
  const csv = (s: string) => new TextEncoder().encode(s);
  return [
    ['getRun', { run: 999_999 }],
    ['getRun', { run: 'no-such-run' }],
    ['renameRun', { run: 999_999, name: 'x' }],
    ['deleteRun', { run: 'no-such-run' }],
    ['metricSeries', { run: 999_999 }],
    ['compareRuns', { runs: [run, 999_999] }],
    ['sampleRun', { run }],
    ['evaluateRun', { run }],
    ['vectorField', { run, t: 0 }],
    ['densityGrid', { run }],
    ['resumeRun', { run }],
    ['cancelRun', { run }],
    ['startRun', { config: { steps: -1 } }],
    ['startRun', { config: { steps: 1e12 } }],
    ['startRun', { config: { lr: 'fast' } }],
    ['startRun', { config: { dataset: 'no-such-dataset' } }],
    ['startRun', { config: { noSuchKey: 1 } }],
    ['startRun', { config: { method: 'rf', parentRun: 999_999 } }],
    ['startRun', { config: { width: Number.MAX_SAFE_INTEGER } }],
    ['startSweep', { config: {}, grid: { lr: [-1] }, experiment: 'fuzz' }],
    ['startSweep', { config: {}, grid: { noSuchKey: [1] }, experiment: 'fuzz' }],
    ['previewDataset', { name: 'no-such-dataset' }],
    ['previewPath', { dataset: 'no-such-dataset' }],
    ['importDataset', { name: 'bad1', fileName: 'a.exe', content: csv('1,2\n') }],
    ['importDataset', { name: 'bad2', fileName: 'a.csv', content: csv('1,2\n3,abc\n') }],
    ['importDataset', { name: 'bad3', fileName: 'a.csv', content: new Uint8Array([0xff, 0xfe, 0x00]) }],
    ['importDataset', { name: 'bad4', fileName: 'a.npy', content: csv('not numpy') }],
    ['importDataset', { name: 'bad5', fileName: 'a.csv', content: new Uint8Array(0) }],
    ['listRuns', { where: 'lr <<< 3' }],
    ['listRuns', { where: 'noSuchKey = 1' }],
    ['listRuns', { where: '((((' }],
  ];
}

function deep(depth: number, leaf: unknown = 1): unknown {
  let v: unknown = leaf;
  for (let i = 0; i < depth; i++) v = i % 2 ? [v] : { a: v };
  return v;
}

function fuzzer(rng: Rng, token: string, origin: string, run: number) {
  const pick = <T>(xs: readonly T[]): T => xs[rng.int(xs.length)];
  const methods = Object.keys(API_METHODS) as ApiMethod[];
  const tpl = templates(run);
  const semantic = semanticCases(run);
  const randomString = (n: number): string => Array.from({ length: n }, () => String.fromCharCode(32 + rng.int(95))).join('');
  const randomBytes = (n: number): Uint8Array => Uint8Array.from({ length: n }, () => rng.int(256));
  const values = (): unknown[] => [
    null,
    true,
    false,
    0,
    -0,
    -1,
    -1e308,
    1e308,
    2 ** 53 + 2,
    -(2 ** 31),
    0.5,
    NaN,
    Infinity,
    -Infinity,
    '',
    randomString(1 + rng.int(20)),
    'x'.repeat(5000),
    "'; DROP TABLE runs; --",
    '\u0000\u202e\ud800',
    [],
    [1, 'a', null],
    {},
    { nested: { deeper: [1, 2] } },
    deep(40),
    new Float32Array([1, NaN]),
    new Uint8Array([1, 2, 3]),
    { $f32: 'AAAA' },
  ];
  const good = (m: ApiMethod): Record<string, string> => ({ authorization: `Bearer ${token}`, 'content-type': 'application/json' });
  const schemaRejects = (m: ApiMethod, input: unknown): boolean => !API_METHODS[m].safeParse(input).success;

  /** A structurally invalid input for `m` (the schema rejects it), or undefined when a try did not find one. */
  const mutate = (m: ApiMethod): unknown => {
    const base: Record<string, unknown> = { ...tpl[m] };
    const keys = Object.keys(base);
    const shapeKeys = Object.keys((API_METHODS[m] as unknown as { shape: Record<string, unknown> }).shape);
    const r = rng.int(5);
    let input: unknown;
    if (r === 0) input = { ...base, [pick(['extra', '__unknown', 'Run', 'token', 'constructor', randomString(6)])]: pick(values()) };
    else if (r === 1 && shapeKeys.length) input = { ...base, [pick(shapeKeys)]: pick(values()) };
    else if (r === 2 && keys.length) {
      const k = pick(keys);
      const v = base[k];
      // break something inside a nested value (config keys, list items)
      if (Array.isArray(v)) input = { ...base, [k]: [...v, pick(values())] };
      else if (v && typeof v === 'object' && !ArrayBuffer.isView(v)) input = { ...base, [k]: { ...v, [pick(Object.keys(v))]: pick(values()) } };
      else input = { ...base, [k]: pick(values()) };
    } else if (r === 3) input = pick(values());
    else {
      input = { ...base };
      if (keys.length) delete (input as Record<string, unknown>)[pick(keys)];
      else (input as Record<string, unknown>).x = 1;
    }
    return schemaRejects(m, input) ? input : undefined;
  };

  const generators: [string, () => FuzzRequest | undefined][] = [
    [
      'mutated input',
      () => {
        const m = pick(methods);
        const input = mutate(m);
        return input === undefined ? undefined : { kind: 'mutated input', method: 'POST', path: `/api/${m}`, headers: good(m), body: encodeWire(input) };
      },
    ],
    [
      'semantic',
      () => {
        const [m, input] = pick(semantic);
        return { kind: 'semantic', method: 'POST', path: `/api/${m}`, headers: good(m), body: encodeWire(input) };
      },
    ],
    [
      'garbage bytes',
      () => {
        const m = pick(methods);
        const bytes = randomBytes(1 + rng.int(300));
        try {
          if (!schemaRejects(m, JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes)))) return undefined;
        } catch {
          // not JSON: good
        }
        return { kind: 'garbage bytes', method: 'POST', path: `/api/${m}`, headers: good(m), body: bytes };
      },
    ],
    [
      'truncated JSON',
      () => {
        const m = pick(methods);
        const text = encodeWire(tpl[m]);
        return { kind: 'truncated JSON', method: 'POST', path: `/api/${m}`, headers: good(m), body: text.slice(0, rng.int(text.length)) || '{' };
      },
    ],
    [
      'invalid UTF-8',
      () => {
        const m = pick(methods);
        const text = new TextEncoder().encode(encodeWire({ ...tpl[m], text: 'abc' }));
        const at = text.length - 3;
        const bad = pick([[0xff], [0xc3, 0x28], [0xe2, 0x82], [0xed, 0xa0, 0x80], [0xf8, 0x88, 0x80, 0x80, 0x80], [0xc0, 0xaf]]);
        const body = new Uint8Array([...text.slice(0, at), ...bad, ...text.slice(at)]);
        return { kind: 'invalid UTF-8', method: 'POST', path: `/api/${m}`, headers: good(m), body };
      },
    ],
    [
      'deep nesting',
      () => {
        const m = pick(methods);
        const d = 65 + rng.int(20_000);
        const body = rng.int(2) ? '['.repeat(d) + ']'.repeat(d) : `{"run": ${'{"a":'.repeat(d)}1${'}'.repeat(d)}}`;
        return { kind: 'deep nesting', method: 'POST', path: `/api/${m}`, headers: good(m), body };
      },
    ],
    [
      'number literals',
      () => {
        const m = pick(['setSettings', 'sampleRun', 'getRun', 'vectorField', 'metricSeries', 'previewPath'] as const);
        const lit = pick(['1e999', '-1e999', '1e-999', '-0', '0.0000001', '99999999999999999999999', '-5', '1.5', '2147483648', '1E+2']);
        const body = encodeWire(tpl[m]).replace(/:(\d+(\.\d+)?)/, `:${lit}`);
        let parsed: unknown;
        try {
          parsed = JSON.parse(body);
        } catch {
          return undefined;
        }
        return schemaRejects(m, parsed) ? { kind: 'number literals', method: 'POST', path: `/api/${m}`, headers: good(m), body } : undefined;
      },
    ],
    [
      'bad wire tags',
      () => {
        const body = pick([
          '{"content": {"$u8": "!!!!"}, "name": "a", "fileName": "a.csv"}',
          '{"content": {"$u8": "AAA"}, "name": "a", "fileName": "a.csv"}',
          '{"run": {"$num": "NaN"}}',
          '{"run": {"$num": "one"}}',
          '{"run": {"$f32": 5}}',
          '{"run": {"$f64": "AAAAAA=="}}',
          '{"__proto__": {"run": 1}}',
          '{"run": 1, "__proto__": null}',
        ]);
        const m = pick(['importDataset', 'getRun', 'sampleRun'] as const);
        return { kind: 'bad wire tags', method: 'POST', path: `/api/${m}`, headers: good(m), body };
      },
    ],
    [
      'unknown method',
      () => {
        const name = pick([
          randomString(1 + rng.int(30)).replace(/[?#%/\\ ]/g, 'x'),
          'constructor',
          '__proto__',
          'toString',
          'hasOwnProperty',
          'INFO',
          'info%00',
          'info%2F..',
          '..%2Finfo',
          'info/extra',
          'events/x',
          '%E0%A4%A',
          'listRuns;drop',
        ]);
        if (Object.hasOwn(API_METHODS, name)) return undefined;
        return { kind: 'unknown method', method: 'POST', path: `/api/${name}`, headers: good('info'), body: '{}' };
      },
    ],
    [
      'wrong HTTP verb',
      () => {
        const m = pick(methods);
        return { kind: 'wrong HTTP verb', method: pick(['GET', 'PUT', 'DELETE', 'PATCH', 'OPTIONS']), path: `/api/${m}`, headers: { authorization: `Bearer ${token}` } };
      },
    ],
    [
      'wrong content type',
      () => {
        const m = pick(methods);
        const type = pick(['text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x', 'application/xml', 'text/json', 'application/jsonp', 'application/json; charset=latin1', '']);
        const headers: Record<string, string> = { authorization: `Bearer ${token}` };
        if (type) headers['content-type'] = type;
        return { kind: 'wrong content type', method: 'POST', path: `/api/${m}`, headers, body: encodeWire(tpl[m]) };
      },
    ],
    [
      'bad token',
      () => {
        const m = pick(methods);
        const bad: Record<string, string> = pick<Record<string, string>>([
          { authorization: `Bearer ${randomString(32).replace(/\s/g, 'x')}` },
          { authorization: `Bearer ${token.toUpperCase()}x` },
          { authorization: `Token ${token}` },
          { authorization: '' },
          { cookie: `cfm-token-0=${token}` },
          {},
        ]);
        return { kind: 'bad token', method: 'POST', path: `/api/${m}`, headers: { 'content-type': 'application/json', ...bad }, body: encodeWire(tpl[m]) };
      },
    ],
    [
      'other origin',
      () => {
        const m = pick(methods);
        const o = pick(['http://evil.example', 'null', `${origin}.evil.example`, 'http://127.0.0.1', `https://${origin.slice(7)}x`]);
        return { kind: 'other origin', method: 'POST', path: `/api/${m}`, headers: { ...good(m), origin: o }, body: encodeWire(tpl[m]) };
      },
    ],
  ];

  return (): FuzzRequest => {
    for (;;) {
      const [, gen] = pick(generators);
      const req = gen();
      if (req) return req;
    }
  };
}

/** Raw bytes over a socket: Node's HTTP parser must refuse them, and the server must live on. */
function rawRequest(port: number, text: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const sock = net.connect(port, '127.0.0.1', () => sock.write(text));
    let got = '';
    sock.setEncoding('utf8').on('data', (d: string) => (got += d));
    sock.on('end', () => resolve(got));
    sock.on('error', (e: NodeJS.ErrnoException) => (e.code === 'ECONNRESET' ? resolve(got) : reject(e)));
    sock.setTimeout(10_000, () => {
      sock.destroy();
      resolve(got);
    });
  });
}

describe('cfm serve under random and malformed requests', () => {
  it(`answers each of ${REQUESTS} bad requests with a 4xx and a JSON message, and changes nothing`, async () => {
    const next = fuzzer(new Rng(20260101), t.server.token, t.server.origin, F.id);
    const runsBefore = JSON.stringify(t.store.listRuns());
    const deadline = Date.now() + TIME_BOX_MS;
    const byStatus = new Map<number, number>();
    const byKind = new Map<string, number>();
    const failures: string[] = [];
    let sent = 0;
    const worker = async (): Promise<void> => {
      while (sent < REQUESTS && Date.now() < deadline) {
        sent++;
        const req = next();
        byKind.set(req.kind, (byKind.get(req.kind) ?? 0) + 1);
        const res = await fetch(`${t.server.origin}${req.path}`, { method: req.method, headers: req.headers, body: req.body });
        const text = await res.text();
        byStatus.set(res.status, (byStatus.get(res.status) ?? 0) + 1);
        let message: unknown;
        try {
          message = JSON.parse(text).error?.message;
        } catch {
          message = undefined;
        }
        const okStatus = res.status >= 400 && res.status < 500;
        if (!okStatus || typeof message !== 'string' || message.length === 0 || /\n\s+at /.test(text)) {
          if (failures.length < 10) {
            const body = typeof req.body === 'string' ? req.body.slice(0, 200) : req.body ? `${req.body.length} bytes` : '';
            failures.push(`${req.kind}: ${req.method} ${req.path.slice(0, 80)} ${body} -> ${res.status} ${text.slice(0, 300)}`);
          }
        }
      }
    };
    await Promise.all(Array.from({ length: PARALLEL }, worker));
    console.log(
      `fuzz: ${sent} requests; statuses ${JSON.stringify(Object.fromEntries([...byStatus].sort()))}; kinds ${JSON.stringify(Object.fromEntries(byKind))}`,
    );
    expect(failures).toEqual([]);
    expect(sent).toBeGreaterThan(300);

    // the server is alive and answers properly
    const settings = await fetch(`${t.server.origin}/api/getSettings`, { method: 'POST', headers: { authorization: `Bearer ${t.server.token}` } });
    expect(settings.status).toBe(200);
    // the database is intact and unchanged: no run created, renamed, tagged or deleted, no dataset imported
    expect(t.store.integrityCheck()).toBe('ok');
    expect(JSON.stringify(t.store.listRuns())).toBe(runsBefore);
    expect(t.store.listDatasets()).toEqual([]);
    expect(t.store.listExperiments().map((e) => e.name)).toEqual(['fixture']);
  });

  it('answers malformed HTTP with 400 (or 431 for oversized headers) and goes on serving', async () => {
    const port = t.server.port;
    const cases = [
      'GARBAGE\r\n\r\n',
      'POST /api/info HTTP/1.1\r\nHost: x\r\nContent-Length: -1\r\n\r\n',
      'POST /api/info HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\n{}',
      'POST /api/info HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n\r\n',
      'POST /api/info HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nContent-Length: 2\r\n\r\n{}',
      'GET / HTTP/9.9\r\nHost: x\r\n\r\n',
      'POST /api/info HTTP/1.1\r\nHost: x\r\nBad Header\r\n\r\n',
      'POST /api/info HTTP/1.1\r\nHost: x\r\nX: a\u0000b\r\n\r\n',
      `GET / HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`,
    ];
    for (const c of cases) {
      const reply = await rawRequest(port, c);
      expect(reply, JSON.stringify(c.slice(0, 60))).toMatch(/^HTTP\/1\.1 4(00|31) /);
      expect(reply).toMatch(/"message":"request: /);
    }
    const res = await fetch(`${t.server.origin}/api/info`, { method: 'POST', headers: { authorization: `Bearer ${t.server.token}` } });
    expect(res.status).toBe(200);
    expect(t.store.integrityCheck()).toBe('ok');
  });
});
