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
// Not finite results (no trades, zero variance, no losses) are reported as KTRDR does: 0 for
// undefined ratios, 999999 for an unbounded profit factor.

import type { Trade } from './types';

export const YEAR_MS = 365.25 * 86_400_000;
export const UNBOUNDED = 999_999;

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
  annualized_return: number;
  volatility: number;
  sharpe_ratio: number;
  sortino_ratio: number;
  max_drawdown_pct: number;
}

export interface BenchmarkMetrics extends ReturnStats {
  /** Buy at the first bar's close with all capital, hold to the last close, no costs. */
  kind: 'buy_and_hold';
  total_return: number;
  final_equity: number;
  max_drawdown: number;
}

export interface PerformanceMetrics extends ReturnStats {
  total_return: number;
  calmar_ratio: number;
  max_drawdown: number;
  total_trades: number;
  winning_trades: number;
  losing_trades: number;
  win_rate: number;
  profit_factor: number;
  avg_win: number;
  avg_loss: number;
  largest_win: number;
  largest_loss: number;
  /** Hours (KTRDR's key and unit). */
  avg_holding_period: number;
  avg_holding_period_hours: number;
  avg_holding_period_bars: number;
  avg_win_holding_period: number;
  avg_loss_holding_period: number;
  recovery_factor: number;
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
  benchmark: BenchmarkMetrics;
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

const ratio = (num: number, den: number) => (den > 1e-12 && Number.isFinite(num / den) ? num / den : 0);

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
  const annualized = years > 0 && growth > 0 ? Math.pow(growth, 1 / years) - 1 : growth <= 0 ? -1 : 0;
  return {
    total_return_pct: growth - 1,
    annualized_return: Number.isFinite(annualized) ? annualized : UNBOUNDED,
    volatility: std * annual,
    sharpe_ratio: std > 1e-12 ? (mean / std) * annual : 0,
    sortino_ratio: downside > 1e-12 ? (mean / downside) * annual : 0,
    max_drawdown_pct: maxDdPct,
    max_drawdown: maxDd,
  };
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

const mean = (xs: number[]) => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : 0);

export function computeMetrics(input: MetricsInput): PerformanceMetrics {
  const { time, equity, initial_capital: initial, trades, position, close, bar_ms } = input;
  const n = equity.length;
  const years = yearsSpanned(time, bar_ms);
  const bpy = input.bars_per_year ?? estimateBarsPerYear(time, bar_ms);
  const stats = returnStats(equity, initial, bpy, years);
  const finalEquity = n > 0 ? equity[n - 1] : initial;
  const totalReturn = finalEquity - initial;

  const wins = trades.filter((t) => t.net_pnl > 0);
  const losses = trades.filter((t) => t.net_pnl < 0);
  const grossWin = wins.reduce((a, t) => a + t.net_pnl, 0);
  const grossLoss = losses.reduce((a, t) => a + t.net_pnl, 0);
  const profitFactor = losses.length ? grossWin / -grossLoss : wins.length ? UNBOUNDED : 0;

  let inMarket = 0;
  for (let t = 0; t < position.length; t++) if (position[t] !== 0) inMarket++;
  const hours = (ts: readonly Trade[]) => mean(ts.map((t) => t.holding_period_hours));
  const avgHours = hours(trades);

  return {
    total_return: totalReturn,
    total_return_pct: stats.total_return_pct,
    annualized_return: stats.annualized_return,
    volatility: stats.volatility,
    sharpe_ratio: stats.sharpe_ratio,
    sortino_ratio: stats.sortino_ratio,
    max_drawdown_pct: stats.max_drawdown_pct,
    calmar_ratio: ratio(stats.annualized_return, stats.max_drawdown_pct),
    max_drawdown: stats.max_drawdown,
    total_trades: trades.length,
    winning_trades: wins.length,
    losing_trades: losses.length,
    win_rate: trades.length ? wins.length / trades.length : 0,
    profit_factor: profitFactor,
    avg_win: mean(wins.map((t) => t.net_pnl)),
    avg_loss: mean(losses.map((t) => t.net_pnl)),
    largest_win: wins.length ? Math.max(...wins.map((t) => t.net_pnl)) : 0,
    largest_loss: losses.length ? Math.min(...losses.map((t) => t.net_pnl)) : 0,
    avg_holding_period: avgHours,
    avg_holding_period_hours: avgHours,
    avg_holding_period_bars: mean(trades.map((t) => t.holding_period_bars)),
    avg_win_holding_period: hours(wins),
    avg_loss_holding_period: hours(losses),
    recovery_factor: ratio(totalReturn, stats.max_drawdown),
    exposure: position.length ? inMarket / position.length : 0,
    total_commission: trades.reduce((a, t) => a + t.commission, 0),
    total_slippage: trades.reduce((a, t) => a + t.slippage, 0),
    total_spread_cost: trades.reduce((a, t) => a + (t.spread_cost ?? 0), 0),
    final_equity: finalEquity,
    bars: n,
    bars_per_year: bpy,
    years,
    benchmark: buyAndHold(close, initial, bpy, years),
  };
}

/** NaN → 0, ±∞ → ±999999 (KTRDR's JSON rule), recursively over plain objects. */
export function sanitizeForJson<T>(value: T): T {
  if (typeof value === 'number') {
    if (Number.isNaN(value)) return 0 as T;
    if (value === Infinity) return UNBOUNDED as T;
    if (value === -Infinity) return -UNBOUNDED as T;
    return value;
  }
  if (Array.isArray(value)) return value.map((v) => sanitizeForJson(v)) as T;
  if (value && typeof value === 'object' && !ArrayBuffer.isView(value)) {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = sanitizeForJson(v);
    return out as T;
  }
  return value;
}
