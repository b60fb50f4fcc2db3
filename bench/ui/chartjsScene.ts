/**
 * The same picture as the flow panel's at 10k, drawn by Chart.js instead of
 * the hand-written canvas (lib/plot2d.ts), so the choice DESIGN.md asks to
 * measure is measured: a scatter of 10,000 generated points over 2,000 data
 * points, and 1,000 trajectories of 21 points as line datasets, replaced 5
 * times a second as snapshots would, with DESIGN.md's settings (animation
 * off, parsing off, update('none')).
 *
 * runChartJsScene runs inside a blank page that has Chart.js's UMD build
 * loaded (serialised by Playwright: self-contained).
 */
export interface ChartJsSceneOptions {
  points: number;
  trajectories: number;
  times: number;
  snapshotsPerSecond: number;
}

export function runChartJsScene(o: ChartJsSceneOptions): void {
  const g = globalThis as unknown as {
    Chart: new (canvas: unknown, config: unknown) => { data: { datasets: { data: unknown[] }[] }; update(mode: string): void };
    document: { createElement(tag: string): { width: number; height: number; style: Record<string, string> }; body: { append(x: unknown): void } };
  };
  let seed = 7;
  const rand = (): number => {
    seed = (seed * 1103515245 + 12345) % 2147483648;
    return seed / 2147483648;
  };
  const cloud = (n: number) => Array.from({ length: n }, () => ({ x: 4 * rand() - 2, y: 4 * rand() - 2 }));
  const paths = () =>
    Array.from({ length: o.trajectories }, () => {
      const x0 = { x: 6 * rand() - 3, y: 6 * rand() - 3 };
      const x1 = { x: 2 * rand() - 1, y: 2 * rand() - 1 };
      return Array.from({ length: o.times }, (_, j) => {
        const t = j / (o.times - 1);
        return { x: (1 - t) * x0.x + t * x1.x, y: (1 - t) * x0.y + t * x1.y };
      });
    });
  const pool = Array.from({ length: 4 }, () => ({ samples: cloud(o.points), paths: paths() }));
  const make = (datasets: unknown[]) => {
    const canvas = g.document.createElement('canvas');
    canvas.style.width = '600px';
    canvas.style.height = '400px';
    const box = g.document.createElement('div');
    box.style.width = '600px';
    box.style.height = '400px';
    box.style.display = 'inline-block';
    (box as unknown as { append(x: unknown): void }).append(canvas);
    g.document.body.append(box);
    return new g.Chart(canvas, {
      type: 'scatter',
      data: { datasets },
      options: { animation: false, parsing: false, normalized: true, responsive: true, maintainAspectRatio: false, plugins: { legend: { display: false }, tooltip: { enabled: false } }, events: [] },
    });
  };
  const scatter = make([
    { data: cloud(2000), pointRadius: 1, borderWidth: 0, backgroundColor: 'rgba(120,120,120,0.3)' },
    { data: pool[0]!.samples, pointRadius: 1, borderWidth: 0, backgroundColor: 'rgba(0,114,178,0.6)' },
  ]);
  const lines = make(pool[0]!.paths.map((p) => ({ data: p, showLine: true, pointRadius: 0, borderWidth: 1, borderColor: 'rgba(0,114,178,0.55)' })));
  let next = 1;
  setInterval(() => {
    const snap = pool[next++ % pool.length]!;
    scatter.data.datasets[1]!.data = snap.samples;
    scatter.update('none');
    snap.paths.forEach((p, i) => (lines.data.datasets[i]!.data = p));
    lines.update('none');
  }, 1000 / o.snapshotsPerSecond);
}
