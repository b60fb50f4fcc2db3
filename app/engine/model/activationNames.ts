/** Activation names, apart from their tfjs code so configs can be checked without loading tfjs. */
export const ACTIVATIONS = ['selu', 'silu', 'relu', 'elu', 'tanh', 'gelu'] as const;
export type ActivationName = (typeof ACTIVATIONS)[number];
