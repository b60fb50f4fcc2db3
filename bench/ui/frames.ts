/**
 * Frame times as the page lives them: the gaps between requestAnimationFrame
 * callbacks (a 60 Hz display shows a new frame every 16.7 ms; a gap of 50 ms
 * or more is a visible stutter) and the main thread's long tasks (over 50 ms,
 * from PerformanceObserver), over a window of interaction.
 *
 * startFrameRecorder runs inside the page (serialised by Playwright).
 */
export interface FrameStats {
  frames: number;
  seconds: number;
  fps: number;
  p50Ms: number;
  p95Ms: number;
  p99Ms: number;
  maxMs: number;
  /** Gaps of 50 ms or more. */
  stutters: number;
  longTasks: number;
  longTaskMs: number;
}

/** The page's globals this module touches (the project's types are Node's, not the DOM's). */
interface PageGlobals {
  requestAnimationFrame(cb: (t: number) => void): number;
  __benchStop?: () => unknown;
}

export function startFrameRecorder(): void {
  const page = globalThis as unknown as PageGlobals;
  const requestAnimationFrame = page.requestAnimationFrame.bind(globalThis);
  const gaps: number[] = [];
  const long: number[] = [];
  let last = performance.now();
  let running = true;
  const t0 = last;
  const tick = (t: number): void => {
    gaps.push(t - last);
    last = t;
    if (running) requestAnimationFrame(tick);
  };
  requestAnimationFrame((t) => {
    last = t;
    requestAnimationFrame(tick);
  });
  const observer = new PerformanceObserver((list) => {
    for (const e of list.getEntries()) long.push(e.duration);
  });
  try {
    observer.observe({ type: 'longtask' as 'mark', buffered: false });
  } catch {
    // longtask is Chromium-only; frame gaps still tell the story
  }
  page.__benchStop = () => {
    running = false;
    observer.disconnect();
    return { gaps, long, seconds: (performance.now() - t0) / 1000 };
  };
}

export function summariseFrames(raw: { gaps: number[]; long: number[]; seconds: number }): FrameStats {
  const sorted = [...raw.gaps].sort((a, b) => a - b);
  const q = (p: number): number => (sorted.length === 0 ? Number.NaN : sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))]!);
  return {
    frames: sorted.length,
    seconds: raw.seconds,
    fps: sorted.length / raw.seconds,
    p50Ms: q(0.5),
    p95Ms: q(0.95),
    p99Ms: q(0.99),
    maxMs: sorted.length ? sorted[sorted.length - 1]! : Number.NaN,
    stutters: sorted.filter((g) => g >= 50).length,
    longTasks: raw.long.length,
    longTaskMs: raw.long.reduce((a, b) => a + b, 0),
  };
}
