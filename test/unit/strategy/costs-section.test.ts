import { describe, expect, it } from 'vitest';
import { parseStrategyWith } from '../../../src/core/strategy/parse';
import { TEST_CATALOG } from './fixtures/test-indicators';

const BASE = `name: with_costs
version: "3.0"
indicators:
  rsi_14: {type: rsi, period: 14}
fuzzy_sets:
  rsi_momentum: {indicator: rsi_14, oversold: [0, 25, 40], overbought: [60, 75, 100]}
nn_inputs:
  - fuzzy_set: rsi_momentum
    timeframes: ["1h"]
training_data:
  symbols: {mode: single, symbol: EURUSD}
  timeframes: {mode: single, timeframe: "1h"}
`;

const parse = (text: string) => parseStrategyWith(text, { catalog: TEST_CATALOG, sourceName: 'x.yaml' });

describe('strategy `costs:` section', () => {
  it('is read into the config; absent means null', () => {
    const r = parse(`${BASE}costs:\n  spread_pips: 0.8\n  commission: {type: per_lot, per_lot: 3.5}\n`);
    expect(r.valid).toBe(true);
    expect(r.strategy!.costs).toEqual({ spread_pips: 0.8, commission: { type: 'per_lot', per_lot: 3.5, lot_size: 100_000 } });
    expect(r.issues.filter((i) => i.path?.startsWith('costs'))).toEqual([]);
    expect(parse(BASE).strategy!.costs).toBeNull();
  });

  it('unknown keys in it are warnings, not errors', () => {
    const r = parse(`${BASE}costs:\n  spred_pips: 0.8\n  commission: {type: fraction, rate: 0.0001, rat: 1}\n`);
    expect(r.valid).toBe(true);
    const warned = r.issues.filter((i) => i.severity === 'warning').map((i) => `${i.path}: ${i.message}`);
    expect(warned).toContain("costs.spred_pips: unknown key 'spred_pips' in costs is ignored");
    expect(warned.some((w) => w.startsWith('costs.commission.rat'))).toBe(true);
  });

  it('bad values are errors naming the field', () => {
    const r = parse(`${BASE}costs:\n  spread: -1\n`);
    expect(r.valid).toBe(false);
    expect(r.issues.some((i) => i.severity === 'error' && i.path === 'costs.spread')).toBe(true);
  });
});
