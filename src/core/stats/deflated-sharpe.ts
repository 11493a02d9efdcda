// The Deflated Sharpe Ratio (Bailey & López de Prado, "The Deflated Sharpe Ratio: Correcting for
// Selection Bias, Backtest Overfitting and Non-Normality", J. Portfolio Management 2014). Pure.
//
// Every Sharpe ratio here is PER OBSERVATION (not annualised): mean(r)/std(r) of the returns the
// trial produced, over the same T observations for every trial.
//
//   SR₀ = √V[SRₙ] · ((1−γ)·Φ⁻¹(1 − 1/N) + γ·Φ⁻¹(1 − 1/(N·e)))          expected max of N trials' SR
//   PSR(SR₀) = Φ( (SR̂ − SR₀)·√(T−1) / √(1 − γ₃·SR̂ + (γ₄−1)/4·SR̂²) )    probabilistic Sharpe ratio
//   DSR = PSR(SR₀)
// with γ the Euler–Mascheroni constant, γ₃ the skewness and γ₄ the (non-excess) kurtosis of the
// selected trial's returns, V[SRₙ] the sample variance (n−1) of the N trials' Sharpe ratios.
import { normalCdf, normalQuantile } from './normal-dist';

export const EULER_MASCHERONI = 0.5772156649015329;

export interface Moments {
  n: number;
  mean: number;
  /** Population standard deviation (divides by n), as the Sharpe ratio and the moments use. */
  std: number;
  skewness: number;
  /** Non-excess kurtosis (3 for a normal distribution). */
  kurtosis: number;
}

/** Mean, std and the standardised third and fourth moments (population forms, as in the paper). */
export function moments(xs: ArrayLike<number>): Moments {
  const n = xs.length;
  if (n === 0) return { n, mean: NaN, std: NaN, skewness: NaN, kurtosis: NaN };
  let s = 0;
  for (let i = 0; i < n; i++) s += xs[i];
  const mean = s / n;
  let m2 = 0;
  let m3 = 0;
  let m4 = 0;
  for (let i = 0; i < n; i++) {
    const d = xs[i] - mean;
    const d2 = d * d;
    m2 += d2;
    m3 += d2 * d;
    m4 += d2 * d2;
  }
  m2 /= n;
  m3 /= n;
  m4 /= n;
  const std = Math.sqrt(m2);
  return { n, mean, std, skewness: m2 > 0 ? m3 / m2 ** 1.5 : 0, kurtosis: m2 > 0 ? m4 / (m2 * m2) : 3 };
}

/** Per-observation Sharpe ratio mean/std (risk-free 0); 0 when the returns do not vary. */
export function sharpeRatio(returns: ArrayLike<number>): number {
  const m = moments(returns);
  return m.std > 0 ? m.mean / m.std : 0;
}

/** Sample variance with n−1 (the spread of the trials' Sharpe ratios). */
export function sampleVariance(xs: readonly number[]): number {
  const n = xs.length;
  if (n < 2) return 0;
  const mean = xs.reduce((a, b) => a + b, 0) / n;
  return xs.reduce((a, x) => a + (x - mean) ** 2, 0) / (n - 1);
}

/** E[max of N Sharpe ratios] when every trial's true Sharpe is 0 and their estimates vary by `variance`. */
export function expectedMaxSharpe(nTrials: number, variance: number): number {
  if (nTrials < 2 || !(variance > 0)) return 0;
  const g = EULER_MASCHERONI;
  return Math.sqrt(variance) * ((1 - g) * normalQuantile(1 - 1 / nTrials) + g * normalQuantile(1 - 1 / (nTrials * Math.E)));
}

/** PSR: the probability that the true Sharpe exceeds `benchmark`, from T observations with the given moments. */
export function probabilisticSharpe(sr: number, benchmark: number, observations: number, skewness: number, kurtosis: number): number {
  if (observations < 2) return NaN;
  const denom = 1 - skewness * sr + ((kurtosis - 1) / 4) * sr * sr;
  if (!(denom > 0)) return NaN;
  return normalCdf(((sr - benchmark) * Math.sqrt(observations - 1)) / Math.sqrt(denom));
}

export interface DeflatedSharpeInput {
  /** The selected trial's per-observation Sharpe ratio. */
  sharpe: number;
  /** Return observations behind it (T). */
  observations: number;
  skewness: number;
  kurtosis: number;
  /** Number of trials the selection was made from (N). */
  trials: number;
  /** V[SRₙ]: variance of the trials' per-observation Sharpe ratios. */
  sharpeVariance: number;
}

export interface DeflatedSharpeResult {
  deflated_sharpe_ratio: number;
  /** SR₀, the expected maximum Sharpe of N skill-less trials (per observation). */
  expected_max_sharpe: number;
  sharpe: number;
  observations: number;
  trials: number;
  sharpe_variance: number;
  skewness: number;
  kurtosis: number;
}

export function deflatedSharpe(i: DeflatedSharpeInput): DeflatedSharpeResult {
  const sr0 = expectedMaxSharpe(i.trials, i.sharpeVariance);
  return {
    deflated_sharpe_ratio: probabilisticSharpe(i.sharpe, sr0, i.observations, i.skewness, i.kurtosis),
    expected_max_sharpe: sr0,
    sharpe: i.sharpe,
    observations: i.observations,
    trials: i.trials,
    sharpe_variance: i.sharpeVariance,
    skewness: i.skewness,
    kurtosis: i.kurtosis,
  };
}

/**
 * DSR of the best of several trials from their per-observation return series (equal lengths): the
 * best is the one with the highest Sharpe; its moments and the trials' Sharpe variance feed the formula.
 */
export function deflatedSharpeOfBest(series: readonly ArrayLike<number>[]): (DeflatedSharpeResult & { best_index: number }) | null {
  if (series.length === 0) return null;
  const sharpes = series.map((r) => sharpeRatio(r));
  let best = 0;
  sharpes.forEach((s, k) => {
    if (s > sharpes[best]) best = k;
  });
  const m = moments(series[best]);
  return {
    ...deflatedSharpe({ sharpe: sharpes[best], observations: m.n, skewness: m.skewness, kurtosis: m.kurtosis, trials: series.length, sharpeVariance: sampleVariance(sharpes) }),
    best_index: best,
  };
}
