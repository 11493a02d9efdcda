// Stationary bootstrap (Politis & Romano 1994) of the annualised Sharpe ratio of per-bar returns.
//
// A resample of n returns is built from blocks of geometric length (mean L) starting at uniform
// positions, wrapping around the end: equivalently, index 0 is uniform and each next index is the
// previous + 1 (mod n) with probability 1 − 1/L, or a fresh uniform position with probability 1/L.
// Each block takes two draws: its start ⌊u₁·n⌋ and its length 1 + ⌊ln(1 − u₂) / ln(1 − 1/L)⌋
// (geometric on 1, 2, … with mean L); the last block is cut at n. The interval uses prefix sums of
// r and r², so a resample costs O(n / L) instead of O(n). The series
// keeps its short-range dependence (volatility clusters, holding-period autocorrelation of a
// strategy's equity) within blocks, which an i.i.d. bootstrap would destroy.
//
// L is chosen by the automatic rule of Politis & White (2004) with the correction of Patton,
// Politis & White (2009) (the stationary-bootstrap constant D_SB = 2·g(0)²), as in the R `np`
// package's b.star and Python's arch.optimal_block_length:
//   m̂ = the smallest lag after which K_n = max(5, ⌈√log10 n⌉) autocorrelations in a row are
//        all below 2·√(log10 n / n);  M = 2·max(m̂, 1), capped at ⌈√n⌉ + K_n;
//   flat-top kernel λ(x) = 1 for |x| ≤ ½, 2(1 − |x|) for ½ < |x| ≤ 1;
//   G = Σ_{|k|≤M} λ(k/M)·|k|·R(k),  g(0) = Σ_{|k|≤M} λ(k/M)·R(k)   (R: autocovariances, 1/n);
//   L = (2G² / D_SB)^{1/3} · n^{1/3}, clamped to [1, min(3√n, n/3)].
// The interval is the percentile interval: the 2.5 % and 97.5 % quantiles (type 7) of the
// resampled Sharpe ratios. Sharpe is computed exactly as src/core/backtest/metrics.ts does:
// mean / population std · √(bars per year), 0 when the std is ~0.

import { mulberry32 } from '../random';
import { quantileSorted } from './percentile';

/** Length of a geometric block (1, 2, … with mean 1/p) from one uniform draw. */
function blockLength(u: number, logQ: number): number {
  if (logQ === -Infinity) return 1; // L = 1: every block is one element (the i.i.d. bootstrap)
  const len = 1 + Math.floor(Math.log(1 - u) / logQ);
  return Number.isFinite(len) ? len : Number.MAX_SAFE_INTEGER;
}

/** Fills `out` with stationary-bootstrap indices into a series of length n (mean block length L ≥ 1). */
export function stationaryBootstrapIndices(n: number, meanBlock: number, rng: () => number, out: Int32Array): Int32Array {
  if (n <= 0) return out;
  const logQ = Math.log(1 - 1 / Math.max(1, meanBlock));
  let i = 0;
  while (i < out.length) {
    const start = Math.floor(rng() * n);
    const len = Math.min(blockLength(rng(), logQ), out.length - i);
    for (let k = 0; k < len; k++) out[i + k] = (start + k) % n;
    i += len;
  }
  return out;
}

/** Politis–White (2004, corrected 2009) mean block length for the stationary bootstrap. */
export function optimalBlockLength(x: ArrayLike<number>): number {
  const n = x.length;
  if (n < 4) return 1;
  let mean = 0;
  for (let i = 0; i < n; i++) mean += x[i];
  mean /= n;
  const eps = new Float64Array(n);
  for (let i = 0; i < n; i++) eps[i] = x[i] - mean;
  const kn = Math.max(5, Math.ceil(Math.sqrt(Math.log10(n))));
  const mMax = Math.ceil(Math.sqrt(n)) + kn;
  const bMax = Math.ceil(Math.min(3 * Math.sqrt(n), n / 3));
  const cv = 2 * Math.sqrt(Math.log10(n) / n);
  const lags = Math.min(mMax + kn, n - 1);
  const acv = new Float64Array(lags + 1);
  for (let k = 0; k <= lags; k++) {
    let s = 0;
    for (let t = 0; t + k < n; t++) s += eps[t] * eps[t + k];
    acv[k] = s / n;
  }
  if (!(acv[0] > 0)) return 1;
  // m̂: the first lag m with |ρ(m+1)| … |ρ(m+K_n)| all insignificant.
  let mHat = -1;
  for (let m = 0; m + kn <= lags; m++) {
    let ok = true;
    for (let k = 1; k <= kn; k++) {
      if (Math.abs(acv[m + k] / acv[0]) >= cv) {
        ok = false;
        break;
      }
    }
    if (ok) {
      mHat = m;
      break;
    }
  }
  const M = Math.min(mHat >= 0 ? 2 * Math.max(mHat, 1) : mMax, mMax, lags);
  let G = 0;
  let g0 = acv[0];
  for (let k = 1; k <= M; k++) {
    const x = k / M;
    const lam = x <= 0.5 ? 1 : 2 * (1 - x);
    G += 2 * lam * k * acv[k];
    g0 += 2 * lam * acv[k];
  }
  const dSb = 2 * g0 * g0;
  if (!(dSb > 0)) return 1;
  const b = Math.cbrt((2 * G * G) / dSb) * Math.cbrt(n);
  return Math.min(Math.max(1, Number.isFinite(b) ? b : 1), Math.max(1, bMax));
}

/** Annualised Sharpe of a return series: mean / population std · √(bars per year); 0 when std ≈ 0. */
export function sharpeOf(returns: ArrayLike<number>, barsPerYear: number): number {
  const n = returns.length;
  if (n === 0) return 0;
  let s = 0;
  for (let i = 0; i < n; i++) s += returns[i];
  const m = s / n;
  let q = 0;
  for (let i = 0; i < n; i++) q += (returns[i] - m) * (returns[i] - m);
  const sd = Math.sqrt(q / n);
  return sd > 1e-12 ? (m / sd) * Math.sqrt(barsPerYear) : 0;
}

/** Per-bar returns V_t / V_{t−1} − 1 (n values give n − 1 returns), as metrics.ts computes them. */
export function barReturns(values: ArrayLike<number>): Float64Array {
  const n = values.length;
  const r = new Float64Array(Math.max(0, n - 1));
  for (let t = 1; t < n; t++) r[t - 1] = values[t] / values[t - 1] - 1;
  return r;
}

export interface SharpeInterval {
  lo: number;
  hi: number;
  mean_block_length: number;
  resamples: number;
}

/**
 * 95 % stationary-bootstrap percentile interval of the annualised Sharpe ratio of `returns`.
 * Reproducible: the same seed gives the same interval.
 */
export function bootstrapSharpeCI(returns: ArrayLike<number>, barsPerYear: number, opts: { seed: number; resamples?: number; meanBlock?: number; level?: number }): SharpeInterval {
  const n = returns.length;
  const B = opts.resamples ?? 1000;
  const level = opts.level ?? 0.95;
  const L = opts.meanBlock ?? optimalBlockLength(returns);
  if (n < 2 || B < 1) return { lo: 0, hi: 0, mean_block_length: L, resamples: 0 };
  const rng = mulberry32(opts.seed);
  const logQ = Math.log(1 - 1 / Math.max(1, L));
  // Prefix sums: Σ r and Σ r² over any block in O(1).
  const P = new Float64Array(n + 1);
  const Q = new Float64Array(n + 1);
  for (let t = 0; t < n; t++) {
    P[t + 1] = P[t] + returns[t];
    Q[t + 1] = Q[t] + returns[t] * returns[t];
  }
  const annual = Math.sqrt(barsPerYear);
  const stats = new Float64Array(B);
  for (let b = 0; b < B; b++) {
    // The same draws, in the same order, as stationaryBootstrapIndices.
    let sum = 0;
    let sq = 0;
    let i = 0;
    while (i < n) {
      const start = Math.floor(rng() * n);
      const len = Math.min(blockLength(rng(), logQ), n - i);
      const end = start + len;
      if (end <= n) {
        sum += P[end] - P[start];
        sq += Q[end] - Q[start];
      } else {
        sum += P[n] - P[start] + P[end - n];
        sq += Q[n] - Q[start] + Q[end - n];
      }
      i += len;
    }
    const m = sum / n;
    const sd = Math.sqrt(Math.max(0, sq / n - m * m));
    stats[b] = sd > 1e-12 ? (m / sd) * annual : 0;
  }
  stats.sort();
  const a = (1 - level) / 2;
  return { lo: quantileSorted(stats, a), hi: quantileSorted(stats, 1 - a), mean_block_length: L, resamples: B };
}
