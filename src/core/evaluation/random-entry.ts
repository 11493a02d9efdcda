// Random-entry strategies: the null model a backtest is compared with. Each random run makes the
// same number of trades as the strategy, with holding periods resampled from the strategy's own
// and the same count of longs and shorts, at random non-overlapping places on the same bars, and
// runs through the real BacktestEngine with the backtest's own EngineConfig (sizing and every cost
// field unchanged), so the only thing that differs from the strategy is WHEN it is in the market.
//
// Layout. Fills happen at bar opens 1..n−1; "position n" stands for the forced close at the last
// bar's close. A trade entering at e and held h bars exits at e + h (h ≥ 1; e + h = n is the forced
// close, matching holding_period_bars = exit_bar − entry_bar + 1 there). After an exit at x the
// next entry can fill at x + 1 at the earliest (one signal per bar), so trade i occupies the h_i + 1
// positions e_i … e_i + h_i and K trades need Σ(h_i + 1) ≤ n. The free positions are split into
// K + 1 gaps by K sorted uniform draws. Holding periods are resampled with replacement; when a
// draw does not fit (a strategy that is almost always in the market) after a few tries, the
// strategy's own holding periods are used in a random order (they always fit).
//
// Actions: an entry filling at bar e is a signal at bar e − 1 (BUY for a long, SELL for a short);
// the exit filling at x is the opposite signal at bar x − 1 (none for a forced close).
//
// Decision filter: random runs use a permissive DecisionConfig (no minimum separation, shorts from
// flat allowed when the strategy shorted, position awareness on). The schedule already encodes
// which signals execute; the strategy's own trades passed its filter, so its holding periods
// respect the separation, while applying the separation between random trades would drop some of
// them and make the trade count differ from the strategy's. The confidence threshold does not apply:
// the engine takes actions that are already decided.
// The engine can still refuse an entry when the cash cannot buy one unit (near ruin); that run then
// has fewer trades (reported as min_trades in the result).

import { BUY, HOLD, SELL, type DecisionConfig } from '../backtest/decisions';
import { BacktestEngine } from '../backtest/engine';
import { returnStats } from '../backtest/metrics';
import type { EngineBars, EngineConfig } from '../backtest/types';

export interface TradeShape {
  side: 'LONG' | 'SHORT';
  holding_period_bars: number;
}

export interface Schedule {
  /** Entry fill positions (bar index of the fill, 1..n−1). */
  entry: Int32Array;
  /** Exit fill positions (entry + holding; n = forced close at the last bar's close). */
  exit: Int32Array;
  /** +1 long, −1 short. */
  side: Int8Array;
}

const RESAMPLE_TRIES = 8;

function shuffleInPlace<T extends { length: number; [i: number]: number }>(a: T, rng: () => number): T {
  for (let i = a.length - 1; i > 0; i--) {
    const j = Math.floor(rng() * (i + 1));
    const t = a[i];
    a[i] = a[j];
    a[j] = t;
  }
  return a;
}

/** One random non-overlapping schedule of `holdings.length` trades on n bars. */
export function randomSchedule(n: number, holdings: ArrayLike<number>, sides: ArrayLike<number>, rng: () => number): Schedule {
  const k = holdings.length;
  const own = Int32Array.from(holdings, (h) => Math.max(1, Math.round(h)));
  let need = 0;
  for (let i = 0; i < k; i++) need += own[i] + 1;
  if (need > n) throw new Error(`${k} trades holding ${need - k} bars do not fit on ${n} bars`);
  // Resample holding periods with replacement; fall back to a permutation of the strategy's own.
  let h = new Int32Array(k);
  let used = -1;
  for (let attempt = 0; attempt < RESAMPLE_TRIES && used < 0; attempt++) {
    let total = 0;
    for (let i = 0; i < k; i++) {
      h[i] = own[Math.floor(rng() * k)];
      total += h[i] + 1;
    }
    if (total <= n) used = total;
  }
  if (used < 0) {
    h = shuffleInPlace(Int32Array.from(own), rng);
    used = need;
  }
  const side = shuffleInPlace(Int8Array.from(sides, (s) => (s < 0 ? -1 : 1)), rng);
  const free = n - used;
  const offsets = new Float64Array(k);
  for (let i = 0; i < k; i++) offsets[i] = Math.floor(rng() * (free + 1));
  offsets.sort();
  const entry = new Int32Array(k);
  const exit = new Int32Array(k);
  let cursor = 1;
  for (let i = 0; i < k; i++) {
    entry[i] = cursor + offsets[i];
    exit[i] = entry[i] + h[i];
    cursor += h[i] + 1;
  }
  return { entry, exit, side };
}

/** Per-bar actions that make the engine fill exactly the schedule (given a permissive filter). */
export function scheduleToActions(n: number, s: Schedule, out?: Uint8Array): Uint8Array {
  const action = out ?? new Uint8Array(n);
  action.fill(HOLD);
  for (let i = 0; i < s.entry.length; i++) {
    const long = s.side[i] > 0;
    action[s.entry[i] - 1] = long ? BUY : SELL;
    if (s.exit[i] < n) action[s.exit[i] - 1] = long ? SELL : BUY;
  }
  return action;
}

/** The filter random runs use (see the header for why it is permissive). */
export function randomEntryDecisions(base: DecisionConfig, hasShorts: boolean): DecisionConfig {
  return { ...base, confidence_threshold: 0, position_awareness: true, allow_short_from_flat: hasShorts, min_signal_separation: 0 };
}

export interface RandomEntryRuns {
  /** Total return (fraction) of each run. */
  returns: Float64Array;
  /** Annualised Sharpe of each run (as metrics.ts). */
  sharpes: Float64Array;
  /** Fewest trades any run made (equals the strategy's count unless an entry was refused). */
  min_trades: number;
}

export interface RandomEntryOptions {
  runs: number;
  rng: () => number;
  bars_per_year: number;
  years: number;
}

/**
 * Runs `runs` random-entry strategies through the engine with the backtest's config, yielding the
 * number done after every `chunk` runs (so a job can report progress and stay cancellable).
 */
export function* randomEntryRunsStepwise(bars: EngineBars, cfg: EngineConfig, trades: readonly TradeShape[], opts: RandomEntryOptions, chunk = 25): Generator<number, RandomEntryRuns> {
  const n = bars.time.length;
  const holdings = trades.map((t) => t.holding_period_bars);
  const sides = trades.map((t) => (t.side === 'SHORT' ? -1 : 1));
  const runCfg: EngineConfig = { ...cfg, decisions: randomEntryDecisions(cfg.decisions, sides.includes(-1)) };
  const returns = new Float64Array(opts.runs);
  const sharpes = new Float64Array(opts.runs);
  const action = new Uint8Array(n);
  const confidence = new Float32Array(n);
  let minTrades = trades.length;
  for (let r = 0; r < opts.runs; r++) {
    const schedule = randomSchedule(n, holdings, sides, opts.rng);
    scheduleToActions(n, schedule, action);
    const res = new BacktestEngine(bars, { action, confidence }, runCfg).finishEquityOnly();
    const s = returnStats(res.equity, cfg.initial_capital, opts.bars_per_year, opts.years);
    returns[r] = s.total_return_pct;
    // A random run whose equity never moved has no Sharpe ratio; for ranking it sits where a
    // zero-return run belongs (above losers, below winners), i.e. at 0.
    sharpes[r] = s.sharpe_ratio ?? 0;
    if (res.trade_count < minTrades) minTrades = res.trade_count;
    if ((r + 1) % chunk === 0 && r + 1 < opts.runs) yield r + 1;
  }
  return { returns, sharpes, min_trades: minTrades };
}

/** All runs at once (randomEntryRunsStepwise drained). */
export function runRandomEntries(bars: EngineBars, cfg: EngineConfig, trades: readonly TradeShape[], opts: RandomEntryOptions): RandomEntryRuns {
  const steps = randomEntryRunsStepwise(bars, cfg, trades, opts);
  for (;;) {
    const r = steps.next();
    if (r.done) return r.value;
  }
}
