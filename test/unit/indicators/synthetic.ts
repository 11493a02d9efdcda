// Seeded synthetic bars for indicator tests and benchmarks (no I/O, reproducible).
import type { BarSeries } from '../../../src/core/bars/types';
import { mulberry32 } from '../../../src/core/random';

export { mulberry32 };

export interface SyntheticOptions {
  seed?: number;
  start?: number;
  /** 'random' (default), 'zero' (FX-style all-zero column) or 'mixed' (zero stretches inside real volume). */
  volume?: 'random' | 'zero' | 'mixed';
  /** Insert runs of identical bars (H = L = O = C), the degenerate case for range-based indicators. */
  flatRuns?: boolean;
}

/** Geometric random walk with consistent OHLC (L ≤ O,C ≤ H), hourly timestamps. */
export function randomWalkBars(n: number, opts: SyntheticOptions = {}): BarSeries {
  const rnd = mulberry32(opts.seed ?? 42);
  const bars: BarSeries = {
    symbol: 'SYNTH',
    timeframe: '1h',
    time: new Float64Array(n),
    open: new Float64Array(n),
    high: new Float64Array(n),
    low: new Float64Array(n),
    close: new Float64Array(n),
    volume: new Float64Array(n),
  };
  let price = opts.start ?? 100;
  for (let i = 0; i < n; i++) {
    const flat = opts.flatRuns && i % 97 >= 80; // 17-bar flat stretch every 97 bars
    const open = price;
    const close = flat ? open : open * (1 + (rnd() - 0.5) * 0.02);
    const high = flat ? open : Math.max(open, close) * (1 + rnd() * 0.005);
    const low = flat ? open : Math.min(open, close) * (1 - rnd() * 0.005);
    bars.time[i] = 1_600_000_000_000 + i * 3_600_000;
    bars.open[i] = open;
    bars.high[i] = high;
    bars.low[i] = low;
    bars.close[i] = close;
    const vol = Math.floor(1000 + rnd() * 9000);
    bars.volume[i] = opts.volume === 'zero' ? 0 : opts.volume === 'mixed' && i % 150 >= 100 ? 0 : vol;
    price = close;
  }
  return bars;
}
