// Where a strategy's number sits among numbers from a null distribution (random-entry runs).
//
// With N null values x_1..x_N and the strategy's value s:
//   percentile = 100 · (#{x_i < s} + ½·#{x_i = s}) / N        (mid-rank: ties count half)
//   p-value    = (1 + #{x_i ≥ s}) / (N + 1)                   (one-sided, "s is larger than chance")
// The +1 counts the strategy itself as one draw of the null (Davison & Hinkley 1997, §4.2;
// North, Curtis & Sham 2002): under the null, s and the x_i are exchangeable, so P(p ≤ α) ≤ α
// exactly, and p is never 0. Ties count against the strategy in the p-value (≥), so a strategy
// that ties every random run (e.g. no trades, all flat) gets p = 1, never a false discovery.
// Empirical quantiles use type 7 (linear interpolation, R's and numpy's default).

export interface RankStats {
  /** 0..100, mid-rank (ties count half). NaN when N = 0. */
  percentile: number;
  /** (1 + #{x ≥ s}) / (N + 1); 1 when N = 0. */
  p_value: number;
}

export function rankAgainst(nulls: ArrayLike<number>, s: number): RankStats {
  const n = nulls.length;
  let below = 0;
  let equal = 0;
  for (let i = 0; i < n; i++) {
    const x = nulls[i];
    if (x < s) below++;
    else if (x === s) equal++;
  }
  return {
    percentile: n > 0 ? (100 * (below + 0.5 * equal)) / n : NaN,
    p_value: (1 + (n - below)) / (n + 1),
  };
}

/** Empirical quantile, type 7: h = (N−1)·q, linear between the order statistics around h. */
export function quantile(values: ArrayLike<number>, q: number): number {
  const sorted = Float64Array.from(values).sort();
  return quantileSorted(sorted, q);
}

export function quantileSorted(sorted: ArrayLike<number>, q: number): number {
  const n = sorted.length;
  if (n === 0) return NaN;
  if (!(q >= 0 && q <= 1)) throw new Error(`quantile level must be in [0, 1] (got ${q})`);
  const h = (n - 1) * q;
  const lo = Math.floor(h);
  const hi = Math.min(n - 1, lo + 1);
  return sorted[lo] + (h - lo) * (sorted[hi] - sorted[lo]);
}
