import type { EngineCosts } from '../instruments';
import type { DecisionConfig } from './decisions';

/** The bar columns the engine reads. Timestamps are bar OPEN times in UTC ms (as in BarSeries). */
export interface EngineBars {
  time: Float64Array;
  open: Float64Array;
  high: Float64Array;
  low: Float64Array;
  close: Float64Array;
}

export interface EngineSignals {
  /** Per bar: BUY/HOLD/SELL from classifyProbabilities (threshold and validity already applied). */
  action: Uint8Array;
  /** Per bar: the model's confidence in that action (recorded on trades). */
  confidence: Float32Array | Float64Array;
}

export interface EngineConfig {
  initial_capital: number;
  /** Fraction of notional charged on entry AND on exit. */
  commission: number;
  /** Fraction the fill price moves against the trade: buy at open·(1+s), sell at open·(1−s). */
  slippage: number;
  /**
   * The instrument's cost model (src/core/instruments): half-spread per fill, slippage in price units
   * and/or fraction, commission by model. When set it REPLACES `commission` and `slippage` above,
   * which then only describe KTRDR's legacy model (used when `costs` is absent).
   */
  costs?: EngineCosts | null;
  /**
   * Per bar: traded price ÷ bar price (split factor of split-adjusted bars; src/core/instruments/splits.ts).
   * Per-share costs and whole-share sizing apply to the quantity really traded. null/absent: 1.
   */
  price_factor?: Float64Array | null;
  /** Fraction of available cash committed per position (KTRDR: 0.25). */
  position_size: number;
  /** Whole units only (KTRDR). False allows fractional quantities (crypto, small accounts). */
  integer_quantity: boolean;
  /** Bar length in ms: the forced close happens at the last bar's close = its open time + this. */
  bar_ms: number;
  decisions: DecisionConfig;
}

export const DEFAULT_POSITION_SIZE = 0.25;

export type TradeSide = 'LONG' | 'SHORT';
export type ExitReason = 'signal' | 'end_of_data';

export interface Trade {
  trade_id: number;
  side: TradeSide;
  /** Fill times: the open of the fill bar, or the last bar's close time for the forced close. */
  entry_time: string;
  exit_time: string;
  entry_bar: number;
  exit_bar: number;
  /** Fill prices, slippage included. */
  entry_price: number;
  exit_price: number;
  quantity: number;
  /** (exit − entry)·qty for a long, (entry − exit)·qty for a short, at the fill prices. */
  gross_pnl: number;
  /** Entry commission + exit commission. */
  commission: number;
  /** What slippage cost on entry and exit, both legs (inside the fill prices, so inside gross_pnl). */
  slippage: number;
  /** What the half-spread cost on entry and exit: spread/2·qty per leg (inside the fill prices, so inside gross_pnl). */
  spread_cost: number;
  /** gross − both commissions: exactly the change in cash this trade caused. */
  net_pnl: number;
  /** KTRDR's old wire names: pnl = net_pnl, pnl_percent = net / entry notional × 100. */
  pnl: number;
  pnl_percent: number;
  /** Bars the position was exposed to: exit_bar − entry_bar (+1 when closed at a close). */
  holding_period_bars: number;
  holding_period_hours: number;
  /** Best and worst unrealised PnL while open, from the bars' highs and lows (currency; ≥ 0 and ≤ 0). */
  max_favorable_excursion: number;
  max_adverse_excursion: number;
  entry_confidence: number;
  exit_confidence: number | null;
  exit_reason: ExitReason;
}

export interface EquityCurve {
  /** Bar open times (ms); values are the equity at that bar's close (after the forced close on the last bar). */
  time: Float64Array;
  values: Float64Array;
  /** Fraction below the running peak (initial capital counts as the first peak). */
  drawdowns: Float64Array;
}

export interface EngineResult {
  trades: Trade[];
  equity: EquityCurve;
  /** Per bar: +1 long, 0 flat, −1 short — the position held during that bar. */
  position: Int8Array;
  /** Per bar: the signal decided at that bar's close after all rules (BUY/HOLD/SELL). */
  signals: Uint8Array;
  initial_capital: number;
  final_equity: number;
  final_cash: number;
}
