/**
 * Learning rate at a step: linear warmup from 0 over `warmup` steps, then
 * constant, cosine decay to 0, or linear decay to 0 at the last step.
 */
export const LR_SCHEDULES = ['constant', 'cosine', 'linear'] as const;
export type LrScheduleName = (typeof LR_SCHEDULES)[number];

export function learningRate(step: number, totalSteps: number, base: number, schedule: LrScheduleName, warmup: number): number {
  if (warmup > 0 && step < warmup) return (base * (step + 1)) / warmup;
  const span = Math.max(1, totalSteps - warmup);
  const progress = Math.min(1, Math.max(0, (step - warmup) / span));
  switch (schedule) {
    case 'constant':
      return base;
    case 'cosine':
      return 0.5 * base * (1 + Math.cos(Math.PI * progress));
    case 'linear':
      return base * (1 - progress);
  }
}
