import { describe, expect, it } from 'vitest';
import { buildFeatureMatrix } from '../../../src/core/features/matrix';
import { applyNormalization, fitNormalization, normalizationSpecs } from '../../../src/core/features/normalization';
import { featureNames, resolveFeatures } from '../../../src/core/features/resolver';
import { parseStrategyWith } from '../../../src/core/strategy/parse';
import type { StrategyConfig } from '../../../src/core/strategy/types';
import { rsiOf, smaOf, TEST_CATALOG } from '../strategy/fixtures/test-indicators';
import { fromRows, resample, syntheticHourly } from './bars-fixtures';

const H = 3_600_000;

function strategy(yaml: string): StrategyConfig {
  const r = parseStrategyWith(yaml, { catalog: TEST_CATALOG });
  if (!r.valid) throw new Error(r.issues.map((i) => i.message).join('\n'));
  return r.strategy!;
}

const TF = (list: string) => `training_data:\n  symbols: {mode: single, symbol: X}\n  timeframes: {mode: multi_timeframe, list: [${list}]}\n`;

describe('feature resolver order (KTRDR FeatureResolver)', () => {
  it('nn_inputs order, then timeframes as written, then memberships in YAML order; raw keeps dot notation', () => {
    const s = strategy(`name: order
${TF('1h, 4h')}indicators:
  rsi_14: {type: rsi, period: 14}
  macd: {type: macd}
fuzzy_sets:
  rsi_momentum:
    indicator: rsi_14
    oversold: [0, 25, 40]
    neutral: [30, 50, 70]
    overbought: [60, 75, 100]
  macd_dir:
    indicator: macd.histogram
    bearish: [-1, -0.5, 0]
    bullish: [0, 0.5, 1]
nn_inputs:
  - fuzzy_set: rsi_momentum
    timeframes: all
  - fuzzy_set: macd_dir
    timeframes: [4h, 1h]
  - raw_indicator: rsi_14
    timeframes: [1h]
  - raw_indicator: macd.line
    timeframes: [4h]
`);
    expect(featureNames(s)).toEqual([
      '1h_rsi_momentum_oversold',
      '1h_rsi_momentum_neutral',
      '1h_rsi_momentum_overbought',
      '4h_rsi_momentum_oversold',
      '4h_rsi_momentum_neutral',
      '4h_rsi_momentum_overbought',
      '4h_macd_dir_bearish',
      '4h_macd_dir_bullish',
      '1h_macd_dir_bearish',
      '1h_macd_dir_bullish',
      '1h_rsi_14_raw',
      '4h_macd.line_raw',
    ]);
    const raw = resolveFeatures(s).at(-1)!;
    expect(raw).toMatchObject({ fuzzy_set_id: '__raw__', membership_name: 'raw', indicator_id: 'macd', indicator_output: 'line', kind: 'raw' });
  });
});

describe('buildFeatureMatrix', () => {
  const hourly = fromRows(
    'X',
    '1h',
    [10, 11, 12, 13, 14, 15, 16, 17].map((c, i) => [i * H, c, c + 0.5, c - 0.5, c, 1]),
  );

  it('single timeframe: hand-computed raw SMA and fuzzy columns; warm-up rows are NaN and invalid, never 0', () => {
    const s = strategy(`name: one
training_data:
  symbols: {mode: single, symbol: X}
  timeframes: {mode: single, timeframe: 1h}
indicators:
  sma_3: {type: sma, period: 3}
fuzzy_sets:
  level:
    indicator: sma_3
    low: [10, 11, 13]
nn_inputs:
  - raw_indicator: sma_3
    normalization: none
  - fuzzy_set: level
`);
    const m = buildFeatureMatrix(s, { '1h': hourly }, { catalog: TEST_CATALOG });
    expect(m.names).toEqual(['1h_sma_3_raw', '1h_level_low']);
    expect([m.rows, m.cols]).toEqual([8, 2]);
    const col = (c: number) => Array.from({ length: m.rows }, (_, i) => m.values[i * m.cols + c]);
    expect(col(0).slice(0, 2).every(Number.isNaN)).toBe(true);
    expect(col(0).slice(2)).toEqual([11, 12, 13, 14, 15, 16]);
    // low = triangular [10, 11, 13] on the SMA: 11 → 1, 12 → 0.5, ≥13 → 0
    expect(col(1).slice(2)).toEqual([1, 0.5, 0, 0, 0, 0]);
    expect(Array.from(m.valid)).toEqual([0, 0, 1, 1, 1, 1, 1, 1]);
    expect(m.warmupRows).toBe(2);
    expect(Array.from(m.time)).toEqual(Array.from(hourly.time));
  });

  it('multi timeframe: a 4h value reaches a 1h row only once the 4h bar has closed', () => {
    const bars = syntheticHourly(24 * 10);
    const four = resample(bars, '4h', 4 * H);
    const s = strategy(`name: mtf
${TF('1h, 4h')}indicators:
  sma_2: {type: sma, period: 2}
nn_inputs:
  - raw_indicator: sma_2
    timeframes: [4h]
    normalization: none
fuzzy_sets: {}
`);
    const m = buildFeatureMatrix(s, { '1h': bars, '4h': four }, { catalog: TEST_CATALOG });
    const sma4 = smaOf(four.close, 2);
    for (let i = 0; i < m.rows; i++) {
      // last 4h bar whose close (open + 4h) ≤ this row's close (open + 1h)
      const k = Math.floor((bars.time[i] + H) / (4 * H)) - 1 - four.time[0] / (4 * H);
      const expected = k < 0 ? NaN : Math.fround(sma4[k]);
      expect(Object.is(m.values[i], expected) || m.values[i] === expected).toBe(true);
    }
  });

  it("perturbing a 4h bar's later constituents changes no 1h row before that 4h bar closes", () => {
    const bars = syntheticHourly(24 * 20, 7);
    const s = strategy(`name: perturb
${TF('1h, 4h')}indicators:
  rsi_3: {type: rsi, period: 3}
fuzzy_sets:
  zone:
    indicator: rsi_3
    low: [0, 30, 50]
    high: [50, 70, 100]
nn_inputs:
  - fuzzy_set: zone
    timeframes: [4h]
  - raw_indicator: rsi_3
    timeframes: [4h]
    normalization: none
`);
    const build = (b: typeof bars) => buildFeatureMatrix(s, { '1h': b, '4h': resample(b, '4h', 4 * H) }, { catalog: TEST_CATALOG });
    const before = build(bars);
    // The 4h bar [08:00, 12:00) of day 10: push its 09:00-11:00 hours far up.
    const start = 24 * 10 + 8;
    const changed = { ...bars, close: bars.close.slice(), high: bars.high.slice(), open: bars.open.slice(), low: bars.low.slice() };
    for (let i = start + 1; i < start + 4; i++) {
      changed.open[i] *= 1.2;
      changed.close[i] *= 1.2;
      changed.high[i] *= 1.2;
      changed.low[i] *= 1.2;
    }
    const after = build(changed);
    const rowEq = (i: number) => {
      for (let c = 0; c < before.cols; c++) if (!Object.is(before.values[i * before.cols + c], after.values[i * after.cols + c])) return false;
      return true;
    };
    for (let i = 0; i <= start + 2; i++) expect(rowEq(i)).toBe(true); // rows opening ≤ 10:00 decide before 12:00
    expect(rowEq(start + 3)).toBe(false); // the 11:00 row decides at 12:00: it sees the (changed) bar
  });

  it('fails clearly when a timeframe has no bars', () => {
    const s = strategy(`name: x
${TF('1h, 4h')}indicators:
  rsi_3: {type: rsi, period: 3}
fuzzy_sets: {}
nn_inputs:
  - raw_indicator: rsi_3
`);
    expect(() => buildFeatureMatrix(s, { '1h': hourly }, { catalog: TEST_CATALOG })).toThrow(/no bars for timeframe '4h'/);
  });
});

describe('normalisation of raw inputs', () => {
  const s = strategy(`name: norm
training_data:
  symbols: {mode: single, symbol: X}
  timeframes: {mode: single, timeframe: 1h}
indicators:
  rsi_2: {type: rsi, period: 2}
  sma_2: {type: sma, period: 2}
fuzzy_sets:
  z:
    indicator: rsi_2
    a: [0, 50, 100]
nn_inputs:
  - fuzzy_set: z
  - raw_indicator: sma_2
    normalization: zscore
  - raw_indicator: rsi_2
    normalization: minmax
`);
  const bars = fromRows('X', '1h', [1, 2, 4, 3, 5, 9, 8, 10].map((c, i) => [i * H, c, c, c, c, 1]));
  const m = buildFeatureMatrix(s, { '1h': bars }, { catalog: TEST_CATALOG });

  it('one spec per raw feature, as declared', () => {
    expect(normalizationSpecs(s)).toEqual([
      { feature: '1h_sma_2_raw', method: 'zscore' },
      { feature: '1h_rsi_2_raw', method: 'minmax' },
    ]);
  });

  it('statistics come from the training rows only (sample std) and survive JSON', () => {
    const stats = JSON.parse(JSON.stringify(fitNormalization(m, 0, 5, normalizationSpecs(s))));
    // SMA(2) over closes 1,2,4,3,5 → [NaN, 1.5, 3, 3.5, 4]: mean 3, sample std sqrt(3.5/3)
    expect(stats.columns[0].mean).toBeCloseTo(3, 12);
    expect(stats.columns[0].std).toBeCloseTo(Math.sqrt(3.5 / 3), 6);
    const rsi = rsiOf(bars.close, 2).slice(0, 5).filter(Number.isFinite);
    expect(stats.columns[1]).toMatchObject({ method: 'minmax' });
    expect(stats.columns[1].min).toBeCloseTo(Math.min(...rsi), 4);
    expect(stats.columns[1].max).toBeCloseTo(Math.max(...rsi), 4);
    const n = applyNormalization(m, stats);
    expect(n.values[1 * n.cols + 1]).toBeCloseTo((1.5 - 3) / Math.sqrt(3.5 / 3), 5);
    expect(Number.isNaN(n.values[0 * n.cols + 1])).toBe(true);
    // the fuzzy column is untouched, the input matrix is not modified
    expect(n.values[2 * n.cols]).toBe(m.values[2 * m.cols]);
    expect(m.values[1 * m.cols + 1]).toBe(1.5);
    // rows after the training window do not move the statistics
    const again = fitNormalization({ ...m, values: m.values.map((v, k) => (k >= 5 * m.cols ? 1e6 : v)) }, 0, 5, normalizationSpecs(s));
    expect(again.columns).toEqual(stats.columns);
  });

  it('a constant column scales to 0 instead of dividing by zero', () => {
    const flat = { ...m, values: m.values.map((v, k) => (k % m.cols === 1 && Number.isFinite(v) ? 2 : v)) };
    const stats = fitNormalization(flat, 0, flat.rows, normalizationSpecs(s));
    const n = applyNormalization(flat, stats);
    expect(n.values[3 * n.cols + 1]).toBe(0);
  });
});
