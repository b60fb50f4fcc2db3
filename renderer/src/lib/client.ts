/**
 * window.workbench over HTTP: the client of `cfm serve` (app/server).
 *
 *   api.<method>(input)  ->  POST {baseUrl}/api/<method>, body = wire JSON of input
 *                            200: wire JSON of the output; else {error: {code, field?, message}}
 *   subscribe(listener)  ->  one shared EventSource on {baseUrl}/api/events whose
 *                            `progress`, `snapshot` and `status` events carry wire JSON
 *
 * Auth is the HttpOnly cookie that opening `/?token=` set, sent by fetch with
 * credentials 'same-origin' and by EventSource on the same origin. Errors are
 * thrown as WorkbenchError, carrying the API's {code, field, message}.
 *
 * The method names are a plain list here (importing API_METHODS at run time
 * would bundle zod): `satisfies` rejects a name the contract lacks, and
 * MissingMethods turns a method added to the contract but not here into a
 * type error.
 */
import type { ApiError, ApiMethod, BridgeEvent, WorkbenchApi, WorkbenchBridge, WorkbenchEvent } from '../../../app/contract.js';
import { decodeWire, encodeWire } from '../../../app/wire.js';

export const METHOD_NAMES = [
  'info',
  'getSettings',
  'setSettings',
  'listExperiments',
  'listRuns',
  'getRun',
  'renameRun',
  'tagRun',
  'noteRun',
  'deleteRun',
  'startRun',
  'startSweep',
  'cancelRun',
  'resumeRun',
  'sampleRun',
  'evaluateRun',
  'vectorField',
  'densityGrid',
  'compareRuns',
  'metricSeries',
  'listDatasets',
  'previewDataset',
  'importDataset',
  'previewPath',
] as const satisfies readonly ApiMethod[];

type MissingMethods = Exclude<ApiMethod, (typeof METHOD_NAMES)[number]>;
/** Fails to compile, naming the method, when the contract has one this list lacks. */
const everyMethodListed: [MissingMethods] extends [never] ? true : MissingMethods = true;
void everyMethodListed;

/** How long the event stream stays open with no listener. */
const SSE_LINGER_MS = 10_000;

const EVENT_TYPES = ['progress', 'snapshot', 'status'] as const satisfies readonly WorkbenchEvent['type'][];

/** An API failure as the front end sees it: the server's {code, field, message}. */
export class WorkbenchError extends Error implements ApiError {
  readonly code: ApiError['code'];
  readonly field?: string;
  /** HTTP status (0 when the server could not be reached). */
  readonly status: number;

  constructor(error: ApiError, status: number) {
    super(error.message);
    this.name = 'WorkbenchError';
    this.code = error.code;
    if (error.field !== undefined) this.field = error.field;
    this.status = status;
  }

  /**
   * Also true for a failure from Electron's preload (main/preloadBridge.ts): it
   * rejects with a plain { name: 'WorkbenchError', code, field?, message,
   * status: 0 }, since the context bridge would strip an Error down to its
   * message. So `instanceof WorkbenchError` and .code / .field work with both hosts.
   */
  static override [Symbol.hasInstance](value: unknown): value is WorkbenchError {
    return Function.prototype[Symbol.hasInstance].call(this, value) || (isApiError(value) && (value as { name?: unknown }).name === 'WorkbenchError');
  }
}

function isApiError(v: unknown): v is ApiError {
  return typeof v === 'object' && v !== null && typeof (v as ApiError).code === 'string' && typeof (v as ApiError).message === 'string';
}

async function post(baseUrl: string, method: ApiMethod, input: unknown): Promise<unknown> {
  let res: Response;
  try {
    res = await fetch(`${baseUrl}/api/${method}`, {
      method: 'POST',
      credentials: 'same-origin',
      headers: { 'content-type': 'application/json' },
      body: encodeWire(input ?? {}),
    });
  } catch {
    throw new WorkbenchError({ code: 'backend', message: 'server: cannot reach cfm serve; check that it is still running' }, 0);
  }
  const text = await res.text();
  let body: unknown;
  try {
    body = decodeWire(text);
  } catch {
    throw new WorkbenchError({ code: 'internal', message: `server: answered ${res.status} with a body that is not wire JSON` }, res.status);
  }
  if (res.ok) return body;
  const error = (body as { error?: unknown } | null)?.error;
  throw new WorkbenchError(isApiError(error) ? error : { code: 'internal', message: `server: answered ${res.status}` }, res.status);
}

export function createHttpBridge(baseUrl = ''): WorkbenchBridge {
  const api = Object.fromEntries(METHOD_NAMES.map((m) => [m, (input: unknown) => post(baseUrl, m, input)])) as unknown as WorkbenchApi;

  const listeners = new Set<(event: BridgeEvent) => void>();
  let source: EventSource | undefined;
  const deliver = (message: MessageEvent<string>): void => {
    let event: WorkbenchEvent;
    try {
      event = decodeWire(message.data) as WorkbenchEvent;
    } catch {
      return; // a malformed event is dropped; the stream carries on
    }
    emit(event);
  };
  const emit = (event: BridgeEvent): void => {
    for (const listener of [...listeners]) {
      try {
        listener(event);
      } catch (e) {
        console.error('workbench: an event listener failed', e);
      }
    }
  };

  // The stream closes a while after its last listener leaves, not at once: moving
  // between views unsubscribes one and subscribes the next, and reconnecting
  // each time would drop the events in between.
  let idle: ReturnType<typeof setTimeout> | undefined;
  const closeIfIdle = (): void => {
    idle = undefined;
    if (listeners.size === 0 && source) {
      source.close();
      source = undefined;
    }
  };

  return {
    api,
    subscribe(listener) {
      listeners.add(listener);
      clearTimeout(idle);
      idle = undefined;
      if (!source) {
        // EventSource reconnects by itself (the server sends retry: 2000).
        source = new EventSource(`${baseUrl}/api/events`);
        for (const type of EVENT_TYPES) source.addEventListener(type, deliver);
        // The server keeps no backlog: after a break, tell the views to reload.
        let broken = false;
        source.addEventListener('error', () => {
          broken = true;
        });
        source.addEventListener('open', () => {
          if (broken) emit({ type: 'resync' });
          broken = false;
        });
      }
      return () => {
        if (!listeners.delete(listener) || listeners.size > 0) return;
        clearTimeout(idle);
        idle = setTimeout(closeIfIdle, SSE_LINGER_MS);
      };
    },
  };
}

/** The message to show for any thrown value. */
export function errorMessage(e: unknown): string {
  return e instanceof Error || e instanceof WorkbenchError ? e.message : String(e);
}
