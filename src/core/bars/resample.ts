// Resampling to a coarser timeframe: O=first, H=max, L=min, C=last, V=sum, labelled by bucket OPEN time.
import { timeframeMs } from '../timeframes';
import { BarBuilder } from './series';
import { DAY_MS } from './time';
import type { BarSeries } from './types';

/** Weeks start on Monday 00:00 UTC: epoch day 0 was a Thursday, Monday is 4 days later. */
const WEEK_ORIGIN = 4 * DAY_MS;

/** Start of the bucket holding `t`: epoch-aligned (days at 00:00 UTC, 4h at 00/04/08/... UTC, weeks on Monday). */
export function bucketStart(t: number, bucketMs: number): number {
  const origin = bucketMs % (7 * DAY_MS) === 0 ? WEEK_ORIGIN : 0;
  return Math.floor((t - origin) / bucketMs) * bucketMs + origin;
}

/** Whether `target` can be built from `source` bars: a whole multiple that keeps bucket edges aligned. */
export function canResample(source: string, target: string): boolean {
  const s = timeframeMs(source);
  const t = timeframeMs(target);
  return s !== null && t !== null && t > s && t % s === 0;
}

export interface ResampleOptions {
  /**
   * Keep the last bucket even when it may be incomplete. By default it is dropped unless it is
   * known complete: a later source bar exists past its end (impossible for the last one) or its
   * last source bar is the bucket's final sub-interval (e.g. the 23:00 bar of a daily bucket from 1h).
   */
  keepPartialLast?: boolean;
}

/**
 * Aggregates ascending bars into `target` buckets. Buckets with no source bar are not created
 * (no filling). Interior buckets with missing sub-bars (a weekend, a gap) are kept: the data moved
 * past them, so they hold everything there is.
 */
export function resampleBars(bars: BarSeries, target: string, opts: ResampleOptions = {}): BarSeries {
  const targetMs = timeframeMs(target);
  const sourceMs = timeframeMs(bars.timeframe);
  if (targetMs === null) throw new Error(`Unknown timeframe '${target}'`);
  if (sourceMs === null) throw new Error(`Unknown source timeframe '${bars.timeframe}'`);
  if (targetMs < sourceMs || targetMs % sourceMs !== 0) {
    throw new Error(`Cannot resample ${bars.timeframe} to ${target}: the target must be a whole multiple of the source`);
  }
  const n = bars.time.length;
  const out = new BarBuilder(Math.ceil((n * sourceMs) / targetMs) + 2);
  if (n === 0) return out.finish(bars.symbol, target);
  const { time, open, high, low, close, volume } = bars;
  let bucket = bucketStart(time[0], targetMs);
  let o = open[0];
  let h = high[0];
  let l = low[0];
  let c = close[0];
  let v = volume[0];
  for (let i = 1; i < n; i++) {
    const t = time[i];
    if (t >= bucket + targetMs) {
      out.push(bucket, o, h, l, c, v);
      bucket = bucketStart(t, targetMs);
      o = open[i];
      h = high[i];
      l = low[i];
      c = close[i];
      v = volume[i];
    } else {
      if (high[i] > h) h = high[i];
      if (low[i] < l) l = low[i];
      c = close[i];
      v += volume[i];
    }
  }
  const lastComplete = time[n - 1] + sourceMs >= bucket + targetMs;
  if (opts.keepPartialLast || lastComplete) out.push(bucket, o, h, l, c, v);
  return out.finish(bars.symbol, target);
}
