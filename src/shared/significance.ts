// The one sentence that says a backtest's significance block (results.significance, computed in
// src/core/evaluation), shared by the CLI, the UI and the HTML report. p-values are written by the
// metric catalogue (one precision everywhere).
import { formatMetric } from './metrics-catalog';
import type { Significance } from './results/backtest';

export type { Significance };

/** "Return beats 66 % of 200 random-entry runs (p = 0.338) → indistinguishable from chance". */
export function describeSignificance(s: Pick<Significance, 'random_runs' | 'return_percentile' | 'p_value_return'>): string {
  const p = s.p_value_return;
  const verdict =
    p < 0.01 ? 'significant at the 1 % level' : p < 0.05 ? 'significant at the 5 % level' : s.return_percentile <= 5 ? 'worse than most random entries' : 'indistinguishable from chance';
  return `Return beats ${Math.round(s.return_percentile)} % of ${s.random_runs} random-entry runs (p = ${formatMetric('p_value_return', p)}) → ${verdict}`;
}

/**
 * The verdict line of a backtest: the sentence above, or — when there is no significance block —
 * the reason ("no trades: no verdict"), never a placeholder p-value.
 */
export function significanceVerdict(s: Significance | null, reason: string | null | undefined): string {
  if (s) return describeSignificance(s);
  if (!reason) return 'No verdict against random entries';
  return `${reason.charAt(0).toUpperCase()}${reason.slice(1)}`;
}
