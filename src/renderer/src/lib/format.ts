// Number and date formatting shared by tables and charts.
import { formatMetric } from '../../../shared/metrics-catalog';

export function fmtNumber(v: unknown, digits = 2): string {
  if (typeof v !== 'number' || !Number.isFinite(v)) return v === null || v === undefined ? '—' : String(v);
  return v.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
}

/** KTRDR sends ratios as fractions (0.0123 = 1.23 %). */
export function fmtPct(v: unknown, digits = 2): string {
  if (typeof v !== 'number' || !Number.isFinite(v)) return '—';
  return `${(v * 100).toFixed(digits)}%`;
}

export function fmtInt(v: unknown): string {
  if (typeof v !== 'number' || !Number.isFinite(v)) return '—';
  return Math.round(v).toLocaleString('en-US');
}

/** "2024-01-02 13:45" in UTC (the API's timezone), or the date only at midnight. */
export function fmtTime(v: string | number | null | undefined): string {
  if (v === null || v === undefined || v === '') return '—';
  const d = new Date(typeof v === 'number' ? v * 1000 : v);
  if (Number.isNaN(d.getTime())) return String(v);
  const iso = d.toISOString();
  return iso.endsWith('T00:00:00.000Z') ? iso.slice(0, 10) : `${iso.slice(0, 10)} ${iso.slice(11, 16)}`;
}

/** Parses an API timestamp (with or without Z: the API is UTC) into unix seconds; NaN when unparsable. */
export function toUnixSeconds(v: string | number): number {
  if (typeof v === 'number') return v > 1e11 ? v / 1000 : v;
  const s = /[zZ]|[+-]\d\d:?\d\d$/.test(v) || v.length <= 10 ? v : `${v}Z`;
  return Date.parse(s) / 1000;
}

/** Money: 2 decimals with thousands separators and the currency code when known ("-8,406.57 USD"). */
export function fmtMoney(v: unknown, currency?: string | null): string {
  const text = fmtNumber(v, 2);
  return currency && typeof v === 'number' && Number.isFinite(v) ? `${text} ${currency}` : text;
}

/**
 * A metric value as text: the metric catalogue (src/shared/metrics-catalog.ts) is the one place for
 * units, precision and currency; a key it does not know throws (add it there).
 */
export function fmtMetric(key: string, v: unknown, currency?: string | null): string {
  return formatMetric(key, v, { currency });
}

/** Nested result objects one level deep as dotted keys ("benchmark.total_return"), for flat tables. */
export function flattenMetrics(values: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(values)) {
    if (v && typeof v === 'object' && !Array.isArray(v)) for (const [k2, v2] of Object.entries(v as Record<string, unknown>)) out[`${k}.${k2}`] = v2;
    else out[k] = v;
  }
  return out;
}

/**
 * A compact operation id for narrow tables: "op_dummy_20261121_114444_1c7dd06a" → "…1c7dd06a"
 * (the random suffix tells rows apart; type and time have columns and the detail pane of their own).
 */
export function shortOpId(id: string): string {
  const m = /_([0-9a-f]{6,})$/i.exec(id);
  return m && m[1].length < id.length - 1 ? `…${m[1]}` : id;
}
