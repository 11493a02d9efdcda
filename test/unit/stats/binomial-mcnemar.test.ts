import { describe, expect, it } from 'vitest';
import { binomialPmf, binomialUpperTail } from '../../../src/core/stats/binomial';
import { discordantPairs, mcnemarExactGreater } from '../../../src/core/stats/mcnemar';

describe('exact binomial tail', () => {
  it('matches hand computations', () => {
    // P(X ≥ 7 | n = 10, p = ½) = (C(10,7) + C(10,8) + C(10,9) + C(10,10)) / 2¹⁰ = (120 + 45 + 10 + 1) / 1024 = 176/1024.
    expect(binomialUpperTail(7, 10, 0.5)).toBeCloseTo(176 / 1024, 14);
    // P(X = 2 | n = 4, p = 0.3) = C(4,2)·0.3²·0.7² = 6·0.09·0.49 = 0.2646.
    expect(binomialPmf(2, 4, 0.3)).toBeCloseTo(0.2646, 14);
    // P(X ≥ 1 | n = 3, p = 0.2) = 1 − 0.8³ = 0.488.
    expect(binomialUpperTail(1, 3, 0.2)).toBeCloseTo(0.488, 14);
    expect(binomialUpperTail(0, 5, 0.3)).toBe(1);
    expect(binomialUpperTail(6, 5, 0.3)).toBe(0);
  });

  it('matches scipy / R reference values', () => {
    // scipy.stats.binomtest(3, n=15, p=0.1, alternative='greater').pvalue (scipy docs example).
    expect(binomialUpperTail(3, 15, 0.1)).toBeCloseTo(0.18406106910639114, 12);
    // R: binom.test(60, 100, alternative = "greater")$p.value = 0.02844397.
    expect(binomialUpperTail(60, 100, 0.5)).toBeCloseTo(0.02844397, 7);
    // Large n stays finite and sane: the median of Bin(20000, ½) has a tail just above ½.
    const big = binomialUpperTail(10_000, 20_000, 0.5);
    expect(big).toBeGreaterThan(0.5);
    expect(big).toBeLessThan(0.51);
  });

  it('rejects bad arguments', () => {
    expect(() => binomialUpperTail(1, -1, 0.5)).toThrow(/n must be/);
    expect(() => binomialUpperTail(1, 3, 1.5)).toThrow(/p must be/);
  });
});

describe('exact McNemar, one-sided', () => {
  it('b = 9, c = 2: exact and mid-p by hand', () => {
    // n = 11 discordant pairs, X ~ Bin(11, ½). P(X ≥ 9) = (C(11,9) + C(11,10) + C(11,11)) / 2048 = (55 + 11 + 1)/2048 = 67/2048.
    // mid-p = P(X > 9) + ½·P(X = 9) = (12 + 27.5)/2048 = 39.5/2048.
    const r = mcnemarExactGreater(9, 2);
    expect(r.p_value).toBeCloseTo(67 / 2048, 14);
    expect(r.mid_p_value).toBeCloseTo(39.5 / 2048, 14);
  });

  it('the other direction is not significant, and no discordant pairs means no evidence', () => {
    // P(X ≥ 2 | n = 11, ½) = 1 − (1 + 11)/2048 = 2036/2048.
    expect(mcnemarExactGreater(2, 9).p_value).toBeCloseTo(2036 / 2048, 14);
    expect(mcnemarExactGreater(0, 0).p_value).toBe(1);
  });

  it('counts discordant pairs', () => {
    const labels = [0, 1, 2, 2, 1, 0];
    const a = [0, 1, 0, 2, 2, 0]; // right on 0, 1, 3, 5
    const b = [2, 2, 2, 2, 1, 0]; // right on 2, 3, 4, 5
    expect(discordantPairs(labels, a, b)).toEqual({ b: 2, c: 2 });
  });
});
