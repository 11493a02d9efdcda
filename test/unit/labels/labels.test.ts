import { describe, expect, it } from 'vitest';
import { computeLabels, forwardReturnLabels, tripleBarrierLabels, zigzagLabels, zigzagPivots, barrierVolatility } from '../../../src/core/labels';
import { fromRows } from '../features/bars-fixtures';

const f64 = (xs: number[]) => Float64Array.from(xs);
const barsFromCloses = (closes: number[], spread = 0.01) =>
  fromRows('X', '1h', closes.map((c, i) => [i * 3_600_000, c, c * (1 + spread), c * (1 - spread), c, 1]));

describe('zigzag labels (threshold 0.02)', () => {
  // pivots: 0 (start), 2 (high 103), 5 (low 98), 7 (high 102, provisional)
  const close = f64([100, 101, 103, 102, 99, 98, 100, 102, 101]);

  it('finds KTRDR pivots: a leg extends while price moves on, turns on a ≥ threshold reversal', () => {
    expect(zigzagPivots(close, 0.02)).toEqual({ pivots: [0, 2, 5, 7], confirmedAt: [2, 4, 6, -1] });
  });

  it('bars between pivots get the leg direction, pivots HOLD, and from the provisional pivot on UNKNOWN', () => {
    const { labels, horizon } = zigzagLabels(close, 0.02);
    expect(Array.from(labels)).toEqual([1, 0, 1, 2, 2, 1, 0, -1, -1]);
    // pivot 2 is confirmed at bar 4; bar 3's leg end is known at bar 5 at the latest
    expect(horizon).toBe(2);
  });

  it('no move of threshold size: nothing is known', () => {
    const { labels } = zigzagLabels(f64([100, 100.5, 100.2, 101]), 0.02);
    expect(Array.from(labels)).toEqual([-1, -1, -1, -1]);
  });

  it('defaults to threshold 0.02', () => {
    expect(Array.from(zigzagLabels(close).labels)).toEqual(Array.from(zigzagLabels(close, 0.02).labels));
    expect(Array.from(zigzagLabels(close, 0.05).labels).every((l) => l === -1)).toBe(true);
  });
});

describe('triple barrier labels', () => {
  const params = { pt_multiplier: 1, sl_multiplier: 1, max_holding_period: 3, vol_span: 2, vol_method: 'atr' as const };

  it('volatility of a constant (H-L)/C is that constant', () => {
    const vol = barrierVolatility(barsFromCloses([100, 101, 103, 100]), 2, 'atr');
    for (const v of vol) expect(v).toBeCloseTo(0.02, 12);
  });

  it('first barrier touched wins; the time limit with a small return is HOLD; the tail is unknown', () => {
    // vol = 0.02 → barriers at ±2 %; bars' highs/lows are ±1 % around the close
    const { labels, horizon } = tripleBarrierLabels(barsFromCloses([100, 101, 103, 100, 97, 97, 97, 97]), params);
    expect(Array.from(labels)).toEqual([0, 0, 2, 2, 1, -1, -1, -1]);
    expect(horizon).toBe(3);
  });

  it('both barriers in one bar: the sign of the close move decides', () => {
    const bars = fromRows('X', '1h', [
      [0, 100, 101, 99, 100, 1],
      [1, 100, 150, 50, 100.5, 1],
    ]);
    expect(Array.from(tripleBarrierLabels(bars, { ...params, max_holding_period: 1 }).labels)).toEqual([0, -1]);
  });
});

describe('forward return labels', () => {
  it('classifies the h-bar return against a symmetric threshold; the last h bars are unknown', () => {
    const r = forwardReturnLabels(f64([100, 101, 99, 100.2]), 1, 0.005);
    expect(Array.from(r.labels)).toEqual([0, 2, 0, -1]);
    expect(r.returns[0]).toBeCloseTo(0.01, 12);
    expect(r.horizon).toBe(1);
    expect(Array.from(forwardReturnLabels(f64([100, 101, 100.2, 99]), 2, 0.005).labels)).toEqual([1, 2, -1, -1]);
    expect(Array.from(forwardReturnLabels(f64([100, 101]), 1, 0.01).labels)).toEqual([1, -1]); // exactly 1 %: not above
  });
});

describe('computeLabels dispatches on the strategy config', () => {
  const bars = barsFromCloses([100, 101, 103, 102, 99, 98, 100, 102, 101]);
  it('zigzag / forward_return / triple_barrier', () => {
    expect(Array.from(computeLabels({ source: 'zigzag', zigzag_threshold: 0.02 }, bars).labels)).toEqual([1, 0, 1, 2, 2, 1, 0, -1, -1]);
    expect(computeLabels({ source: 'forward_return', horizon: 4, threshold: 0.005 }, bars).horizon).toBe(4);
    expect(computeLabels({ source: 'triple_barrier', pt_multiplier: 2, sl_multiplier: 1.5, max_holding_period: 5, vol_span: 3, vol_method: 'std' }, bars).labels.length).toBe(9);
  });
});
