// Which timeframe do a series' timestamps have? The median spacing of consecutive bars: nights,
// weekends and holidays make a minority of longer intervals, so the median is the bar length.
import { KNOWN_TIMEFRAMES, timeframeMs } from '../timeframes';

export interface TimeframeEvidence {
  /** The known timeframe equal to the median spacing, or null (too few bars, or irregular). */
  timeframe: string | null;
  /** Median spacing in ms (null with fewer than 2 intervals). */
  medianMs: number | null;
  /** Intervals measured. */
  intervals: number;
  /** Share of intervals exactly equal to the median. */
  shareAtMedian: number;
}

/** Human form of a spacing: 90 s, 15 min, 4 h, 1 d, 7 d. */
export function formatSpacing(ms: number): string {
  if (ms % 86_400_000 === 0) return `${ms / 86_400_000} d`;
  if (ms % 3_600_000 === 0) return `${ms / 3_600_000} h`;
  if (ms % 60_000 === 0) return `${ms / 60_000} min`;
  return `${ms / 1000} s`;
}

/** `time` sorted ascending and unique. Needs at least 2 intervals (3 bars) to say anything. */
export function inferTimeframe(time: ArrayLike<number>): TimeframeEvidence {
  const n = time.length;
  if (n < 3) return { timeframe: null, medianMs: null, intervals: Math.max(0, n - 1), shareAtMedian: 0 };
  const diffs = new Float64Array(n - 1);
  for (let i = 1; i < n; i++) diffs[i - 1] = time[i] - time[i - 1];
  diffs.sort();
  const median = diffs[(diffs.length - 1) >> 1];
  let at = 0;
  for (const d of diffs) if (d === median) at++;
  const timeframe = KNOWN_TIMEFRAMES.find((tf) => timeframeMs(tf) === median) ?? null;
  return { timeframe, medianMs: median, intervals: diffs.length, shareAtMedian: at / diffs.length };
}
