import { displayEntries, isKnownMetric, metricLabel, metricTooltip } from '../../../shared/metrics-catalog';
import { flattenMetrics, fmtMetric } from '../lib/format';
import { MetricTerm } from './MetricTerm';

/**
 * A flat object as a two-column table; nested objects become dotted rows ("benchmark.total_return").
 * Known metric keys show the catalogue's label (definition in the tooltip) and unit; duplicates
 * (avg_holding_period next to avg_holding_period_hours) show once.
 */
export function KeyValueTable({ values, testId, currency, raw = false }: { values: Record<string, unknown> | null | undefined; testId?: string; currency?: string | null; raw?: boolean }) {
  const flat = flattenMetrics(values ?? {});
  const entries = (raw ? Object.entries(flat) : displayEntries(flat)).filter(([, v]) => !Array.isArray(v) || v.length < 20);
  if (entries.length === 0) return <p className="empty">—</p>;
  return (
    <table className="grid kv" data-testid={testId}>
      <tbody>
        {entries.map(([k, v]) => {
          const known = !raw && isKnownMetric(k);
          return (
            <tr key={k} data-key={k}>
              <th scope="row">{known ? <MetricTerm label={metricLabel(k)} definition={`${metricTooltip(k)} (${k})`} /> : k}</th>
              <td className="num">{raw && typeof v !== 'number' ? String(v ?? '—') : fmtMetric(k, v, currency)}</td>
            </tr>
          );
        })}
      </tbody>
    </table>
  );
}
