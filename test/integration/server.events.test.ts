/**
 * GET /api/events: a run started through the HTTP API streams its progress,
 * snapshots and status changes to an EventSource-style client (the token in
 * the query, since EventSource cannot set headers); heartbeats keep an idle
 * stream open; a client that goes away is unsubscribed; closing the server
 * ends open streams.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ProgressEvent, RunView, SnapshotEvent, StatusEvent, WorkbenchEvent } from '../../app/contract.js';
import { startServer } from '../../app/server/server.js';
import { ok, openEvents, startTestServer, tinyConfig, until, type TestServer } from './serverHarness.js';

let t: TestServer;

beforeAll(async () => {
  t = await startTestServer('events');
});

afterAll(async () => {
  await t?.stop();
});

describe('live events over Server-Sent Events', () => {
  it('a run started through the API streams its progress and status changes until it completes', async () => {
    const stream = await openEvents(t.server);
    expect(stream.status).toBe(200);
    expect(stream.headers.get('content-type')).toMatch(/^text\/event-stream/);
    expect(stream.headers.get('cache-control')).toBe('no-store');
    expect(stream.headers.get('x-content-type-options')).toBe('nosniff');
    expect(stream.headers.get('access-control-allow-origin')).toBeNull();
    try {
      const run = await ok<RunView>(t.server, 'startRun', { config: tinyConfig({ steps: 300, checkpointEvery: 100 }) });
      const mine = (e: WorkbenchEvent) => e.run === run.id;
      const done = (await stream.waitFor((e) => mine(e) && e.type === 'status' && e.status === 'completed', 'status completed', 90_000)) as StatusEvent;
      expect(done.step).toBe(300);

      const events = stream.events().filter(mine);
      // the SSE event field names the event's type
      const messages = stream.messages.filter((m) => m.data.includes(`"run":${run.id},`));
      expect(messages.map((m) => m.event)).toEqual(events.map((e) => e.type));

      const statuses = events.filter((e): e is StatusEvent => e.type === 'status').map((e) => e.status);
      expect(statuses).toContain('running');
      expect(statuses.at(-1)).toBe('completed');
      expect(statuses.indexOf('running')).toBeLessThan(statuses.indexOf('completed'));

      const progress = events.filter((e): e is ProgressEvent => e.type === 'progress');
      expect(progress.length).toBeGreaterThanOrEqual(1);
      for (const p of progress) {
        expect(p.totalSteps).toBe(300);
        expect(p.step).toBeGreaterThanOrEqual(1);
        expect(p.step).toBeLessThanOrEqual(300);
        expect(Number.isFinite(p.loss)).toBe(true);
        expect(p.lr).toBeCloseTo(1e-3, 12);
      }
      const steps = progress.map((p) => p.step);
      expect([...steps].sort((a, b) => a - b)).toEqual(steps);
      // progress comes before the final status
      expect(events.findIndex((e) => e.type === 'progress')).toBeLessThan(events.findIndex((e) => e.type === 'status' && e.status === 'completed'));

      // snapshots carry their float arrays as Float32Array through the wire encoding
      const snaps = events.filter((e): e is SnapshotEvent => e.type === 'snapshot');
      for (const s of snaps) {
        expect(s.samples).toBeInstanceOf(Float32Array);
        expect(s.samples.length % s.d).toBe(0);
        expect(s.trajectory.length).toBe(s.times.length);
      }
    } finally {
      stream.close();
    }
  });

  it('an idle stream gets heartbeat comments, and a client that leaves is unsubscribed', async () => {
    let listeners = 0;
    const counted = {
      call: t.service.call,
      subscribe: (l: (e: WorkbenchEvent) => void) => {
        listeners++;
        const off = t.service.subscribe(l);
        return () => {
          listeners--;
          off();
        };
      },
    };
    const s = await startServer({ service: counted, heartbeatSeconds: 0.05, closeGraceMs: 200, log: () => undefined });
    try {
      const a = await openEvents(s);
      const b = await openEvents(s, '');
      expect(b.status).toBe(401);
      await until(async () => (a.comments.filter((c) => c === 'heartbeat').length >= 3 ? true : undefined), 'three heartbeats', 10_000, 20);
      expect(listeners).toBe(1);
      a.close();
      await until(async () => (listeners === 0 ? true : undefined), 'the unsubscribe', 10_000, 20);
    } finally {
      await s.close();
    }
  });

  it('closing the server ends open streams instead of hanging', async () => {
    const s = await startServer({ service: t.service, log: () => undefined });
    const a = await openEvents(s);
    expect(a.status).toBe(200);
    await s.close();
    await a.ended;
    expect(a.messages.length).toBeGreaterThanOrEqual(0);
  });

  it('the cookie that /?token= sets also opens the stream, as a browser EventSource would', async () => {
    const login = await fetch(t.server.url, { redirect: 'manual' });
    const cookie = login.headers.get('set-cookie')!.split(';')[0];
    const ctrl = new AbortController();
    const res = await fetch(`${t.server.origin}/api/events`, { headers: { cookie }, signal: ctrl.signal });
    expect(res.status).toBe(200);
    ctrl.abort();
  });
});
