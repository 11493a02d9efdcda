// Metric definitions served as the MCP resource ktrdr://metrics: the product's one catalogue.
import { METRICS } from '../../shared/metrics-catalog';

export interface MetricDefinition {
  key: string;
  label: string;
  unit: string;
  definition: string;
  higherIsBetter?: boolean;
}

export function metricDefinitions(): MetricDefinition[] {
  return Object.values(METRICS).map(({ key, label, unit, definition, higherIsBetter }) => ({ key, label, unit, definition, ...(higherIsBetter === undefined ? {} : { higherIsBetter }) }));
}
