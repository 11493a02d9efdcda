import { describe, expect, it } from 'vitest';
import { lowerBound } from '../../../src/common/search';
import { aggregateCandles, candlesFromApi, visibleRange } from '../../../src/renderer/src/lib/candles';
import { toUnixSeconds } from '../../../src/renderer/src/lib/format';

function series(n: number) {
  const time = Array.from({ length: n }, (_, i) => 1000 + i * 60);
  const open = time.map((_, i) => 100 + i);
  const close = time.map((_, i) => 100 + i + 0.5);
  const high = time.map((_, i) => 100 + i + 2);
  const low = time.map((_, i) => 100 + i - 1);
  return { time, open, high, low, close };
}

describe('candle windows and aggregation', () => {
  it('finds the visible index range by binary search', () => {
    const { time } = series(10);
    expect(lowerBound(time, 1000)).toBe(0);
    expect(lowerBound(time, 1001)).toBe(1);
    expect(lowerBound(time, 99999)).toBe(10);
    expect(visibleRange(time, 1060, 1240)).toEqual([1, 4]);
    const [a, b] = visibleRange(time, 5000, 6000);
    expect(b).toBeLessThan(a);
  });

  it('keeps one candle per bar while bars fit the pixel columns', () => {
    const c = series(10);
    const out = aggregateCandles(c, 2, 6, 100);
    expect(out).toHaveLength(5);
    expect(out[0]).toEqual({ i0: 2, i1: 2, open: 102, high: 104, low: 101, close: 102.5 });
  });

  it('merges bars per column when there are more bars than columns: first open, max high, min low, last close', () => {
    const c = series(100_000);
    const out = aggregateCandles(c, 0, 99_999, 1000);
    expect(out).toHaveLength(1000);
    expect(out[0]).toEqual({ i0: 0, i1: 99, open: 100, high: 100 + 99 + 2, low: 99, close: 100 + 99 + 0.5 });
    expect(out[999].i1).toBe(99_999);
    // only the visible window is visited
    const part = aggregateCandles(c, 50_000, 50_009, 1000);
    expect(part).toHaveLength(10);
    expect(part[0].open).toBe(50_100);
  });

  it('turns the API {dates, ohlcv} answer into columns', () => {
    const c = candlesFromApi(['2024-01-02T00:00:00', '2024-01-03T00:00:00Z'], [[1, 2, 0.5, 1.5, 10], [1.5, 2.5, 1, 2, 20]], toUnixSeconds);
    expect(Array.from(c.time)).toEqual([Date.UTC(2024, 0, 2) / 1000, Date.UTC(2024, 0, 3) / 1000]);
    expect(Array.from(c.high)).toEqual([2, 2.5]);
    expect(Array.from(c.volume!)).toEqual([10, 20]);
  });
});
