/**
 * Who may call `cfm serve`, as Jupyter does it: a random token printed at
 * start, presented as `Authorization: Bearer TOKEN`, as `?token=TOKEN` (for
 * EventSource, which cannot set headers), or as an HttpOnly SameSite=Strict
 * cookie that opening `/?token=TOKEN` sets for the browser UI. Tokens are
 * compared in constant time (SHA-256 of both, then timingSafeEqual, so that
 * neither the content nor the length leaks through timing).
 *
 * Cross-origin: no CORS headers are ever sent, and a request whose Origin
 * header is present and is not this server's own origin (scheme://Host as
 * the browser addressed it, which also covers SSH tunnels on another port)
 * is refused; so is an /api request a browser marks Sec-Fetch-Site:
 * cross-site. Cookies are not isolated by port, so the cookie's name carries
 * the port: two servers on one host do not overwrite each other's token.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';

/** 32 hex characters (128 random bits). */
export function newToken(): string {
  return randomBytes(16).toString('hex');
}

const TOKEN_RE = /^[A-Za-z0-9_.~-]{8,256}$/;

export function isWellFormedToken(token: string): boolean {
  return TOKEN_RE.test(token);
}

function digest(s: string): Buffer {
  return createHash('sha256').update(s, 'utf8').digest();
}

/** Constant-time equality of a presented token with the expected one. */
export function tokenMatches(presented: string | undefined, expected: string): boolean {
  if (presented === undefined) return false;
  return timingSafeEqual(digest(presented), digest(expected));
}

export function cookieName(port: number): string {
  return `cfm-token-${port}`;
}

export function tokenCookie(port: number, token: string): string {
  return `${cookieName(port)}=${token}; Path=/; HttpOnly; SameSite=Strict`;
}

/** The value of one cookie in a Cookie header, undefined when absent. */
export function readCookie(header: string | undefined, name: string): string | undefined {
  if (!header) return undefined;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq < 0) continue;
    if (part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return undefined;
}

export type TokenSource = 'header' | 'query' | 'cookie';

/**
 * The token a request presents: the Authorization header first, then the
 * query, then the cookie. A malformed header or a repeated ?token= counts as
 * presenting a wrong token (it is not silently skipped for the next source).
 */
export function presentedToken(
  headers: IncomingHttpHeaders,
  query: unknown,
  port: number,
): { token: string | undefined; source: TokenSource | undefined } {
  const auth = headers.authorization;
  if (auth !== undefined) {
    const m = /^Bearer\s+(\S+)\s*$/i.exec(auth);
    return { token: m ? m[1] : '', source: 'header' };
  }
  const q = query !== null && typeof query === 'object' ? (query as Record<string, unknown>).token : undefined;
  if (q !== undefined) return { token: typeof q === 'string' ? q : '', source: 'query' };
  const c = readCookie(headers.cookie, cookieName(port));
  if (c !== undefined) return { token: c, source: 'cookie' };
  return { token: undefined, source: undefined };
}

/** Why a request's origin is refused, or undefined when it is acceptable. */
export function originProblem(headers: IncomingHttpHeaders, isApi: boolean): string | undefined {
  const origin = headers.origin;
  if (origin !== undefined) {
    const host = headers.host?.toLowerCase();
    const o = origin.toLowerCase();
    if (!host || (o !== `http://${host}` && o !== `https://${host}`)) {
      return `origin: requests from ${JSON.stringify(origin.slice(0, 100))} are not allowed; open the workbench at the URL cfm serve printed`;
    }
  }
  if (isApi && headers['sec-fetch-site'] === 'cross-site') {
    return 'origin: cross-site requests are not allowed; open the workbench at the URL cfm serve printed';
  }
  return undefined;
}

export const DEFAULT_CSP =
  "default-src 'self'; img-src 'self' data: blob:; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

/** Headers every response carries; /api responses are never cached. */
export function securityHeaders(csp: string, isApi: boolean): Record<string, string> {
  return {
    'content-security-policy': csp,
    'x-content-type-options': 'nosniff',
    'referrer-policy': 'no-referrer',
    'x-frame-options': 'DENY',
    'cross-origin-opener-policy': 'same-origin',
    'cross-origin-resource-policy': 'same-origin',
    ...(isApi ? { 'cache-control': 'no-store' } : {}),
  };
}
