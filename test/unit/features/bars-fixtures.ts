// Test-only bar helpers: a tiny CSV reader for /work/shared/data files, a resampler (to derive higher
// timeframes from 1h bars exactly as they would have been known at any cut), and synthetic bars.
import { readFileSync } from 'node:fs';
import type { BarSeries } from '../../../src/core/bars/types';

export const DATA_DIR = process.env.KTRDR_TEST_DATA ?? '/work/shared/data';

export function fromRows(symbol: string, timeframe: string, rows: number[][]): BarSeries {
  const col = (k: number) => Float64Array.from(rows, (r) => r[k]);
  return { symbol, timeframe, time: col(0), open: col(1), high: col(2), low: col(3), close: col(4), volume: col(5) };
}

/** `timestamp,open,high,low,close,volume` with ISO timestamps; `from`/`limit` pick a window of rows. */
export function readCsvBars(file: string, symbol: string, timeframe: string, opts: { from?: number; limit?: number } = {}): BarSeries {
  const lines = readFileSync(`${DATA_DIR}/${file}`, 'utf8').trim().split('\n').slice(1);
  const from = opts.from ?? 0;
  const picked = lines.slice(from, opts.limit === undefined ? undefined : from + opts.limit);
  return fromRows(
    symbol,
    timeframe,
    picked.map((l) => {
      const [t, ...rest] = l.split(',');
      return [Date.parse(t), ...rest.map(Number)];
    }),
  );
}

/** Aggregates bars into buckets of `ms` (aligned to the epoch, i.e. UTC midnight for 4h and 1d). */
export function resample(bars: BarSeries, timeframe: string, ms: number): BarSeries {
  const rows: number[][] = [];
  for (let i = 0; i < bars.time.length; i++) {
    const bucket = Math.floor(bars.time[i] / ms) * ms;
    const last = rows[rows.length - 1];
    if (last && last[0] === bucket) {
      last[2] = Math.max(last[2], bars.high[i]);
      last[3] = Math.min(last[3], bars.low[i]);
      last[4] = bars.close[i];
      last[5] += bars.volume[i];
    } else rows.push([bucket, bars.open[i], bars.high[i], bars.low[i], bars.close[i], bars.volume[i]]);
  }
  return fromRows(bars.symbol, timeframe, rows);
}

export function truncate(bars: BarSeries, n: number): BarSeries {
  return {
    symbol: bars.symbol,
    timeframe: bars.timeframe,
    time: bars.time.slice(0, n),
    open: bars.open.slice(0, n),
    high: bars.high.slice(0, n),
    low: bars.low.slice(0, n),
    close: bars.close.slice(0, n),
    volume: bars.volume.slice(0, n),
  };
}

/** Deterministic random walk, hourly from 2020-01-01 00:00Z. */
export function syntheticHourly(n: number, seed = 1): BarSeries {
  let s = seed;
  const rnd = () => ((s = (s * 1103515245 + 12345) % 2147483648) / 2147483648);
  const rows: number[][] = [];
  let price = 100;
  const t0 = Date.UTC(2020, 0, 1);
  for (let i = 0; i < n; i++) {
    const open = price;
    const close = open * (1 + (rnd() - 0.5) * 0.01);
    rows.push([t0 + i * 3_600_000, open, Math.max(open, close) * (1 + rnd() * 0.002), Math.min(open, close) * (1 - rnd() * 0.002), close, 1000 + Math.floor(rnd() * 100)]);
    price = close;
  }
  return fromRows('SYN', '1h', rows);
}
