// Candle series in columns (uPlot's data layout) and the per-pixel aggregation that keeps a chart of
// 100k+ bars fast: only the visible index range is drawn, and when there are more bars than pixel
// columns, neighbouring bars merge into one candle (first open, max high, min low, last close).
import { lowerBound } from '../../../common/search';

export interface CandleColumns {
  /** Unix seconds, ascending. */
  time: Float64Array | number[];
  open: ArrayLike<number>;
  high: ArrayLike<number>;
  low: ArrayLike<number>;
  close: ArrayLike<number>;
  volume?: ArrayLike<number>;
}

export interface Candle {
  /** Index of the first and last source bar in this candle. */
  i0: number;
  i1: number;
  open: number;
  high: number;
  low: number;
  close: number;
}

/** Index range [i0, i1] (inclusive) of the bars inside [tMin, tMax]; i1 < i0 when none. */
export function visibleRange(time: ArrayLike<number>, tMin: number, tMax: number): [number, number] {
  const i0 = lowerBound(time, tMin);
  const i1 = lowerBound(time, tMax + 1e-9) - 1;
  return [i0, i1];
}

/**
 * Candles to draw for bars [i0, i1] in `columns` pixel columns: one candle per bar while they fit,
 * else buckets of ceil(count / columns) bars.
 */
export function aggregateCandles(c: CandleColumns, i0: number, i1: number, columns: number): Candle[] {
  const out: Candle[] = [];
  if (i1 < i0) return out;
  const count = i1 - i0 + 1;
  const per = Math.max(1, Math.ceil(count / Math.max(1, Math.floor(columns))));
  for (let s = i0; s <= i1; s += per) {
    const e = Math.min(i1, s + per - 1);
    let high = -Infinity;
    let low = Infinity;
    for (let i = s; i <= e; i++) {
      if (c.high[i] > high) high = c.high[i];
      if (c.low[i] < low) low = c.low[i];
    }
    out.push({ i0: s, i1: e, open: c.open[s], high, low, close: c.close[e] });
  }
  return out;
}

/** The `{dates, ohlcv}` shape of `GET /data/{symbol}/{timeframe}` into columns. */
export function candlesFromApi(dates: string[], ohlcv: number[][], toSeconds: (d: string) => number): CandleColumns {
  const n = Math.min(dates.length, ohlcv.length);
  const time = new Float64Array(n);
  const open = new Float64Array(n);
  const high = new Float64Array(n);
  const low = new Float64Array(n);
  const close = new Float64Array(n);
  const volume = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const r = ohlcv[i];
    time[i] = toSeconds(dates[i]);
    open[i] = r[0];
    high[i] = r[1];
    low[i] = r[2];
    close[i] = r[3];
    volume[i] = r[4] ?? 0;
  }
  return { time, open, high, low, close, volume };
}

const fmtPrice = (v: number) => (Math.abs(v) >= 1000 ? v.toFixed(2) : Math.abs(v) >= 10 ? v.toFixed(3) : v.toFixed(5));
const isoMinute = (t: number) => new Date(t * 1000).toISOString().slice(0, 16).replace('T', ' ');

/** The crosshair readout: the bar under the cursor and, near a trade marker, that trade. */
export function readoutText(c: CandleColumns, i: number | null | undefined, marker: { label?: string } | null): string {
  if (i == null || i < 0 || i >= c.time.length) return '';
  const v = c.volume ? ` V ${Math.round(c.volume[i]).toLocaleString('en-US')}` : '';
  const bar = `${isoMinute(c.time[i])}  O ${fmtPrice(c.open[i])} H ${fmtPrice(c.high[i])} L ${fmtPrice(c.low[i])} C ${fmtPrice(c.close[i])}${v}`;
  return marker?.label ? `${bar}  ·  ${marker.label}` : bar;
}

