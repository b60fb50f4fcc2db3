/**
 * GET /api/events: the service's live events as Server-Sent Events (the
 * WHATWG EventSource format). Each event is
 *
 *   event: <progress | snapshot | status>
 *   data: <wire JSON of the WorkbenchEvent>
 *   <blank line>
 *
 * (wire JSON never contains a newline, so one data line suffices), preceded
 * by `retry: 2000` so browsers reconnect quickly, and a comment line every
 * heartbeat interval so proxies and idle timers keep the stream open. The
 * subscription ends when the client goes away, when the server closes, or
 * when a client reads so slowly that more than `maxBuffered` bytes wait for
 * it (it reconnects and carries on from the next event).
 */
import type { ServerResponse } from 'node:http';
import type { WorkbenchEvent } from '../contract.js';
import { encodeWire } from '../wire.js';

export interface EventFeed {
  subscribe(listener: (event: WorkbenchEvent) => void): () => void;
}

export interface EventStreams {
  /** Streams events to `res` (headers already chosen by the caller) until it closes. */
  open(res: ServerResponse, headers: Record<string, string>): void;
  readonly count: number;
  /** Ends every open stream. */
  closeAll(): void;
}

export function formatEvent(event: WorkbenchEvent): string {
  return `event: ${event.type}\ndata: ${encodeWire(event)}\n\n`;
}

export function eventStreams(
  source: EventFeed,
  o: { heartbeatMs: number; maxBuffered?: number; onError?: (e: unknown) => void },
): EventStreams {
  const open = new Set<() => void>();
  const maxBuffered = o.maxBuffered ?? 16 * 1024 * 1024;
  return {
    open(res, headers) {
      res.writeHead(200, {
        ...headers,
        'content-type': 'text/event-stream; charset=utf-8',
        'cache-control': 'no-store',
        'x-accel-buffering': 'no',
        connection: 'keep-alive',
      });
      res.write(': cfm workbench events\nretry: 2000\n\n');
      let ended = false;
      const end = (): void => {
        if (ended) return;
        ended = true;
        clearInterval(heartbeat);
        unsubscribe();
        open.delete(end);
        if (!res.writableEnded) res.end();
        // An event stream's connection is never reused: close it now, so the
        // server's close() does not wait on a socket the client half-closed.
        res.socket?.destroy();
      };
      const write = (text: string): void => {
        if (ended) return;
        if (res.writableLength > maxBuffered) {
          res.destroy();
          end();
          return;
        }
        res.write(text);
      };
      const unsubscribe = source.subscribe((event) => {
        let text: string;
        try {
          text = formatEvent(event);
        } catch (e) {
          o.onError?.(e);
          return;
        }
        write(text);
      });
      const heartbeat = setInterval(() => write(': heartbeat\n\n'), o.heartbeatMs);
      heartbeat.unref();
      res.on('close', end);
      res.on('error', end);
      open.add(end);
    },
    get count() {
      return open.size;
    },
    closeAll() {
      for (const end of [...open]) end();
    },
  };
}
