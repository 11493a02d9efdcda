// Date boundaries of a backtest request. A date without a time covers the whole day: a start date
// begins at 00:00 UTC, an end date runs to the end of that day (KTRDR cut the end at 00:00, which
// silently dropped the last day of intraday bars). A full ISO timestamp is taken as written (UTC when
// it has no zone).

const DATE_ONLY = /^\d{4}-\d{2}-\d{2}$/;
const DAY_MS = 86_400_000;

/** Epoch ms of the boundary, or null when the text is not an ISO date/time. */
export function parseDateBoundary(text: string, side: 'start' | 'end'): number | null {
  const s = text.trim();
  if (!s) return null;
  if (DATE_ONLY.test(s)) {
    const t = Date.parse(`${s}T00:00:00Z`);
    if (Number.isNaN(t) || new Date(t).toISOString().slice(0, 10) !== s) return null;
    return side === 'start' ? t : t + DAY_MS - 1;
  }
  if (!/^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}/.test(s)) return null;
  const hasZone = /(Z|[+-]\d{2}:?\d{2})$/i.test(s);
  const t = Date.parse(hasZone ? s.replace(' ', 'T') : `${s.replace(' ', 'T')}Z`);
  return Number.isNaN(t) ? null : t;
}

export interface EffectiveRange {
  start: number;
  end: number;
  clipped: boolean;
}

/** The requested range clipped to the data's; null when they do not overlap. */
export function clipRange(reqStart: number, reqEnd: number, dataStart: number, dataEnd: number): EffectiveRange | null {
  const start = Math.max(reqStart, dataStart);
  const end = Math.min(reqEnd, dataEnd);
  if (start > end) return null;
  return { start, end, clipped: start !== reqStart || end !== reqEnd };
}

// Binary searches over ascending bar times: the bar store's, re-exported for the engine's callers.
export { lowerBound, upperBound } from '../bars/series';
