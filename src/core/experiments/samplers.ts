// Samplers for sweeps: grid, random and TPE. Pure and seeded: trial k's draw depends only on the
// seed, k and (for TPE) the finished trials it is given, so a resumed sweep draws the same points.
import { mulberry32 } from '../random';
import { normalCdf } from '../stats/normal-dist';
import type { ParamSpec, ParamValue, SearchSpace } from './space';

export type SamplerName = 'grid' | 'random' | 'tpe';

export interface FinishedTrial {
  /** Trial number (order of creation); TPE weights older trials less when there are many. */
  number: number;
  params: Record<string, ParamValue>;
  /** Objective (higher is better). */
  value: number;
}

/** A seeded generator for one trial (the seed and trial number mixed so neighbours differ). */
export function trialRng(seed: number, trial: number): () => number {
  let h = (seed ^ 0x9e3779b9) >>> 0;
  h = Math.imul(h ^ (trial + 0x7f4a7c15), 0x85ebca6b) >>> 0;
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35) >>> 0;
  return mulberry32(h ^ (h >>> 16));
}

// ---------- grid ----------

/** The values a grid takes for one parameter: the list, or min..max by step. */
export function gridValues(spec: ParamSpec): ParamValue[] | null {
  if (spec.kind === 'categorical') return spec.values;
  if (spec.step === null || spec.log) return null;
  const out: number[] = [];
  const n = Math.floor((spec.high - spec.low) / spec.step + 1e-9);
  for (let i = 0; i <= n; i++) out.push(roundTo(spec.low + i * spec.step, spec.step));
  return out;
}

const roundTo = (x: number, step: number) => {
  const decimals = Math.max(0, Math.min(12, -Math.floor(Math.log10(step)) + 2));
  return Number(x.toFixed(decimals));
};

/** Every grid point, in cartesian order (first path varies slowest). */
export function gridPoints(space: SearchSpace): Record<string, ParamValue>[] {
  let points: Record<string, ParamValue>[] = [{}];
  for (const [path, spec] of Object.entries(space)) {
    const values = gridValues(spec);
    if (!values) throw new Error(`space.${path}: a grid needs values or a step (and no log scale)`);
    points = points.flatMap((p) => values.map((v) => ({ ...p, [path]: v })));
  }
  return points;
}

/** The grid's points in a seeded order, so a sweep of fewer trials than points spreads over the grid. */
export function gridOrder(space: SearchSpace, seed: number): Record<string, ParamValue>[] {
  const pts = gridPoints(space);
  const rng = mulberry32(seed >>> 0);
  for (let i = pts.length - 1; i > 0; i--) {
    const j = Math.floor(rng() * (i + 1));
    [pts[i], pts[j]] = [pts[j], pts[i]];
  }
  return pts;
}

// ---------- random ----------

export function sampleUniform(spec: ParamSpec, rng: () => number): ParamValue {
  if (spec.kind === 'categorical') return spec.values[Math.min(spec.values.length - 1, Math.floor(rng() * spec.values.length))];
  const { lo, hi } = bounds(spec);
  return fromInternal(spec, lo + rng() * (hi - lo));
}

export function sampleRandom(space: SearchSpace, seed: number, trial: number): Record<string, ParamValue> {
  const rng = trialRng(seed, trial);
  const out: Record<string, ParamValue> = {};
  for (const [path, spec] of Object.entries(space)) out[path] = sampleUniform(spec, rng);
  return out;
}

// ---------- numeric transforms shared by random and TPE ----------

/** The internal (continuous, maybe log) interval a numeric parameter is sampled in; discrete ones widened by step/2. */
export function bounds(spec: Exclude<ParamSpec, { kind: 'categorical' }>): { lo: number; hi: number; step: number | null } {
  const t = (x: number) => (spec.log ? Math.log(x) : x);
  const step = spec.log ? null : spec.step;
  if (step !== null) return { lo: t(spec.low) - step / 2, hi: t(spec.high) + step / 2, step };
  return { lo: t(spec.low), hi: t(spec.high), step: null };
}

function toInternal(spec: Exclude<ParamSpec, { kind: 'categorical' }>, v: number): number {
  return spec.log ? Math.log(v) : v;
}

/** An internal value back to a parameter value: exp for log, snapped to the step grid, ints rounded, clipped. */
function fromInternal(spec: Exclude<ParamSpec, { kind: 'categorical' }>, x: number): number {
  let v = spec.log ? Math.exp(x) : x;
  if (spec.step !== null && !spec.log) v = roundTo(spec.low + Math.round((v - spec.low) / spec.step) * spec.step, spec.step);
  if (spec.kind === 'int') v = Math.round(v);
  return Math.min(spec.high, Math.max(spec.low, v));
}

// ---------- TPE ----------

export interface TpeOptions {
  /** Random trials before TPE starts (Optuna: 10). */
  nStartupTrials: number;
  /** Candidates drawn from l(x) per parameter (Optuna: 24). */
  nEiCandidates: number;
  /** Weight of the prior component (Optuna: 1.0). */
  priorWeight: number;
}

export const DEFAULT_TPE: TpeOptions = { nStartupTrials: 10, nEiCandidates: 24, priorWeight: 1 };

/** Optuna's default gamma: the best ⌈0.1·n⌉ trials (at most 25) are "good". */
export function tpeGoodCount(n: number): number {
  return Math.min(Math.ceil(0.1 * n), 25);
}

/** Optuna's default_weights: equal below 25 observations, else older ones ramp up from 1/n. */
export function tpeWeights(n: number): number[] {
  if (n === 0) return [];
  if (n < 25) return new Array(n).fill(1);
  const ramp = Array.from({ length: n - 25 }, (_, i) => (n - 25 === 1 ? 1 / n : 1 / n + ((1 - 1 / n) * i) / (n - 25 - 1)));
  return [...ramp, ...new Array(25).fill(1)];
}

export interface NumericParzen {
  mus: number[];
  sigmas: number[];
  /** Normalised; the prior is the last component. */
  weights: number[];
  lo: number;
  hi: number;
  step: number | null;
}

/**
 * The univariate Parzen estimator over internal values (Optuna's, prior and magic clip on, endpoints
 * off): one truncated Gaussian per observation, σ = the larger gap to its sorted neighbours (the
 * outermost use their inner gap), clipped to [(hi−lo)/min(100, 1+k), hi−lo] with k kernels incl. the
 * prior; plus the prior N((lo+hi)/2, hi−lo).
 */
export function numericParzen(obs: number[], obsWeights: number[], lo: number, hi: number, step: number | null, priorWeight: number): NumericParzen {
  const priorMu = 0.5 * (lo + hi);
  const withPrior = [...obs, priorMu];
  const order = withPrior.map((_, i) => i).sort((a, b) => withPrior[a] - withPrior[b]);
  const sorted = [lo, ...order.map((i) => withPrior[i]), hi];
  const sortedSigmas = order.map((_, k) => Math.max(sorted[k + 1] - sorted[k], sorted[k + 2] - sorted[k + 1]));
  if (sorted.length >= 4) {
    sortedSigmas[0] = sorted[2] - sorted[1];
    sortedSigmas[sortedSigmas.length - 1] = sorted[sorted.length - 2] - sorted[sorted.length - 3];
  }
  const sigmas = new Array<number>(withPrior.length);
  order.forEach((orig, k) => (sigmas[orig] = sortedSigmas[k]));
  const maxSigma = hi - lo;
  const minSigma = (hi - lo) / Math.min(100, 1 + withPrior.length);
  const clipped = sigmas.slice(0, obs.length).map((s) => Math.min(maxSigma, Math.max(minSigma, s)));
  const w = [...obsWeights, priorWeight];
  const total = w.reduce((a, b) => a + b, 0);
  return { mus: withPrior, sigmas: [...clipped, hi - lo], weights: w.map((x) => x / total), lo, hi, step };
}

/** Density (continuous) or bin mass (discrete: ±step/2) of the truncated-Gaussian mixture at x. */
export function parzenLogPdf(p: NumericParzen, x: number): number {
  let total = 0;
  for (let k = 0; k < p.mus.length; k++) {
    const mu = p.mus[k];
    const s = p.sigmas[k];
    const z = normalCdf((p.hi - mu) / s) - normalCdf((p.lo - mu) / s);
    if (!(z > 0)) continue;
    let v: number;
    if (p.step !== null) {
      const a = Math.max(p.lo, x - p.step / 2);
      const b = Math.min(p.hi, x + p.step / 2);
      v = (normalCdf((b - mu) / s) - normalCdf((a - mu) / s)) / z;
    } else {
      v = Math.exp(-0.5 * ((x - mu) / s) ** 2) / (s * Math.sqrt(2 * Math.PI) * z);
    }
    total += p.weights[k] * v;
  }
  return Math.log(Math.max(total, 1e-300));
}

/** One draw from the mixture: a component by weight, then its Gaussian truncated to [lo, hi] (by rejection). */
export function parzenSample(p: NumericParzen, rng: () => number): number {
  let u = rng();
  let k = 0;
  while (k < p.weights.length - 1 && u >= p.weights[k]) u -= p.weights[k++];
  for (let tries = 0; tries < 100; tries++) {
    // Box–Muller
    const g = Math.sqrt(-2 * Math.log(1 - rng())) * Math.cos(2 * Math.PI * rng());
    const x = p.mus[k] + p.sigmas[k] * g;
    if (x >= p.lo && x <= p.hi) return x;
  }
  return Math.min(p.hi, Math.max(p.lo, p.mus[k]));
}

/** Categorical Parzen estimator: each observation puts its weight on its choice, the prior spreads evenly. */
export function categoricalParzen(obsIdx: number[], obsWeights: number[], nChoices: number, priorWeight: number): number[] {
  const probs = new Array<number>(nChoices).fill(priorWeight / nChoices);
  obsIdx.forEach((c, i) => (probs[c] += obsWeights[i]));
  const total = probs.reduce((a, b) => a + b, 0);
  return probs.map((p) => p / total);
}

function valueIndex(values: ParamValue[], v: ParamValue): number {
  const key = JSON.stringify(v);
  return values.findIndex((x) => JSON.stringify(x) === key);
}

/** Splits finished trials into good (the best ⌈γ·n⌉ by value) and bad, each kept in trial order. */
export function splitGoodBad(trials: FinishedTrial[]): { good: FinishedTrial[]; bad: FinishedTrial[] } {
  const nGood = tpeGoodCount(trials.length);
  const ranked = [...trials].sort((a, b) => b.value - a.value || a.number - b.number);
  const goodSet = new Set(ranked.slice(0, nGood).map((t) => t.number));
  const byNumber = [...trials].sort((a, b) => a.number - b.number);
  return { good: byNumber.filter((t) => goodSet.has(t.number)), bad: byNumber.filter((t) => !goodSet.has(t.number)) };
}

/**
 * TPE (univariate, as Optuna's TPESampler with defaults): random for the first nStartupTrials
 * finished trials; then per parameter, l(x) from the good trials and g(x) from the rest, draw
 * nEiCandidates from l and keep the one maximising log l(x) − log g(x) (the expected-improvement ratio).
 */
export function sampleTpe(space: SearchSpace, history: FinishedTrial[], seed: number, trial: number, opts: TpeOptions = DEFAULT_TPE): Record<string, ParamValue> {
  const finished = history.filter((t) => Number.isFinite(t.value));
  if (finished.length < Math.max(2, opts.nStartupTrials)) return sampleRandom(space, seed, trial);
  const rng = trialRng(seed, trial);
  const { good, bad } = splitGoodBad(finished);
  const out: Record<string, ParamValue> = {};
  for (const [path, spec] of Object.entries(space)) {
    const goodVals = good.map((t) => t.params[path]);
    const badVals = bad.map((t) => t.params[path]);
    if (spec.kind === 'categorical') {
      const l = categoricalParzen(goodVals.map((v) => valueIndex(spec.values, v)).filter((i) => i >= 0), tpeWeights(goodVals.length), spec.values.length, opts.priorWeight);
      const g = categoricalParzen(badVals.map((v) => valueIndex(spec.values, v)).filter((i) => i >= 0), tpeWeights(badVals.length), spec.values.length, opts.priorWeight);
      let best = -1;
      let bestScore = -Infinity;
      for (let c = 0; c < opts.nEiCandidates; c++) {
        let u = rng();
        let k = 0;
        while (k < l.length - 1 && u >= l[k]) u -= l[k++];
        const score = Math.log(l[k]) - Math.log(g[k]);
        if (score > bestScore) [best, bestScore] = [k, score];
      }
      out[path] = spec.values[best];
      continue;
    }
    const { lo, hi, step } = bounds(spec);
    const toX = (v: ParamValue) => toInternal(spec, Number(v));
    const gx = goodVals.filter((v) => typeof v === 'number').map(toX);
    const bx = badVals.filter((v) => typeof v === 'number').map(toX);
    const l = numericParzen(gx, tpeWeights(gx.length), lo, hi, step, opts.priorWeight);
    const g = numericParzen(bx, tpeWeights(bx.length), lo, hi, step, opts.priorWeight);
    let bestX = l.mus[0];
    let bestScore = -Infinity;
    for (let c = 0; c < opts.nEiCandidates; c++) {
      let x = parzenSample(l, rng);
      if (step !== null) x = toInternal(spec, fromInternal(spec, x)); // score the value that would be used
      const score = parzenLogPdf(l, x) - parzenLogPdf(g, x);
      if (score > bestScore) [bestX, bestScore] = [x, score];
    }
    out[path] = fromInternal(spec, bestX);
  }
  return out;
}
