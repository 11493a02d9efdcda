// The single-symbol backtest: the 1-leg case of the portfolio book (src/core/portfolio/book.ts), so
// one event loop charges costs, sizes positions and keeps the books for one symbol and for N. Per
// bar t, in this order:
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
// Sizing: position_size × cash at an entry (KTRDR's 25 %), which is the book's fixed fraction of
// equity (a single book is flat, so all cash, when it enters).

import { DEFAULT_DECISIONS } from './decisions';
import { PortfolioBook } from '../portfolio/book';
import { DEFAULT_PORTFOLIO_CONFIG, type LegInput, type PortfolioConfig } from '../portfolio/types';
import type { EngineCosts } from '../instruments';
import { DEFAULT_POSITION_SIZE, type EngineBars, type EngineConfig, type EngineResult, type EngineSignals } from './types';

export type { EngineSignals };

export function engineConfig(partial: Partial<EngineConfig> & { bar_ms: number }): EngineConfig {
  return {
    initial_capital: 100_000,
    commission: 0.001,
    slippage: 0.001,
    position_size: DEFAULT_POSITION_SIZE,
    integer_quantity: true,
    decisions: DEFAULT_DECISIONS,
    ...partial,
  };
}

function checkConfig(c: EngineConfig): void {
  if (!(c.initial_capital > 0)) throw new Error(`initial_capital must be > 0 (got ${c.initial_capital})`);
  if (!(c.commission >= 0 && c.commission < 1)) throw new Error(`commission must be in [0, 1) (got ${c.commission})`);
  if (!(c.slippage >= 0 && c.slippage < 1)) throw new Error(`slippage must be in [0, 1) (got ${c.slippage})`);
  if (!(c.position_size > 0 && c.position_size <= 1)) throw new Error(`position_size must be in (0, 1] (got ${c.position_size})`);
  if (!(c.bar_ms > 0)) throw new Error(`bar_ms must be > 0 (got ${c.bar_ms})`);
}

/** The cost model the engine charges: the instrument's, or KTRDR's fractions (no spread). */
export function engineCosts(c: EngineConfig): EngineCosts {
  return c.costs ?? { spread: 0, slippage: 0, slippage_fraction: c.slippage, commission: { type: 'fraction', rate: c.commission } };
}

/** The one-leg book of a single-symbol backtest. */
export function singleLeg(bars: EngineBars, signals: EngineSignals, cfg: EngineConfig, symbol = 'SYMBOL'): { leg: LegInput; book: PortfolioConfig } {
  checkConfig(cfg);
  return {
    leg: { symbol, bars, bar_ms: cfg.bar_ms, signals, costs: engineCosts(cfg), decisions: cfg.decisions, price_factor: cfg.price_factor ?? null },
    book: { ...DEFAULT_PORTFOLIO_CONFIG, initial_capital: cfg.initial_capital, sizing: { type: 'fixed_fraction', fraction: cfg.position_size }, integer_quantity: cfg.integer_quantity },
  };
}

export class BacktestEngine {
  readonly n: number;
  private readonly book: PortfolioBook;

  constructor(
    private readonly bars: EngineBars,
    signals: EngineSignals,
    private readonly cfg: EngineConfig,
  ) {
    const { leg, book } = singleLeg(bars, signals, cfg);
    this.book = new PortfolioBook([leg], book);
    this.n = bars.time.length;
  }

  /** Bars processed so far. */
  get processed(): number {
    return this.book.processed;
  }

  get tradeCount(): number {
    return this.book.tradeCount;
  }

  /** Equity at the close of the last processed bar (initial capital before the first). */
  get currentEquity(): number {
    return this.book.currentEquity;
  }

  get currentDrawdown(): number {
    return this.book.currentDrawdown;
  }

  /** Processes bars up to (not including) `end`; call repeatedly to run in chunks. */
  runUntil(end: number): void {
    this.book.runUntil(end);
  }

  /** Runs what is left, closes out and returns the results (once). */
  finish(): EngineResult {
    const r = this.book.finish();
    const leg = r.legs[0];
    return {
      trades: leg.trades,
      equity: { time: this.bars.time, values: r.equity, drawdowns: r.drawdown },
      position: leg.position,
      signals: leg.signals,
      initial_capital: this.cfg.initial_capital,
      final_equity: r.final_equity,
      final_cash: r.final_cash,
    };
  }

  /**
   * finish() without building Trade objects: the equity at each bar's close and the trade count.
   * For many repeated runs where only the curve matters (random-entry significance, src/core/evaluation).
   */
  finishEquityOnly(): { equity: Float64Array; trade_count: number } {
    return this.book.finishEquityOnly();
  }
}

/** Runs the whole series in one go. */
export function runBacktest(bars: EngineBars, signals: EngineSignals, cfg: EngineConfig): EngineResult {
  return new BacktestEngine(bars, signals, cfg).finish();
}
