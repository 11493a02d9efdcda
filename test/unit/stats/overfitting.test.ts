import { describe, expect, it } from 'vitest';
import { deflatedSharpe, deflatedSharpeOfBest, expectedMaxSharpe, moments, probabilisticSharpe, sampleVariance, sharpeRatio } from '../../../src/core/stats/deflated-sharpe';
import { normalCdf, normalQuantile } from '../../../src/core/stats/normal-dist';
import { averageRanks, combinations, probabilityOfBacktestOverfitting } from '../../../src/core/stats/pbo';
import { mulberry32 } from '../../../src/core/random';

describe('normal distribution', () => {
  it('matches tabulated values', () => {
    expect(normalCdf(1.96)).toBeCloseTo(0.9750021048517795, 12);
    expect(normalCdf(-3)).toBeCloseTo(0.0013498980316301, 13);
    expect(normalQuantile(0.99)).toBeCloseTo(2.3263478740408408, 11);
    expect(normalQuantile(0.025)).toBeCloseTo(-1.959963984540054, 11);
  });
});

describe('Deflated Sharpe Ratio (Bailey & López de Prado 2014)', () => {
  // The paper's numerical example: annualised SR 2.5 over T = 1250 daily observations (250 a year),
  // N = 100 trials whose annualised Sharpe ratios vary by V = 1/2, skewness −3, kurtosis 10.
  //   per-day SR̂ = 2.5/√250 = 0.158114;  √V per day = √(0.5/250) = 0.0447214
  //   Φ⁻¹(1 − 1/100) = 2.326348;  Φ⁻¹(1 − 1/(100e)) = 2.680210;  γ = 0.5772157
  //   SR₀ = 0.0447214 · (0.4227843·2.326348 + 0.5772157·2.680210) = 0.0447214 · 2.530627 = 0.113173
  //   z = (0.158114 − 0.113173)·√1249 / √(1 + 3·0.158114 + 9/4·0.158114²) = 1.588300 / 1.237171 = 1.283816
  //   DSR = Φ(1.283816) = 0.9004 (the paper's 0.9004)
  it("reproduces the paper's worked example (DSR ≈ 0.9004)", () => {
    const sr0 = expectedMaxSharpe(100, 0.5 / 250);
    expect(sr0).toBeCloseTo(0.113173, 5);
    const r = deflatedSharpe({ sharpe: 2.5 / Math.sqrt(250), observations: 1250, skewness: -3, kurtosis: 10, trials: 100, sharpeVariance: 0.5 / 250 });
    expect(r.expected_max_sharpe).toBeCloseTo(0.113173, 5);
    expect(r.deflated_sharpe_ratio).toBeCloseTo(0.9004, 4);
  });

  it('PSR against 0 with normal returns is Φ(SR·√(T−1)/√(1 + SR²/2))', () => {
    // SR 0.1, T 101: z = 0.1·10/√(1 + 0.005) = 0.997509; Φ(0.997509) = 0.840741
    expect(probabilisticSharpe(0.1, 0, 101, 0, 3)).toBeCloseTo(0.840741, 5);
  });

  it('one trial (or no spread between trials) deflates nothing: SR₀ = 0', () => {
    expect(expectedMaxSharpe(1, 0.3)).toBe(0);
    expect(expectedMaxSharpe(10, 0)).toBe(0);
  });

  it('moments, Sharpe and the DSR of the best of several series by hand', () => {
    // x = [1, 2, 3, 6]: mean 3, deviations −2,−1,0,3; m2 = 14/4 = 3.5; m3 = (−8−1+0+27)/4 = 4.5;
    // m4 = (16+1+0+81)/4 = 24.5; skew = 4.5/3.5^1.5 = 0.687243; kurt = 24.5/12.25 = 2
    const m = moments([1, 2, 3, 6]);
    expect(m.mean).toBe(3);
    expect(m.std).toBeCloseTo(Math.sqrt(3.5), 12);
    expect(m.skewness).toBeCloseTo(0.687243, 6);
    expect(m.kurtosis).toBeCloseTo(2, 12);
    expect(sharpeRatio([1, 2, 3, 6])).toBeCloseTo(3 / Math.sqrt(3.5), 12);
    expect(sampleVariance([1, 2, 3, 6])).toBeCloseTo(14 / 3, 12);

    // Two trials: a = [0.01, −0.01, 0.02, 0.00] (SR = 0.005/0.0111803 = 0.447214),
    // b = [0.00, 0.01, −0.01, 0.00] (SR 0). V = (0.447214 − 0)²/2 = 0.1; SR₀ = √0.1·(0.42278·Φ⁻¹(½) + 0.57722·Φ⁻¹(1 − 1/(2e)))
    // = 0.316228·(0 + 0.57722·0.900453) = 0.164361
    const a = [0.01, -0.01, 0.02, 0.0];
    const b = [0.0, 0.01, -0.01, 0.0];
    const r = deflatedSharpeOfBest([b, a])!;
    expect(r.best_index).toBe(1);
    expect(r.sharpe).toBeCloseTo(0.447214, 6);
    expect(r.sharpe_variance).toBeCloseTo(0.1, 9);
    expect(r.expected_max_sharpe).toBeCloseTo(0.164361, 5);
    const ma = moments(a);
    const z = ((0.447214 - 0.164361) * Math.sqrt(3)) / Math.sqrt(1 - ma.skewness * 0.447214 + ((ma.kurtosis - 1) / 4) * 0.447214 ** 2);
    expect(r.deflated_sharpe_ratio).toBeCloseTo(normalCdf(z), 5);
  });
});

describe('Probability of Backtest Overfitting (CSCV, Bailey, Borwein, López de Prado & Zhu)', () => {
  it('enumerates combinations and average ranks', () => {
    expect(combinations(4, 2)).toEqual([[0, 1], [0, 2], [0, 3], [1, 2], [1, 3], [2, 3]]);
    expect(combinations(16, 8)).toHaveLength(12870);
    expect(averageRanks([3, 1, 1, 2])).toEqual([4, 1.5, 1.5, 3]);
  });

  // T = 4 rows, S = 4 blocks of one row, so each half is two rows and a Sharpe over {i, j} is
  // mean/std = ((a+b)/2)/(|a−b|/2) = (a+b)/|a−b|.
  //        rows:  0   1   2   3    Sharpe over {0,1} {0,2} {0,3} {1,2} {1,3} {2,3}
  //   A = [ 1,  3, −1,  2]                      2     0     3    0.5    5    1/3
  //   B = [ 2,  0,  1,  5]                      1     3    7/3    1     1    1.5
  //   C = [ 0,  1,  3, −2]                      1     1    −1     2   −1/3   0.2
  // IS {0,1}: best A (2); OOS {2,3}: C 0.2 < A 1/3 < B 1.5 → A rank 2 → ω̄ = 2/4, λ = 0
  // IS {0,2}: best B (3); OOS {1,3}: C < B 1 < A 5 → rank 2 → λ = 0
  // IS {0,3}: best A (3); OOS {1,2}: A 0.5 lowest → rank 1 → ω̄ = 1/4, λ = ln(1/3)
  // IS {1,2}: best C (2); OOS {0,3}: C −1 lowest → λ = ln(1/3)
  // IS {1,3}: best A (5); OOS {0,2}: A 0 lowest → λ = ln(1/3)
  // IS {2,3}: best B (1.5); OOS {0,1}: B and C tie at 1 below A 2 → rank 1.5 → ω̄ = 0.375, λ = ln(0.6)
  // Four λ < 0 and two λ = 0 (the IS-best exactly at the OOS median, N = 3 is odd), which count
  // one half each: PBO = (4 + 2·½)/6 = 5/6.
  const A = [1, 3, -1, 2];
  const B = [2, 0, 1, 5];
  const C = [0, 1, 3, -2];

  it('reproduces a hand-computed 4×3 example', () => {
    const r = probabilityOfBacktestOverfitting([A, B, C], 4)!;
    expect(r.combinations).toBe(6);
    const want = [0, 0, Math.log(1 / 3), Math.log(1 / 3), Math.log(1 / 3), Math.log(0.6)];
    r.logits.forEach((l, i) => expect(l).toBeCloseTo(want[i], 12));
    expect(r.pbo).toBeCloseTo(5 / 6, 12);
  });

  it('a trial that is best in every half gives PBO 0', () => {
    // D = [10, 11, 10.5, 12] has the highest Sharpe over every pair of rows, in and out of sample:
    // the IS-best is D each time and ranks 4 of 4 OOS → ω̄ = 4/5, λ = ln 4 > 0.
    const r = probabilityOfBacktestOverfitting([A, B, C, [10, 11, 10.5, 12]], 4)!;
    expect(r.logits.every((l) => Math.abs(l - Math.log(4)) < 1e-12)).toBe(true);
    expect(r.pbo).toBe(0);
  });

  it('drops the remainder rows and refuses odd block counts', () => {
    const r = probabilityOfBacktestOverfitting([[...A, 99], [...B, -99], [...C, 0]], 4)!;
    expect(r.observations_used).toBe(4);
    expect(r.pbo).toBeCloseTo(5 / 6, 12);
    expect(() => probabilityOfBacktestOverfitting([A, B], 3)).toThrow(/even/);
    expect(probabilityOfBacktestOverfitting([A], 4)).toBeNull();
  });

  it('all-flat trials (no trades anywhere) give no PBO, with the reason, instead of 1', () => {
    const flat = Array.from({ length: 5 }, () => new Array(32).fill(0));
    const r = probabilityOfBacktestOverfitting(flat, 4)!;
    expect(r.pbo).toBeNull();
    expect(r.combinations_used).toBe(0);
    expect(r.reason).toMatch(/same out-of-sample performance/);
  });

  it('trials tied in sample share the selection: the combination counts the mean of their outcomes', () => {
    // B and B' are the same series, so they tie in and out of sample wherever B is the IS-best;
    // their shared OOS rank is the mean of two places, which moves λ but keeps the combination.
    const r = probabilityOfBacktestOverfitting([A, B, [...B], C], 4)!;
    expect(r.combinations_used).toBe(6);
    expect(r.pbo).not.toBeNull();
    // IS {0,2}: best B and B' (3); OOS {1,3}: C −1/3 < B = B' = 1 < A 5 → ranks 2.5 of 4 → ω̄ = 0.5 → λ = 0 → ½.
    expect(r.logits[1]).toBeCloseTo(0, 12);
  });

  /** Standard normal draws from a seeded uniform generator (Box–Muller). */
  function gaussian(seed: number): () => number {
    const u = mulberry32(seed);
    return () => Math.sqrt(-2 * Math.log(1 - u())) * Math.cos(2 * Math.PI * u());
  }

  // Under the null (N independent noise trials) the IS-best's OOS rank is uniform on 1..N, so the
  // expected PBO is ½ for every N; a literal "λ ≤ 0" gives (N+1)/(2N): 0.667 at N = 3, 0.545 at 11.
  it.each([3, 10, 11, 50])('pure noise: the mean PBO over 300 seeds is 0.5 ± 0.05 with N = %i trials', (n) => {
    const seeds = 300;
    let total = 0;
    for (let seed = 1; seed <= seeds; seed++) {
      const g = gaussian(seed * 7919 + n);
      const cols = Array.from({ length: n }, () => Array.from({ length: 160 }, () => 0.001 * g()));
      total += probabilityOfBacktestOverfitting(cols, 8)!.pbo!;
    }
    expect(Math.abs(total / seeds - 0.5)).toBeLessThan(0.05);
  });
});
