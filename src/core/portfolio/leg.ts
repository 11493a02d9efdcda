// One leg of the portfolio book: its fixed inputs (costs, decision rules, calendar; the bar columns
// are read from the book's tape) and the state of its open trade. The book's loop reads one leg
// object per member of a step; plain fields keep that as cheap as the single-symbol engine's (V8
// keeps object fields in registers where typed-array slots, which may alias the outputs, are reloaded).
import { HOLD, type DecisionConfig } from '../backtest/decisions';
import { estimateBarsPerYear } from '../backtest/metrics';
import type { CommissionModel, EngineCosts } from '../instruments';
import type { LegInput } from './types';

function checkCosts(symbol: string, k: EngineCosts): void {
  if (!(k.spread >= 0) || !(k.slippage >= 0)) throw new Error(`${symbol}: costs.spread and costs.slippage must be ≥ 0 (got ${k.spread}, ${k.slippage})`);
  if (!(k.slippage_fraction >= 0 && k.slippage_fraction < 1)) throw new Error(`${symbol}: costs.slippage_fraction must be in [0, 1) (got ${k.slippage_fraction})`);
  const m = k.commission;
  const bad =
    m.type === 'fraction' ? !(m.rate >= 0 && m.rate < 1) : m.type === 'per_share' ? !(m.per_share >= 0 && m.minimum >= 0 && m.maximum_fraction >= 0 && m.maximum_fraction < 1) : !(m.per_lot >= 0 && m.lot_size > 0);
  if (bad) throw new Error(`${symbol}: invalid commission model ${JSON.stringify(m)}`);
}

export function checkLeg(leg: LegInput): void {
  const n = leg.bars.time.length;
  for (const k of ['open', 'high', 'low', 'close'] as const) {
    if (leg.bars[k].length !== n) throw new Error(`${leg.symbol}: bars.${k} has ${leg.bars[k].length} values, time has ${n}`);
  }
  if (leg.signals.action.length < n || leg.signals.confidence.length < n) throw new Error(`${leg.symbol}: signals cover fewer than ${n} bars`);
  if (!(leg.bar_ms > 0)) throw new Error(`${leg.symbol}: bar_ms must be > 0 (got ${leg.bar_ms})`);
  const f = leg.price_factor;
  if (f) {
    if (f.length < n) throw new Error(`${leg.symbol}: price_factor covers fewer than ${n} bars`);
    for (let k = 0; k < n; k++) if (!(f[k] > 0 && Number.isFinite(f[k]))) throw new Error(`${leg.symbol}: price_factor must be a finite number > 0 (bar ${k}: ${f[k]})`);
  }
  checkCosts(leg.symbol, leg.costs);
}

export class LegState {
  // Inputs.
  readonly symbol: string;
  /** Closes, for the sizing rules' trailing statistics. */
  readonly close: Float64Array;
  /** Traded price ÷ series price per bar; null = 1. */
  readonly factor: Float64Array | null;
  readonly lastBar: number;
  readonly barMs: number;
  readonly barsPerYear: number;
  readonly dec: DecisionConfig;
  readonly halfSpread: number;
  readonly slipPrice: number;
  readonly slipFraction: number;
  readonly commission: CommissionModel;

  // The open trade (signed quantity: > 0 long, < 0 short) and the leg's bookkeeping.
  qty = 0;
  /** Last close seen. */
  mark = 0;
  /** Average entry price of the open position. */
  entryPrice = 0;
  entryBar = -1;
  entryTime = 0;
  /** Units bought (long) / sold short into the trade, rebalancing included. */
  entryUnits = 0;
  entryConfidence = 0;
  tradeCommission = 0;
  tradeSlippage = 0;
  tradeSpread = 0;
  /** Gross PnL realised by rebalancing reductions of the open trade. */
  realised = 0;
  exitUnits = 0;
  exitValue = 0;
  adjustments = 0;
  mfe = 0;
  mae = 0;
  lastTradeTime = NaN;
  /** BUY/SELL/HOLD, or REBALANCE: what fills at the leg's next open. */
  pending: number = HOLD;
  pendingConfidence = 0;
  /** A new rebalancing period began: resize at the next close's decision. */
  rebalanceDue = false;
  /** The leg's cash flows so far (its value = cash + qty × mark). */
  cash = 0;
  /** Index in the book's list of open legs, −1 when flat. */
  openSlot = -1;
  rebalanceFills = 0;
  /** Σ over steps of |position value| ÷ equity (record_details). */
  exposureSum = 0;
  skippedSizing = 0;
  skippedGross = 0;
  skippedSmall = 0;
  /** Kelly sizing: returns of the closed trades (net PnL ÷ entry notional), oldest first. */
  tradeReturns: Float64Array;
  closedCount = 0;

  constructor(
    readonly index: number,
    leg: LegInput,
    opts: { keepTradeReturns: boolean; needBarsPerYear: boolean },
  ) {
    const n = leg.bars.time.length;
    this.symbol = leg.symbol;
    this.close = leg.bars.close;
    this.factor = leg.price_factor ?? null;
    this.lastBar = n - 1;
    this.barMs = leg.bar_ms;
    this.barsPerYear = leg.bars_per_year ?? (opts.needBarsPerYear ? estimateBarsPerYear(leg.bars.time, leg.bar_ms) : 0);
    this.dec = leg.decisions;
    this.halfSpread = leg.costs.spread / 2;
    this.slipPrice = leg.costs.slippage;
    this.slipFraction = leg.costs.slippage_fraction;
    this.commission = leg.costs.commission;
    this.tradeReturns = new Float64Array(opts.keepTradeReturns ? 16 : 0);
  }

  factorAt(k: number): number {
    return this.factor === null ? 1 : this.factor[k];
  }

  recordReturn(r: number): void {
    if (this.closedCount === this.tradeReturns.length) {
      const grown = new Float64Array(Math.max(16, this.tradeReturns.length * 2));
      grown.set(this.tradeReturns);
      this.tradeReturns = grown;
    }
    this.tradeReturns[this.closedCount++] = r;
  }
}
