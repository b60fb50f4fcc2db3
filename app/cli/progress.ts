/**
 * A progress bar on stderr for long work (training, sampling). On a terminal it
 * redraws in place; otherwise it prints a line every few seconds so logs show progress.
 */
import cliProgress from 'cli-progress';
import type { RunProgress } from '../runs/execute.js';
import { formatDuration, formatNumber } from './output.js';

export interface TrainProgressBar {
  update(p: RunProgress): void;
  stop(): void;
}

export function trainProgressBar(label: string, total: number, start: number): TrainProgressBar {
  const bar = new cliProgress.SingleBar(
    {
      stream: process.stderr,
      format: `${label} [{bar}] {value}/{total} | loss {loss} | {rate} steps/s | ETA {eta_h}`,
      hideCursor: true,
      noTTYOutput: true,
      notTTYSchedule: 5000,
      etaBuffer: 50,
      barsize: 30,
    },
    cliProgress.Presets.shades_classic,
  );
  bar.start(total, start, { loss: '-', rate: '-', eta_h: '?' });
  return {
    update(p) {
      bar.update(p.step, { loss: formatNumber(p.loss), rate: p.stepsPerSecond.toFixed(1), eta_h: formatDuration(p.etaSeconds) });
    },
    stop() {
      bar.stop();
    },
  };
}
