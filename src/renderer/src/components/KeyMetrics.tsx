import { formatMetric, metricLabel, metricTooltip } from '../../../shared/metrics-catalog';
import type { KeyMetric } from '../../../shared/key-metrics';

/** Short names for the Result column (the tooltip carries the catalogue's label and definition). */
const SHORT: Record<string, string> = {
  total_return_pct: 'return',
  sharpe_ratio: 'Sharpe',
  oos_sharpe: 'OOS Sharpe',
  total_trades: 'trades',
  best_val_accuracy: 'val acc',
  test_accuracy: 'test acc',
  deflated_sharpe_ratio: 'DSR',
};

/** "return 4.21% · Sharpe 0.81 · trades 245": a finished run's headline numbers (shared/key-metrics.ts); "—" with the reason in the tooltip when undefined. */
export function KeyMetrics({ metrics, testId = 'op-result' }: { metrics: KeyMetric[] | undefined; testId?: string }) {
  if (!metrics?.length) return <span className="muted">—</span>;
  return (
    <span className="key-metrics" data-testid={testId}>
      {metrics.map((m, i) => (
        <span key={m.key} title={`${m.label ?? metricLabel(m.key)}: ${m.value === null ? `undefined — ${m.reason ?? 'not recorded'}` : metricTooltip(m.key)}`} data-key={m.key}>
          {i > 0 && <span className="muted"> · </span>}
          <span className="muted">{m.label ?? SHORT[m.key] ?? metricLabel(m.key)}</span> {formatMetric(m.key, m.value)}
        </span>
      ))}
    </span>
  );
}
