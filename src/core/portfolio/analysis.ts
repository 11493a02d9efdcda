// What a portfolio run says: the catalogue's performance metrics on the portfolio equity (one point
// per step, computeMetrics as for one symbol), per-leg PnL, costs, trade outcomes, exposure and
// contribution (and the Kelly estimate under Kelly sizing), and the correlation of the legs'
// contributions — in the result contract's shapes (src/shared/results/portfolio.ts), undefined values
// null with the reason. Pure; the job adds in-sample flags and significance.
import { computeMetrics, estimateBarsPerYear, tradeOutcomes, type PerformanceMetrics } from '../backtest/metrics';
import { costBreakdown } from '../backtest/costs';
import type { Trade } from '../backtest/types';
import { defined, undefinedBecause, withNullReasons, type Defined } from '../../shared/results/common';
import type { LegCorrelationResult, PortfolioLeg } from '../../shared/results/portfolio';
import { kellyFraction } from './sizing';
import type { LegInput, PortfolioEngineResult, SizingRule } from './types';

/** Above this many legs the correlation matrix is not computed (N² × steps). */
export const MAX_CORRELATION_LEGS = 50;

/** What the analysis knows of a leg; the job adds the model and the in-sample guard. */
export type LegSummary = Omit<PortfolioLeg, 'model_path' | 'in_sample_bars' | 'out_of_sample' | 'model_data_range' | 'warmup_bars' | 'clipped'>;

export interface PortfolioAnalysis {
  metrics: PerformanceMetrics;
  legs: LegSummary[];
  correlation: LegCorrelationResult;
  /** Mean over steps of Σ |position value| ÷ equity. */
  average_gross_exposure: number;
}

const iso = (ms: number) => new Date(ms).toISOString();

/** Per step: the leg's value (cash flows + position) at its last close; 0 before its first bar. */
function legValueOnSteps(time: Float64Array, legTime: Float64Array, value: Float64Array): Float64Array {
  const out = new Float64Array(time.length);
  let k = -1;
  for (let s = 0; s < time.length; s++) {
    while (k + 1 < legTime.length && legTime[k + 1] <= time[s]) k++;
    out[s] = k < 0 ? 0 : value[k];
  }
  return out;
}

function pearson(a: Float64Array, b: Float64Array): number | null {
  const n = a.length;
  if (n < 3) return null;
  let ma = 0;
  let mb = 0;
  for (let i = 0; i < n; i++) {
    ma += a[i];
    mb += b[i];
  }
  ma /= n;
  mb /= n;
  let sab = 0;
  let saa = 0;
  let sbb = 0;
  for (let i = 0; i < n; i++) {
    const x = a[i] - ma;
    const y = b[i] - mb;
    sab += x * y;
    saa += x * x;
    sbb += y * y;
  }
  return saa > 0 && sbb > 0 ? sab / Math.sqrt(saa * sbb) : null;
}

export function legCorrelation(result: PortfolioEngineResult, legs: readonly LegInput[]): LegCorrelationResult {
  const symbols = legs.map((l) => l.symbol);
  const base = { symbols, basis: 'per_step_contribution' as const };
  if (legs.length > MAX_CORRELATION_LEGS) return { ...base, matrix: null, null_reasons: { matrix: `more than ${MAX_CORRELATION_LEGS} legs: not computed` } };
  if (result.legs.some((l) => l.value === null)) return { ...base, matrix: null, null_reasons: { matrix: 'leg values were not recorded (record_details off)' } };
  const steps = result.time.length;
  const contrib = result.legs.map((leg, i) => {
    const v = legValueOnSteps(result.time, legs[i].bars.time, leg.value!);
    const c = new Float64Array(Math.max(0, steps - 1));
    for (let s = 1; s < steps; s++) c[s - 1] = result.equity[s - 1] > 0 ? (v[s] - v[s - 1]) / result.equity[s - 1] : 0;
    return c;
  });
  const null_reasons: Record<string, string> = {};
  const flat = contrib.map((c) => pearson(c, c) === null);
  const why = (i: number, j: number) => {
    if (steps < 4) return `only ${steps} steps: too few to correlate`;
    const idle = [...new Set([symbols[i], symbols[j]].filter((_, k) => flat[k === 0 ? i : j]))];
    return `${idle.join(' and ')} never changed value (no trades): correlation undefined`;
  };
  const matrix = contrib.map((a, i) =>
    contrib.map((b, j) => {
      const r = i === j ? (flat[i] ? null : 1) : pearson(a, b);
      if (r === null && i <= j) null_reasons[`${symbols[i]}/${symbols[j]}`] = why(i, j);
      return r;
    }),
  );
  return { ...base, matrix, null_reasons };
}

/**
 * Kelly sizing's estimate for a leg at the end of the run: f* over its last `lookback` closed trades'
 * returns (net PnL ÷ entry notional), as the rule computes it at a fill (sizing.ts kellyFraction).
 */
export function legKellyFraction(trades: readonly Trade[], lookback: number): Defined<number> {
  if (trades.length === 0) return undefinedBecause('no closed trades: the Kelly fraction is undefined');
  const returns = trades.map((t) => (t.entry_price * t.quantity > 0 ? t.net_pnl / (t.entry_price * t.quantity) : 0));
  const f = kellyFraction(returns, Math.max(0, returns.length - lookback), returns.length);
  return Number.isFinite(f) ? defined(f) : undefinedBecause('every closed trade returned exactly 0: the Kelly fraction is undefined');
}

export interface AnalysisOptions {
  /** The account currency (of every leg's costs). */
  currency: string;
  bar_ms: number;
  bars_per_year?: number;
  /** The sizing rule: under Kelly sizing each leg reports its Kelly estimate. */
  sizing?: SizingRule;
}

export function analysePortfolio(result: PortfolioEngineResult, legs: readonly LegInput[], opts: AnalysisOptions): PortfolioAnalysis {
  const steps = result.time.length;
  const trades: Trade[] = result.legs.flatMap((l) => l.trades);
  // A step is in the market when any leg holds a position during its bar there (as one symbol's bars).
  const inMarket = new Int8Array(steps);
  result.legs.forEach((leg, i) => {
    const t = legs[i].bars.time;
    let s = 0;
    for (let k = 0; k < t.length; k++) {
      while (result.time[s] < t[k]) s++;
      if (leg.position[k] !== 0) inMarket[s] = 1;
    }
  });
  let grossSum = 0;
  if (result.gross_exposure) for (let s = 0; s < steps; s++) if (Number.isFinite(result.gross_exposure[s])) grossSum += result.gross_exposure[s];
  const bpy = opts.bars_per_year ?? estimateBarsPerYear(result.time, opts.bar_ms);
  const metrics = computeMetrics({
    time: result.time,
    equity: result.equity,
    initial_capital: result.initial_capital,
    trades,
    position: inMarket,
    // Not read by computeMetrics (the benchmarks are computed apart: benchmark.ts).
    close: result.equity,
    bar_ms: opts.bar_ms,
    bars_per_year: bpy,
  });
  const totalNet = result.final_equity - result.initial_capital;
  const kelly = opts.sizing?.type === 'kelly' ? opts.sizing : null;
  const summaries = result.legs.map((leg, i): LegSummary => {
    const t = legs[i].bars.time;
    const costs = costBreakdown(leg.trades, opts.currency, legs[i].symbol);
    const outcome = tradeOutcomes(leg.trades);
    let held = 0;
    for (let k = 0; k < leg.position.length; k++) if (leg.position[k] !== 0) held++;
    const nullable = withNullReasons({
      win_rate: outcome.win_rate,
      profit_factor: outcome.profit_factor,
      share_of_pnl: totalNet === 0 ? undefinedBecause('the portfolio made no net PnL') : defined(costs.net_pnl / totalNet || 0), // no −0 for an idle leg
      capital_invested: leg.exposure === null ? undefinedBecause('not recorded (record_details off)') : defined(leg.exposure),
    });
    const k = kelly ? legKellyFraction(leg.trades, kelly.lookback_trades) : null;
    return {
      symbol: legs[i].symbol,
      bars: t.length,
      first_bar: iso(t[0]),
      last_bar: iso(t[t.length - 1]),
      total_trades: leg.trades.length,
      winning_trades: outcome.wins.length,
      losing_trades: outcome.losses.length,
      costs,
      contribution: costs.net_pnl / result.initial_capital,
      time_in_market: t.length ? held / t.length : 0,
      rebalance_fills: leg.rebalance_fills,
      skipped_entries: leg.skipped_entries,
      ...nullable,
      ...(k ? { kelly_fraction: k.value } : {}),
      null_reasons: { ...nullable.null_reasons, ...(k?.value === null ? { kelly_fraction: k.reason } : {}) },
    };
  });
  return {
    metrics,
    legs: summaries,
    correlation: legCorrelation(result, legs),
    average_gross_exposure: steps ? grossSum / steps : 0,
  };
}
