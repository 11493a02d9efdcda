// Exact McNemar test for paired classifiers judged on the same samples: only the discordant pairs
// carry information. b = samples where A is right and B wrong, c = where A is wrong and B right.
// Under H0 (equal accuracy) b | b + c ~ Binomial(b + c, ½). The one-sided p-value that A is the more
// accurate is P(X ≥ b), the exact (conservative) version; midP gives P(X > b) + ½·P(X = b) (Lancaster's
// mid-p, less conservative) for reference. With no discordant pairs there is no evidence: p = 1.
import { binomialPmf, binomialUpperTail } from './binomial';

export interface McNemarResult {
  /** A right, B wrong. */
  b: number;
  /** A wrong, B right. */
  c: number;
  /** Exact one-sided p-value for "A is more accurate than B". */
  p_value: number;
  /** Mid-p version of the same test. */
  mid_p_value: number;
}

export function mcnemarExactGreater(b: number, c: number): McNemarResult {
  if (!Number.isInteger(b) || !Number.isInteger(c) || b < 0 || c < 0) throw new Error(`b and c must be non-negative integers (got ${b}, ${c})`);
  const n = b + c;
  if (n === 0) return { b, c, p_value: 1, mid_p_value: 1 };
  const p = binomialUpperTail(b, n, 0.5);
  const mid = p - 0.5 * binomialPmf(b, n, 0.5);
  return { b, c, p_value: p, mid_p_value: Math.max(0, Math.min(1, mid)) };
}

/** Discordant counts of two predictors against the same labels. */
export function discordantPairs(labels: ArrayLike<number>, predA: ArrayLike<number>, predB: ArrayLike<number>): { b: number; c: number } {
  if (predA.length !== labels.length || predB.length !== labels.length) throw new Error('labels and predictions differ in length');
  let b = 0;
  let c = 0;
  for (let i = 0; i < labels.length; i++) {
    const a = predA[i] === labels[i];
    const o = predB[i] === labels[i];
    if (a && !o) b++;
    else if (!a && o) c++;
  }
  return { b, c };
}
