// No look-ahead across legs: a decision at a step's close and a fill at the next open use only bars
// that closed by then on EVERY calendar. On real bundled bars (EURUSD 24/5, SPY and AAPL sessions
// with the 4 July holiday and the 3 July early close), for every sizing rule with rebalancing:
//  (a) changing every leg's bars and signals from time T on changes nothing before T;
//  (b) changing everything after T's opens (the bars at T keep their open) leaves the fills AT T
//      identical in price and quantity: their sizing saw only closes at or before T;
//  (c) and the test can fail: changing the close of another leg's bar that ends at T does change an
//      entry's size at T (equity is marked with that close), so (b) is not vacuous.
import { describe, expect, it } from 'vitest';
import { BUY, HOLD, SELL, type DecisionConfig } from '../../../src/core/backtest/decisions';
import type { EngineBars } from '../../../src/core/backtest/types';
import { runPortfolio } from '../../../src/core/portfolio/book';
import type { LegInput, SizingRule } from '../../../src/core/portfolio/types';
import { bookConfig, HOUR, legOf, NO_SEPARATION, randomSignals, sampleBars } from './helpers';

const FROM = '2019-06-24T00:00:00Z';
const TO = '2019-07-13T00:00:00Z';
const T = Date.parse('2019-07-02T16:00:00Z');
const LONG_ONLY: DecisionConfig = NO_SEPARATION;

const RULES: SizingRule[] = [
  { type: 'fixed_fraction', fraction: 0.3 },
  { type: 'equal_weight' },
  { type: 'volatility_target', annual_volatility: 0.1, lookback_bars: 24 },
  { type: 'kelly', fraction: 0.5, cap: 0.5, min_trades: 3, lookback_trades: 20, warmup_fraction: 0.2 },
];

function perturb(bars: EngineBars, pick: (open: number) => 'all' | 'keep_open' | 'none', scale = 1.03): EngineBars {
  const out = { time: bars.time, open: bars.open.slice(), high: bars.high.slice(), low: bars.low.slice(), close: bars.close.slice() };
  for (let k = 0; k < bars.time.length; k++) {
    const how = pick(bars.time[k]);
    if (how === 'none') continue;
    if (how === 'all') out.open[k] *= scale;
    out.close[k] = bars.close[k] * (k % 2 ? scale : 1 / scale);
    out.high[k] = Math.max(out.open[k], out.close[k], bars.high[k] * scale);
    out.low[k] = Math.min(out.open[k], out.close[k], bars.low[k] / scale);
  }
  return out;
}

function signalsWith(bars: EngineBars, seed: number, forced: [number, number][]) {
  const s = randomSignals(bars.time.length, seed, 0.2);
  for (const [time, code] of forced) {
    const k = bars.time.indexOf(time);
    if (k < 0) throw new Error(`no bar at ${new Date(time).toISOString()}`);
    s.action[k] = code;
  }
  return s;
}

const eurusd = sampleBars('EURUSD_H1_oanda_bid_2007-2018.csv', '2018-06-25T00:00:00Z', '2018-07-14T00:00:00Z');
// EURUSD's bundled file ends in 2018: shift a 2018 stretch onto the 2019 weekday grid (same weekdays: +364 days).
const SHIFT = 364 * 24 * HOUR;
const eur = { ...eurusd, time: Float64Array.from(eurusd.time, (t) => t + SHIFT) };
const spy = sampleBars('SPY_H1_1998-2021.csv', FROM, TO);
const aapl = sampleBars('AAPL_H1_splitadj_1998-2021.csv', FROM, TO);

function legs(bars: { eur: EngineBars; spy: EngineBars; aapl: EngineBars }, sig: { eur: LegInput['signals']; spy: LegInput['signals']; aapl: LegInput['signals'] }): LegInput[] {
  return [legOf('EURUSD', bars.eur, sig.eur, LONG_ONLY), legOf('SPY', bars.spy, sig.spy, LONG_ONLY), legOf('AAPL', bars.aapl, sig.aapl, LONG_ONLY)];
}

// EURUSD: flat by T−2h, BUY decided at T−1h's close → an entry at T's open (seed 7: its earlier trades leave Kelly
// a positive fraction there; the setup test checks it). SPY: long through T.
const base = {
  eur: signalsWith(eur, 7, [
    [T - 3 * HOUR, SELL],
    [T - 2 * HOUR, HOLD],
    [T - HOUR, BUY],
  ]),
  spy: signalsWith(spy, 2, [
    [T - 3 * HOUR, BUY],
    [T - 2 * HOUR, HOLD],
    [T - HOUR, HOLD],
  ]),
  aapl: signalsWith(aapl, 3, []),
};
const sigFrom = (s: LegInput['signals'], bars: EngineBars, from: number) => {
  const action = s.action.slice();
  for (let k = 0; k < bars.time.length; k++) if (bars.time[k] >= from) action[k] = (action[k] + 1) % 3;
  return { action, confidence: s.confidence };
};

describe('no look-ahead across legs (real bars, mixed calendars)', () => {
  it('the calendars really differ: holiday, early close, FX hours', () => {
    const day = (b: EngineBars, d: string) => Array.from(b.time).filter((t) => new Date(t).toISOString().startsWith(d)).length;
    expect(day(spy, '2019-07-04')).toBe(0);
    expect(day(spy, '2019-07-03')).toBe(4);
    expect(day(eur, '2019-07-04')).toBe(24);
  });

  for (const rule of RULES) {
    describe(rule.type, () => {
      const cfg = bookConfig(rule, { rebalance: 'day', max_gross_exposure: 1.5, min_rebalance_fraction: 0.05, record_details: true });
      const r0 = runPortfolio(legs({ eur, spy, aapl }, base), cfg);
      const before = (time: Float64Array) => time.findIndex((t) => t >= T);
      const entryAtT = r0.fills!.find((f) => f.leg === 0 && f.kind === 'entry' && Date.parse(f.time) === T);

      it('(setup) EURUSD enters at T and SPY is long through it', () => {
        expect(entryAtT).toBeDefined();
        const k = before(spy.time);
        expect(r0.legs[1].position[k - 1]).toBe(1);
        expect(r0.legs.reduce((n, l) => n + l.trades.length, 0)).toBeGreaterThan(20);
      });

      it('(a) changing every leg from T on changes nothing before T', () => {
        const from = (b: EngineBars) => perturb(b, (t) => (t >= T ? 'all' : 'none'));
        const r1 = runPortfolio(
          legs({ eur: from(eur), spy: from(spy), aapl: from(aapl) }, { eur: sigFrom(base.eur, eur, T), spy: sigFrom(base.spy, spy, T), aapl: sigFrom(base.aapl, aapl, T) }),
          cfg,
        );
        const s = before(r0.time);
        expect(Array.from(r1.equity.subarray(0, s))).toEqual(Array.from(r0.equity.subarray(0, s)));
        expect(Array.from(r1.gross_exposure!.subarray(0, s))).toEqual(Array.from(r0.gross_exposure!.subarray(0, s)));
        r0.legs.forEach((leg, i) => {
          const k = before([eur, spy, aapl][i].time);
          expect(Array.from(r1.legs[i].position.subarray(0, k))).toEqual(Array.from(leg.position.subarray(0, k)));
          expect(Array.from(r1.legs[i].signals.subarray(0, k))).toEqual(Array.from(leg.signals.subarray(0, k)));
          const closed = (ts: typeof leg.trades) => ts.filter((t) => Date.parse(t.exit_time) < T);
          expect(closed(r1.legs[i].trades)).toEqual(closed(leg.trades));
        });
        expect(r1.final_equity).not.toBe(r0.final_equity);
      });

      it('(b) the fills at T are sized only from closes up to T', () => {
        const after = (b: EngineBars) => perturb(b, (t) => (t > T ? 'all' : t === T ? 'keep_open' : 'none'));
        const r2 = runPortfolio(legs({ eur: after(eur), spy: after(spy), aapl: after(aapl) }, { eur: sigFrom(base.eur, eur, T + 1), spy: sigFrom(base.spy, spy, T + 1), aapl: sigFrom(base.aapl, aapl, T + 1) }), cfg);
        const upToT = (fills: typeof r0.fills) => fills!.filter((f) => Date.parse(f.time) <= T);
        expect(upToT(r0.fills).filter((f) => Date.parse(f.time) === T).length).toBeGreaterThan(0);
        expect(upToT(r2.fills)).toEqual(upToT(r0.fills));
        expect(r2.fills).not.toEqual(r0.fills);
      });

      it('(c) the test can fail: another leg’s close at T changes the entry’s size', () => {
        const k = spy.time.indexOf(T - HOUR);
        const moved = { ...spy, close: spy.close.slice(), high: spy.high.slice() };
        moved.close[k] *= 1.3;
        moved.high[k] = Math.max(moved.high[k], moved.close[k]);
        const r3 = runPortfolio(legs({ eur, spy: moved, aapl }, base), cfg);
        const entry = (r: typeof r0) => r.fills!.find((f) => f.leg === 0 && f.kind === 'entry' && Date.parse(f.time) === T)!;
        expect(entry(r3).price).toBe(entry(r0).price);
        expect(entry(r3).quantity).not.toBe(entry(r0).quantity);
      });
    });
  }
});

describe('legs on different grids are refused', () => {
  it('a 1d leg beside a 1h leg (its bar would see the hourly closes inside it)', () => {
    const daily = { time: Float64Array.from([0, 1, 2], (d) => Date.UTC(2019, 6, 1) + d * 86_400_000), open: new Float64Array(3).fill(1), high: new Float64Array(3).fill(1), low: new Float64Array(3).fill(1), close: new Float64Array(3).fill(1) };
    const hourly = sampleBars('SPY_H1_1998-2021.csv', '2019-07-01T00:00:00Z', '2019-07-04T00:00:00Z');
    const hold = (n: number) => ({ action: new Uint8Array(n).fill(HOLD), confidence: new Float32Array(n) });
    expect(() =>
      runPortfolio([{ ...legOf('EURUSD', daily, hold(3)), bar_ms: 86_400_000 }, legOf('SPY', hourly, hold(hourly.time.length))], bookConfig({ type: 'equal_weight' })),
    ).toThrow(/EURUSD's bar opening 2019-07-01T00:00:00.000Z closes at 2019-07-02T00:00:00.000Z, after another leg's bar opens at 2019-07-01T13:00:00.000Z: the legs are not on one time grid/);
  });

  it('hourly grids shifted by half an hour', () => {
    const a = sampleBars('SPY_H1_1998-2021.csv', '2019-07-01T00:00:00Z', '2019-07-02T00:00:00Z');
    const b = { ...a, time: Float64Array.from(a.time, (t) => t + HOUR / 2) };
    const hold = (n: number) => ({ action: new Uint8Array(n).fill(HOLD), confidence: new Float32Array(n) });
    expect(() => runPortfolio([legOf('SPY', a, hold(a.time.length)), legOf('QQQ', b, hold(b.time.length))], bookConfig({ type: 'equal_weight' }))).toThrow(/not on one time grid/);
  });
});
