// Date boundaries of a backtest request. A date without a time covers the whole day: a start date
// begins at 00:00 UTC, an end date runs to the end of that day (KTRDR cut the end at 00:00, which
// silently dropped the last day of intraday bars). A full ISO timestamp is taken as written (UTC when
// it has no zone).

import { parseStrictDate } from '../bars/user-date';

/** Epoch ms of the boundary, or null when the text is not a valid date (the one strict parser). */
export function parseDateBoundary(text: string, side: 'start' | 'end'): number | null {
  const r = parseStrictDate(text, side);
  return r.ok ? r.ms : null;
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
