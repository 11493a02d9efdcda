// What Run comparison compares: every value of the shared presenter but the settings, each once, and
// whether a run's numbers may flatter it (in sample, or unknown) so that no row is marked better.
import { metricDef } from '../../../shared/metrics-catalog';
import type { TypedResult } from '../../../shared/results';
import { presentResult, rowId, type MetricCell } from '../../../shared/results/present';

export interface ComparableRow {
  /** Catalogue key (data-key), with "@column" for a multi-column section's column. */
  id: string;
  key: string;
  label: string;
  cell: MetricCell;
}

/** The rows a run is compared on: every presenter cell but the settings (shown apart), in presenter order. */
export function comparableRows(typed: TypedResult | null): ComparableRow[] {
  if (!typed) return [];
  return presentResult(typed)
    .filter((s) => s.id !== 'settings')
    .flatMap((s) =>
      s.rows.flatMap((r) =>
        r.cells.map((cell, i) => {
          const column = s.columns[i];
          const id = rowId(r);
          return { id: column ? `${id}@${column}` : id, key: r.key, label: column ? `${r.label} — ${column}` : r.label, cell };
        }),
      ),
    );
}

/** Whether either run's numbers are not out of sample, in words (null when both are clean or not backtests). */
export function samplingWarning(a: TypedResult | null, b: TypedResult | null): string | null {
  const state = (t: TypedResult | null) => (t?.type === 'backtesting' || t?.type === 'portfolio' ? t.result.out_of_sample : true);
  const words = (['A', 'B'] as const)
    .map((n, i) => [n, state(i === 0 ? a : b)] as const)
    .filter(([, s]) => s !== true)
    .map(([n, s]) => `${n} is ${s === false ? 'in sample' : 'of unknown sampling (the model’s training range is not recorded)'}`);
  return words.length ? `${words.join('; ')}: its numbers may flatter it, so no row is marked better.` : null;
}

/** Which run is better on a metric: 'a', 'b', or null (equal, no direction, not numbers). */
export function better(key: string, a: unknown, b: unknown): 'a' | 'b' | null {
  const dir = metricDef(key).higherIsBetter;
  if (dir === undefined || typeof a !== 'number' || typeof b !== 'number' || a === b) return null;
  return (a > b) === dir ? 'a' : 'b';
}

