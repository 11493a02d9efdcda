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
  /** Leg of the portfolio book (0 for a single-symbol backtest). */
  leg: number;
  /** Fills that resized the position while it was open (rebalancing). */
  adjustments: number;
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
  'leg',
  'adjustments',
] as const;
type Column = (typeof COLUMNS)[number];

const WIDTH = COLUMNS.length;
/** Trades per chunk: the log grows by whole chunks, so it never copies what it holds. */
const CHUNK = 1024;

/**
 * Closed trades stored as rows of Float64Array chunks, so recording a trade in the bar loop
 * allocates nothing but a new chunk every 1,024 trades (no doubling, no copies). Trade objects are
 * built once, at the end.
 */
export class TradeLog {
  private readonly chunks: Float64Array[] = [];
  private chunk: Float64Array;
  private used = 0;
  count = 0;

  /** `firstChunk`: rows of the first chunk (small logs stay small). */
  constructor(firstChunk = 64) {
    this.chunk = new Float64Array(Math.max(1, Math.min(CHUNK, firstChunk)) * WIDTH);
    this.chunks.push(this.chunk);
  }

  push(t: ClosedTrade): void {
    if (this.used * WIDTH === this.chunk.length) {
      this.chunk = new Float64Array(CHUNK * WIDTH);
      this.chunks.push(this.chunk);
      this.used = 0;
    }
    const o = this.used * WIDTH;
    const b = this.chunk;
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
    b[o + 18] = t.leg;
    b[o + 19] = t.adjustments;
    this.used++;
    this.count++;
  }

  /** Row i's buffer and offset. */
  private row(i: number): [Float64Array, number] {
    const first = this.chunks[0].length / WIDTH;
    if (i < first) return [this.chunks[0], i * WIDTH];
    const j = i - first;
    return [this.chunks[1 + Math.floor(j / CHUNK)], (j % CHUNK) * WIDTH];
  }

  get(i: number, column: Column): number {
    const [b, o] = this.row(i);
    return b[o + COLUMNS.indexOf(column)];
  }

  /** Σ net PnL of the trades recorded so far. */
  netPnlSum(): number {
    let s = 0;
    for (let i = 0; i < this.count; i++) s += this.get(i, 'netPnl');
    return s;
  }

  /** Trade objects in the order they closed (every leg). */
  toTrades(): Trade[] {
    return this.byLeg(1, true)[0];
  }

  /** Trade objects per leg (`legs` of them), each in the order its trades closed, numbered from 1 within the leg. */
  toTradesByLeg(legs: number): Trade[][] {
    return this.byLeg(legs, false);
  }

  private byLeg(legs: number, together: boolean): Trade[][] {
    const out: Trade[][] = Array.from({ length: legs }, () => []);
    for (let c = 0, i = 0; c < this.chunks.length; c++) {
      const b = this.chunks[c];
      for (let o = 0; o < b.length && i < this.count; o += WIDTH, i++) {
        const list = out[together ? 0 : b[o + 18]];
        const entryPrice = b[o + 5];
        const quantity = b[o + 7];
        const net = b[o + 11];
        const forced = b[o + 16] === 1;
        const exitConfidence = b[o + 15];
        list.push({
          trade_id: list.length + 1,
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
    }
    return out;
  }
}
