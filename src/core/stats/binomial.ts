// Exact binomial tail probabilities (no normal approximation): the one-sided test "more successes than
// chance p would give". Terms are summed in log space from a table of log-factorials, so n in the
// tens of thousands is exact to ~1e-12 and cheap (O(n)).

/** ln(k!) for k = 0..n. */
function logFactorials(n: number): Float64Array {
  const t = new Float64Array(n + 1);
  for (let k = 2; k <= n; k++) t[k] = t[k - 1] + Math.log(k);
  return t;
}

function checkArgs(k: number, n: number, p: number): void {
  if (!Number.isInteger(n) || n < 0) throw new Error(`n must be a non-negative integer (got ${n})`);
  if (!Number.isInteger(k)) throw new Error(`k must be an integer (got ${k})`);
  if (!(p >= 0 && p <= 1)) throw new Error(`p must be in [0, 1] (got ${p})`);
}

/** P(X = k) for X ~ Binomial(n, p). */
export function binomialPmf(k: number, n: number, p: number): number {
  checkArgs(k, n, p);
  if (k < 0 || k > n) return 0;
  if (p === 0) return k === 0 ? 1 : 0;
  if (p === 1) return k === n ? 1 : 0;
  const lf = logFactorials(n);
  return Math.exp(lf[n] - lf[k] - lf[n - k] + k * Math.log(p) + (n - k) * Math.log1p(-p));
}

/** P(X ≥ k) for X ~ Binomial(n, p): scipy.stats.binomtest(k, n, p, alternative='greater').pvalue. */
export function binomialUpperTail(k: number, n: number, p: number): number {
  checkArgs(k, n, p);
  if (k <= 0) return 1;
  if (k > n) return 0;
  if (p === 0) return 0;
  if (p === 1) return 1;
  const lf = logFactorials(n);
  const lp = Math.log(p);
  const lq = Math.log1p(-p);
  let sum = 0;
  for (let j = k; j <= n; j++) sum += Math.exp(lf[n] - lf[j] - lf[n - j] + j * lp + (n - j) * lq);
  return Math.min(1, sum);
}
