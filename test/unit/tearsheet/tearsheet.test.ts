// The tearsheet's numbers against hand computations, and against the backtest's own metrics where
// both compute the same thing (full-sample Sharpe, max drawdown).
import { describe, expect, it } from 'vitest';
import { returnStats } from '../../../src/core/backtest/metrics';
import { mulberry32 } from '../../../src/core/random';
import { barReturns, computeTearsheet, rollingSharpe, topDrawdowns, underwater } from '../../../src/core/tearsheet';

const DAY = 86_400_000;
const T0 = Date.UTC(2020, 0, 1);

describe('rolling Sharpe', () => {
  it('matches a hand computation (population std, risk-free 0, √bars-per-year)', () => {
    // windows of 2: [.01,−.02] mean −.005 std .015 → −.005/.015·√4 = −2/3; [−.02,.03] → .005/.025·2 = .4; [.03,0] → .015/.015·2 = 2
    const s = rollingSharpe([0.01, -0.02, 0.03, 0], 2, 4);
    expect(Number.isNaN(s[0])).toBe(true);
    expect(s[1]).toBeCloseTo(-2 / 3, 12);
    expect(s[2]).toBeCloseTo(0.4, 12);
    expect(s[3]).toBeCloseTo(2, 12);
  });

  it('is undefined (NaN), not 0, where returns do not vary, and before the window fills', () => {
    const s = rollingSharpe([0.01, 0.01, 0.01, 0.02], 3, 252);
    expect(Number.isNaN(s[0]) && Number.isNaN(s[1]) && Number.isNaN(s[2])).toBe(true);
    expect(Number.isFinite(s[3])).toBe(true);
    expect(Array.from(rollingSharpe([0.1], 2, 252)).every(Number.isNaN)).toBe(true);
  });

  it('over the whole sample equals the backtest metrics’ Sharpe; drifting windows stay exact', () => {
    const rnd = mulberry32(7);
    const values = new Float64Array(5000);
    let v = 100_000;
    for (let i = 0; i < values.length; i++) values[i] = v *= 1 + (rnd() - 0.48) * 0.01;
    const r = barReturns(values);
    const full = rollingSharpe(r, r.length, 6200);
    const sharpe = returnStats(values, 100_000, 6200, 1).sharpe_ratio;
    expect(sharpe).not.toBeNull();
    expect(full[r.length - 1]).toBeCloseTo(sharpe!, 9);
    // A window in the middle, recomputed directly.
    const w = 250;
    const rolled = rollingSharpe(r, w, 6200);
    const slice = r.slice(3000 - w + 1, 3001);
    const mean = slice.reduce((a, b) => a + b, 0) / w;
    const std = Math.sqrt(slice.reduce((a, b) => a + (b - mean) ** 2, 0) / w);
    expect(rolled[3000]).toBeCloseTo((mean / std) * Math.sqrt(6200), 9);
  });
});

describe('underwater and top drawdowns', () => {
  const values = [100, 110, 99, 105, 121, 110];

  it('underwater = equity ÷ running peak − 1, the peak starting at the initial capital', () => {
    const uw = underwater(values, 100);
    const want = [0, 0, 99 / 110 - 1, 105 / 110 - 1, 0, 110 / 121 - 1];
    uw.forEach((x, i) => expect(x).toBeCloseTo(want[i], 12));
    expect(underwater([90, 95, 101], 100)[0]).toBeCloseTo(-0.1, 12);
  });

  it('lists non-overlapping periods deepest first: peak, valley, recovery (null when not recovered)', () => {
    const periods = topDrawdowns(underwater(values, 100), 5);
    expect(periods).toEqual([
      { peak: 1, valley: 2, recovery: 4, depth: expect.closeTo(0.1, 12) },
      { peak: 4, valley: 5, recovery: null, depth: expect.closeTo(1 - 110 / 121, 12) },
    ]);
    // Below the initial capital from the first bar: the peak is the capital itself (index −1).
    expect(topDrawdowns(underwater([90, 95, 101], 100))).toEqual([{ peak: -1, valley: 0, recovery: 2, depth: expect.closeTo(0.1, 12) }]);
    expect(topDrawdowns(underwater([100, 101, 102], 100))).toEqual([]);
  });

  it('the deepest period is the backtest metrics’ max drawdown; at most n periods, none overlapping', () => {
    const rnd = mulberry32(3);
    const eq = new Float64Array(3000);
    let v = 1000;
    for (let i = 0; i < eq.length; i++) eq[i] = v *= 1 + (rnd() - 0.5) * 0.02;
    const periods = topDrawdowns(underwater(eq, 1000), 5);
    expect(periods).toHaveLength(5);
    expect(periods[0].depth).toBeCloseTo(returnStats(eq, 1000, 252, 1).max_drawdown_pct, 12);
    for (let i = 1; i < periods.length; i++) expect(periods[i].depth).toBeLessThanOrEqual(periods[i - 1].depth);
    const spans = periods.map((p) => [p.peak, p.recovery ?? eq.length] as const).sort((a, b) => a[0] - b[0]);
    for (let i = 1; i < spans.length; i++) expect(spans[i][0]).toBeGreaterThanOrEqual(spans[i - 1][1]);
  });
});

describe('computeTearsheet', () => {
  it('dates the drawdown periods, durations in days and bars, monthly and yearly returns compounded', () => {
    const time = [0, 1, 2, 3, 4, 5].map((d) => T0 + d * DAY);
    const t = computeTearsheet({ time, values: [100, 110, 99, 105, 121, 110], initial: 100, barsPerYear: 252, windowBars: 3 });
    expect(t.window_bars).toBe(3);
    expect(t.drawdowns[0]).toMatchObject({ rank: 1, peak_time: T0 + DAY, valley_time: T0 + 2 * DAY, recovery_time: T0 + 4 * DAY, decline_days: 1, duration_days: 3, decline_bars: 1, duration_bars: 3 });
    expect(t.drawdowns[1]).toMatchObject({ rank: 2, recovery_time: null, duration_days: null, duration_bars: null });
    expect(t.monthly).toEqual([{ year: 2020, month: 1, return: expect.closeTo(0.1, 12) }]);
    expect(t.yearly).toEqual([{ year: 2020, return: expect.closeTo(0.1, 12) }]);
    expect(t.rolling_sharpe).toHaveLength(5);
    // A peak at the initial capital is dated one bar before the first.
    const below = computeTearsheet({ time: time.slice(0, 3), values: [90, 95, 101], initial: 100 });
    expect(below.drawdowns[0].peak_time).toBe(T0 - DAY);
  });

  it('measures bars per year from the series when not given (FX-like 1h bars: ~6,200 a year)', () => {
    const time: number[] = [];
    for (let t = Date.UTC(2020, 0, 6); time.length < 6000; t += 3_600_000) {
      const d = new Date(t).getUTCDay();
      if (d !== 0 && d !== 6) time.push(t);
    }
    const t = computeTearsheet({ time, values: time.map((_, i) => 100 + i), initial: 100 });
    expect(t.bars_per_year).toBeGreaterThan(6000);
    expect(t.bars_per_year).toBeLessThan(6400);
    expect(t.window_bars).toBe(Math.round(t.bars_per_year / 2));
  });
});
