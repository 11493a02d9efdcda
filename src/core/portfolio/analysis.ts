// What a portfolio run says: the catalogue's performance metrics on the portfolio equity (one point
// per step, computeMetrics as for one symbol), per-leg PnL, costs, exposure and contribution, and the
// correlation of the legs' contributions. Pure; the job adds in-sample flags and significance.
import { computeMetrics, estimateBarsPerYear, type PerformanceMetrics } from '../backtest/metrics';
import { costBreakdown, type CostBreakdown } from '../backtest/costs';
import type { Trade } from '../backtest/types';
import type { LegInput, PortfolioEngineResult, SkippedEntries } from './types';

/** Above this many legs the correlation matrix is not computed (N² × steps). */
export const MAX_CORRELATION_LEGS = 50;

export interface LegSummary {
  symbol: string;
  bars: number;
  first_bar: string | null;
  last_bar: string | null;
  trades: number;
  winning_trades: number;
  /** gross − commission − spread − slippage = net; in the account currency. */
  costs: CostBreakdown;
  /** Net PnL ÷ initial capital: what the leg added to the portfolio's total return. */
  contribution: number;
  /** Net PnL ÷ the portfolio's net PnL; null when that is 0. */
  share_of_pnl: number | null;
  /** Share of the leg's own bars with a position. */
  time_in_market: number;
  /** Mean over the portfolio's steps of |position value| ÷ equity. */
  exposure: number | null;
  rebalance_fills: number;
  skipped_entries: SkippedEntries;
  null_reasons: Record<string, string>;
}

export interface LegCorrelation {
  symbols: string[];
  /** Pearson correlation of the legs' per-step contributions (Δ leg value ÷ equity at the step before); null entries have a reason. */
  matrix: (number | null)[][] | null;
  basis: 'per_step_contribution';
  null_reasons: Record<string, string>;
}

export interface PortfolioAnalysis {
  metrics: Omit<PerformanceMetrics, 'benchmark'>;
  legs: LegSummary[];
  correlation: LegCorrelation;
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

export function legCorrelation(result: PortfolioEngineResult, legs: readonly LegInput[]): LegCorrelation {
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
  const matrix = contrib.map((a, i) =>
    contrib.map((b, j) => {
      const r = i === j ? (pearson(a, a) === null ? null : 1) : pearson(a, b);
      if (r === null && i <= j) null_reasons[`${symbols[i]}/${symbols[j]}`] = 'a leg never changed value (no trades) or too few steps: correlation undefined';
      return r;
    }),
  );
  return { ...base, matrix, null_reasons };
}

export function analysePortfolio(result: PortfolioEngineResult, legs: readonly LegInput[], opts: { currency: string; bar_ms: number; bars_per_year?: number }): PortfolioAnalysis {
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
  const all = computeMetrics({
    time: result.time,
    equity: result.equity,
    initial_capital: result.initial_capital,
    trades,
    position: inMarket,
    // The cost-free single-instrument benchmark has no meaning for a book; it is dropped below.
    close: result.equity,
    bar_ms: opts.bar_ms,
    bars_per_year: bpy,
  });
  const { benchmark: _single, ...metrics } = all;
  const totalNet = result.final_equity - result.initial_capital;
  const summaries = result.legs.map((leg, i): LegSummary => {
    const t = legs[i].bars.time;
    const costs = costBreakdown(leg.trades, opts.currency, legs[i].symbol);
    let held = 0;
    for (let k = 0; k < leg.position.length; k++) if (leg.position[k] !== 0) held++;
    const null_reasons: Record<string, string> = {};
    if (totalNet === 0) null_reasons.share_of_pnl = 'the portfolio made no net PnL';
    if (leg.exposure === null) null_reasons.exposure = 'not recorded (record_details off)';
    return {
      symbol: legs[i].symbol,
      bars: t.length,
      first_bar: t.length ? iso(t[0]) : null,
      last_bar: t.length ? iso(t[t.length - 1]) : null,
      trades: leg.trades.length,
      winning_trades: leg.trades.filter((x) => x.net_pnl > 0).length,
      costs,
      contribution: costs.net_pnl / result.initial_capital,
      share_of_pnl: totalNet === 0 ? null : costs.net_pnl / totalNet,
      time_in_market: t.length ? held / t.length : 0,
      exposure: leg.exposure,
      rebalance_fills: leg.rebalance_fills,
      skipped_entries: leg.skipped_entries,
      null_reasons,
    };
  });
  return {
    metrics,
    legs: summaries,
    correlation: legCorrelation(result, legs),
    average_gross_exposure: steps ? grossSum / steps : 0,
  };
}
