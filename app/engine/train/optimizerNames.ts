/** Optimizer names, apart from their tfjs code so configs can be checked without loading tfjs. */
export const OPTIMIZERS = ['adam', 'adamw'] as const;
export type OptimizerName = (typeof OPTIMIZERS)[number];
