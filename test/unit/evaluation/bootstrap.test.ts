import { describe, expect, it } from 'vitest';
import { returnStats } from '../../../src/core/backtest/metrics';
import { barReturns, bootstrapSharpeCI, optimalBlockLength, sharpeOf, stationaryBootstrapIndices } from '../../../src/core/evaluation/bootstrap';
import { quantile } from '../../../src/core/evaluation/percentile';
import { mulberry32 } from '../../../src/core/random';

/** A scripted generator: returns the given numbers in order. */
const scripted = (xs: number[]) => {
  let i = 0;
  return () => {
    if (i >= xs.length) throw new Error('script exhausted');
    return xs[i++];
  };
};

function normals(n: number, seed: number, mean = 0, sd = 1): Float64Array {
  const r = mulberry32(seed);
  const out = new Float64Array(n);
  for (let i = 0; i < n; i += 2) {
    const u = 1 - r();
    const v = r();
    const m = Math.sqrt(-2 * Math.log(u));
    out[i] = mean + sd * m * Math.cos(2 * Math.PI * v);
    if (i + 1 < n) out[i + 1] = mean + sd * m * Math.sin(2 * Math.PI * v);
  }
  return out;
}

describe('stationaryBootstrapIndices (Politis & Romano 1994)', () => {
  it('draws blocks of uniform start and geometric length (mean L), wrapping around the end', () => {
    // n = 5, L = 2: length = 1 + ⌊ln(1 − u)/ln(½)⌋.
    // block 1: start ⌊0.3·5⌋ = 1, u = 0.8 → 1 + ⌊2.32⌋ = 3 → 1, 2, 3
    // block 2: start ⌊0.9·5⌋ = 4, u = 0.6 → 1 + ⌊1.32⌋ = 2 → 4, 0 (wraps)
    // block 3: start ⌊0.5·5⌋ = 2, u = 0.3 → 1 + ⌊0.51⌋ = 1 → 2
    // block 4: start 0, u = 0.99 → 1 + ⌊6.64⌋ = 7, cut to the 1 place left → 0
    const out = stationaryBootstrapIndices(5, 2, scripted([0.3, 0.8, 0.9, 0.6, 0.5, 0.3, 0.1, 0.99]), new Int32Array(7));
    expect(Array.from(out)).toEqual([1, 2, 3, 4, 0, 2, 0]);
  });

  it('L = 1 makes every block one element (the i.i.d. bootstrap)', () => {
    const out = stationaryBootstrapIndices(10, 1, scripted([0.05, 0.7, 0, 0.2, 0.95, 0.9]), new Int32Array(3));
    expect(Array.from(out)).toEqual([0, 0, 9]);
  });

  it('the interval (prefix sums) equals Sharpe ratios computed on the explicit resampled indices', () => {
    const r = normals(300, 21, 0.05, 1);
    const B = 200;
    const ci = bootstrapSharpeCI(r, 252, { seed: 9, resamples: B, meanBlock: 4 });
    const rng = mulberry32(9);
    const idx = new Int32Array(300);
    const stats: number[] = [];
    for (let b = 0; b < B; b++) {
      stationaryBootstrapIndices(300, 4, rng, idx);
      stats.push(sharpeOf(Array.from(idx, (i) => r[i]), 252));
    }
    expect(ci.lo).toBeCloseTo(quantile(stats, 0.025), 9);
    expect(ci.hi).toBeCloseTo(quantile(stats, 0.975), 9);
  });

  it('mean block length is L on average', () => {
    const n = 100_000;
    const idx = stationaryBootstrapIndices(1_000_000, 8, mulberry32(3), new Int32Array(n));
    let blocks = 1;
    for (let i = 1; i < n; i++) if (idx[i] !== (idx[i - 1] + 1) % 1_000_000) blocks++;
    expect(n / blocks).toBeGreaterThan(7.6);
    expect(n / blocks).toBeLessThan(8.4);
  });
});

describe('optimalBlockLength (Politis & White 2004 / Patton et al. 2009)', () => {
  it('is small for i.i.d. data', () => {
    for (const seed of [1, 2, 3]) expect(optimalBlockLength(normals(5000, seed))).toBeLessThan(4);
  });

  it('matches the AR(1) theory b = (2φ/(1−φ²))^(2/3)·n^(1/3) on average', () => {
    // For R(k) = σ²φ^|k|: G = 2σ²φ/(1−φ)², g(0) = σ²(1+φ)/(1−φ), so b = (G/g(0))^(2/3)·n^(1/3).
    const n = 10_000;
    const phi = 0.5;
    const theory = Math.pow((2 * phi) / (1 - phi * phi), 2 / 3) * Math.cbrt(n); // ≈ 26.1
    let sum = 0;
    const seeds = [11, 12, 13, 14, 15, 16, 17, 18];
    for (const seed of seeds) {
      const e = normals(n, seed);
      const x = new Float64Array(n);
      x[0] = e[0];
      for (let t = 1; t < n; t++) x[t] = phi * x[t - 1] + e[t];
      sum += optimalBlockLength(x);
    }
    const avg = sum / seeds.length;
    expect(avg).toBeGreaterThan(theory * 0.7);
    expect(avg).toBeLessThan(theory * 1.3);
  });

  it('is 1 for a constant series and short series', () => {
    expect(optimalBlockLength(new Float64Array(100))).toBe(1);
    expect(optimalBlockLength([1, 2])).toBe(1);
  });
});

describe('Sharpe ratio and its bootstrap interval', () => {
  it('sharpeOf(barReturns(equity)) equals the Sharpe metrics.ts reports', () => {
    const r = normals(500, 9, 0.001, 0.01);
    const eq = new Float64Array(501);
    eq[0] = 100_000;
    for (let i = 0; i < 500; i++) eq[i + 1] = eq[i] * (1 + r[i]);
    const viaMetrics = returnStats(eq, 100_000, 6200, 1).sharpe_ratio;
    expect(sharpeOf(barReturns(eq), 6200)).toBeCloseTo(viaMetrics!, 10);
  });

  it('same seed → identical interval; different seed → a different one', () => {
    const r = normals(800, 4, 0.02, 1);
    const a = bootstrapSharpeCI(r, 252, { seed: 5, resamples: 300 });
    expect(bootstrapSharpeCI(r, 252, { seed: 5, resamples: 300 })).toEqual(a);
    expect(bootstrapSharpeCI(r, 252, { seed: 6, resamples: 300 }).lo).not.toBe(a.lo);
  });

  it('for i.i.d. normal returns the 95 % interval has the width of the analytical Sharpe standard error and covers the truth', () => {
    // Lo (2002): SE(per-bar Sharpe) ≈ √((1 + SR²/2)/n); annualised ×√B.
    const n = 2000;
    const sr = 0.05;
    const B = 252;
    const se = Math.sqrt((1 + (sr * sr) / 2) / n) * Math.sqrt(B);
    const truth = sr * Math.sqrt(B);
    let halfWidths = 0;
    let covered = 0;
    const seeds = Array.from({ length: 40 }, (_, i) => 100 + i);
    for (const seed of seeds) {
      const ci = bootstrapSharpeCI(normals(n, seed, sr, 1), B, { seed, resamples: 400 });
      halfWidths += (ci.hi - ci.lo) / 2;
      if (ci.lo <= truth && truth <= ci.hi) covered++;
    }
    const impliedSe = halfWidths / seeds.length / 1.96;
    expect(impliedSe / se).toBeGreaterThan(0.85);
    expect(impliedSe / se).toBeLessThan(1.15);
    expect(covered).toBeGreaterThanOrEqual(34); // 95 % of 40 = 38; binomial 1st percentile ≈ 34
  });
});
