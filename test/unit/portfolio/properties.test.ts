// Invariants of the N-leg book over random legs, calendars, costs and every sizing rule, with and
// without rebalancing: the books balance to the cent, each leg's value ends at its trades' net PnL,
// gross exposure never passes the cap right after a fill, reruns are bit-identical.
import { describe, expect, it } from 'vitest';
import type { EngineBars } from '../../../src/core/backtest/types';
import { runPortfolio } from '../../../src/core/portfolio/book';
import type { LegInput, PortfolioConfig, SizingRule } from '../../../src/core/portfolio/types';
import { mulberry32 } from '../../../src/core/random';
import { randomBars } from '../backtest/helpers';
import { bookConfig, HOUR, randomSignals, SHORTS } from './helpers';

const RULES: SizingRule[] = [
  { type: 'fixed_fraction', fraction: 0.25 },
  { type: 'equal_weight' },
  { type: 'volatility_target', annual_volatility: 0.15, lookback_bars: 30 },
  { type: 'kelly', fraction: 0.5, cap: 0.4, min_trades: 5, lookback_trades: 30, warmup_fraction: 0.1 },
];

/** Legs on one hourly grid with random holes (other calendars): each keeps a random subset of the hours. */
function randomLegs(seed: number, count: number, n: number): LegInput[] {
  const r = mulberry32(seed);
  return Array.from({ length: count }, (_, i) => {
    const full = randomBars(n, seed * 100 + i, HOUR, i % 2 ? 150 : 1.2);
    const keep = Array.from({ length: n }, () => r() > 0.25);
    const pick = (a: Float64Array) => Float64Array.from(Array.from(a).filter((_, k) => keep[k]));
    const bars: EngineBars = { time: pick(full.time), open: pick(full.open), high: pick(full.high), low: pick(full.low), close: pick(full.close) };
    const costs =
      i % 2
        ? { spread: 0.02, slippage: 0.01, slippage_fraction: 0, commission: { type: 'per_share' as const, per_share: 0.005, minimum: 1, maximum_fraction: 0.01 } }
        : { spread: 0.00008, slippage: 0.00001, slippage_fraction: 0.00002, commission: { type: 'per_lot' as const, per_lot: 2, lot_size: 100_000 } };
    // Some legs split-adjusted: a 2:1 split half-way (series units are half a share before it).
    const factor = i === 2 ? Float64Array.from(bars.time, (_, k) => (k < bars.time.length / 2 ? 2 : 1)) : null;
    return { symbol: `L${i}`, bars, bar_ms: HOUR, signals: randomSignals(bars.time.length, seed * 7 + i, 0.12), costs, decisions: SHORTS, price_factor: factor };
  });
}

describe('N-leg invariants', () => {
  for (const rule of RULES) {
    for (const rebalance of [null, 'day'] as const) {
      it(`${rule.type}${rebalance ? ', daily rebalancing' : ''}: books balance, legs add up, exposure capped, reruns identical`, () => {
        const cfg: PortfolioConfig = bookConfig(rule, { rebalance, max_gross_exposure: 1.2, record_details: true, min_rebalance_fraction: 0.02 });
        const legs = randomLegs(3, 4, 1500);
        const r = runPortfolio(legs, cfg);
        const trades = r.legs.flatMap((l) => l.trades);
        // Kelly stops entering a leg whose past trades lose (f* ≤ 0): fewer trades on random signals.
        expect(trades.length).toBeGreaterThan(rule.type === 'kelly' ? 15 : 40);
        const net = trades.reduce((a, t) => a + t.net_pnl, 0);
        expect(Math.abs(net - (r.final_equity - cfg.initial_capital))).toBeLessThan(0.005);
        expect(r.final_equity).toBe(r.equity[r.equity.length - 1]);
        r.legs.forEach((leg) => {
          const legNet = leg.trades.reduce((a, t) => a + t.net_pnl, 0);
          expect(leg.value![leg.value!.length - 1]).toBeCloseTo(legNet, 6);
          for (const t of leg.trades) {
            expect(t.net_pnl).toBeCloseTo(t.gross_pnl - t.commission, 9);
            expect(t.max_favorable_excursion).toBeGreaterThanOrEqual(Math.max(0, t.gross_pnl) - 1e-6);
            expect(t.max_adverse_excursion).toBeLessThanOrEqual(Math.min(0, t.gross_pnl) + 1e-6);
          }
        });
        if (rebalance) expect(r.legs.reduce((n, l) => n + l.rebalance_fills, 0)).toBeGreaterThan(rule.type === 'kelly' ? 1 : 10);
        // Entries are capped at their fill; later price moves can push exposure past the cap by a little.
        for (let s = 0; s < r.equity.length; s++) expect(r.gross_exposure![s]).toBeLessThan(1.2 * 1.1);
        const again = runPortfolio(randomLegs(3, 4, 1500), cfg);
        expect(again).toEqual(r);
      });
    }
  }

  it('split-adjusted units: commission and whole shares on the traded quantity (q / F)', () => {
    const legs = randomLegs(5, 3, 800);
    const r = runPortfolio(legs, bookConfig({ type: 'fixed_fraction', fraction: 0.3 }, { record_details: true }));
    const f = legs[2].price_factor!;
    for (const t of r.legs[2].trades) {
      const F = f[t.entry_bar];
      // Whole shares as traded: q / F is an integer.
      expect(Math.abs(t.quantity / F - Math.round(t.quantity / F))).toBeLessThan(1e-9);
    }
    expect(r.legs[2].trades.some((t) => f[t.entry_bar] === 2)).toBe(true);
  });
});
