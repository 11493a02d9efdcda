// Rolling Sharpe ratio of per-bar returns, as pyfolio/quantstats draw it (6 months by default), with
// the same definitions as the backtest's own Sharpe (core/backtest/metrics.ts): risk-free 0,
// population standard deviation, annualised by √(bars per year). O(n) with running sums.

/** r_t = V_t / V_{t−1} − 1 for t ≥ 1 (n values give n − 1 returns). */
export function barReturns(values: ArrayLike<number>): Float64Array {
  const out = new Float64Array(Math.max(0, values.length - 1));
  for (let t = 1; t < values.length; t++) out[t - 1] = values[t] / values[t - 1] - 1;
  return out;
}

/**
 * Sharpe of the `window` returns ending at each return index; NaN until `window` returns exist and
 * where the window's returns do not vary (the ratio is undefined there, not 0).
 */
export function rollingSharpe(returns: ArrayLike<number>, window: number, barsPerYear: number): Float64Array {
  const n = returns.length;
  const out = new Float64Array(n).fill(NaN);
  const w = Math.floor(window);
  if (w < 2 || n < w) return out;
  const annual = Math.sqrt(barsPerYear);
  // Sums of (r − shift) keep the variance exact enough: returns are small and close to each other.
  const shift = returns[0];
  let s = 0;
  let s2 = 0;
  for (let t = 0; t < n; t++) {
    const x = returns[t] - shift;
    s += x;
    s2 += x * x;
    if (t >= w) {
      const y = returns[t - w] - shift;
      s -= y;
      s2 -= y * y;
    }
    if (t < w - 1) continue;
    const meanShifted = s / w;
    const variance = s2 / w - meanShifted * meanShifted;
    const std = variance > 0 ? Math.sqrt(variance) : 0;
    out[t] = std > 1e-12 ? ((meanShifted + shift) / std) * annual : NaN;
  }
  return out;
}
