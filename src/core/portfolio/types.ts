// The portfolio book's inputs and outputs. One book holds N legs (one instrument each) and one cash
// account in the account currency; the single-symbol backtest is the 1-leg case
// (src/core/backtest/engine.ts wraps it). Arrays are typed and per leg (struct of arrays), so memory
// is linear in legs × bars.
import type { DecisionConfig } from '../backtest/decisions';
import type { EngineBars, EngineSignals, Trade } from '../backtest/types';
import type { EngineCosts } from '../instruments';
import type { Fill } from './fills';

export interface LegInput {
  symbol: string;
  /** Bar columns; time = bar OPEN times (UTC ms), ascending. */
  bars: EngineBars;
  /** Bar length in ms: the forced close at the end of the leg's data happens at its last open + this. */
  bar_ms: number;
  /** Per bar: the decided action (BUY/HOLD/SELL, threshold applied) and the model's confidence. */
  signals: EngineSignals;
  /** What a fill costs (src/core/instruments): in the units of the prices AS TRADED (see price_factor). */
  costs: EngineCosts;
  decisions: DecisionConfig;
  /**
   * Per bar: traded price ÷ series price (the split factor F of split-adjusted data: a share that
   * traded at P·F is one of F series units). Per-share commission, spread and slippage in price units
   * and whole-share rounding apply to the quantity really traded, q / F. null: prices as traded (F = 1).
   */
  price_factor?: Float64Array | null;
  /** Bars per year of this leg's calendar (volatility-target annualisation); measured from its bars when absent. */
  bars_per_year?: number;
}

/** How much an entry (or a rebalance) puts into a leg, as a budget of equity at the fill. */
export type SizingRule =
  /** `fraction` of equity per position (KTRDR's 25 %: with one leg, equity at an entry is the cash). */
  | { type: 'fixed_fraction'; fraction: number }
  /** max_gross_exposure ÷ N of equity per position. */
  | { type: 'equal_weight' }
  /**
   * Each leg targets annual_volatility ÷ N: budget = equity · (annual_volatility / N) / σ_leg, σ_leg the
   * annualised standard deviation of the leg's last `lookback_bars` close-to-close returns (all closed
   * before the fill). By the triangle inequality the portfolio's volatility stays ≤ the target.
   */
  | { type: 'volatility_target'; annual_volatility: number; lookback_bars: number }
  /**
   * Fractional Kelly from the leg's own closed trades: f* = mean(r) / mean(r²) over the returns r
   * (net PnL ÷ entry notional) of its last `lookback_trades` trades (the log-optimal fraction to
   * second order); budget = equity · min(cap, fraction · f*); `warmup_fraction` of equity until
   * `min_trades` trades have closed; no entry when f* ≤ 0.
   */
  | { type: 'kelly'; fraction: number; cap: number; min_trades: number; lookback_trades: number; warmup_fraction: number };

export type RebalancePeriod = 'day' | 'week' | 'month';

export interface PortfolioConfig {
  initial_capital: number;
  sizing: SizingRule;
  /** Σ |position value| ≤ this × equity after an entry or a rebalance buy (entries shrink to fit). */
  max_gross_exposure: number;
  /** Whole units as traded (shares, not split-adjusted units) when true. */
  integer_quantity: boolean;
  /** Open positions are resized to their sizing rule's budget once per period (null: never). */
  rebalance: RebalancePeriod | null;
  /** A rebalance smaller than this fraction of the position's value is skipped (no churn). */
  min_rebalance_fraction: number;
  /**
   * Keep each leg's value (its cash flows + position at the close) per bar and the gross exposure per
   * step, for leg correlations, curves and exposure (off for the single-symbol engine and random runs).
   */
  record_details: boolean;
}

export const DEFAULT_PORTFOLIO_CONFIG: Omit<PortfolioConfig, 'initial_capital' | 'sizing'> = {
  max_gross_exposure: 1,
  integer_quantity: true,
  rebalance: null,
  min_rebalance_fraction: 0.1,
  record_details: false,
};

/** Why entries were not taken (counts per leg). */
export interface SkippedEntries {
  /** The sizing rule gave no budget (unknown volatility, non-positive Kelly fraction, no equity). */
  sizing: number;
  /** The gross exposure cap left no room. */
  gross_exposure: number;
  /** Less than one unit affordable, or costs above the price. */
  too_small: number;
}

export interface LegResult {
  symbol: string;
  trades: Trade[];
  /** Per bar of the leg: +1 long, 0 flat, −1 short (held during the bar). */
  position: Int8Array;
  /** Per bar of the leg: the signal decided at its close after all rules. */
  signals: Uint8Array;
  /** Per bar of the leg (record_details): the leg's cash flows so far + its position at that close. */
  value: Float64Array | null;
  /** Fills that resized an open position (rebalancing), not counted as trades. */
  rebalance_fills: number;
  /** Mean over the book's steps of |position value| ÷ equity (record_details; null otherwise). */
  exposure: number | null;
  skipped_entries: SkippedEntries;
}

export interface PortfolioEngineResult {
  /** One point per step: the open time of the bars that make the step (the union of the legs' bar times). */
  time: Float64Array;
  /** Equity at the step's close (cash + every open position at its leg's last close). */
  equity: Float64Array;
  /** Fraction below the running peak (initial capital is the first peak). */
  drawdown: Float64Array;
  /** Σ |position value| ÷ equity at each step's close (record_details; null otherwise). */
  gross_exposure: Float64Array | null;
  legs: LegResult[];
  /** Every fill in order (record_details; null otherwise). */
  fills: Fill[] | null;
  initial_capital: number;
  final_equity: number;
  final_cash: number;
}
