/**
 * `cfm serve`'s server as a client sees it: a real HTTP server on 127.0.0.1
 * over the real service, a real SQLite file in a temp folder and (where a
 * test trains) the real run manager with its worker processes; requests with
 * fetch, events with a small Server-Sent Events reader.
 */
import path from 'node:path';
import type { ApiMethod, WorkbenchEvent } from '../../app/contract.js';
import { createManager } from '../../app/runs/manager.js';
import { startServer, type RunningServer, type ServerOptions } from '../../app/server/server.js';
import { createService, type Service } from '../../app/service.js';
import { openStore, type Store } from '../../app/store/index.js';
import { decodeWire, encodeWire } from '../../app/wire.js';
import { makeTempDir, waitFor } from './cliHarness.js';

export interface TestServer {
  server: RunningServer;
  service: Service;
  store: Store;
  db: string;
  dir: string;
  /** Closes the server, the service (its workers) and the store, removes the folder. */
  stop(): Promise<void>;
}

export async function startTestServer(label: string, o: Partial<Omit<ServerOptions, 'service'>> = {}): Promise<TestServer> {
  const tmp = makeTempDir(label);
  const db = path.join(tmp.dir, 'workbench.sqlite');
  const store = openStore(db);
  const manager = createManager({ store, backend: 'wasm' });
  const service = createService({ store, manager, version: 'test', onInternalError: () => undefined });
  const server = await startServer({ service, log: () => undefined, ...o });
  return {
    server,
    service,
    store,
    db,
    dir: tmp.dir,
    stop: async () => {
      await server.close();
      await service.close();
      store.close();
      tmp.remove();
    },
  };
}

export interface Answer {
  status: number;
  headers: Headers;
  text: string;
  /** The wire-decoded body (undefined when it is not JSON). */
  body: any;
}

export async function answer(res: Response): Promise<Answer> {
  const text = await res.text();
  let body: unknown;
  try {
    body = decodeWire(text);
  } catch {
    body = undefined;
  }
  return { status: res.status, headers: res.headers, text, body };
}

/** POST /api/<method> with the server's token (or `token`, or none when null). */
export async function call(
  s: RunningServer,
  method: ApiMethod | string,
  input: unknown = {},
  o: { token?: string | null; headers?: Record<string, string> } = {},
): Promise<Answer> {
  const token = o.token === undefined ? s.token : o.token;
  const res = await fetch(`${s.origin}/api/${method}`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      ...(token === null ? {} : { authorization: `Bearer ${token}` }),
      ...o.headers,
    },
    body: encodeWire(input),
  });
  return answer(res);
}

/** Like call, but requires 200 and returns the decoded output. */
export async function ok<T = any>(s: RunningServer, method: ApiMethod, input: unknown = {}): Promise<T> {
  const a = await call(s, method, input);
  if (a.status !== 200) throw new Error(`${method} answered ${a.status}: ${a.text.slice(0, 500)}`);
  return a.body as T;
}

export interface SseMessage {
  event: string;
  data: string;
}

/** An open /api/events stream: its messages so far, parsed, and a way to close it. */
export interface EventStream {
  readonly status: number;
  readonly headers: Headers;
  readonly messages: SseMessage[];
  readonly comments: string[];
  events(): WorkbenchEvent[];
  /** Resolves with the first event matching `pred` (already received or future). */
  waitFor(pred: (e: WorkbenchEvent) => boolean, what: string, timeoutMs?: number): Promise<WorkbenchEvent>;
  close(): void;
  /** Resolves when the server ends the stream. */
  readonly ended: Promise<void>;
}

/** Opens GET /api/events?token=... (EventSource's way) and parses the stream as the WHATWG spec says. */
export async function openEvents(s: RunningServer, query = `?token=${s.token}`): Promise<EventStream> {
  const ctrl = new AbortController();
  const res = await fetch(`${s.origin}/api/events${query}`, { signal: ctrl.signal, headers: { accept: 'text/event-stream' } });
  const messages: SseMessage[] = [];
  const comments: string[] = [];
  const waiters = new Set<() => void>();
  let buffer = '';
  let event = '';
  let data: string[] = [];
  const feed = (chunk: string): void => {
    buffer += chunk;
    for (let nl = buffer.search(/\r\n|\n|\r/); nl >= 0; nl = buffer.search(/\r\n|\n|\r/)) {
      const line = buffer.slice(0, nl);
      buffer = buffer.slice(nl + (buffer.startsWith('\r\n', nl) ? 2 : 1));
      if (line === '') {
        if (data.length) messages.push({ event: event || 'message', data: data.join('\n') });
        event = '';
        data = [];
        for (const w of [...waiters]) w();
      } else if (line.startsWith(':')) comments.push(line.slice(1).trim());
      else {
        const colon = line.indexOf(':');
        const field = colon < 0 ? line : line.slice(0, colon);
        const value = colon < 0 ? '' : line.slice(colon + 1).replace(/^ /, '');
        if (field === 'event') event = value;
        else if (field === 'data') data.push(value);
      }
    }
  };
  const ended = (async () => {
    if (!res.body) return;
    const decoder = new TextDecoder();
    try {
      for await (const chunk of res.body) feed(decoder.decode(chunk as Uint8Array, { stream: true }));
    } catch {
      // aborted by close()
    }
    for (const w of [...waiters]) w();
  })();
  const events = (): WorkbenchEvent[] => messages.map((m) => decodeWire(m.data) as WorkbenchEvent);
  return {
    status: res.status,
    headers: res.headers,
    messages,
    comments,
    events,
    waitFor(pred, what, timeoutMs = 60_000) {
      return new Promise((resolve, reject) => {
        const check = (): void => {
          const hit = events().find(pred);
          if (hit) {
            cleanup();
            resolve(hit);
          }
        };
        const timer = setTimeout(() => {
          cleanup();
          reject(new Error(`timed out waiting for ${what}; got ${messages.length} events: ${messages.map((m) => m.event).join(' ')}`));
        }, timeoutMs);
        const cleanup = (): void => {
          clearTimeout(timer);
          waiters.delete(check);
        };
        waiters.add(check);
        check();
      });
    },
    close: () => ctrl.abort(),
    ended,
  };
}

/** Polls `probe` until it returns a value other than undefined (waitFor with a server's longer defaults). */
export function until<T>(probe: () => Promise<T | undefined>, what: string, timeoutMs = 90_000, everyMs = 150): Promise<T> {
  return waitFor(probe, what, timeoutMs, everyMs);
}

/** A run config that trains in a few seconds on wasm. */
export function tinyConfig(over: Record<string, unknown> = {}): Record<string, unknown> {
  return { dataset: 'moons', method: 'icfm', steps: 100, batch: 64, width: 16, depth: 2, validateEvery: 0, checkpointEvery: 50, seed: 1, ...over };
}
