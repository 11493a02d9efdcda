// Which fields of an operation's metric records are worth a line, and what the x axis is.
import type { MetricRecord } from '../../../shared/operations';

/** Counters that order the records: the x axis when present and increasing. */
const X_KEYS = ['epoch', 'iteration', 'bar_index', 'segment', 'step'];
/** The field(s) that say how an operation is doing, by operation kind, first match wins. */
const PREFERRED: string[][] = [['train_loss', 'val_loss'], ['equity'], ['bars_total'], ['value']];
/** Bookkeeping, not a measurement. */
const SKIP = new Set([...X_KEYS, 'timestamp', 'total_epochs', 'batches_per_epoch', 'segments', 'duration_ms']);
const MAX_SERIES = 2;

export interface MetricPlot {
  /** The record field on x, or null for the record's position (1, 2, 3…). */
  xKey: string | null;
  x: number[];
  keys: string[];
}

const num = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);

function increasing(records: MetricRecord[], key: string): boolean {
  let last = -Infinity;
  for (const r of records) {
    const v = r[key];
    if (!num(v) || v <= last) return false;
    last = v;
  }
  return records.length > 0;
}

export function pickMetricPlot(records: MetricRecord[]): MetricPlot {
  const xKey = X_KEYS.find((k) => increasing(records, k)) ?? null;
  const x = records.map((r, i) => (xKey ? (r[xKey] as number) : i + 1));
  const first = records[0] ?? {};
  const numeric = Object.keys(first).filter((k) => !SKIP.has(k) && records.some((r) => num(r[k])));
  const preferred = PREFERRED.map((group) => group.filter((k) => numeric.includes(k))).find((g) => g.length > 0);
  if (preferred) return { xKey, x, keys: preferred.slice(0, MAX_SERIES) };
  // Otherwise the fields that change (a constant is a parameter, not a metric).
  const varying = numeric.filter((k) => new Set(records.map((r) => r[k])).size > 1);
  return { xKey, x, keys: (varying.length ? varying : numeric).slice(0, MAX_SERIES) };
}
