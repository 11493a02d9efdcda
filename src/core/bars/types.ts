// Bars as columns: what every core computation reads. Timestamps are bar OPEN times in UTC ms.

/** Where bars came from; synthetic bars are always labelled so, wherever they travel. */
export interface SeriesMeta {
  /** Provider or import that produced them: csv, synthetic, dukascopy, ib, sample, ... */
  source?: string;
  synthetic?: boolean;
}

export interface BarSeries {
  symbol: string;
  timeframe: string;
  time: Float64Array;
  open: Float64Array;
  high: Float64Array;
  low: Float64Array;
  close: Float64Array;
  volume: Float64Array;
  meta?: SeriesMeta;
}

export function barCount(bars: BarSeries): number {
  return bars.time.length;
}

/** A view of bars [from, to) sharing the same memory (no copy). */
export function sliceBars(bars: BarSeries, from: number, to: number): BarSeries {
  return {
    ...(bars.meta ? { meta: bars.meta } : {}),
    symbol: bars.symbol,
    timeframe: bars.timeframe,
    time: bars.time.subarray(from, to),
    open: bars.open.subarray(from, to),
    high: bars.high.subarray(from, to),
    low: bars.low.subarray(from, to),
    close: bars.close.subarray(from, to),
    volume: bars.volume.subarray(from, to),
  };
}

export function emptyBars(symbol: string, timeframe: string, n = 0): BarSeries {
  return {
    symbol,
    timeframe,
    time: new Float64Array(n),
    open: new Float64Array(n),
    high: new Float64Array(n),
    low: new Float64Array(n),
    close: new Float64Array(n),
    volume: new Float64Array(n),
  };
}
