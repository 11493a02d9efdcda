import { formatMetric } from '../../../shared/metrics-catalog';
import { describeSignificance, type Significance } from '../../../shared/significance';

/**
 * Whether the backtest beats chance: the one-sentence verdict against random-entry runs and the
 * bootstrap interval of the Sharpe ratio (results.significance, results.sharpe_ci95).
 */
export function SignificanceNote({ results }: { results: Record<string, unknown> | null | undefined }) {
  const s = results?.significance as Significance | null | undefined;
  const ci = results?.sharpe_ci95 as [number, number] | undefined;
  const hasSig = !!s && typeof s.random_runs === 'number' && s.random_runs > 0;
  const hasCi = Array.isArray(ci) && ci.length === 2;
  if (!hasSig && !hasCi) return null;
  const significant = hasSig && s.p_value_return < 0.05;
  return (
    <div className={`significance ${significant ? 'significant' : 'chance'}`} data-testid="bt-significance">
      {hasSig && (
        <p className="verdict" data-testid="bt-significance-verdict">
          {describeSignificance(s)}
        </p>
      )}
      <p className="sig-detail">
        {hasSig && (
          <>
            Random entries (same trades, holding times, sizing and costs): median return {(s.random_return_p50 * 100).toFixed(2)} %, 5–95 % {(s.random_return_p5 * 100).toFixed(2)} % … {(s.random_return_p95 * 100).toFixed(2)} %. Sharpe beats{' '}
            {formatMetric('sharpe_percentile', s.sharpe_percentile)} (p = {formatMetric('p_value_sharpe', s.p_value_sharpe)}).{' '}
          </>
        )}
        {hasCi && (
          <span data-testid="bt-sharpe-ci">
            Sharpe 95 % interval (stationary bootstrap): [{ci[0].toFixed(2)}, {ci[1].toFixed(2)}]
          </span>
        )}
      </p>
    </div>
  );
}
