// The underwater curve and the worst drawdown periods, as pyfolio's drawdown table lists them: the
// deepest fall below the running peak, the peak before it, the day it was made up (or none), then the
// next deepest outside that period, and so on. The running peak starts at the initial capital, as the
// backtest's own max drawdown does (core/backtest/metrics.ts), so the first period's depth is it.

/** Equity ÷ running peak − 1 at each bar (0 at a new high, negative below it). */
export function underwater(values: ArrayLike<number>, initial: number): Float64Array {
  const out = new Float64Array(values.length);
  let peak = initial;
  for (let t = 0; t < values.length; t++) {
    if (values[t] > peak) peak = values[t];
    out[t] = peak > 0 ? values[t] / peak - 1 : 0;
  }
  return out;
}

export interface DrawdownPeriod {
  /** Bar index of the peak before the fall (−1: the initial capital, before the first bar). */
  peak: number;
  /** Bar index of the lowest point. */
  valley: number;
  /** First bar back at the peak's equity, or null while still under water at the end. */
  recovery: number | null;
  /** Fall from the peak to the valley as a fraction of the peak (0.12 = 12 %). */
  depth: number;
}

/**
 * Up to `n` non-overlapping drawdown periods, deepest first. `uw` is the underwater curve. A period
 * spans from its peak to its recovery; the search for the next one skips it (pyfolio's method).
 */
export function topDrawdowns(uw: ArrayLike<number>, n = 5): DrawdownPeriod[] {
  const out: DrawdownPeriod[] = [];
  // Stretches of the series still to search, as [from, to) bar ranges.
  let open: [number, number][] = [[0, uw.length]];
  while (out.length < n) {
    let valley = -1;
    for (const [a, b] of open) for (let t = a; t < b; t++) if (uw[t] < 0 && (valley < 0 || uw[t] < uw[valley])) valley = t;
    if (valley < 0) break;
    let peak = valley;
    while (peak >= 0 && uw[peak] < 0) peak--;
    let recovery: number | null = valley;
    while (recovery !== null && recovery < uw.length && uw[recovery] < 0) recovery++;
    if (recovery === uw.length) recovery = null;
    out.push({ peak, valley, recovery, depth: -uw[valley] });
    const cutFrom = peak + 1;
    const cutTo = recovery === null ? uw.length : recovery;
    open = open.flatMap(([a, b]): [number, number][] => [
      [a, Math.min(b, cutFrom)],
      [Math.max(a, cutTo), b],
    ]).filter(([a, b]) => b > a);
  }
  return out;
}
