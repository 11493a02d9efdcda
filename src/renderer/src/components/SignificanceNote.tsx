import { formatMetric } from '../../../shared/metrics-catalog';
import type { BacktestResult } from '../../../shared/results/backtest';
import { significanceVerdict } from '../../../shared/significance';

/**
 * Whether the backtest beats chance: the one-sentence verdict against random-entry runs (or why there
 * is none: "No trades: no verdict") and the bootstrap interval of the Sharpe ratio (or why it is
 * undefined). Every number is written by the metric catalogue.
 */
export function SignificanceNote({ results }: { results: Pick<BacktestResult, 'significance' | 'sharpe_ci95' | 'null_reasons'> | null }) {
  if (!results) return null;
  const s = results.significance;
  const ci = results.sharpe_ci95;
  const significant = !!s && s.p_value_return < 0.05;
  const ciReason = results.null_reasons.sharpe_ci95;
  return (
    <div className={`significance ${significant ? 'significant' : 'chance'}`} data-testid="bt-significance">
      <p className="verdict" data-testid="bt-significance-verdict">
        {significanceVerdict(s, results.null_reasons.significance)}
      </p>
      <p className="sig-detail">
        {s && (
          <>
            Random entries (same trades, holding times, sizing and costs): median return {formatMetric('random_return_p50', s.random_return_p50)}, 5–95 % {formatMetric('random_return_p5', s.random_return_p5)} …{' '}
            {formatMetric('random_return_p95', s.random_return_p95)}. Sharpe beats {formatMetric('sharpe_percentile', s.sharpe_percentile)}
            {s.sharpe_percentile === null ? ` (${s.null_reasons.sharpe_percentile})` : ` (p = ${formatMetric('p_value_sharpe', s.p_value_sharpe)})`}.{' '}
          </>
        )}
        <span data-testid="bt-sharpe-ci">
          Sharpe 95 % interval (stationary bootstrap): {ci ? formatMetric('sharpe_ci95', ci) : `— (${ciReason ?? 'not computed'})`}
        </span>
      </p>
    </div>
  );
}
