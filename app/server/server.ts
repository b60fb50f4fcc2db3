/**
 * `cfm serve`'s HTTP server (fastify): the service's API as JSON over HTTP,
 * its live events over SSE, and the built renderer.
 *
 *   POST /api/<method>   body: wire JSON of the method's input ({} or no body for none)
 *                        200: wire JSON of the output; else { error: ApiError } (see httpErrors.ts)
 *   GET  /api/events     Server-Sent Events (events.ts)
 *   GET  /               the renderer's index.html from staticDir, or a page listing the API;
 *                        /?token=TOKEN sets the token cookie and redirects to /
 *
 * The routes are generated from API_METHODS, inside one fastify plugin whose
 * onRequest hook checks the token (security.ts), so no /api route can be
 * reached without it, whatever its spelling. Bodies: application/json only,
 * strict UTF-8, at most bodyLimit bytes and 64 levels deep; the service
 * validates each input against its zod schema. Every response carries the
 * security headers; no response carries CORS headers.
 */
import { existsSync, statSync } from 'node:fs';
import { hostname } from 'node:os';
import fastifyStatic from '@fastify/static';
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import { API_METHODS, type ApiMethod } from '../contract.js';
import { invalid } from '../errors.js';
import { decodeWire, encodeWire, WireError } from '../wire.js';
import { eventStreams, type EventFeed } from './events.js';
import { httpError, toHttpFailure } from './httpErrors.js';
import { indexPage } from './indexPage.js';
import {
  DEFAULT_CSP,
  isWellFormedToken,
  newToken,
  originProblem,
  presentedToken,
  securityHeaders,
  tokenCookie,
  tokenMatches,
} from './security.js';

/** What the server needs of the service: the dispatcher and the event feed. */
export interface ServedService extends EventFeed {
  /** Validates `input` against API_METHODS[method] and runs the method. */
  call(method: ApiMethod, input: unknown): Promise<unknown>;
}

export interface ServerOptions {
  service: ServedService;
  /** Interface to bind; default 127.0.0.1 (this machine only). */
  host?: string;
  /** 0 picks a free port. */
  port?: number;
  /** Default: 32 random hex characters. */
  token?: string;
  /** The built renderer, served at / when the folder exists. */
  staticDir?: string;
  /** Largest request body in bytes; default 32 MiB. */
  bodyLimit?: number;
  /** Seconds between SSE heartbeat comments; default 15. */
  heartbeatSeconds?: number;
  contentSecurityPolicy?: string;
  /** How long close() lets requests in flight finish before cutting connections; default 2000 ms. */
  closeGraceMs?: number;
  /** Where unexpected errors are reported (their text never reaches the client); default console.error. */
  log?: (message: string, error: unknown) => void;
}

export interface RunningServer {
  /** http://HOST:PORT/?token=TOKEN: the address to open. */
  url: string;
  /** http://HOST:PORT, without the token. */
  origin: string;
  token: string;
  port: number;
  /** Stops listening, ends event streams, waits for requests in flight (closeGraceMs at most). */
  close(): Promise<void>;
}

export const DEFAULT_BODY_LIMIT = 32 * 1024 * 1024;
const METHOD_NAMES = Object.keys(API_METHODS) as ApiMethod[];
const OTHER_HTTP_METHODS = ['GET', 'PUT', 'DELETE', 'PATCH', 'OPTIONS'] as const;
const utf8 = new TextDecoder('utf-8', { fatal: true });

/** Whether a request URL is under /api, however its path is percent-encoded (the router decodes it). */
function isApiPath(url: string): boolean {
  let path = url.split('?')[0];
  try {
    path = decodeURIComponent(path);
  } catch {
    // undecodable: judge the raw text
  }
  return path === '/api' || path.startsWith('/api/');
}

function urlHost(host: string): string {
  if (host === '0.0.0.0' || host === '::') return hostname();
  return host.includes(':') ? `[${host}]` : host;
}

function staticRoot(dir: string | undefined): string | undefined {
  if (!dir) return undefined;
  try {
    return statSync(dir).isDirectory() && existsSync(`${dir}/index.html`) ? dir : undefined;
  } catch {
    return undefined;
  }
}

export async function startServer(o: ServerOptions): Promise<RunningServer> {
  const host = o.host ?? '127.0.0.1';
  const token = o.token ?? newToken();
  if (!isWellFormedToken(token)) throw invalid('token', 'use 8 to 256 letters, digits, _ . ~ or -');
  const bodyLimit = o.bodyLimit ?? DEFAULT_BODY_LIMIT;
  const csp = o.contentSecurityPolicy ?? DEFAULT_CSP;
  const log = o.log ?? ((message: string, e: unknown) => console.error(message, e));
  const root = staticRoot(o.staticDir);
  let port = o.port ?? 0;

  const app: FastifyInstance = Fastify({
    logger: false,
    bodyLimit,
    return503OnClosing: true,
    forceCloseConnections: 'idle',
    // A URL the router cannot decode: the same error shape as everything else.
    frameworkErrors: (e, _request, reply) => fail(reply, e),
    // Malformed HTTP (Node's parser refuses it): answer in the API's error shape, then close.
    clientErrorHandler: (err, socket) => {
      if (!socket.writable) return socket.destroy();
      const tooLarge = (err as NodeJS.ErrnoException).code === 'HPE_HEADER_OVERFLOW';
      const [status, message] = tooLarge
        ? ['431 Request Header Fields Too Large', 'request: the headers are too large; send fewer or shorter headers']
        : ['400 Bad Request', 'request: malformed HTTP; send a valid HTTP/1.1 request'];
      const body = JSON.stringify({ error: { code: 'invalid_input', field: 'request', message } });
      socket.end(
        `HTTP/1.1 ${status}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
      );
    },
  });

  const streams = eventStreams(o.service, {
    heartbeatMs: (o.heartbeatSeconds ?? 15) * 1000,
    onError: (e) => log('cfm serve: an event could not be encoded', e),
  });

  const fail = (reply: FastifyReply, e: unknown): FastifyReply => {
    const f = toHttpFailure(e, bodyLimit);
    if (f.internal !== undefined) log(`cfm serve: ${reply.request.method} ${reply.request.url.split('?')[0]} failed`, f.internal);
    if (f.status === 405) reply.header('allow', 'POST');
    return reply.code(f.status).type('application/json; charset=utf-8').send(JSON.stringify({ error: f.error }));
  };
  app.setErrorHandler((e, _request, reply) => fail(reply, e));

  // Every request: refuse other origins first, then stamp the security headers.
  app.addHook('onRequest', async (request) => {
    const problem = originProblem(request.headers, isApiPath(request.url));
    if (problem) throw httpError(403, 'invalid_input', 'origin', problem);
  });
  app.addHook('onSend', async (request, reply, payload) => {
    reply.headers(securityHeaders(csp, isApiPath(request.url)));
    reply.removeHeader('access-control-allow-origin');
    return payload;
  });

  // Bodies: JSON only, strict UTF-8, wire-decoded.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('application/json', { parseAs: 'buffer' }, (request, body, done) => {
    const charset = /;\s*charset\s*=\s*"?([^";\s]+)/i.exec(request.headers['content-type'] ?? '')?.[1]?.toLowerCase();
    if (charset !== undefined && charset !== 'utf-8' && charset !== 'utf8') {
      done(httpError(415, 'invalid_input', 'content-type', `content-type: charset ${charset} is not supported; send UTF-8 JSON`), undefined);
      return;
    }
    const bytes = body as Buffer;
    if (bytes.length === 0) return done(null, undefined);
    let text: string;
    try {
      text = utf8.decode(bytes);
    } catch {
      done(new WireError('not valid UTF-8; send the JSON encoded as UTF-8'), undefined);
      return;
    }
    try {
      done(null, decodeWire(text));
    } catch (e) {
      done(e as Error, undefined);
    }
  });

  // The API: one plugin, the token checked before any of its routes (or its 404) runs.
  await app.register(
    async (api) => {
      api.addHook('onRequest', async (request) => {
        const { token: presented, source } = presentedToken(request.headers, request.query, port);
        if (presented === undefined) {
          throw httpError(401, 'invalid_input', 'token', 'token: missing; send Authorization: Bearer TOKEN (the token cfm serve printed)');
        }
        if (!tokenMatches(presented, token)) {
          throw httpError(401, 'invalid_input', 'token', `token: the ${source} token is wrong; use the one cfm serve printed at start`);
        }
      });
      for (const method of METHOD_NAMES) {
        api.post(`/${method}`, async (request, reply) => {
          const input = request.body === undefined ? {} : request.body;
          const output = await o.service.call(method, input);
          return reply.type('application/json; charset=utf-8').send(encodeWire(output));
        });
        api.route({
          method: [...OTHER_HTTP_METHODS],
          url: `/${method}`,
          handler: async () => {
            throw httpError(405, 'invalid_input', 'method', `method: ${method} is called with POST (a JSON body), not another HTTP method`);
          },
        });
      }
      api.get('/events', async (_request, reply) => {
        reply.hijack();
        streams.open(reply.raw, securityHeaders(csp, true));
      });
      api.setNotFoundHandler(async (request) => {
        const name = request.url.split('?')[0].replace(/^\/api\/?/, '').slice(0, 80);
        throw httpError(
          404,
          'not_found',
          'method',
          `method: ${JSON.stringify(name)} is not an API method; use one of ${METHOD_NAMES.join(', ')}, or GET /api/events`,
        );
      });
    },
    { prefix: '/api' },
  );

  // `/?token=` : set the cookie and drop the token from the address bar.
  app.addHook('onRequest', async (request, reply) => {
    if (request.method !== 'GET' || request.url.split('?')[0] !== '/') return;
    const { token: presented, source } = presentedToken({ cookie: undefined }, request.query, port);
    if (source !== 'query') return;
    if (!tokenMatches(presented, token)) {
      return reply
        .code(401)
        .type('text/html; charset=utf-8')
        .send('<!doctype html><title>Wrong token</title><p>This token is wrong. Open the URL that <code>cfm serve</code> printed.</p>\n');
    }
    return reply.header('set-cookie', tokenCookie(port, token)).redirect('/', 302);
  });

  if (root) {
    await app.register(fastifyStatic, { root, prefix: '/', index: 'index.html', dotfiles: 'deny' });
  } else {
    app.get('/', async (request, reply) => {
      const { token: presented } = presentedToken(request.headers, {}, port);
      return reply.type('text/html; charset=utf-8').send(indexPage({ authorized: tokenMatches(presented, token) }));
    });
  }

  app.setNotFoundHandler(async (request) => {
    throw httpError(404, 'not_found', 'path', `path: ${request.url.split('?')[0].slice(0, 100)} does not exist; open / or call POST /api/<method>`);
  });

  app.addHook('preClose', async () => streams.closeAll());

  try {
    await app.listen({ host, port });
  } catch (e) {
    await app.close().catch(() => undefined);
    throw e;
  }
  const address = app.server.address();
  port = typeof address === 'object' && address ? address.port : port;
  const origin = `http://${urlHost(host)}:${port}`;
  const graceMs = o.closeGraceMs ?? 2000;
  const closeApp = async (): Promise<void> => {
    // Requests in flight get graceMs to finish; then every connection is cut
    // (including idle ones a client opened but never used, which Node keeps).
    const force = setTimeout(() => app.server.closeAllConnections(), graceMs);
    try {
      await app.close();
    } finally {
      clearTimeout(force);
    }
  };
  let closing: Promise<void> | undefined;
  return {
    url: `${origin}/?token=${token}`,
    origin,
    token,
    port,
    close: () => (closing ??= closeApp()),
  };
}
