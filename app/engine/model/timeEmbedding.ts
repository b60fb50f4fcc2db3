/**
 * How t enters the network: either as one extra input column (TorchCFM's MLP),
 * or as sinusoidal features [sin(2^k pi t), cos(2^k pi t)] for k < K, which
 * help the field change quickly in t. Computed on the CPU: one value per row.
 */
export function timeFeatureCount(frequencies: number): number {
  return frequencies > 0 ? 2 * frequencies : 1;
}

/** Writes the time features of row i into out[i * width + offset ...]. */
export function writeTimeFeatures(t: number, frequencies: number, out: Float32Array, at: number): void {
  if (frequencies <= 0) {
    out[at] = t;
    return;
  }
  for (let k = 0; k < frequencies; k++) {
    const w = Math.PI * 2 ** k * t;
    out[at + 2 * k] = Math.sin(w);
    out[at + 2 * k + 1] = Math.cos(w);
  }
}
