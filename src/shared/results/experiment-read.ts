// Reading experiment results for display (CLI `experiment show`, the renderer's Experiments view,
// MCP): parse with the schema, format every number through the metric catalogue. Pure.
import { formatMetric, metricDef } from '../metrics-catalog';
import { SWEEP_OBJECTIVES, type SweepObjective } from '../experiment-requests';
import { describeSchemaProblem } from './experiment-parts';
import { sweepResultSchema, type SweepResult } from './sweep';
import { walkForwardResultSchema, type WalkForwardResult } from './walk-forward';

export type ParsedExperiment = { kind: 'walk_forward'; results: WalkForwardResult } | { kind: 'sweep'; results: SweepResult } | { kind: 'unreadable'; message: string } | { kind: 'none' };

/** An experiment's results as its schema says, or why they cannot be shown (never a guess). */
export function parseExperimentResults(results: unknown): ParsedExperiment {
  if (!results || typeof results !== 'object' || !('kind' in results)) return { kind: 'none' };
  const r = results as { kind: unknown; schema_version?: unknown };
  if (r.kind === 'walk_forward') {
    const p = walkForwardResultSchema.safeParse(results);
    return p.success ? { kind: 'walk_forward', results: p.data } : { kind: 'unreadable', message: describeSchemaProblem('walk-forward', p.error, r.schema_version) };
  }
  if (r.kind === 'sweep') {
    const p = sweepResultSchema.safeParse(results);
    return p.success ? { kind: 'sweep', results: p.data } : { kind: 'unreadable', message: describeSchemaProblem('sweep', p.error, r.schema_version) };
  }
  return { kind: 'unreadable', message: `Unknown experiment kind '${String(r.kind)}'` };
}

/** The catalogue key an objective's value is formatted with (oos_sharpe → sharpe_ratio, …). */
export function objectiveMetricKey(objective: string): string {
  return SWEEP_OBJECTIVES[objective as SweepObjective]?.metric ?? objective;
}

/** A value as text through the catalogue; a null shows "—" and, when known, why. */
export function showMetric(key: string, value: number | boolean | null | undefined, reason?: string | null, currency?: string | null): string {
  if (value === null || value === undefined) return reason ? `— (${reason})` : '—';
  return formatMetric(key, value, currency ? { currency } : {});
}

/** One line for the quant: the catalogue's label and definition of a metric. */
export function explain(key: string): string {
  const d = metricDef(key);
  return `${d.label}: ${d.definition}`;
}

/** ISO date (and time when not midnight UTC) of an ISO instant: how the app writes dates. */
export function isoDay(v: string | null | undefined): string {
  if (!v) return '—';
  const t = v.slice(11, 16);
  return t && t !== '00:00' ? `${v.slice(0, 10)} ${t}` : v.slice(0, 10);
}
