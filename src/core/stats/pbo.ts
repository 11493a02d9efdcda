// Probability of Backtest Overfitting by combinatorially symmetric cross-validation (CSCV), after
// Bailey, Borwein, López de Prado & Zhu, "The Probability of Backtest Overfitting" (J. Computational
// Finance, 2017; SSRN 2015). Pure.
//
// M is a T×N matrix: T observations (rows, in time order) of N trials' returns (columns).
//  1. Split the rows into S contiguous blocks of equal size (S even; the last T mod S rows are dropped).
//  2. For every combination C of S/2 blocks: J = rows of C (in-sample), J̄ = the others (out-of-sample).
//  3. Performance of each trial on J and J̄: the per-observation Sharpe ratio mean/std (population std).
//  4. n* = the trial with the best in-sample performance; ω̄ = its out-of-sample rank / (N + 1),
//     rank 1 = worst, ties share their average rank; λ = ln(ω̄ / (1 − ω̄)).
//  5. PBO = ∫_{−∞}^{0} f(λ) dλ estimated over the combinations: the share with λ < 0, where λ = 0
//     (the IS-best lands exactly on the OOS median, which happens with an odd N) counts one half.
//     Counting it whole, as a literal "λ ≤ 0", gives pure noise a PBO of (N+1)/(2N) (2/3 at N = 3)
//     instead of ½; splitting the point mass at the median evenly keeps the null at ½ for every N.
// Ties: when several trials share the best IS performance, the selection is one of them at random,
// so the combination contributes the mean of their outcomes. A combination whose OOS performances
// are all equal (e.g. every trial flat) cannot rank the IS-best: it is left out; when every
// combination is left out, PBO is undefined (null with the reason), never 1.

export interface PboResult {
  /** Null when no combination could rank the in-sample best (see `reason`). */
  pbo: number | null;
  reason: string | null;
  /** One logit per usable combination, in enumeration order (the mean over IS-tied trials). */
  logits: number[];
  combinations: number;
  /** Combinations that could rank the IS-best (the others had all-equal OOS performances). */
  combinations_used: number;
  blocks: number;
  trials: number;
  observations_used: number;
}
/** All k-subsets of {0..n-1}, lexicographic. */
export function combinations(n: number, k: number): number[][] {
  const out: number[][] = [];
  const pick: number[] = [];
  const rec = (from: number) => {
    if (pick.length === k) {
      out.push([...pick]);
      return;
    }
    for (let i = from; i <= n - (k - pick.length); i++) {
      pick.push(i);
      rec(i + 1);
      pick.pop();
    }
  };
  rec(0);
  return out;
}

/** 1-based ranks of `values` (1 = smallest), ties sharing their average rank. */
export function averageRanks(values: readonly number[]): number[] {
  const order = values.map((v, i) => [v, i] as const).sort((a, b) => a[0] - b[0]);
  const ranks = new Array<number>(values.length);
  for (let i = 0; i < order.length; ) {
    let j = i;
    while (j + 1 < order.length && order[j + 1][0] === order[i][0]) j++;
    const r = (i + j) / 2 + 1;
    for (let k = i; k <= j; k++) ranks[order[k][1]] = r;
    i = j + 1;
  }
  return ranks;
}

/**
 * PBO of a T×N return matrix given as N column arrays (one per trial, equal lengths).
 * Returns null when it cannot be estimated (fewer than 2 trials or fewer rows than blocks).
 */
export function probabilityOfBacktestOverfitting(columns: readonly ArrayLike<number>[], blocks = 16): PboResult | null {
  const n = columns.length;
  if (n < 2) return null;
  if (blocks < 2 || blocks % 2 !== 0) throw new Error(`CSCV needs an even number of blocks (got ${blocks})`);
  const t = Math.min(...columns.map((c) => c.length));
  const size = Math.floor(t / blocks);
  if (size < 1) return null;
  // Per block and trial: count, Σr and Σr². A Sharpe over a union of blocks needs only these sums
  // (mean = Σr/n, population variance = Σr²/n − mean²), the same number as over the joined rows.
  const sum = Array.from({ length: blocks }, () => new Float64Array(n));
  const sq = Array.from({ length: blocks }, () => new Float64Array(n));
  for (let col = 0; col < n; col++) {
    for (let blk = 0; blk < blocks; blk++) {
      let s1 = 0;
      let s2 = 0;
      for (let r = blk * size; r < (blk + 1) * size; r++) {
        const x = columns[col][r];
        s1 += x;
        s2 += x * x;
      }
      sum[blk][col] = s1;
      sq[blk][col] = s2;
    }
  }
  const sharpeOf = (blockSet: readonly number[], col: number) => {
    let s1 = 0;
    let s2 = 0;
    for (const b of blockSet) {
      s1 += sum[b][col];
      s2 += sq[b][col];
    }
    const m = blockSet.length * size;
    const mean = s1 / m;
    const variance = Math.max(0, s2 / m - mean * mean);
    return variance > 1e-30 ? mean / Math.sqrt(variance) : 0;
  };
  const logits: number[] = [];
  let overfit = 0;
  const combos = combinations(blocks, blocks / 2);
  for (const inSample of combos) {
    const outSample = [...Array(blocks).keys()].filter((b) => !inSample.includes(b));
    const is: number[] = [];
    const oos: number[] = [];
    for (let col = 0; col < n; col++) {
      is.push(sharpeOf(inSample, col));
      oos.push(sharpeOf(outSample, col));
    }
    if (oos.every((v) => v === oos[0])) continue; // nothing to rank out of sample
    const top = Math.max(...is);
    const chosen = [...is.keys()].filter((k) => is[k] === top);
    const ranks = averageRanks(oos);
    let share = 0;
    let logit = 0;
    for (const k of chosen) {
      // rank < (N+1)/2 ⇔ λ < 0; rank = (N+1)/2 ⇔ λ = 0 (compared on ranks, exactly).
      const twice = 2 * ranks[k];
      share += twice < n + 1 ? 1 : twice === n + 1 ? 0.5 : 0;
      const w = ranks[k] / (n + 1);
      logit += Math.log(w / (1 - w));
    }
    overfit += share / chosen.length;
    logits.push(logit / chosen.length);
  }
  const used = logits.length;
  return {
    pbo: used ? overfit / used : null,
    reason: used ? null : 'every split leaves all trials with the same out-of-sample performance (e.g. no trades): the in-sample best cannot be ranked',
    logits,
    combinations: combos.length,
    combinations_used: used,
    blocks,
    trials: n,
    observations_used: size * blocks,
  };
}
