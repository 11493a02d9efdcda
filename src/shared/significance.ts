// The significance block of backtest results (computed in src/core/evaluation) and the one sentence
// that says it, shared by the CLI, the UI and the HTML report.

export interface Significance {
  random_runs: number;
  seed: number;
  /** 0..100: share of random runs the strategy's total return beats (ties count half). */
  return_percentile: number;
  sharpe_percentile: number;
  /** (1 + #{random ≥ strategy}) / (N + 1). */
  p_value_return: number;
  p_value_sharpe: number;
  /** Quantiles (type 7) of the random runs' total returns, as fractions. */
  random_return_p5: number;
  random_return_p50: number;
  random_return_p95: number;
  /** Fewest trades a random run made (the strategy's count unless an entry was refused near ruin). */
  random_min_trades: number;
}

/** "Return beats 66 % of 200 random-entry runs (p = 0.34) → indistinguishable from chance". */
export function describeSignificance(s: Pick<Significance, 'random_runs' | 'return_percentile' | 'p_value_return'>): string {
  const p = s.p_value_return;
  const verdict =
    p < 0.01 ? 'significant at the 1 % level' : p < 0.05 ? 'significant at the 5 % level' : s.return_percentile <= 5 ? 'worse than most random entries' : 'indistinguishable from chance';
  return `Return beats ${Math.round(s.return_percentile)} % of ${s.random_runs} random-entry runs (p = ${formatP(p)}) → ${verdict}`;
}

/** p-values: two decimals, three below 0.01. */
export function formatP(p: number): string {
  return p < 0.01 ? p.toFixed(3) : p.toFixed(2);
}
