// Labels, units and one-line definitions of the metrics the report prints come from the product's
// one metric catalogue (src/shared/metrics-catalog.ts), as in the UI, the CLI and the MCP resource.
import { formatMetric, isKnownMetric, metricDef, type MetricUnit } from '../../shared/metrics-catalog';

export type ReportUnit = MetricUnit;

export interface MetricDescription {
  label: string;
  unit: ReportUnit;
  definition: string;
}

/** Label, unit and definition of a metric key; unknown keys get their name and no definition. */
export function describeMetric(key: string): MetricDescription {
  if (!isKnownMetric(key)) return { label: key.replace(/_/g, ' ').replace(/^./, (c) => c.toUpperCase()), unit: 'number', definition: '' };
  const d = metricDef(key);
  return { label: d.label, unit: d.unit, definition: d.definition };
}

/** A metric value as text in its unit (fractions as percent), formatted as everywhere else. */
export function formatMetricValue(key: string, value: unknown, currency?: string | null): string {
  return formatMetric(key, value, { currency });
}
