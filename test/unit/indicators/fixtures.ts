// Loads the TA-Lib reference fixtures written by scripts/gen-talib-fixtures.cjs.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { BarSeries } from '../../../src/core/bars/types';

export interface FixtureOutput {
  ours: string;
  talib: string;
  /** TA-Lib's outBegIdx: index of its first value. */
  beg: number;
  count: number;
  /** The first `head` TA-Lib values (indices beg, beg+1, ...). */
  head: number[];
  /** TA-Lib values at every index i ≥ beg+head with i % stride == 0, in order. */
  sample: number[];
}

export interface FixtureCase {
  id: string;
  fn: string;
  opts: Record<string, number>;
  ours: { type: string; params: Record<string, unknown> };
  outputs: FixtureOutput[];
}

export interface TalibFixture {
  talib: string;
  dataset: { name: string; file: string; from: number; rows: number };
  head: number;
  stride: number;
  bars: Record<'time' | 'open' | 'high' | 'low' | 'close' | 'volume', number[]>;
  cases: FixtureCase[];
}

export const FIXTURE_NAMES = ['eurusd_h1', 'aapl_d1'] as const;

export function loadTalibFixture(name: string): TalibFixture {
  return JSON.parse(readFileSync(join(__dirname, '../../fixtures/talib', `${name}.json`), 'utf8')) as TalibFixture;
}

export function fixtureBars(f: TalibFixture): BarSeries {
  return {
    symbol: f.dataset.name,
    timeframe: f.dataset.name.endsWith('h1') ? '1h' : '1d',
    time: Float64Array.from(f.bars.time),
    open: Float64Array.from(f.bars.open),
    high: Float64Array.from(f.bars.high),
    low: Float64Array.from(f.bars.low),
    close: Float64Array.from(f.bars.close),
    volume: Float64Array.from(f.bars.volume),
  };
}

/** [index, TA-Lib value] pairs stored for one output. */
export function referencePoints(f: TalibFixture, out: FixtureOutput): [number, number][] {
  const pts: [number, number][] = out.head.map((v, k) => [out.beg + k, v]);
  let s = 0;
  for (let i = out.beg + f.head; i < out.beg + out.count; i++) if (i % f.stride === 0) pts.push([i, out.sample[s++]]);
  if (s !== out.sample.length) throw new Error(`fixture sample length mismatch for ${out.talib}`);
  return pts;
}

export function leadingNaNs(a: Float64Array): number {
  let i = 0;
  while (i < a.length && Number.isNaN(a[i])) i++;
  return i;
}
