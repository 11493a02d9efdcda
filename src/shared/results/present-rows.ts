// The building blocks of what a reader shows of a result (present.ts, present-experiments.ts): a
// section of metric rows, each cell with its value, its text from the metric catalogue (label, unit,
// precision, currency) and, when the value is null, the reason. Pure: the catalogue only.
import { formatMetric, metricDef, type MetricUnit } from '../metrics-catalog';
import type { NullReasons } from './common';

export interface MetricCell {
  /** Where the value lives in the result ("metrics.sharpe_ratio"). */
  path: string;
  value: unknown;
  /** The value as text: "1.23", "8.41%", "1,234.50 USD", "—" when null. */
  text: string;
  /** Why the value is null (from the result's null_reasons), else null. */
  reason: string | null;
}

export interface MetricRow {
  /** The catalogue key (label, unit, definition come from it). */
  key: string;
  /** Unique in its section when several rows share a key (a correlation row per leg); else absent (the key is). */
  id?: string;
  label: string;
  unit: MetricUnit;
  definition: string;
  higherIsBetter?: boolean;
  cells: MetricCell[];
}

export interface ResultSection {
  id: string;
  title: string;
  /** Column headings when a section compares several things (strategy vs benchmarks, folds); else one unnamed column. */
  columns: string[];
  rows: MetricRow[];
  /**
   * 'items': the columns are items of one kind (a walk-forward's folds, a sweep's trials, a
   * portfolio's legs), possibly many: readers draw each item as a table row and each metric as a
   * column. Default: metrics are rows.
   */
  layout?: 'items';
  /** With layout 'items': what an item is ("Fold", "Trial", "Leg"), the heading of the items' column. */
  itemHeading?: string;
  /** One sentence under the table (how the numbers relate). */
  note?: string;
}

/** A row's identity in its section: its id when rows share a key, else the key. */
export function rowId(r: Pick<MetricRow, 'key' | 'id'>): string {
  return r.id ?? r.key;
}

/** A value source: the object, the field, and the dotted path it has in the result. */
export interface Source {
  obj: Record<string, unknown> | null;
  field: string;
  path: string;
  /** Reason when `obj` itself is missing (the whole block is null), or when `obj` has none for the field. */
  missing?: string | null;
  /** The reason, when it is known better than the object's null_reasons (e.g. a row that does not apply). */
  reason?: string | null;
}

export function cell(key: string, src: Source, currency: string | null): MetricCell {
  const value = src.obj ? src.obj[src.field] : null;
  const reasons = src.obj ? ((src.obj.null_reasons as NullReasons | undefined) ?? {}) : {};
  const reason = value === null || value === undefined ? (src.reason ?? reasons[src.field] ?? src.missing ?? null) : null;
  return { path: src.path, value: value ?? null, text: formatMetric(key, value, { currency }), reason };
}

export function row(key: string, sources: Source[], currency: string | null): MetricRow {
  const d = metricDef(key); // an unknown key throws: every shown metric is in the catalogue
  return { key, label: d.label, unit: d.unit, definition: d.definition, ...(d.higherIsBetter === undefined ? {} : { higherIsBetter: d.higherIsBetter }), cells: sources.map((s) => cell(key, s, currency)) };
}

/** The field `field` (default: the path's last part) of `obj`, shown at `path`; `missing` is why when obj is null. */
export const at = (obj: object | null, path: string, field = path.slice(path.lastIndexOf('.') + 1), missing: string | null = null): Source => ({ obj: obj as Record<string, unknown> | null, field, path, missing });

/** A value the presenter derives (a sum over folds), or null with `reason`. */
export const derived = (path: string, value: number | null, reason: string | null = null): Source => ({ obj: { value }, field: 'value', path, reason });

/** A cell that does not apply to this result (a sweep has no folds), with why. */
export const notApplicable = (path: string, why: string): Source => ({ obj: null, field: 'value', path, missing: why });
