// Reusable look-ahead guard: an indicator (or any feature) is causal when every value at index ≤ t is the same
// whether it was computed on the whole series or on the series cut after bar t.
import { sliceBars, type BarSeries } from '../../../src/core/bars/types';

export type SeriesCompute = (bars: BarSeries) => Record<string, ArrayLike<number>>;

export class LookaheadError extends Error {
  constructor(
    message: string,
    readonly output: string,
    readonly cut: number,
    readonly index: number,
  ) {
    super(message);
    this.name = 'LookaheadError';
  }
}

/**
 * Throws LookaheadError at the first output value at index ≤ t that differs (Object.is: NaN equals NaN,
 * 0 and −0 differ) between compute(bars) and compute(bars[0..t]) for any t in cutPoints. Also throws when
 * the truncated run does not return the same outputs.
 */
export function assertNoLookahead(compute: SeriesCompute, bars: BarSeries, cutPoints: number[]): void {
  const n = bars.time.length;
  const full = compute(bars);
  for (const t of cutPoints) {
    if (t < 0 || t >= n) throw new RangeError(`cut point ${t} is outside 0..${n - 1}`);
    const part = compute(sliceBars(bars, 0, t + 1));
    for (const [name, series] of Object.entries(full)) {
      const cut = part[name];
      if (!cut) throw new LookaheadError(`output ${name} missing when cut at ${t}`, name, t, -1);
      if (cut.length !== t + 1) throw new LookaheadError(`output ${name} has length ${cut.length} when cut at ${t}`, name, t, -1);
      for (let i = 0; i <= t; i++) {
        if (!Object.is(series[i], cut[i]))
          throw new LookaheadError(
            `output ${name}[${i}] is ${series[i]} on the full series but ${cut[i]} when cut after bar ${t}: it uses later bars`,
            name,
            t,
            i,
          );
      }
    }
  }
}

/** Cut points that probe the start, the warm-up boundary, the middle and the end of a series. */
export function defaultCutPoints(n: number, warmup: number): number[] {
  const pts = [0, 1, 2, warmup - 1, warmup, warmup + 1, warmup + 7, Math.floor(n / 3), Math.floor(n / 2), n - 2, n - 1];
  return [...new Set(pts.filter((t) => t >= 0 && t < n))].sort((a, b) => a - b);
}
