// Results of experiments from their children's numbers. Pure.
import { defined, undefinedBecause, withNullReasons, type NullReasons } from '../../shared/results/common';
import type { ParamValue } from './space';

export interface EquitySegment {
  /** Bar open times (ms); each value is the equity at that bar's close. */
  time: ArrayLike<number>;
  values: ArrayLike<number>;
  initial_capital: number;
}

export interface StitchedEquity {
  time: number[];
  values: number[];
  /** Fold index of each point. */
  fold: number[];
  initial_capital: number;
  final_equity: number;
  total_return: number;
}

/**
 * Chains each fold's out-of-sample curve by compounding: fold k's curve is scaled by its growth
 * V/V₀ and starts where fold k−1 ended, so the stitched end = C · Π(1 + fold return).
 */
export function stitchEquity(segments: EquitySegment[], initialCapital: number): StitchedEquity {
  const time: number[] = [];
  const values: number[] = [];
  const fold: number[] = [];
  let level = initialCapital;
  segments.forEach((s, k) => {
    const base = s.initial_capital;
    for (let i = 0; i < s.values.length; i++) {
      time.push(s.time[i]);
      values.push((level * s.values[i]) / base);
      fold.push(k);
    }
    if (s.values.length) level = (level * s.values[s.values.length - 1]) / base;
  });
  return { time, values, fold, initial_capital: initialCapital, final_equity: level, total_return: level / initialCapital - 1 };
}

/** Per-observation simple returns of an equity curve (the first relative to the initial capital). */
export function curveReturns(values: ArrayLike<number>, initial: number): number[] {
  const out: number[] = [];
  let prev = initial;
  for (let i = 0; i < values.length; i++) {
    out.push(prev > 0 ? values[i] / prev - 1 : 0);
    prev = values[i];
  }
  return out;
}

export interface CurveMetrics {
  total_return: number;
  /** Null when the curve spans no time. */
  annualized_return: number | null;
  /** Null when the returns do not vary (a flat curve: no trades). */
  sharpe_ratio: number | null;
  max_drawdown: number;
  bars: number;
  bars_per_year: number | null;
  null_reasons: Record<string, string>;
}

/** Metrics of a curve with the backtest's conventions (per-bar returns, population std, √bars-per-year). */
export function curveMetrics(time: ArrayLike<number>, values: ArrayLike<number>, initial: number, barMs: number): CurveMetrics {
  const n = values.length;
  const r = curveReturns(values, initial);
  const years = n ? (time[n - 1] - time[0] + barMs) / (365.25 * 86_400_000) : 0;
  const bpy = years > 0 ? n / years : null;
  const mean = r.length ? r.reduce((a, b) => a + b, 0) / r.length : 0;
  const sd = r.length ? Math.sqrt(r.reduce((a, b) => a + (b - mean) ** 2, 0) / r.length) : 0;
  let peak = initial;
  let mdd = 0;
  for (let i = 0; i < n; i++) {
    peak = Math.max(peak, values[i]);
    mdd = Math.max(mdd, peak > 0 ? (peak - values[i]) / peak : 0);
  }
  const total = n ? values[n - 1] / initial - 1 : 0;
  const reasons: Record<string, string> = {};
  const annualized = years > 0 && total > -1 ? (1 + total) ** (1 / years) - 1 : null;
  if (annualized === null) reasons.annualized_return = years > 0 ? 'the equity was wiped out' : 'the curve spans no time';
  const sharpe = sd > 0 && bpy !== null ? (mean / sd) * Math.sqrt(bpy) : null;
  if (sharpe === null) reasons.sharpe_ratio = n ? 'the returns do not vary (no trades)' : 'no bars';
  if (bpy === null) reasons.bars_per_year = 'the curve spans no time';
  return { total_return: total, annualized_return: annualized, sharpe_ratio: sharpe, max_drawdown: mdd, bars: n, bars_per_year: bpy, null_reasons: reasons };
}

export interface Stability {
  /** Values counted (defined and finite). */
  folds: number;
  /** Values left out because they are undefined (null: a Sharpe ratio without trades). */
  excluded: number;
  mean: number | null;
  /** Sample standard deviation (n−1); null with fewer than two values counted. */
  std: number | null;
  min: number | null;
  max: number | null;
  /** Share of the counted values > 0. */
  positive_share: number | null;
  null_reasons: NullReasons;
}

/**
 * Statistics of the folds' values that are defined: a null (a Sharpe ratio of a fold without trades)
 * is left out and counted in `excluded`, never added as 0. `none` is why every statistic is null when
 * no value is defined.
 */
export function stability(xs: readonly (number | null)[], none: string): Stability {
  const v = xs.filter((x): x is number => x !== null && Number.isFinite(x));
  const n = v.length;
  const excluded = xs.length - n;
  if (!n) {
    const why = undefinedBecause(none);
    return { folds: 0, excluded, ...withNullReasons({ mean: why, std: why, min: why, max: why, positive_share: why }) };
  }
  const mean = v.reduce((a, b) => a + b, 0) / n;
  return {
    folds: n,
    excluded,
    ...withNullReasons({
      mean: defined(mean),
      std: n > 1 ? defined(Math.sqrt(v.reduce((a, b) => a + (b - mean) ** 2, 0) / (n - 1))) : undefinedBecause('needs at least two folds with a value (one has)'),
      min: defined(Math.min(...v)),
      max: defined(Math.max(...v)),
      positive_share: defined(v.filter((x) => x > 0).length / n),
    }),
  };
}

export interface ImportanceGroup {
  /** The value (categorical) or a numeric bin's label "[lo, hi]". */
  label: string;
  value: ParamValue | null;
  range: [number, number] | null;
  trials: number;
  mean_objective: number;
}

export interface ParameterImportance {
  path: string;
  /** max − min of the groups' mean objective: how much this parameter alone moves the result. */
  spread: number;
  groups: ImportanceGroup[];
  /** (value, objective) of every finished trial, for a parameter-vs-objective chart. */
  points: { value: ParamValue; objective: number; trial: number }[];
}

/**
 * Simple importance: finished trials grouped by each parameter's value (numbers with more than
 * `bins` distinct values in equal-count bins), mean objective per group, spread = max − min of those
 * means. Sorted by spread, largest first. Says nothing about interactions.
 */
export function parameterImportance(trials: { number: number; params: Record<string, ParamValue>; objective: number }[], paths: string[], bins = 4): ParameterImportance[] {
  const out: ParameterImportance[] = [];
  for (const path of paths) {
    const pts = trials.filter((t) => path in t.params && Number.isFinite(t.objective)).map((t) => ({ value: t.params[path], objective: t.objective, trial: t.number }));
    const numeric = pts.every((p) => typeof p.value === 'number');
    const distinct = new Set(pts.map((p) => JSON.stringify(p.value)));
    const groups: ImportanceGroup[] = [];
    if (numeric && distinct.size > bins) {
      const sorted = [...pts].sort((a, b) => (a.value as number) - (b.value as number));
      for (let b = 0; b < bins; b++) {
        const part = sorted.slice(Math.floor((b * sorted.length) / bins), Math.floor(((b + 1) * sorted.length) / bins));
        if (!part.length) continue;
        const lo = part[0].value as number;
        const hi = part[part.length - 1].value as number;
        groups.push({ label: `[${fmt(lo)}, ${fmt(hi)}]`, value: null, range: [lo, hi], trials: part.length, mean_objective: avg(part.map((p) => p.objective)) });
      }
    } else {
      for (const key of distinct) {
        const part = pts.filter((p) => JSON.stringify(p.value) === key);
        groups.push({ label: key, value: part[0].value, range: null, trials: part.length, mean_objective: avg(part.map((p) => p.objective)) });
      }
    }
    const means = groups.map((g) => g.mean_objective);
    out.push({ path, spread: means.length ? Math.max(...means) - Math.min(...means) : 0, groups, points: pts });
  }
  return out.sort((a, b) => b.spread - a.spread);
}

const avg = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
const fmt = (x: number) => (Number.isInteger(x) ? String(x) : x.toPrecision(4));
