/**
 * One colour per run, the same in every chart of a view: Okabe and Ito's
 * palette (distinguishable under the common colour-vision deficiencies), then
 * Tableau's for more than eight runs. Index i is the run's position in the
 * selection, so colours stay put while the data updates.
 */
const PALETTE = [
  '#0072b2', '#e69f00', '#009e73', '#cc79a7', '#56b4e9', '#d55e00', '#f0e442', '#000000',
  '#4e79a7', '#f28e2b', '#e15759', '#76b7b2', '#59a14f', '#edc948', '#b07aa1', '#ff9da7',
  '#9c755f', '#bab0ac', '#86bcb6', '#8cd17d',
] as const;

export function runColor(index: number): string {
  const dark = typeof matchMedia === 'function' && matchMedia('(prefers-color-scheme: dark)').matches;
  const c = PALETTE[((index % PALETTE.length) + PALETTE.length) % PALETTE.length]!;
  // Okabe-Ito's black disappears on a dark background.
  return dark && c === '#000000' ? '#d0d0d0' : c;
}
