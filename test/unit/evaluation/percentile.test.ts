import { describe, expect, it } from 'vitest';
import { quantile, rankAgainst } from '../../../src/core/evaluation/percentile';
import { describeSignificance } from '../../../src/shared/significance';

describe('rankAgainst: mid-rank percentile and (1 + #≥)/(N + 1) p-value', () => {
  it('matches hand values with ties', () => {
    // nulls 1, 2, 2, 3 and s = 2: one below, two equal → (1 + ½·2)/4 = 50 %; #≥ = 3 → p = 4/5.
    expect(rankAgainst([1, 2, 2, 3], 2)).toEqual({ percentile: 50, p_value: 0.8 });
    expect(rankAgainst([1, 2, 2, 3], 2.5)).toEqual({ percentile: 75, p_value: 0.4 });
    expect(rankAgainst([1, 2, 2, 3], 4)).toEqual({ percentile: 100, p_value: 0.2 });
    expect(rankAgainst([1, 2, 2, 3], 0)).toEqual({ percentile: 0, p_value: 1 });
  });

  it('a strategy tying every random run (no trades, all flat) gets p = 1 and the median rank', () => {
    expect(rankAgainst(new Float64Array(200), 0)).toEqual({ percentile: 50, p_value: 1 });
  });

  it('with no random runs the p-value is 1 and the percentile undefined', () => {
    const r = rankAgainst([], 3);
    expect(r.p_value).toBe(1);
    expect(r.percentile).toBeNaN();
  });

  it('the smallest p-value with N runs is 1/(N + 1)', () => {
    expect(rankAgainst(Float64Array.from({ length: 199 }, (_, i) => i), 1e9).p_value).toBeCloseTo(1 / 200, 15);
  });
});

describe('quantile (type 7, as numpy/R default)', () => {
  it('interpolates between order statistics', () => {
    expect(quantile([4, 1, 3, 2], 0.5)).toBeCloseTo(2.5, 15);
    expect(quantile([4, 1, 3, 2], 0.05)).toBeCloseTo(1.15, 15); // numpy.quantile([1,2,3,4], 0.05)
    expect(quantile([4, 1, 3, 2], 0.95)).toBeCloseTo(3.85, 15);
    expect(quantile([7], 0.3)).toBe(7);
    expect(quantile([], 0.5)).toBeNaN();
  });
});

describe('describeSignificance', () => {
  it('says it in plain words', () => {
    expect(describeSignificance({ random_runs: 200, return_percentile: 66.2, p_value_return: 0.3383 })).toBe(
      'Return beats 66 % of 200 random-entry runs (p = 0.338) → indistinguishable from chance',
    );
    expect(describeSignificance({ random_runs: 200, return_percentile: 100, p_value_return: 1 / 201 })).toMatch(/p = 0.005\) → significant at the 1 % level/);
    expect(describeSignificance({ random_runs: 200, return_percentile: 2, p_value_return: 0.985 })).toMatch(/worse than most random entries/);
  });
});
