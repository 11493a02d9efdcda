// Number and date formatting shared by tables and charts.

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

/** Keys that hold fractions in KTRDR's result shapes, shown as percentages. */
const PCT_KEY = /(_pct|rate|accuracy|precision|recall|f1|drawdown|return$|volatility)/;

export function fmtMetric(key: string, v: unknown): string {
  if (typeof v === 'number') {
    if (key === 'total_return') return fmtNumber(v, 2);
    if (PCT_KEY.test(key) && Math.abs(v) <= 10) return fmtPct(v);
    if (Number.isInteger(v)) return fmtInt(v);
    return fmtNumber(v, 4);
  }
  if (v === null || v === undefined) return '—';
  if (typeof v === 'object') return JSON.stringify(v);
  return String(v);
}
