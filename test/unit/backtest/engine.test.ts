import { describe, expect, it } from 'vitest';
import { BUY, DEFAULT_DECISIONS, HOLD, SELL, type DecisionConfig } from '../../../src/core/backtest/decisions';
import { BacktestEngine, engineConfig, runBacktest } from '../../../src/core/backtest/engine';
import { barsFrom, DAY, HOUR, script, T0 } from './helpers';

const noSeparation: DecisionConfig = { ...DEFAULT_DECISIONS, min_signal_separation: 0 };
const cents = (x: number) => Math.round(x * 100) / 100;

// Eight daily bars [open, high, low, close].
const LONG_BARS = barsFrom([
  [100, 101, 99, 100],
  [100, 103, 99, 102],
  [102, 106, 101, 105],
  [105, 108, 104, 107],
  [108, 109, 103, 104],
  [104, 105, 98, 99],
  [99, 100, 95, 96],
  [96, 98, 94, 97],
]);
// t0 BUY, t1 BUY (ignored: already long), t3 SELL (closes), t4 SELL (ignored: long-only), t5 BUY, t6 BUY (ignored).
const LONG_SCRIPT = script('BB.SSBB.', [0.8, 0.9, 0.9, 0.7, 0.95, 0.6, 0.99, 0.9]);
const LONG_CFG = engineConfig({ initial_capital: 10_000, commission: 0.001, slippage: 0.001, bar_ms: DAY, decisions: noSeparation });

describe('engine: hand-computed long-only run', () => {
  const r = runBacktest(LONG_BARS, LONG_SCRIPT, LONG_CFG);

  // Trade 1: BUY at t0 fills at bar 1's open 100 → 100.1; size floor(2500 / (1.001·100.1)) = 24.
  const e1 = 100 * 1.001;
  const c1in = e1 * 24 * 0.001; // 2.4024
  const cashAfterEntry1 = 10_000 - e1 * 24 - c1in; // 7595.1976
  // SELL at t3 fills at bar 4's open 108 → 107.892.
  const x1 = 108 * 0.999;
  const c1out = x1 * 24 * 0.001; // 2.589408
  const net1 = (x1 - e1) * 24 - c1in - c1out; // 182.016192
  const cashAfterTrade1 = 10_000 + net1;
  // Trade 2: BUY at t5 fills at bar 6's open 99 → 99.099; size floor(0.25·10182.016192 / (1.001·99.099)) = 25.
  const e2 = 99 * 1.001;
  const c2in = e2 * 25 * 0.001;
  const cashAfterEntry2 = cashAfterTrade1 - e2 * 25 - c2in;
  // Forced close at the last close 97 → 96.903.
  const x2 = 97 * 0.999;
  const c2out = x2 * 25 * 0.001;
  const net2 = (x2 - e2) * 25 - c2in - c2out; // −59.80005

  it('fills at the next open with slippage, sizes 25 % of cash in whole units', () => {
    expect(r.trades).toHaveLength(2);
    const [t1, t2] = r.trades;
    expect(t1.side).toBe('LONG');
    expect(t1.entry_price).toBeCloseTo(100.1, 10);
    expect(t1.exit_price).toBeCloseTo(107.892, 10);
    expect(t1.quantity).toBe(24);
    expect(t1.entry_time).toBe(new Date(T0 + DAY).toISOString());
    expect(t1.exit_time).toBe(new Date(T0 + 4 * DAY).toISOString());
    expect(t1.entry_bar).toBe(1);
    expect(t1.exit_bar).toBe(4);
    expect(t2.entry_price).toBeCloseTo(99.099, 10);
    expect(t2.quantity).toBe(25);
  });

  it('charges commission on entry and exit and nets both into trade PnL', () => {
    const [t1, t2] = r.trades;
    expect(t1.gross_pnl).toBeCloseTo(187.008, 9); // 7.792 · 24
    expect(t1.commission).toBeCloseTo(4.991808, 9); // 2.4024 + 2.589408
    expect(t1.slippage).toBeCloseTo(4.992, 9); // (0.1 + 0.108) · 24
    expect(t1.net_pnl).toBeCloseTo(182.016192, 9);
    expect(t1.net_pnl).toBeCloseTo(net1, 9);
    expect(t1.pnl).toBe(t1.net_pnl);
    expect(t1.pnl_percent).toBeCloseTo((182.016192 / (100.1 * 24)) * 100, 9);
    expect(t2.gross_pnl).toBeCloseTo(-54.9, 9); // (96.903 − 99.099) · 25
    expect(t2.commission).toBeCloseTo(4.90005, 9);
    expect(t2.slippage).toBeCloseTo(4.9, 9);
    expect(t2.net_pnl).toBeCloseTo(-59.80005, 9);
    expect(t2.net_pnl).toBeCloseTo(net2, 9);
  });

  it('records holding period, excursions, confidence and the exit reason', () => {
    const [t1, t2] = r.trades;
    expect(t1.holding_period_bars).toBe(3);
    expect(t1.holding_period_hours).toBe(72);
    expect(t1.max_favorable_excursion).toBeCloseTo((108 - 100.1) * 24, 9); // high of bar 3
    expect(t1.max_adverse_excursion).toBeCloseTo((99 - 100.1) * 24, 9); // low of bar 1
    expect(t1.entry_confidence).toBeCloseTo(0.8, 6);
    expect(t1.exit_confidence).toBeCloseTo(0.7, 6);
    expect(t1.exit_reason).toBe('signal');
    // The forced close happens at the last bar's close: bars 6 and 7, 48 h.
    expect(t2.holding_period_bars).toBe(2);
    expect(t2.holding_period_hours).toBe(48);
    expect(t2.exit_time).toBe(new Date(T0 + 8 * DAY).toISOString());
    expect(t2.exit_bar).toBe(7);
    expect(t2.max_favorable_excursion).toBeCloseTo((100 - 99.099) * 25, 9);
    expect(t2.max_adverse_excursion).toBeCloseTo((94 - 99.099) * 25, 9);
    expect(t2.exit_reason).toBe('end_of_data');
    expect(t2.exit_confidence).toBeNull();
    expect(t2.entry_confidence).toBeCloseTo(0.6, 6);
  });

  it('marks equity to market at every close and shows the forced close in the last point', () => {
    const expected = [
      10_000,
      cashAfterEntry1 + 24 * 102,
      cashAfterEntry1 + 24 * 105,
      cashAfterEntry1 + 24 * 107,
      cashAfterTrade1,
      cashAfterTrade1,
      cashAfterEntry2 + 25 * 96,
      cashAfterTrade1 + net2,
    ];
    expect(Array.from(r.equity.values)).toHaveLength(8);
    expected.forEach((v, i) => expect(r.equity.values[i]).toBeCloseTo(v, 9));
    expect(r.equity.values[1]).toBeCloseTo(10_043.1976, 9);
    expect(r.equity.values[7]).toBeCloseTo(10_122.216142, 9);
    expect(r.final_equity).toBe(r.final_cash);
    // Drawdown from the running peak 10182.016192 (bar 4).
    const peak = cashAfterTrade1;
    expect(Array.from(r.equity.drawdowns.slice(0, 6))).toEqual([0, 0, 0, 0, 0, 0]);
    expect(r.equity.drawdowns[6]).toBeCloseTo((peak - expected[6]) / peak, 12);
    expect(r.equity.drawdowns[7]).toBeCloseTo((peak - expected[7]) / peak, 12);
    expect(Array.from(r.equity.time)).toEqual(Array.from(LONG_BARS.time));
  });

  it('reports the position held in each bar and the signals taken', () => {
    expect(Array.from(r.position)).toEqual([0, 1, 1, 1, 0, 0, 1, 1]);
    expect(Array.from(r.signals)).toEqual([BUY, HOLD, HOLD, SELL, HOLD, BUY, HOLD, HOLD]);
  });

  it('Σ net trade PnL = final equity − initial capital, to the cent', () => {
    const sum = r.trades.reduce((a, t) => a + t.net_pnl, 0);
    expect(cents(sum)).toBe(cents(r.final_equity - 10_000));
    expect(Math.abs(sum - (r.final_equity - 10_000))).toBeLessThan(1e-9);
  });
});

describe('engine: short selling', () => {
  const bars = barsFrom([
    [40, 41, 39, 40],
    [40, 42, 38, 39],
    [38, 39, 35, 36],
    [36, 37, 34, 35],
    [35, 36, 34, 36],
  ]);
  const signals = script('SSBS.');
  const cfg = (allow: boolean) =>
    engineConfig({ initial_capital: 10_000, commission: 0.001, slippage: 0.001, bar_ms: DAY, decisions: { ...noSeparation, allow_short_from_flat: allow } });

  it('opens shorts from flat only with allow_short_from_flat, covers on BUY, and closes at the end', () => {
    const r = runBacktest(bars, signals, cfg(true));
    expect(r.trades).toHaveLength(2);
    const [a, b] = r.trades;
    // SELL at t0 fills at bar 1's open 40 → 39.96; size floor(2500 / (1.001·39.96)) = 62.
    expect(a.side).toBe('SHORT');
    expect(a.entry_price).toBeCloseTo(39.96, 10);
    expect(a.quantity).toBe(62);
    // BUY at t2 covers at bar 3's open 36 → 36.036.
    expect(a.exit_price).toBeCloseTo(36.036, 10);
    expect(a.gross_pnl).toBeCloseTo(3.924 * 62, 9);
    expect(a.commission).toBeCloseTo(39.96 * 62 * 0.001 + 36.036 * 62 * 0.001, 9);
    expect(a.net_pnl).toBeCloseTo(238.576248, 9);
    expect(a.max_favorable_excursion).toBeCloseTo((39.96 - 35) * 62, 9);
    expect(a.max_adverse_excursion).toBeCloseTo((39.96 - 42) * 62, 9);
    // SELL at t3 shorts again at bar 4's open 35 → 34.965: floor(0.25·10238.576248 / (1.001·34.965)) = 73,
    // closed at the last close 36 → 36.036.
    expect(b.side).toBe('SHORT');
    expect(b.quantity).toBe(73);
    expect(b.entry_price).toBeCloseTo(34.965, 10);
    expect(b.exit_price).toBeCloseTo(36.036, 10);
    expect(b.net_pnl).toBeCloseTo(-1.071 * 73 - 34.965 * 73 * 0.001 - 36.036 * 73 * 0.001, 9);
    expect(b.exit_reason).toBe('end_of_data');
    // Short equity: cash (proceeds included) − quantity · close.
    const cashShort = 10_000 + 39.96 * 62 * 0.999;
    expect(r.equity.values[1]).toBeCloseTo(cashShort - 62 * 39, 9);
    expect(r.equity.values[2]).toBeCloseTo(cashShort - 62 * 36, 9);
    expect(r.equity.values[3]).toBeCloseTo(10_238.576248, 9);
    expect(r.final_equity).toBeCloseTo(10_155.210175, 6);
    expect(Array.from(r.position)).toEqual([0, -1, -1, 0, -1]);
    expect(r.trades.reduce((s, t) => s + t.net_pnl, 0)).toBeCloseTo(r.final_equity - 10_000, 9);
  });

  it('is long-only by default: SELL from flat does nothing, BUY opens a long that SELL closes', () => {
    const r = runBacktest(bars, signals, cfg(false));
    expect(Array.from(r.signals)).toEqual([HOLD, HOLD, BUY, SELL, HOLD]);
    expect(Array.from(r.position)).toEqual([0, 0, 0, 1, 0]);
    expect(r.trades).toHaveLength(1);
    expect(r.trades[0].side).toBe('LONG');
    expect(r.trades[0].entry_price).toBeCloseTo(36.036, 10);
    expect(r.trades[0].exit_price).toBeCloseTo(34.965, 10);
    expect(Array.from(r.equity.values.slice(0, 3))).toEqual([10_000, 10_000, 10_000]);
  });

  it('without position awareness a SELL from flat opens a short (KTRDR)', () => {
    const r = runBacktest(
      bars,
      script('S....'),
      engineConfig({ initial_capital: 10_000, bar_ms: DAY, decisions: { ...noSeparation, position_awareness: false } }),
    );
    expect(r.trades.map((t) => t.side)).toEqual(['SHORT']);
  });
});

describe('engine: edge cases', () => {
  const flat = barsFrom(Array.from({ length: 10 }, () => [10, 10, 10, 10] as [number, number, number, number]), HOUR);

  it('drops a signal decided on the last bar (no next open to fill at)', () => {
    const r = runBacktest(flat, script('.........B'), engineConfig({ bar_ms: HOUR, decisions: noSeparation }));
    expect(r.trades).toHaveLength(0);
    expect(r.signals[9]).toBe(HOLD);
  });

  it('a fill on the last bar is closed at the same bar’s close', () => {
    const r = runBacktest(flat, script('........B.'), engineConfig({ initial_capital: 1000, commission: 0, slippage: 0, bar_ms: HOUR, decisions: noSeparation }));
    expect(r.trades).toHaveLength(1);
    expect(r.trades[0].holding_period_bars).toBe(1);
    expect(r.trades[0].holding_period_hours).toBe(1);
    expect(r.trades[0].quantity).toBe(25);
    expect(r.final_equity).toBe(1000);
  });

  it('refuses an entry whose size rounds to zero and keeps the separation clock unchanged', () => {
    const r = runBacktest(flat, script('B.B.......'), engineConfig({ initial_capital: 30, commission: 0, slippage: 0, bar_ms: HOUR, decisions: noSeparation }));
    expect(r.trades).toHaveLength(0);
    expect(Array.from(r.position).every((p) => p === 0)).toBe(true);
  });

  it('honours a configurable position size and fractional quantities', () => {
    const r = runBacktest(
      flat,
      script('B.S.......'),
      engineConfig({ initial_capital: 1000, commission: 0, slippage: 0, position_size: 0.5, integer_quantity: false, bar_ms: HOUR, decisions: noSeparation }),
    );
    expect(r.trades[0].quantity).toBeCloseTo(50, 12);
  });

  it('rejects impossible configurations', () => {
    expect(() => runBacktest(flat, script('..........'), engineConfig({ bar_ms: HOUR, position_size: 1.5 }))).toThrow(/position_size/);
    expect(() => runBacktest(flat, script('..........'), engineConfig({ bar_ms: HOUR, initial_capital: 0 }))).toThrow(/initial_capital/);
    expect(() => runBacktest(flat, script('...'), engineConfig({ bar_ms: HOUR }))).toThrow(/signals/);
  });

  it('runs in chunks with the same result as in one go', () => {
    const whole = runBacktest(LONG_BARS, LONG_SCRIPT, LONG_CFG);
    const engine = new BacktestEngine(LONG_BARS, LONG_SCRIPT, LONG_CFG);
    engine.runUntil(3);
    expect(engine.processed).toBe(3);
    expect(engine.tradeCount).toBe(0);
    expect(engine.currentEquity).toBeCloseTo(10_115.1976, 9);
    engine.runUntil(5);
    expect(engine.tradeCount).toBe(1);
    const chunked = engine.finish();
    expect(chunked).toEqual(whole);
    expect(() => engine.finish()).toThrow();
  });
});
