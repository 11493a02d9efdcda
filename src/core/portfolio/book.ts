// The portfolio book: N legs, one cash account, one event loop. The single-symbol backtest is its
// 1-leg case (src/core/backtest/engine.ts), so costs, metrics and significance are shared.
//
// Per step s of the schedule (the union of the legs' bar open times; schedule.ts), in this order:
//   1. fills at the open of every member leg's bar: first the signals that CLOSE a position (so the
//      cash they free is there), then entries and rebalances. Fill prices move against the trade by
//      slippage and half the spread; commission by the leg's model. An entry's size comes from the
//      sizing rule (sizing.ts) on the equity marked at the last closes (all at or before this open),
//      capped so that Σ |position value| ≤ max_gross_exposure × equity;
//   2. each member's excursions over its bar, its position, its mark (the bar's close);
//   3. on a leg's last bar its open position is closed at that close (end of its data); otherwise the
//      leg's model row (features known at that close) gives the signal for the leg's next open, and a
//      due rebalance is queued;
//   4. equity = cash + Σ open quantity × the leg's last close; the drawdown and gross exposure.
// A leg without a bar at a step keeps its position and its last close.
//
// Cash model (as KTRDR's single book): a long debits notional + commission and credits notional −
// commission on exit; a short credits the proceeds − commission and debits notional + commission when
// covered. Each trade's net PnL is exactly its cash effect, so Σ net trade PnL = final equity −
// initial capital. Rebalancing resizes an open position at average cost: what it sells realises
// (fill − average entry) × units into the trade's gross PnL, what it buys moves the average entry.
//
// Split-adjusted series (price_factor F ≠ 1): a series unit is 1/F of a traded share, so spread and
// slippage in price units and per-share/per-lot commission are charged on q / F shares, and whole-share
// sizing rounds q / F.
//
// Memory layout: the bar columns are read from a tape in loop order (tape.ts: time-major for legs on
// one clock, the leg's own arrays for one leg), each leg's state is one small object (leg.ts), the
// per-bar outputs are written in loop order and split per leg once, in finish(). The loop allocates
// nothing per bar; closed trades go into a columnar TradeLog.

import * as decisions from '../backtest/decisions';
import { TradeLog, type ClosedTrade } from '../backtest/trade-log';
import * as instruments from '../instruments';
import { actionTape, buildTape, perLeg, type Tape } from './tape';
import { FillLog } from './fills';
import { checkLeg, LegState } from './leg';
import * as sizingRules from './sizing';
import type { SizingContext } from './sizing';
import type { LegInput, LegResult, PortfolioConfig, PortfolioEngineResult } from './types';

// Module-local copies: the loop reads these per bar, and where this file runs as CommonJS (tsx: the
// benches, the CLI) every read of an imported binding is a getter call (measured on the old engine).
const { BUY, FLAT, filterSignal, HOLD, LONG, SELL, SHORT } = decisions;
const { affordableUnits, commissionFor } = instruments;
const { checkSizing, sizingBudget } = sizingRules;
const DAY_MS = 86_400_000;
/** Pending code for a queued rebalance (beside BUY/HOLD/SELL). */
const REBALANCE = 3;

function checkConfig(c: PortfolioConfig): void {
  if (!(c.initial_capital > 0)) throw new Error(`initial_capital must be > 0 (got ${c.initial_capital})`);
  if (!(c.max_gross_exposure > 0 && c.max_gross_exposure <= 100)) throw new Error(`max_gross_exposure must be in (0, 100] (got ${c.max_gross_exposure})`);
  if (!(c.min_rebalance_fraction >= 0 && c.min_rebalance_fraction < 1)) throw new Error(`min_rebalance_fraction must be in [0, 1) (got ${c.min_rebalance_fraction})`);
  if (c.rebalance !== null && c.rebalance !== 'day' && c.rebalance !== 'week' && c.rebalance !== 'month') throw new Error(`rebalance must be day, week, month or null (got ${String(c.rebalance)})`);
  checkSizing(c.sizing);
}

/** Calendar period of a time, for rebalancing: UTC day, ISO week (Monday first), or month. */
export function periodKey(ms: number, period: 'day' | 'week' | 'month'): number {
  const day = Math.floor(ms / DAY_MS);
  if (period === 'day') return day;
  if (period === 'week') return Math.floor((day + 3) / 7); // 1970-01-01 was a Thursday
  const d = new Date(ms);
  return d.getUTCFullYear() * 12 + d.getUTCMonth();
}

export class PortfolioBook {
  /** Steps in the schedule. */
  readonly steps: number;
  readonly legCount: number;
  private s = 0;
  private finished = false;
  private readonly tape: Tape;
  private readonly legs: LegState[];

  // Cash and the open legs.
  private cash: number;
  private peak: number;
  private readonly openList: LegState[] = [];
  /** Legs force-closed at this step's close (their data ended) and the |value| they held (record_details). */
  private readonly endedLegs: LegState[] = [];
  private readonly endedValues: number[] = [];
  private pendingCount = 0;
  /** Pending orders that close a position (filled before the entries at the same open). */
  private pendingExits = 0;
  // Equity and Σ |position value| as of now inside a step's fills (marked at the last closes).
  private eqNow: number;
  private grossNow = 0;
  private lastPeriod = NaN;
  private readonly sizingCtx: SizingContext;
  /** The fixed_fraction rule's fraction (0 for the other rules). */
  private readonly fixedFraction: number;
  private readonly lengths: number[];
  private readonly maxGross: number;
  private readonly integerQty: boolean;

  // Outputs.
  private readonly equity: Float64Array;
  private readonly drawdown: Float64Array;
  /** Σ |position value| at each step's close (gross exposure = this ÷ equity), when recording details. */
  private readonly grossValue: Float64Array | null;
  /** Σ |position value| at the last processed close. */
  private lastGross = 0;
  /** Per member of the tape, in loop order (split per leg in finish()). */
  private readonly position: Int8Array;
  private readonly signals: Uint8Array;
  private readonly values: Float64Array | null;
  private readonly log = new TradeLog(16);
  private readonly fills: FillLog | null;
  private readonly scratch: ClosedTrade = {
    side: 0,
    entryBar: 0,
    exitBar: 0,
    entryTime: 0,
    exitTime: 0,
    entryPrice: 0,
    exitPrice: 0,
    quantity: 0,
    grossPnl: 0,
    commission: 0,
    slippage: 0,
    spread: 0,
    netPnl: 0,
    mfe: 0,
    mae: 0,
    entryConfidence: 0,
    exitConfidence: NaN,
    forced: false,
    leg: 0,
    adjustments: 0,
  };
  // fillPrice() and splitCost() results.
  private fp = 0;
  private fpSlipped = 0;
  private fpSlip = 0;
  private fpSpread = 0;

  /**
   * `tape`: the legs' inputs already laid out (buildTape); random-entry runs reuse one with new
   * actions (withActions). Built from `inputs` when absent.
   */
  constructor(
    inputs: readonly LegInput[],
    private readonly cfg: PortfolioConfig,
    tape?: Tape,
  ) {
    checkConfig(cfg);
    if (inputs.length === 0) throw new Error('a portfolio needs at least one leg');
    inputs.forEach(checkLeg);
    this.tape = tape ?? buildTape(inputs);
    if (this.tape.legs !== inputs.length) throw new Error(`the tape holds ${this.tape.legs} legs, not ${inputs.length}`);
    this.steps = this.tape.time.length;
    this.legCount = inputs.length;
    const opts = { keepTradeReturns: cfg.sizing.type === 'kelly', needBarsPerYear: cfg.sizing.type === 'volatility_target' };
    this.legs = inputs.map((l, i) => new LegState(i, l, opts));
    this.lengths = inputs.map((l) => l.bars.time.length);
    this.cash = cfg.initial_capital;
    this.peak = cfg.initial_capital;
    this.eqNow = cfg.initial_capital;
    this.maxGross = cfg.max_gross_exposure;
    this.integerQty = cfg.integer_quantity;
    this.fixedFraction = cfg.sizing.type === 'fixed_fraction' ? cfg.sizing.fraction : 0;
    this.sizingCtx = { legs: inputs.length, equity: 0, close: this.legs[0].close, bar: 0, barsPerYear: 0, tradeReturns: this.legs[0].tradeReturns, tradeCount: 0 };
    this.equity = new Float64Array(this.steps);
    this.drawdown = new Float64Array(this.steps);
    this.grossValue = cfg.record_details ? new Float64Array(this.steps) : null;
    this.position = new Int8Array(this.tape.members);
    this.signals = new Uint8Array(this.tape.members).fill(HOLD);
    this.values = cfg.record_details ? new Float64Array(this.tape.members) : null;
    this.fills = cfg.record_details ? new FillLog() : null;
  }

  /** Steps processed so far. */
  get processed(): number {
    return this.s;
  }

  /** Trades closed so far, every leg. */
  get tradeCount(): number {
    return this.log.count;
  }

  /** Equity at the close of the last processed step (initial capital before the first). */
  get currentEquity(): number {
    return this.s === 0 ? this.cfg.initial_capital : this.equity[this.s - 1];
  }

  get currentDrawdown(): number {
    return this.s === 0 ? 0 : this.drawdown[this.s - 1];
  }

  /** Open time of a step. */
  stepTime(s: number): number {
    return this.tape.time[s];
  }

  /** Processes steps up to (not including) `end`; call repeatedly to run in chunks. */
  runUntil(end: number): void {
    const stop = Math.min(end, this.steps);
    const tp = this.tape;
    const dense = tp.dense;
    const legs = this.legs;
    const N = this.legCount;
    const openList = this.openList;
    // Everything the loop touches per member, as locals (property loads on `this` cost in the hot loop).
    const { time: stepTime, high, low, close, action, confidence, start, leg: legOf, bar: barOf } = tp;
    const { equity, drawdown, grossValue, position, signals, values } = this;
    const rebalance = this.cfg.rebalance;
    let peak = this.peak;
    let lastGross = this.lastGross;
    for (let s = this.s; s < stop; s++) {
      const a = dense ? s * N : start[s];
      const b = dense ? a + N : start[s + 1];
      const t = stepTime[s];
      // 1. Fills at this step's opens: exits first, then entries and rebalances.
      if (this.pendingCount > 0) this.fillPending(s, a, b, lastGross);
      if (rebalance !== null) this.flagRebalance(s, rebalance);
      // 2-3. Marks, excursions, forced closes at the end of a leg's data, decisions for the next open.
      for (let m = a; m < b; m++) {
        const L = legs[dense ? m - a : legOf[m]];
        const k = dense ? s : barOf[m];
        const q = L.qty;
        const c = close[m];
        if (q !== 0) {
          const ep = L.entryPrice;
          const r = L.realised;
          const hi = (high[m] - ep) * q + r;
          const lo = (low[m] - ep) * q + r;
          const fav = q > 0 ? hi : lo;
          const adv = q > 0 ? lo : hi;
          if (fav > L.mfe) L.mfe = fav;
          if (adv < L.mae) L.mae = adv;
        }
        const pos = q > 0 ? LONG : q < 0 ? SHORT : FLAT;
        position[m] = pos;
        L.mark = c;
        if (k === L.lastBar) {
          if (q !== 0) {
            // Held through this bar until its close: its exposure counts at this step (as a single backtest's does).
            if (grossValue !== null) {
              this.endedLegs.push(L);
              this.endedValues.push(Math.abs(q * c));
            }
            this.closePosition(L, k, t + L.barMs, c, NaN, true);
          }
        } else {
          const act = action[m];
          const sig = act === HOLD ? HOLD : filterSignal(act, pos, t, L.lastTradeTime, L.dec);
          if (sig !== HOLD) {
            signals[m] = sig;
            L.pending = sig;
            L.pendingConfidence = confidence[m];
            this.pendingCount++;
            if ((q > 0 && sig === SELL) || (q < 0 && sig === BUY)) this.pendingExits++;
          } else if (rebalance !== null && L.rebalanceDue && q !== 0) {
            L.pending = REBALANCE;
            this.pendingCount++;
          }
        }
        if (rebalance !== null) L.rebalanceDue = false;
        if (values !== null) values[m] = L.cash + L.qty * c;
      }
      // 4. Equity at this step's close.
      let pv = 0;
      let gross = 0;
      for (let o = 0; o < openList.length; o++) {
        const L = openList[o];
        const v = L.qty * L.mark;
        pv += v;
        gross += v < 0 ? -v : v;
      }
      const v = this.cash + pv;
      equity[s] = v;
      lastGross = gross;
      if (grossValue !== null) {
        // Each open leg's share of equity at this close (averaged over steps into its exposure), and the
        // legs closed at this close because their data ended (held during the bar; not in the next fills' gross).
        const ended = this.endedLegs;
        let endedGross = 0;
        for (let o = 0; o < ended.length; o++) endedGross += this.endedValues[o];
        grossValue[s] = gross + endedGross;
        if (v > 0) {
          for (let o = 0; o < openList.length; o++) openList[o].exposureSum += Math.abs(openList[o].qty * openList[o].mark) / v;
          for (let o = 0; o < ended.length; o++) ended[o].exposureSum += this.endedValues[o] / v;
        }
        if (ended.length) {
          ended.length = 0;
          this.endedValues.length = 0;
        }
      }
      if (v > peak) peak = v;
      drawdown[s] = peak > 0 ? (peak - v) / peak : 0;
    }
    this.peak = peak;
    this.lastGross = lastGross;
    this.s = Math.max(this.s, stop);
  }

  /** Step s's fills for members a .. b−1 with a pending order: closing signals first, then entries and rebalances. */
  private fillPending(s: number, a: number, b: number, lastGross: number): void {
    const tp = this.tape;
    const dense = tp.dense;
    const t = tp.time[s];
    this.eqNow = s === 0 ? this.cfg.initial_capital : this.equity[s - 1];
    this.grossNow = lastGross;
    // Exits first (a pending exit was decided on the position it closes, which only its own fill changes).
    for (let pass = this.pendingExits > 0 ? 0 : 1; pass < 2; pass++) {
      for (let m = a; m < b; m++) {
        const L = this.legs[dense ? m - a : tp.leg[m]];
        const p = L.pending;
        if (p === HOLD) continue;
        const q = L.qty;
        const closing = (q > 0 && p === SELL) || (q < 0 && p === BUY);
        if (closing !== (pass === 0)) continue;
        const k = dense ? s : tp.bar[m];
        if (closing) {
          this.closePosition(L, k, t, tp.open[m], L.pendingConfidence, false);
          this.pendingExits--;
        } else if (p === REBALANCE) this.resize(L, k, t, tp.open[m]);
        else if (q === 0) this.openPosition(L, k, p, t, tp.open[m], L.pendingConfidence);
        // else: BUY while long / SELL while short (no position awareness): nothing to do.
        L.pending = HOLD;
        this.pendingCount--;
      }
      if (this.pendingCount === 0) return;
    }
  }

  /** At the first step of a new period every open leg is due a resize (decided at its next close). */
  private flagRebalance(s: number, period: 'day' | 'week' | 'month'): void {
    const key = periodKey(this.tape.time[s], period);
    const due = this.lastPeriod === this.lastPeriod && key !== this.lastPeriod;
    this.lastPeriod = key;
    if (!due) return;
    for (const L of this.openList) L.rebalanceDue = true;
  }

  /**
   * Fill price of a buy or sell at `raw` on bar k: slippage (fraction, then price units) and half the
   * spread against the trade. Sets fp (the price) and fpSlipped (the price after slippage only).
   */
  private fillPrice(L: LegState, k: number, buying: boolean, raw: number): void {
    const F = L.factor === null ? 1 : L.factor[k];
    const sf = L.slipFraction;
    const slipped = buying ? raw * (1 + sf) + L.slipPrice / F : raw * (1 - sf) - L.slipPrice / F;
    this.fpSlipped = slipped;
    this.fp = buying ? slipped + L.halfSpread / F : slipped - L.halfSpread / F;
  }

  /** What a fill at `price` cost per unit against `raw`, split: slippage first (fpSlip), the rest is spread (fpSpread). */
  private splitCost(raw: number, price: number): void {
    const costPerUnit = Math.abs(price - raw);
    this.fpSlip = Math.min(Math.abs(this.fpSlipped - raw), costPerUnit);
    this.fpSpread = costPerUnit - this.fpSlip;
  }

  /** Cash and the leg's value move by a fill; equity/gross as of now follow (marked at the leg's last close). */
  private applyFill(L: LegState, cashDelta: number, newQty: number): void {
    const oldQty = L.qty;
    this.cash += cashDelta;
    L.cash += cashDelta;
    const mk = L.mark;
    this.eqNow += cashDelta + (newQty - oldQty) * mk;
    this.grossNow += Math.abs(newQty * mk) - Math.abs(oldQty * mk);
    L.qty = newQty;
    const open = this.openList;
    if (oldQty === 0 && newQty !== 0) {
      L.openSlot = open.length;
      open.push(L);
    } else if (oldQty !== 0 && newQty === 0) {
      const last = open.pop()!;
      if (last !== L) {
        open[L.openSlot] = last;
        last.openSlot = L.openSlot;
      }
      L.openSlot = -1;
    }
  }

  private sizing(L: LegState, k: number): number {
    // The single-symbol rule, without the general call.
    if (this.fixedFraction > 0) return this.eqNow > 0 ? this.eqNow * this.fixedFraction : 0;
    const c = this.sizingCtx;
    c.equity = this.eqNow;
    c.close = L.close;
    c.bar = k;
    c.barsPerYear = L.barsPerYear;
    c.tradeReturns = L.tradeReturns;
    c.tradeCount = L.closedCount;
    return sizingBudget(this.cfg, c);
  }

  /** Series units a budget buys at `price` on bar k, commission included; whole traded units when asked. */
  private unitsFor(L: LegState, k: number, budget: number, price: number): number {
    const F = L.factor === null ? 1 : L.factor[k];
    let traded = budget > 0 ? affordableUnits(L.commission, budget, price * F) : 0;
    if (this.integerQty) traded = Math.floor(traded + 1e-9);
    return traded * F;
  }

  private commissionOf(L: LegState, k: number, price: number, size: number): number {
    const F = L.factor === null ? 1 : L.factor[k];
    return commissionFor(L.commission, price * F, size / F);
  }

  /** Opens a position from flat at `raw` (a bar's open). Returns false when nothing was bought or sold. */
  private openPosition(L: LegState, k: number, signal: number, at: number, raw: number, confidence: number): boolean {
    const buying = signal === BUY;
    if (!buying && signal !== SELL) return false;
    this.fillPrice(L, k, buying, raw);
    const price = this.fp;
    // Costs larger than the price itself: never open at that price.
    if (!(price > 0)) {
      L.skippedSmall++;
      return false;
    }
    let budget = this.sizing(L, k);
    if (!(budget > 0)) {
      L.skippedSizing++;
      return false;
    }
    const room = this.maxGross * this.eqNow - this.grossNow;
    if (budget > room) budget = room;
    if (!(budget > 0)) {
      L.skippedGross++;
      return false;
    }
    const size = this.unitsFor(L, k, budget, price);
    if (!(size > 0)) {
      L.skippedSmall++;
      return false;
    }
    const notional = price * size;
    const commission = this.commissionOf(L, k, price, size);
    this.applyFill(L, buying ? -(notional + commission) : notional - commission, buying ? size : -size);
    this.fills?.push(L.index, k, at, 'entry', buying ? 1 : -1, size, price, commission);
    this.splitCost(raw, price);
    L.entryPrice = price;
    L.entryBar = k;
    L.entryTime = at;
    L.entryUnits = size;
    L.tradeCommission = commission;
    L.tradeSlippage = this.fpSlip * size;
    L.tradeSpread = this.fpSpread * size;
    L.realised = 0;
    L.exitUnits = 0;
    L.exitValue = 0;
    L.adjustments = 0;
    L.entryConfidence = confidence;
    L.mfe = 0;
    L.mae = 0;
    L.lastTradeTime = at;
    return true;
  }

  /** Closes the leg's position at `raw` (a bar's open, or its close when forced at the end of the leg's data). */
  private closePosition(L: LegState, k: number, at: number, raw: number, confidence: number, forced: boolean): void {
    const q = L.qty;
    const buying = q < 0;
    this.fillPrice(L, k, buying, raw);
    // A close always happens (at 0 when costs exceed the price), so the books keep balancing.
    const price = this.fp > 0 ? this.fp : 0;
    this.splitCost(raw, price);
    const slipPerUnit = this.fpSlip;
    const spreadPerUnit = this.fpSpread;
    const size = Math.abs(q);
    const notional = price * size;
    const commission = this.commissionOf(L, k, price, size);
    this.applyFill(L, buying ? -(notional + commission) : notional - commission, 0);
    this.fills?.push(L.index, k, at, forced ? 'end_of_data' : 'exit', buying ? 1 : -1, size, price, commission);
    const adjusted = L.adjustments > 0;
    const gross = adjusted ? L.realised + (price - L.entryPrice) * q : (price - L.entryPrice) * q;
    // The exit price itself is a point on the path: it can extend the excursions.
    if (gross > L.mfe) L.mfe = gross;
    if (gross < L.mae) L.mae = gross;
    const t = this.scratch;
    t.side = q > 0 ? 1 : -1;
    t.entryBar = L.entryBar;
    t.exitBar = k;
    t.entryTime = L.entryTime;
    t.exitTime = at;
    t.entryPrice = L.entryPrice;
    // With rebalancing: the average price of every unit sold (long) / bought back (short).
    t.exitPrice = adjusted && L.exitUnits > 0 ? (L.exitValue + notional) / (L.exitUnits + size) : price;
    t.quantity = adjusted ? L.entryUnits : size;
    t.grossPnl = gross;
    t.commission = L.tradeCommission + commission;
    t.slippage = L.tradeSlippage + slipPerUnit * size;
    t.spread = L.tradeSpread + spreadPerUnit * size;
    t.netPnl = gross - t.commission;
    t.mfe = L.mfe;
    t.mae = L.mae;
    t.entryConfidence = L.entryConfidence;
    t.exitConfidence = confidence;
    t.forced = forced;
    t.leg = L.index;
    t.adjustments = L.adjustments;
    this.log.push(t);
    if (L.tradeReturns.length > 0) L.recordReturn(t.entryPrice * t.quantity > 0 ? t.netPnl / (t.entryPrice * t.quantity) : 0);
    L.lastTradeTime = at;
  }

  /** Rebalancing: moves an open position toward its sizing rule's budget at `raw` (a bar's open). */
  private resize(L: LegState, k: number, at: number, raw: number): void {
    const q = L.qty;
    if (q === 0) return;
    const long = q > 0;
    const held = Math.abs(q);
    const mk = L.mark;
    // The target, valued at the last close like the rest of the book.
    let budget = this.sizing(L, k);
    const room = this.maxGross * this.eqNow - (this.grossNow - held * mk);
    if (budget > room) budget = room;
    const F = L.factorAt(k);
    let target = budget > 0 ? budget / (mk * F) : 0;
    if (this.integerQty) target = Math.floor(target + 1e-9);
    target *= F;
    const delta = target - held;
    if (delta === 0 || Math.abs(delta) < this.cfg.min_rebalance_fraction * held) return;
    // Adding to a long or a short buys / sells more; reducing does the opposite.
    const adding = delta > 0;
    const buying = long === adding;
    this.fillPrice(L, k, buying, raw);
    const price = this.fp;
    if (!(price > 0)) return;
    this.splitCost(raw, price);
    const d = Math.abs(delta);
    const notional = price * d;
    const commission = this.commissionOf(L, k, price, d);
    if (adding) {
      L.entryPrice = (L.entryPrice * held + price * d) / (held + d);
      L.entryUnits += d;
    } else {
      L.realised += (long ? price - L.entryPrice : L.entryPrice - price) * d;
      L.exitUnits += d;
      L.exitValue += notional;
    }
    this.applyFill(L, buying ? -(notional + commission) : notional - commission, long === adding ? q + d : q - d);
    this.fills?.push(L.index, k, at, 'rebalance', buying ? 1 : -1, d, price, commission);
    L.tradeCommission += commission;
    L.tradeSlippage += this.fpSlip * d;
    L.tradeSpread += this.fpSpread * d;
    L.adjustments++;
    L.rebalanceFills++;
  }

  private legResults(): LegResult[] {
    const position = perLeg(this.tape, this.position, this.lengths, (n) => new Int8Array(n));
    const signals = perLeg(this.tape, this.signals, this.lengths, (n) => new Uint8Array(n));
    const values = this.values ? perLeg(this.tape, this.values, this.lengths, (n) => new Float64Array(n)) : null;
    const trades = this.log.toTradesByLeg(this.legCount);
    return this.legs.map((L, i) => ({
      symbol: L.symbol,
      trades: trades[i],
      position: position[i],
      signals: signals[i],
      value: values ? values[i] : null,
      rebalance_fills: L.rebalanceFills,
      exposure: this.cfg.record_details && this.steps > 0 ? L.exposureSum / this.steps : null,
      skipped_entries: { sizing: L.skippedSizing, gross_exposure: L.skippedGross, too_small: L.skippedSmall },
    }));
  }

  /** Runs what is left, closes out and returns the results (once). */
  finish(): PortfolioEngineResult {
    if (this.finished) throw new Error('finish() was already called');
    this.runUntil(this.steps);
    this.finished = true;
    return {
      time: this.tape.time,
      equity: this.equity,
      drawdown: this.drawdown,
      gross_exposure: this.grossValue ? this.grossValue.map((g, s) => (this.equity[s] > 0 ? g / this.equity[s] : g > 0 ? Infinity : 0)) : null,
      legs: this.legResults(),
      fills: this.fills ? this.fills.toFills() : null,
      initial_capital: this.cfg.initial_capital,
      final_equity: this.steps > 0 ? this.equity[this.steps - 1] : this.cfg.initial_capital,
      final_cash: this.cash,
    };
  }

  /** finish() without building Trade objects: equity per step and the trade count (random-entry runs). */
  finishEquityOnly(): { equity: Float64Array; trade_count: number } {
    if (this.finished) throw new Error('finish() was already called');
    this.runUntil(this.steps);
    this.finished = true;
    return { equity: this.equity, trade_count: this.log.count };
  }
}

/** The same tape with other actions (random-entry runs: only when each leg trades changes). */
export function withActions(tape: Tape, legs: readonly Pick<LegInput, 'signals'>[]): Tape {
  return { ...tape, action: actionTape(legs, tape) };
}

export function runPortfolio(legs: readonly LegInput[], cfg: PortfolioConfig): PortfolioEngineResult {
  return new PortfolioBook(legs, cfg).finish();
}
