import { Fragment } from 'react';
import { displayEntries, isKnownMetric, metricLabel, metricTooltip } from '../../../shared/metrics-catalog';
import { flattenMetrics, fmtMetric, fmtNumber } from '../lib/format';
import { MetricDefinitionRow, MetricTerm, useOpenDefinition } from './MetricTerm';

/**
 * A flat object as a two-column table; nested objects become dotted rows. For objects that are not a
 * typed result (a data load's summary, a manifest): known metric keys show the catalogue's label,
 * definition (MetricTerm: click or Enter, and the tooltip) and unit; other keys show their name and the
 * value as it is (never a guessed unit). Typed results are shown by ResultSections.
 */
export function KeyValueTable({ values, testId, currency, raw = false }: { values: Record<string, unknown> | null | undefined; testId?: string; currency?: string | null; raw?: boolean }) {
  const defs = useOpenDefinition();
  const flat = flattenMetrics(values ?? {});
  const entries = (raw ? Object.entries(flat) : displayEntries(flat)).filter(([, v]) => !Array.isArray(v) || v.length < 20);
  if (entries.length === 0) return <p className="empty">—</p>;
  return (
    <table className="grid kv" data-testid={testId}>
      <tbody>
        {entries.map(([k, v]) => {
          const known = !raw && isKnownMetric(k);
          const definition = known ? `${metricTooltip(k)} (${k})` : k;
          return (
            <Fragment key={k}>
              <tr data-key={k}>
                <th scope="row" title={definition}>
                  {known ? <MetricTerm termKey={k} label={metricLabel(k)} open={defs.isOpen(k)} onToggle={() => defs.toggle(k)} definitionId={defs.idFor(k)} /> : k}
                </th>
                <td className="num">{known ? fmtMetric(k, v, currency) : typeof v === 'number' ? fmtNumber(v, Number.isInteger(v) ? 0 : 4) : String(v ?? '—')}</td>
              </tr>
              {known && defs.isOpen(k) && (
                <MetricDefinitionRow termKey={k} id={defs.idFor(k)} span={2}>
                  {metricTooltip(k)}
                </MetricDefinitionRow>
              )}
            </Fragment>
          );
        })}
      </tbody>
    </table>
  );
}
