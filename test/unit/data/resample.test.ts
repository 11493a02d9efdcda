import { describe, expect, it } from 'vitest';
import { parseBarsCsv } from '../../../src/core/bars/csv';
import { bucketStart, canResample, resampleBars } from '../../../src/core/bars/resample';
import { emptyBars } from '../../../src/core/bars/types';
import { naiveRows, sampleText } from './helpers';

/**
 * Independent aggregation: group rows by a bucket key built from the ISO date string (not by
 * arithmetic on ms), then fold each group. Completeness of the last group is not judged here.
 */
function reference(text: string, minutes: number): Map<string, number[]> {
  const groups = new Map<string, number[]>();
  for (const [t, o, h, l, c, v] of naiveRows(text)) {
    const d = new Date(t);
    const iso = d.toISOString();
    const minuteOfDay = d.getUTCHours() * 60 + d.getUTCMinutes();
    const bucketMinute = minuteOfDay - (minuteOfDay % minutes);
    const key = `${iso.slice(0, 10)}T${String(Math.floor(bucketMinute / 60)).padStart(2, '0')}:${String(bucketMinute % 60).padStart(2, '0')}`;
    const g = groups.get(key);
    if (!g) groups.set(key, [o, h, l, c, v]);
    else {
      g[1] = Math.max(g[1], h);
      g[2] = Math.min(g[2], l);
      g[3] = c;
      g[4] += v;
    }
  }
  return groups;
}

function check(file: string, source: string, target: string, minutes: number) {
  const text = sampleText(file);
  const bars = parseBarsCsv(text, { symbol: 'EURUSD', timeframe: source }).bars;
  const out = resampleBars(bars, target);
  const ref = reference(text, minutes);
  const keys = [...ref.keys()];
  // The last bucket is dropped only when its final sub-bar is missing.
  expect(out.time.length === keys.length || out.time.length === keys.length - 1).toBe(true);
  for (let i = 0; i < out.time.length; i++) {
    const key = new Date(out.time[i]).toISOString().slice(0, 16);
    expect(key).toBe(keys[i]);
    expect([out.open[i], out.high[i], out.low[i], out.close[i], out.volume[i]]).toEqual(ref.get(key));
  }
  return { out, keys };
}

describe('resampleBars against an independent aggregation', () => {
  it('EURUSD 1m → 5m', () => {
    const { out } = check('EURUSD_M1_oanda_bid_2014-05.csv', '1m', '5m', 5);
    expect(out.timeframe).toBe('5m');
    expect(out.time.length).toBeGreaterThan(3000);
  });

  it('EURUSD 1h → 4h', () => {
    const { out, keys } = check('EURUSD_H1_oanda_bid_2007-2018.csv', '1h', '4h', 240);
    // The file ends at 2018-12-31 21:00, the first hour of the 20:00 bucket: that bucket is incomplete.
    expect(out.time.length).toBe(keys.length - 1);
    expect(new Date(out.time[out.time.length - 1]).toISOString()).toBe('2018-12-31T16:00:00.000Z');
  });

  it('1h → 1d labels days at 00:00 UTC', () => {
    const bars = parseBarsCsv(sampleText('EURUSD_H1_oanda_bid_2007-2018.csv'), { symbol: 'EURUSD', timeframe: '1h' }).bars;
    const daily = resampleBars(bars, '1d');
    for (const t of daily.time) expect(t % 86_400_000).toBe(0);
  });
});

describe('buckets and completeness', () => {
  const hourly = (hours: number[]) => {
    const b = emptyBars('X', '1h', hours.length);
    hours.forEach((h, i) => {
      b.time[i] = Date.UTC(2024, 0, 1, h);
      b.open[i] = 10 + i;
      b.high[i] = 20 + i;
      b.low[i] = 5 - i;
      b.close[i] = 11 + i;
      b.volume[i] = 1;
    });
    return b;
  };

  it('keeps a last bucket that holds its final sub-bar and drops one that does not', () => {
    expect(resampleBars(hourly([0, 1, 2, 3]), '4h').time.length).toBe(1);
    expect(resampleBars(hourly([0, 1, 2, 3, 4, 5]), '4h').time.length).toBe(1);
    expect(resampleBars(hourly([0, 1, 2, 3, 4, 5]), '4h', { keepPartialLast: true }).time.length).toBe(2);
    // Interior buckets with holes are kept: the data moved past them.
    const r = resampleBars(hourly([0, 2, 5, 6, 7]), '4h');
    expect(Array.from(r.time)).toEqual([Date.UTC(2024, 0, 1, 0), Date.UTC(2024, 0, 1, 4)]);
    expect([r.open[0], r.high[0], r.low[0], r.close[0], r.volume[0]]).toEqual([10, 21, 4, 12, 2]);
  });

  it('aligns weeks on Monday 00:00 UTC and refuses non-multiples', () => {
    expect(new Date(bucketStart(Date.UTC(2024, 0, 10, 15), 7 * 86_400_000)).toISOString()).toBe('2024-01-08T00:00:00.000Z');
    expect(canResample('1h', '4h')).toBe(true);
    expect(canResample('4h', '1h')).toBe(false);
    expect(canResample('2h', '5m')).toBe(false);
    expect(() => resampleBars(hourly([0]), '90m')).toThrow(/multiple/);
  });
});
