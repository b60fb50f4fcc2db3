/**
 * Errors over HTTP: every failure is `{ "error": ApiError }` with a status a
 * client can switch on (400 invalid input, 401 token, 403 origin, 404 not
 * found, 405 wrong HTTP method, 409 conflict, 413 body too large, 415 not
 * JSON, 500 internal). An unexpected error's text and stack stay in the
 * server's log; the client gets a generic message.
 */
import type { ApiError } from '../contract.js';
import { CfmError, type ErrorCode } from '../errors.js';
import { toApiError } from '../service/errors.js';
import { WireError } from '../wire.js';

/** An error the HTTP layer raises itself, with its status. */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly apiError: ApiError,
  ) {
    super(apiError.message);
    this.name = 'HttpError';
  }
}

export function httpError(status: number, code: ErrorCode, field: string | undefined, message: string): HttpError {
  return new HttpError(status, { code, ...(field ? { field } : {}), message });
}

const STATUS: Record<ErrorCode, number> = {
  invalid_input: 400,
  not_found: 404,
  conflict: 409,
  cancelled: 409,
  numeric: 422,
  database: 500,
  backend: 503,
  internal: 500,
};

/** Fastify's own 4xx errors, reworded to say the fix. */
const FASTIFY: Record<string, { status: number; field: string; message: string }> = {
  FST_ERR_CTP_BODY_TOO_LARGE: { status: 413, field: 'body', message: '' },
  FST_ERR_CTP_INVALID_MEDIA_TYPE: {
    status: 415,
    field: 'content-type',
    message: 'content-type: the body must be JSON; send it with Content-Type: application/json',
  },
  FST_ERR_CTP_EMPTY_JSON_BODY: { status: 400, field: 'body', message: 'body: empty; send a JSON object (at least {})' },
  FST_ERR_BAD_URL: { status: 400, field: 'path', message: 'path: not a valid URL (bad percent-encoding); encode it as UTF-8' },
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: {
    status: 400,
    field: 'body',
    message: 'body: its length does not match the Content-Length header; resend the request',
  },
};

export interface HttpFailure {
  status: number;
  error: ApiError;
  /** Set when the error was unexpected: what the log gets. */
  internal?: unknown;
}

export function toHttpFailure(e: unknown, bodyLimit: number): HttpFailure {
  if (e instanceof HttpError) return { status: e.status, error: e.apiError };
  if (e instanceof WireError) return { status: 400, error: { code: 'invalid_input', field: 'body', message: `body: ${e.message}` } };
  if (e instanceof CfmError) {
    const error = toApiError(e);
    return { status: STATUS[error.code] ?? 500, error };
  }
  const code = (e as { code?: unknown } | null)?.code;
  if (typeof code === 'string' && code in FASTIFY) {
    const f = FASTIFY[code];
    const message =
      code === 'FST_ERR_CTP_BODY_TOO_LARGE'
        ? `body: larger than the limit of ${bodyLimit} bytes; send less data (e.g. fewer points) per request`
        : f.message;
    return { status: f.status, error: { code: 'invalid_input', field: f.field, message } };
  }
  const status = (e as { statusCode?: unknown } | null)?.statusCode;
  if (typeof status === 'number' && status >= 400 && status < 500) {
    // Another client error found by fastify or Node's parser: its message is a fixed text, safe to show.
    const text = e instanceof Error && e.message ? e.message.split('\n')[0].slice(0, 200) : 'bad request';
    return { status, error: { code: 'invalid_input', field: 'request', message: `request: ${text}` } };
  }
  const error = toApiError(e);
  return { status: STATUS[error.code] ?? 500, error, ...(error.code === 'internal' ? { internal: e } : {}) };
}
