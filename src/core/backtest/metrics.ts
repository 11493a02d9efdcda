// Performance metrics of a backtest, as fractions (never percents), with KTRDR's key names.
//
// Returns are per BAR: r_t = V_t / V_{t−1} − 1 over the equity at consecutive bar closes (n bars give
// n−1 returns). Sharpe = mean(r)/std(r)·√B with risk-free 0 and population std; Sortino =
// mean(r)/DD·√B with the downside deviation DD = √(mean(min(r,0)²)) over ALL returns (KTRDR uses the
// std of the negative returns only); volatility = std(r)·√B.
//
// B, the bars per year, is measured from the series itself: bar count / years spanned, where the
// span runs from the first bar's open to the last bar's close. This adapts to the market's hours
// without a calendar (FX 1h ≈ 6,200, US equities 1d ≈ 252, crypto 1d ≈ 365); KTRDR uses √252 for
// every bar size, which overstates Sharpe on intraday bars by √(bars per day). A caller that knows
// better (or has a very short series, where weekends distort the estimate) passes bars_per_year.
//
// A value that is not defined (no trades, zero variance, no losses, no drawdown) is null, and the
// object carries null_reasons[field] = why (src/shared/results/common.ts). KTRDR's 0 / 999999 are
// applied only by the KTRDR adapter on the KTRDR-compatible routes (src/shared/results/ktrdr.ts).

import { defined, undefinedBecause, withNullReasons, type Defined, type NullReasons } from '../../shared/results/common';
import type { Trade } from './types';

export const YEAR_MS = 365.25 * 86_400_000;

export interface MetricsInput {
  /** Bar open times (ms). */
  time: Float64Array;
  /** Equity at each bar's close. */
  equity: Float64Array;
  initial_capital: number;
  trades: readonly Trade[];
  /** Per bar: +1/0/−1. */
  position: Int8Array;
  /** Bar closes, for the buy-and-hold benchmark. */
  close: Float64Array;
  bar_ms: number;
  /** Overrides the measured bars per year. */
  bars_per_year?: number;
}

export interface ReturnStats {
  total_return_pct: number;
  /** null: no time spanned, or growth too large to annualise. */
  annualized_return: number | null;
  /** null: fewer than two bars. */
  volatility: number | null;
  /** null: the returns do not vary (no trades, a flat curve) or there are fewer than two bars. */
  sharpe_ratio: number | null;
  /** null: no bar lost (downside deviation 0) or fewer than two bars. */
  sortino_ratio: number | null;
  max_drawdown_pct: number;
  /** Why the null fields above are null. */
  null_reasons: NullReasons;
}

export interface BenchmarkMetrics extends ReturnStats {
  /** Buy at the first bar's close with all capital, hold to the last close, no costs. */
  kind: 'buy_and_hold';
  total_return: number;
  final_equity: number;
  max_drawdown: number;
}

/** Every field that may be null carries its reason in null_reasons (one object for the whole record). */
export interface PerformanceMetrics extends ReturnStats {
  total_return: number;
  /** null: no drawdown, or no annualised return. */
  calmar_ratio: number | null;
  max_drawdown: number;
  total_trades: number;
  winning_trades: number;
  losing_trades: number;
  /** null: no trades. */
  win_rate: number | null;
  /** null: no trades, or no losing trade (unbounded). */
  profit_factor: number | null;
  /** null: no winning (losing) trade. */
  avg_win: number | null;
  avg_loss: number | null;
  largest_win: number | null;
  largest_loss: number | null;
  /** Hours; null without trades. (KTRDR's `avg_holding_period` is added by its adapter.) */
  avg_holding_period_hours: number | null;
  avg_holding_period_bars: number | null;
  /** Hours; null without winning (losing) trades. */
  avg_win_holding_period: number | null;
  avg_loss_holding_period: number | null;
  /** null: no drawdown. */
  recovery_factor: number | null;
  /** Fraction of bars with an open position. */
  exposure: number;
  total_commission: number;
  total_slippage: number;
  /** Half-spread paid on every fill (0 under KTRDR's cost model). */
  total_spread_cost: number;
  final_equity: number;
  bars: number;
  bars_per_year: number;
  years: number;
}

/** Years covered by the bars: first open to last close. */
export function yearsSpanned(time: Float64Array, barMs: number): number {
  const n = time.length;
  if (n === 0) return 0;
  return (time[n - 1] - time[0] + barMs) / YEAR_MS;
}

/** Bars per year measured from the timestamps (count / years spanned); nominal 24/7 count when unmeasurable. */
export function estimateBarsPerYear(time: Float64Array, barMs: number): number {
  const years = yearsSpanned(time, barMs);
  if (time.length < 2 || !(years > 0)) return YEAR_MS / barMs;
  return time.length / years;
}

const EPS = 1e-12;

/** num / den, or null with `reason` when the denominator is ~0 (or either side is undefined). */
function ratioOf(num: Defined<number>, den: Defined<number>, zeroReason: string): Defined<number> {
  if (num.value === null) return num;
  if (den.value === null) return den;
  const q = num.value / den.value;
  return Math.abs(den.value) > EPS && Number.isFinite(q) ? defined(q) : undefinedBecause(zeroReason);
}

/** Per-bar return statistics of an equity curve starting at `initial`. */
export function returnStats(values: Float64Array, initial: number, barsPerYear: number, years: number): ReturnStats & { max_drawdown: number } {
  const n = values.length;
  let sum = 0;
  let count = 0;
  for (let t = 1; t < n; t++) {
    sum += values[t] / values[t - 1] - 1;
    count++;
  }
  const mean = count > 0 ? sum / count : 0;
  let sq = 0;
  let down = 0;
  for (let t = 1; t < n; t++) {
    const r = values[t] / values[t - 1] - 1;
    sq += (r - mean) * (r - mean);
    if (r < 0) down += r * r;
  }
  const std = count > 0 ? Math.sqrt(sq / count) : 0;
  const downside = count > 0 ? Math.sqrt(down / count) : 0;
  const annual = Math.sqrt(barsPerYear);

  let peak = initial;
  let maxDdPct = 0;
  let maxDd = 0;
  for (let t = 0; t < n; t++) {
    const v = values[t];
    if (v > peak) peak = v;
    const dd = peak - v;
    if (dd > maxDd) maxDd = dd;
    if (peak > 0 && dd / peak > maxDdPct) maxDdPct = dd / peak;
  }
  const last = n > 0 ? values[n - 1] : initial;
  const growth = last / initial;
  const tooFew = 'fewer than two bars: no returns';
  let annualized: Defined<number>;
  if (growth <= 0) annualized = defined(-1);
  else if (!(years > 0)) annualized = undefinedBecause('the bars span no time');
  else {
    const a = Math.pow(growth, 1 / years) - 1;
    annualized = Number.isFinite(a) ? defined(a) : undefinedBecause('the range is too short to annualise this growth');
  }
  const stats = withNullReasons({
    annualized_return: annualized,
    volatility: count > 0 ? defined(std * annual) : undefinedBecause(tooFew),
    sharpe_ratio: count === 0 ? undefinedBecause(tooFew) : std > EPS ? defined((mean / std) * annual) : undefinedBecause('the returns do not vary (flat equity)'),
    sortino_ratio: count === 0 ? undefinedBecause(tooFew) : downside > EPS ? defined((mean / downside) * annual) : undefinedBecause('no bar lost money: the downside deviation is 0'),
  });
  return { total_return_pct: growth - 1, max_drawdown_pct: maxDdPct, max_drawdown: maxDd, ...stats };
}

export function buyAndHold(close: Float64Array, initial: number, barsPerYear: number, years: number): BenchmarkMetrics {
  const n = close.length;
  const curve = new Float64Array(n);
  const base = n > 0 ? close[0] : 1;
  for (let t = 0; t < n; t++) curve[t] = (initial * close[t]) / base;
  const s = returnStats(curve, initial, barsPerYear, years);
  const final = n > 0 ? curve[n - 1] : initial;
  return { kind: 'buy_and_hold', ...s, total_return: final - initial, final_equity: final };
}

/** Winners and losers by net PnL, the win rate and the profit factor (null with why: no trades, no loser). */
export function tradeOutcomes(trades: readonly Trade[]): { wins: Trade[]; losses: Trade[]; win_rate: Defined<number>; profit_factor: Defined<number> } {
  const wins = trades.filter((t) => t.net_pnl > 0);
  const losses = trades.filter((t) => t.net_pnl < 0);
  const grossWin = wins.reduce((a, t) => a + t.net_pnl, 0);
  const grossLoss = losses.reduce((a, t) => a + t.net_pnl, 0);
  if (trades.length === 0) return { wins, losses, win_rate: undefinedBecause('no trades'), profit_factor: undefinedBecause('no trades') };
  return { wins, losses, win_rate: defined(wins.length / trades.length), profit_factor: losses.length ? defined(grossWin / -grossLoss) : undefinedBecause('no losing trade: unbounded') };
}

const meanOf = (xs: number[]): Defined<number> => (xs.length ? defined(xs.reduce((a, b) => a + b, 0) / xs.length) : undefinedBecause('no trades'));
const orBecause = (d: Defined<number>, reason: string): Defined<number> => (d.value === null ? undefinedBecause(reason) : d);

export function computeMetrics(input: MetricsInput): PerformanceMetrics {
  const { time, equity, initial_capital: initial, trades, position, bar_ms } = input;
  const n = equity.length;
  const years = yearsSpanned(time, bar_ms);
  const bpy = input.bars_per_year ?? estimateBarsPerYear(time, bar_ms);
  const stats = returnStats(equity, initial, bpy, years);
  const finalEquity = n > 0 ? equity[n - 1] : initial;
  const totalReturn = finalEquity - initial;

  const { wins, losses, win_rate: winRate, profit_factor: profitFactor } = tradeOutcomes(trades);
  const noTrades = trades.length === 0;

  let inMarket = 0;
  for (let t = 0; t < position.length; t++) if (position[t] !== 0) inMarket++;
  const hours = (ts: readonly Trade[]) => meanOf(ts.map((t) => t.holding_period_hours));
  const orNoTrades = (d: Defined<number>) => (noTrades && d.value === null ? undefinedBecause('no trades') : d);
  const maxDd = defined(stats.max_drawdown);
  const fromStats = (k: 'annualized_return' | 'volatility' | 'sharpe_ratio' | 'sortino_ratio'): Defined<number> => {
    const v = stats[k];
    return v === null ? undefinedBecause(noTrades ? 'no trades' : (stats.null_reasons[k] ?? 'not computed')) : defined(v);
  };

  const nullable = withNullReasons({
    annualized_return: fromStats('annualized_return'),
    volatility: fromStats('volatility'),
    sharpe_ratio: fromStats('sharpe_ratio'),
    sortino_ratio: fromStats('sortino_ratio'),
    calmar_ratio: orNoTrades(ratioOf(fromStats('annualized_return'), defined(stats.max_drawdown_pct), 'no drawdown')),
    win_rate: winRate,
    profit_factor: profitFactor,
    avg_win: orBecause(meanOf(wins.map((t) => t.net_pnl)), noTrades ? 'no trades' : 'no winning trade'),
    avg_loss: orBecause(meanOf(losses.map((t) => t.net_pnl)), noTrades ? 'no trades' : 'no losing trade'),
    largest_win: wins.length ? defined(Math.max(...wins.map((t) => t.net_pnl))) : undefinedBecause(noTrades ? 'no trades' : 'no winning trade'),
    largest_loss: losses.length ? defined(Math.min(...losses.map((t) => t.net_pnl))) : undefinedBecause(noTrades ? 'no trades' : 'no losing trade'),
    avg_holding_period_hours: hours(trades),
    avg_holding_period_bars: meanOf(trades.map((t) => t.holding_period_bars)),
    avg_win_holding_period: orBecause(hours(wins), noTrades ? 'no trades' : 'no winning trade'),
    avg_loss_holding_period: orBecause(hours(losses), noTrades ? 'no trades' : 'no losing trade'),
    recovery_factor: orNoTrades(ratioOf(defined(totalReturn), maxDd, 'no drawdown')),
  });

  return {
    total_return: totalReturn,
    total_return_pct: stats.total_return_pct,
    max_drawdown_pct: stats.max_drawdown_pct,
    max_drawdown: stats.max_drawdown,
    total_trades: trades.length,
    winning_trades: wins.length,
    losing_trades: losses.length,
    exposure: position.length ? inMarket / position.length : 0,
    total_commission: trades.reduce((a, t) => a + t.commission, 0),
    total_slippage: trades.reduce((a, t) => a + t.slippage, 0),
    total_spread_cost: trades.reduce((a, t) => a + (t.spread_cost ?? 0), 0),
    final_equity: finalEquity,
    bars: n,
    bars_per_year: bpy,
    years,
    ...nullable,
  };
}
