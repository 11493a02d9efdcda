// The x range of a fuzzy-set plot. The membership functions themselves are the ones training uses:
// src/common/fuzzy.ts (membershipAt).

/** The x range to plot: the indicator's observed min–max, widened to include every set's parameters. */
export function plotRange(values: readonly (number | null)[], params: readonly number[][]): [number, number] {
  let lo = Infinity;
  let hi = -Infinity;
  const take = (v: number | null) => {
    if (v === null || !Number.isFinite(v)) return;
    lo = Math.min(lo, v);
    hi = Math.max(hi, v);
  };
  values.forEach(take);
  params.forEach((p) => p.forEach(take));
  if (!(hi > lo)) return [lo - 1, lo + 1];
  const pad = (hi - lo) * 0.02;
  return [lo - pad, hi + pad];
}
