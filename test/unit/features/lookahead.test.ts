// Generic look-ahead guard: for every sample strategy, the features of a row must not change when
// the bars after that row's decision time are removed. Higher timeframes are derived from real EURUSD
// 1h bars by resampling, so the truncated data are exactly what was known at the cut.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { BarSeries } from '../../../src/core/bars/types';
import { buildFeatureMatrix } from '../../../src/core/features/matrix';
import { DEFAULT_CATALOG } from '../../../src/core/strategy/default-catalog';
import { parseStrategyWith } from '../../../src/core/strategy/parse';
import type { StrategyConfig } from '../../../src/core/strategy/types';
import { timeframeMs } from '../../../src/core/timeframes';
import { readCsvBars, resample, truncate } from './bars-fixtures';

const STRATEGY_DIR = join(__dirname, '../../../strategies');
const catalog = DEFAULT_CATALOG; // the real indicator library
const hourly = readCsvBars('EURUSD_H1_oanda_bid_2007-2018.csv', 'EURUSD', '1h', { from: 30_000, limit: 4_000 });

function barsFor(s: StrategyConfig, h: BarSeries): Record<string, BarSeries> {
  const out: Record<string, BarSeries> = {};
  for (const tf of s.training_data.timeframes.list) out[tf] = tf === '1h' ? h : resample(h, tf, timeframeMs(tf)!);
  return out;
}

const files = readdirSync(STRATEGY_DIR).filter((f) => f.endsWith('.yaml'));

describe('no look-ahead in any sample strategy (real EURUSD 1h bars)', () => {
  it('finds the sample strategies', () => {
    expect(files.length).toBeGreaterThanOrEqual(6);
  });

  it.each(files)('%s: rows decided by the cut are identical on full and truncated bars', (file) => {
    const r = parseStrategyWith(readFileSync(join(STRATEGY_DIR, file), 'utf8'), { catalog, sourceName: file });
    expect(r.valid).toBe(true);
    const s = r.strategy!;
    const baseMs = timeframeMs(s.training_data.timeframes.base_timeframe)!;
    const full = buildFeatureMatrix(s, barsFor(s, hourly), { catalog });
    let comparedValid = 0;
    for (const frac of [0.55, 0.8, 0.93]) {
      const cut = Math.floor(hourly.time.length * frac);
      const known = hourly.time[cut - 1] + 3_600_000; // everything up to this instant is known
      const part = buildFeatureMatrix(s, barsFor(s, truncate(hourly, cut)), { catalog });
      for (let i = 0; i < full.rows && full.time[i] + baseMs <= known; i++) {
        expect(part.time[i]).toBe(full.time[i]);
        for (let c = 0; c < full.cols; c++) {
          const a = full.values[i * full.cols + c];
          const b = part.values[i * part.cols + c];
          if (!Object.is(a, b)) throw new Error(`${file}: row ${i} (${new Date(full.time[i]).toISOString()}) ${full.names[c]}: ${a} with the future, ${b} without`);
        }
        comparedValid += full.valid[i];
      }
    }
    expect(comparedValid).toBeGreaterThan(10); // the comparison covered real, defined rows
  });
});
