// Metric definitions served as the MCP resource ktrdr://metrics: the product's one catalogue.
import { METRICS, metricPrecision } from '../../shared/metrics-catalog';

export interface MetricDefinition {
  key: string;
  label: string;
  unit: string;
  /** Decimals the product shows it with. */
  precision: number;
  definition: string;
  /** Money: in the result's account currency (results.costs.currency). */
  currency?: 'account';
  higherIsBetter?: boolean;
}

export function metricDefinitions(): MetricDefinition[] {
  return Object.values(METRICS).map(({ key, label, unit, definition, higherIsBetter }) => ({
    key,
    label,
    unit,
    precision: metricPrecision(key),
    definition,
    ...(unit === 'currency' ? { currency: 'account' as const } : {}),
    ...(higherIsBetter === undefined ? {} : { higherIsBetter }),
  }));
}
