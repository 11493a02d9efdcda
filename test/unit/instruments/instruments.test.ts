import { describe, expect, it } from 'vitest';
import { affordableUnits, commissionFor, instrumentFor, looksLikeFxPair, resolveCosts, roundTripPriceCost, costOverrides } from '../../../src/core/instruments';

describe('instrument table and the rule for new symbols', () => {
  it('bundled FX majors: spread ≤ 1 pip, no commission, round trip ≤ 2 pips', () => {
    for (const s of ['EURUSD', 'USDJPY', 'GBPUSD']) {
      const i = instrumentFor(s);
      expect(i.asset_class).toBe('fx');
      expect(i.source).toBe('table');
      expect(i.costs.spread / i.pip_size).toBeLessThanOrEqual(1 + 1e-9);
      expect(i.costs.commission).toEqual({ type: 'fraction', rate: 0 });
      expect(roundTripPriceCost(i.costs, 1.1) / i.pip_size).toBeLessThanOrEqual(2 + 1e-9);
    }
    expect(instrumentFor('USDJPY').pip_size).toBe(0.01);
    expect(instrumentFor('EURUSD').currency).toBe('USD');
  });

  it('US equities: per-share commission with a $1 minimum, a cent of slippage', () => {
    const a = instrumentFor('AAPL');
    expect(a).toMatchObject({ asset_class: 'equity', currency: 'USD', source: 'table' });
    expect(a.costs.commission).toEqual({ type: 'per_share', per_share: 0.005, minimum: 1, maximum_fraction: 0.01 });
    expect(a.costs.slippage).toBe(0.01);
  });

  it('unknown symbols: six letters of two currency codes → FX, anything else → equity', () => {
    expect(looksLikeFxPair('EURNOK')).toBe(true);
    expect(looksLikeFxPair('GOOGLE')).toBe(false);
    expect(looksLikeFxPair('USDUSD')).toBe(false);
    expect(instrumentFor('eurnok')).toMatchObject({ asset_class: 'fx', source: 'rule', currency: 'NOK' });
    expect(instrumentFor('GOOGLE')).toMatchObject({ asset_class: 'equity', source: 'rule' });
    expect(instrumentFor('XYZ').costs.spread).toBe(0.02);
  });
});

describe('commission models (per side)', () => {
  it('fraction, per share (minimum and cap), per lot: by hand', () => {
    expect(commissionFor({ type: 'fraction', rate: 0.001 }, 50, 200)).toBeCloseTo(10, 12); // 0.1 % of $10,000
    const ps = { type: 'per_share', per_share: 0.005, minimum: 1, maximum_fraction: 0.01 } as const;
    expect(commissionFor(ps, 150, 100)).toBe(1); // 100 × $0.005 = $0.50 → the $1 minimum
    expect(commissionFor(ps, 150, 1000)).toBeCloseTo(5, 12); // 1000 × $0.005
    expect(commissionFor(ps, 0.5, 10)).toBeCloseTo(0.05, 12); // minimum $1 capped at 1 % of $5 notional
    expect(commissionFor({ type: 'per_lot', per_lot: 3.5, lot_size: 100_000 }, 1.1, 25_000)).toBeCloseTo(0.875, 12); // a quarter lot
  });

  it('affordable units: notional + commission never exceed the budget', () => {
    const models = [
      { type: 'fraction', rate: 0.002 },
      { type: 'per_share', per_share: 0.005, minimum: 1, maximum_fraction: 0.01 },
      { type: 'per_share', per_share: 0.01, minimum: 5, maximum_fraction: 0 },
      { type: 'per_lot', per_lot: 7, lot_size: 100_000 },
    ] as const;
    for (const m of models) {
      for (const [budget, price] of [[25_000, 150], [100, 37], [10, 9], [1_000_000, 1.1]]) {
        const q = affordableUnits(m, budget, price);
        expect(q).toBeGreaterThanOrEqual(0);
        if (q > 0) expect(q * price + commissionFor(m, price, q)).toBeLessThanOrEqual(budget * (1 + 1e-12));
      }
    }
    // $1 minimum binds on a $25,000 AAPL order at $150: (25,000 − 1)/150 shares.
    expect(affordableUnits({ type: 'per_share', per_share: 0.005, minimum: 1, maximum_fraction: 0 }, 25_000, 150)).toBeCloseTo(24_999 / 150, 9);
  });
});

describe('resolveCosts: instrument → strategy → legacy request fractions → request costs', () => {
  it('layers and names them', () => {
    expect(resolveCosts('EURUSD', {}).model).toBe('fx:EURUSD');
    const r = resolveCosts('EURUSD', { strategy: { spread_pips: 1.5 }, request: { commission: { type: 'per_lot', per_lot: 2, lot_size: 100_000 } } });
    expect(r.model).toBe('fx:EURUSD+strategy+request');
    expect(r.costs.spread).toBeCloseTo(0.00015, 12);
    expect(r.costs.commission).toEqual({ type: 'per_lot', per_lot: 2, lot_size: 100_000 });
    const legacy = resolveCosts('AAPL', { strategy: { spread: 0.05 }, legacy: { slippage: 0.0005 } });
    expect(legacy.costs).toEqual({ spread: 0, slippage: 0, slippage_fraction: 0.0005, commission: { type: 'fraction', rate: 0.001 } });
    expect(legacy.model).toBe('equity:AAPL+strategy+legacy_fraction');
  });

  it('the request schema is strict and names the field; the strategy one is lenient', () => {
    const bad = costOverrides(true).safeParse({ spread: 1, spred: 2 });
    expect(bad.success).toBe(false);
    expect(costOverrides(true).safeParse({ spread: 1, spread_pips: 2 }).success).toBe(false);
    expect(costOverrides(true).safeParse({ commission: { type: 'per_share', per_share: 0.005 } }).data?.commission).toEqual({ type: 'per_share', per_share: 0.005, minimum: 0, maximum_fraction: 0 });
    expect(costOverrides(false).safeParse({ spread: 1, note: 'x' }).success).toBe(true);
  });
});
