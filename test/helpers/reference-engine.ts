// FROZEN COPY of the single-symbol backtest engine (src/core/backtest/engine.ts and trade-log.ts) as it
// was before it became the 1-leg case of the portfolio book (issue 26). It is the oracle the tests
// and the bench compare the portfolio book with: a 1-symbol portfolio must equal it to the cent.
// Do not edit it to follow the engine: a difference is what the tests are there to catch.
import * as decisions from '../../src/core/backtest/decisions';
import { affordableUnits, commissionFor, type CommissionModel } from '../../src/core/instruments';
import { type EngineBars, type EngineConfig, type EngineResult, type ExitReason, type Trade, type TradeSide } from '../../src/core/backtest/types';

const HOUR_MS = 3_600_000;

/** One closed trade's numbers, as the engine hands them over (no strings, no objects). */
interface ClosedTrade {
  side: number; // +1 long, −1 short
  entryBar: number;
  exitBar: number;
  entryTime: number;
  exitTime: number;
  entryPrice: number;
  exitPrice: number;
  quantity: number;
  grossPnl: number;
  commission: number;
  slippage: number;
  spread: number;
  netPnl: number;
  mfe: number;
  mae: number;
  entryConfidence: number;
  exitConfidence: number;
  forced: boolean;
}

const COLUMNS = [
  'side',
  'entryBar',
  'exitBar',
  'entryTime',
  'exitTime',
  'entryPrice',
  'exitPrice',
  'quantity',
  'grossPnl',
  'commission',
  'slippage',
  'netPnl',
  'mfe',
  'mae',
  'entryConfidence',
  'exitConfidence',
  'forced',
  'spread',
] as const;
type Column = (typeof COLUMNS)[number];

/**
 * Closed trades stored as columns of a growing Float64Array buffer, so recording a trade in the bar
 * loop allocates nothing but an occasional doubling. Trade objects are built once, at the end.
 */
class TradeLog {
  private buf: Float64Array;
  private capacity: number;
  count = 0;

  constructor(initialCapacity = 64) {
    this.capacity = Math.max(1, initialCapacity);
    this.buf = new Float64Array(this.capacity * COLUMNS.length);
  }

  push(t: ClosedTrade): void {
    if (this.count === this.capacity) this.grow();
    const o = this.count * COLUMNS.length;
    const b = this.buf;
    b[o] = t.side;
    b[o + 1] = t.entryBar;
    b[o + 2] = t.exitBar;
    b[o + 3] = t.entryTime;
    b[o + 4] = t.exitTime;
    b[o + 5] = t.entryPrice;
    b[o + 6] = t.exitPrice;
    b[o + 7] = t.quantity;
    b[o + 8] = t.grossPnl;
    b[o + 9] = t.commission;
    b[o + 10] = t.slippage;
    b[o + 11] = t.netPnl;
    b[o + 12] = t.mfe;
    b[o + 13] = t.mae;
    b[o + 14] = t.entryConfidence;
    b[o + 15] = t.exitConfidence;
    b[o + 16] = t.forced ? 1 : 0;
    b[o + 17] = t.spread;
    this.count++;
  }

  get(i: number, column: Column): number {
    return this.buf[i * COLUMNS.length + COLUMNS.indexOf(column)];
  }

  /** Σ net PnL of the trades recorded so far. */
  netPnlSum(): number {
    let s = 0;
    for (let i = 0; i < this.count; i++) s += this.buf[i * COLUMNS.length + 11];
    return s;
  }

  toTrades(): Trade[] {
    const out: Trade[] = [];
    for (let i = 0; i < this.count; i++) {
      const o = i * COLUMNS.length;
      const b = this.buf;
      const entryPrice = b[o + 5];
      const quantity = b[o + 7];
      const net = b[o + 11];
      const forced = b[o + 16] === 1;
      const exitConfidence = b[o + 15];
      out.push({
        trade_id: i + 1,
        side: (b[o] > 0 ? 'LONG' : 'SHORT') as TradeSide,
        entry_time: new Date(b[o + 3]).toISOString(),
        exit_time: new Date(b[o + 4]).toISOString(),
        entry_bar: b[o + 1],
        exit_bar: b[o + 2],
        entry_price: entryPrice,
        exit_price: b[o + 6],
        quantity,
        gross_pnl: b[o + 8],
        commission: b[o + 9],
        slippage: b[o + 10],
        spread_cost: b[o + 17],
        net_pnl: net,
        pnl: net,
        pnl_percent: entryPrice * quantity > 0 ? (net / (entryPrice * quantity)) * 100 : 0,
        holding_period_bars: b[o + 2] - b[o + 1] + (forced ? 1 : 0),
        holding_period_hours: (b[o + 4] - b[o + 3]) / HOUR_MS,
        max_favorable_excursion: b[o + 12],
        max_adverse_excursion: b[o + 13],
        entry_confidence: b[o + 14],
        exit_confidence: Number.isNaN(exitConfidence) ? null : exitConfidence,
        exit_reason: (forced ? 'end_of_data' : 'signal') as ExitReason,
      });
    }
    return out;
  }

  private grow(): void {
    const next = new Float64Array(this.capacity * 2 * COLUMNS.length);
    next.set(this.buf);
    this.buf = next;
    this.capacity *= 2;
  }
}

// The backtest event loop. Per bar t, in this order:
//   1. a signal decided at bar t−1's close fills at bar t's OPEN. The fill price moves against the
//      trade by slippage (open·(1±s) ± slippage in price units) and by half the spread (buy at the
//      ask, sell at the bid); commission by the cost model (fraction of notional, per share, per lot),
//      on entry and on exit. Without `costs` the KTRDR model applies: fraction commission and slippage;
//   2. the open position's excursion is updated from bar t's high and low;
//   3. equity is marked to market at bar t's close (cash + signed quantity·close) and the drawdown updated;
//   4. the model's row t (features known at bar t's close) gives the signal for bar t+1's open.
// On the last bar no signal is taken (there is no next open); an open position is closed at the last
// bar's CLOSE, with slippage and commission, and the last equity point is the cash after that close,
// so the forced close shows in the equity curve and Σ net trade PnL = final equity − initial capital.
//
// Cash model: a long debits notional + commission and credits notional − commission on exit; a short
// credits the sale proceeds − commission and debits notional + commission when covered. Equity is
// cash + q·close with q < 0 for a short. Each trade's net PnL is therefore exactly its cash effect.
//
// The loop is allocation-free: state lives in numbers and typed arrays; closed trades go into a
// columnar TradeLog; objects are built once in finish().


// Module-local copies: the per-bar loop reads these millions of times, and where this file runs as
// CommonJS (from sources under tsx: the benches, the CLI) every read of an imported binding is a
// getter call (27 % of the random-entry significance step's time, measured).
const { BUY, FLAT, filterSignal, HOLD, LONG, SELL, SHORT } = decisions;

export interface EngineSignals {
  /** Per bar: BUY/HOLD/SELL from classifyProbabilities (threshold and validity already applied). */
  action: Uint8Array;
  /** Per bar: the model's confidence in that action (recorded on trades). */
  confidence: Float32Array | Float64Array;
}

function checkConfig(c: EngineConfig): void {
  if (!(c.initial_capital > 0)) throw new Error(`initial_capital must be > 0 (got ${c.initial_capital})`);
  if (!(c.commission >= 0 && c.commission < 1)) throw new Error(`commission must be in [0, 1) (got ${c.commission})`);
  if (!(c.slippage >= 0 && c.slippage < 1)) throw new Error(`slippage must be in [0, 1) (got ${c.slippage})`);
  if (c.costs) {
    const k = c.costs;
    if (!(k.spread >= 0) || !(k.slippage >= 0)) throw new Error(`costs.spread and costs.slippage must be ≥ 0 (got ${k.spread}, ${k.slippage})`);
    if (!(k.slippage_fraction >= 0 && k.slippage_fraction < 1)) throw new Error(`costs.slippage_fraction must be in [0, 1) (got ${k.slippage_fraction})`);
    const m = k.commission;
    const bad =
      m.type === 'fraction' ? !(m.rate >= 0 && m.rate < 1) : m.type === 'per_share' ? !(m.per_share >= 0 && m.minimum >= 0 && m.maximum_fraction >= 0 && m.maximum_fraction < 1) : !(m.per_lot >= 0 && m.lot_size > 0);
    if (bad) throw new Error(`invalid commission model ${JSON.stringify(m)}`);
  }
  if (!(c.position_size > 0 && c.position_size <= 1)) throw new Error(`position_size must be in (0, 1] (got ${c.position_size})`);
  if (!(c.bar_ms > 0)) throw new Error(`bar_ms must be > 0 (got ${c.bar_ms})`);
}

export class ReferenceEngine {
  readonly n: number;
  private t = 0;
  private finished = false;

  // Book.
  private cash: number;
  private qty = 0; // signed: > 0 long, < 0 short
  private entryPrice = 0;
  private entryBar = -1;
  private entryTime = 0;
  private entryCommission = 0;
  private entrySlippage = 0;
  private entrySpread = 0;
  private entryConfidence = 0;
  private mfe = 0;
  private mae = 0;
  private lastTradeTime = NaN;
  private pending = HOLD;
  private pendingConfidence = 0;
  private peak: number;

  // Costs, resolved once: the cost model, or KTRDR's fractions.
  private readonly halfSpread: number;
  private readonly slipPrice: number;
  private readonly slipFraction: number;
  private readonly commission: CommissionModel;

  // Outputs.
  private readonly equity: Float64Array;
  private readonly drawdown: Float64Array;
  private readonly position: Int8Array;
  private readonly signals: Uint8Array;
  private readonly log = new TradeLog();
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
  };

  constructor(
    private readonly bars: EngineBars,
    private readonly sig: EngineSignals,
    private readonly cfg: EngineConfig,
  ) {
    checkConfig(cfg);
    this.n = bars.time.length;
    for (const k of ['open', 'high', 'low', 'close'] as const) {
      if (bars[k].length !== this.n) throw new Error(`bars.${k} has ${bars[k].length} values, time has ${this.n}`);
    }
    if (sig.action.length < this.n || sig.confidence.length < this.n) throw new Error(`signals cover fewer than ${this.n} bars`);
    const k = cfg.costs;
    this.halfSpread = k ? k.spread / 2 : 0;
    this.slipPrice = k ? k.slippage : 0;
    this.slipFraction = k ? k.slippage_fraction : cfg.slippage;
    this.commission = k ? k.commission : { type: 'fraction', rate: cfg.commission };
    this.cash = cfg.initial_capital;
    this.peak = cfg.initial_capital;
    this.equity = new Float64Array(this.n);
    this.drawdown = new Float64Array(this.n);
    this.position = new Int8Array(this.n);
    this.signals = new Uint8Array(this.n).fill(HOLD);
  }

  /** Bars processed so far. */
  get processed(): number {
    return this.t;
  }

  get tradeCount(): number {
    return this.log.count;
  }

  /** Equity at the close of the last processed bar (initial capital before the first). */
  get currentEquity(): number {
    return this.t === 0 ? this.cfg.initial_capital : this.equity[this.t - 1];
  }

  get currentDrawdown(): number {
    return this.t === 0 ? 0 : this.drawdown[this.t - 1];
  }

  /** Processes bars up to (not including) `end`; call repeatedly to run in chunks. */
  runUntil(end: number): void {
    const stop = Math.min(end, this.n);
    const { time, open, high, low, close } = this.bars;
    const action = this.sig.action;
    const confidence = this.sig.confidence;
    const dec = this.cfg.decisions;
    const last = this.n - 1;
    for (let t = this.t; t < stop; t++) {
      // 1. Fill the pending signal at this bar's open.
      if (this.pending !== HOLD) {
        this.execute(this.pending, t, time[t], open[t], this.pendingConfidence, false);
        this.pending = HOLD;
      }
      const q = this.qty;
      // 2. Excursions over this bar's range while the position is open through it.
      if (q !== 0) {
        const fav = q > 0 ? (high[t] - this.entryPrice) * q : (low[t] - this.entryPrice) * q;
        const adv = q > 0 ? (low[t] - this.entryPrice) * q : (high[t] - this.entryPrice) * q;
        if (fav > this.mfe) this.mfe = fav;
        if (adv < this.mae) this.mae = adv;
      }
      this.position[t] = q > 0 ? LONG : q < 0 ? SHORT : FLAT;
      // 3 / 4. Decide for the next open, or close out on the last bar.
      if (t === last) {
        if (q !== 0) this.execute(q > 0 ? SELL : BUY, t, time[t] + this.cfg.bar_ms, close[t], NaN, true);
      } else {
        const s = filterSignal(action[t], this.position[t], time[t], this.lastTradeTime, dec);
        this.signals[t] = s;
        if (s !== HOLD) {
          this.pending = s;
          this.pendingConfidence = confidence[t];
        }
      }
      const v = this.cash + this.qty * close[t];
      this.equity[t] = v;
      if (v > this.peak) this.peak = v;
      this.drawdown[t] = this.peak > 0 ? (this.peak - v) / this.peak : 0;
    }
    this.t = Math.max(this.t, stop);
  }

  /**
   * Acts on a signal at a raw price (the bar's open, or the last close when forced). Returns false
   * when the position manager ignores it (BUY while long, SELL while short, or a size of 0).
   */
  private execute(signal: number, bar: number, at: number, rawPrice: number, confidence: number, forced: boolean): boolean {
    const c = this.cfg;
    const q = this.qty;
    const buying = signal === BUY;
    if ((buying && q > 0) || (!buying && q < 0) || (signal !== BUY && signal !== SELL)) return false;
    // Slippage first (KTRDR's fraction, then price units), then half the spread: both against the trade.
    const slipped = buying ? rawPrice * (1 + this.slipFraction) + this.slipPrice : rawPrice * (1 - this.slipFraction) - this.slipPrice;
    let price = buying ? slipped + this.halfSpread : slipped - this.halfSpread;
    if (!(price > 0)) {
      // Costs larger than the price itself: never open at that price; a close still happens (at 0),
      // so the books keep balancing.
      if (q === 0) return false;
      price = 0;
    }
    // What the fill cost per unit, split: slippage first, the rest is spread (exactly half the spread
    // unless the price was floored at 0).
    const costPerUnit = Math.abs(price - rawPrice);
    const slipPerUnit = Math.min(Math.abs(slipped - rawPrice), costPerUnit);
    const spreadPerUnit = costPerUnit - slipPerUnit;
    if (q === 0) {
      // Open: size from available cash at the fill price, commission included.
      const budget = this.cash * c.position_size;
      let size = budget > 0 ? affordableUnits(this.commission, budget, price) : 0;
      if (c.integer_quantity) size = Math.floor(size + 1e-9);
      if (!(size > 0)) return false;
      const notional = price * size;
      const commission = commissionFor(this.commission, price, size);
      this.cash += buying ? -(notional + commission) : notional - commission;
      this.qty = buying ? size : -size;
      this.entryPrice = price;
      this.entryBar = bar;
      this.entryTime = at;
      this.entryCommission = commission;
      this.entrySlippage = slipPerUnit * size;
      this.entrySpread = spreadPerUnit * size;
      this.entryConfidence = confidence;
      this.mfe = 0;
      this.mae = 0;
    } else {
      // Close (no reversal in one step).
      const size = Math.abs(q);
      const notional = price * size;
      const commission = commissionFor(this.commission, price, size);
      this.cash += buying ? -(notional + commission) : notional - commission;
      const gross = (price - this.entryPrice) * q;
      // The exit price itself is a point on the path: it can extend the excursions.
      if (gross > this.mfe) this.mfe = gross;
      if (gross < this.mae) this.mae = gross;
      const s = this.scratch;
      s.side = q > 0 ? 1 : -1;
      s.entryBar = this.entryBar;
      s.exitBar = bar;
      s.entryTime = this.entryTime;
      s.exitTime = at;
      s.entryPrice = this.entryPrice;
      s.exitPrice = price;
      s.quantity = size;
      s.grossPnl = gross;
      s.commission = this.entryCommission + commission;
      s.slippage = this.entrySlippage + slipPerUnit * size;
      s.spread = this.entrySpread + spreadPerUnit * size;
      s.netPnl = gross - s.commission;
      s.mfe = this.mfe;
      s.mae = this.mae;
      s.entryConfidence = this.entryConfidence;
      s.exitConfidence = confidence;
      s.forced = forced;
      this.log.push(s);
      this.qty = 0;
    }
    this.lastTradeTime = at;
    return true;
  }

  /** Runs what is left, closes out and returns the results (once). */
  finish(): EngineResult {
    if (this.finished) throw new Error('finish() was already called');
    this.runUntil(this.n);
    this.finished = true;
    return {
      trades: this.log.toTrades(),
      equity: { time: this.bars.time, values: this.equity, drawdowns: this.drawdown },
      position: this.position,
      signals: this.signals,
      initial_capital: this.cfg.initial_capital,
      final_equity: this.n > 0 ? this.equity[this.n - 1] : this.cfg.initial_capital,
      final_cash: this.cash,
    };
  }

  /**
   * finish() without building Trade objects: the equity at each bar's close and the trade count.
   * For many repeated runs where only the curve matters (random-entry significance, src/core/evaluation).
   */
  finishEquityOnly(): { equity: Float64Array; trade_count: number } {
    if (this.finished) throw new Error('finish() was already called');
    this.runUntil(this.n);
    this.finished = true;
    return { equity: this.equity, trade_count: this.log.count };
  }
}

/** Runs the whole series in one go. */
export function runReferenceBacktest(bars: EngineBars, signals: EngineSignals, cfg: EngineConfig): EngineResult {
  return new ReferenceEngine(bars, signals, cfg).finish();
}
