import type { ExitReason, Trade, TradeSide } from './types';

const HOUR_MS = 3_600_000;

/** One closed trade's numbers, as the engine hands them over (no strings, no objects). */
export interface ClosedTrade {
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
export class TradeLog {
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
