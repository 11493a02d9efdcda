import { describe, expect, it } from 'vitest';
import { classifyProbabilities, DEFAULT_DECISIONS, type DecisionConfig } from '../../../src/core/backtest/decisions';
import { engineConfig, runBacktest } from '../../../src/core/backtest/engine';
import { computeMetrics } from '../../../src/core/backtest/metrics';
import type { EngineBars } from '../../../src/core/backtest/types';
import { HOUR, randomBars, randomProbabilities, script } from './helpers';

const CONFIGS: [string, DecisionConfig][] = [
  ['long-only', { ...DEFAULT_DECISIONS }],
  ['with shorts', { ...DEFAULT_DECISIONS, allow_short_from_flat: true, min_signal_separation: 0 }],
  ['no position awareness', { ...DEFAULT_DECISIONS, position_awareness: false, confidence_threshold: 0.6 }],
];

function run(bars: EngineBars, probs: Float32Array, decisions: DecisionConfig, extra = {}) {
  const sig = classifyProbabilities(probs, bars.time.length, null, decisions.confidence_threshold);
  return runBacktest(bars, sig, engineConfig({ bar_ms: HOUR, decisions, ...extra }));
}

describe('invariant: Σ net trade PnL = final equity − initial capital (to the cent)', () => {
  for (const [name, decisions] of CONFIGS) {
    for (const seed of [1, 2, 3]) {
      it(`${name}, seed ${seed}`, () => {
        const n = 3000;
        const bars = randomBars(n, seed * 17, HOUR, seed === 3 ? 250 : 1.1);
        const r = run(bars, randomProbabilities(n, seed * 31), decisions, { integer_quantity: seed !== 2, commission: 0.002, slippage: 0.0005 });
        expect(r.trades.length).toBeGreaterThan(20);
        const sum = r.trades.reduce((a, t) => a + t.net_pnl, 0);
        expect(Math.abs(sum - (r.final_equity - r.initial_capital))).toBeLessThan(0.005);
        expect(r.final_equity).toBe(r.equity.values[n - 1]);
        expect(r.position[n - 1] === 0 || r.trades[r.trades.length - 1].exit_reason === 'end_of_data').toBe(true);
        for (const t of r.trades) {
          expect(t.net_pnl).toBeCloseTo(t.gross_pnl - t.commission, 9);
          expect(t.max_favorable_excursion).toBeGreaterThanOrEqual(Math.max(0, t.gross_pnl) - 1e-9);
          expect(t.max_adverse_excursion).toBeLessThanOrEqual(Math.min(0, t.gross_pnl) + 1e-9);
          expect(t.exit_bar).toBeGreaterThan(t.entry_bar - (t.exit_reason === 'end_of_data' ? 1 : 0));
        }
      });
    }
  }
});

describe('determinism', () => {
  it('the same inputs give identical results, metrics included', () => {
    const n = 4000;
    const bars = randomBars(n, 5);
    const probs = randomProbabilities(n, 6);
    const a = run(bars, probs, CONFIGS[1][1]);
    const b = run(randomBars(n, 5), randomProbabilities(n, 6), CONFIGS[1][1]);
    expect(b).toEqual(a);
    const ma = computeMetrics({ ...a, equity: a.equity.values, time: bars.time, close: bars.close, bar_ms: HOUR });
    const mb = computeMetrics({ ...b, equity: b.equity.values, time: bars.time, close: bars.close, bar_ms: HOUR });
    expect(JSON.stringify(mb)).toBe(JSON.stringify(ma));
  });
});

describe('no look-ahead', () => {
  const n = 40;
  const t = 10;
  const actions = `${'.'.repeat(t)}B${'.'.repeat(n - t - 1)}`;

  function perturbFrom(bars: EngineBars, from: number): EngineBars {
    const copy = (a: Float64Array) => Float64Array.from(a, (v, i) => (i >= from ? v * (1 + 0.05 * Math.sin(i)) + 3 : v));
    const open = copy(bars.open);
    const close = copy(bars.close);
    const high = Float64Array.from(copy(bars.high), (v, i) => Math.max(v, open[i], close[i]));
    const low = Float64Array.from(copy(bars.low), (v, i) => Math.min(v, open[i], close[i]));
    return { time: bars.time, open, high, low, close };
  }

  it('perturbing bars t+2.. does not change the fill of a signal decided at t (filled at t+1’s open)', () => {
    const bars = randomBars(n, 21, HOUR, 50);
    const cfg = engineConfig({ bar_ms: HOUR, decisions: { ...DEFAULT_DECISIONS, min_signal_separation: 0 } });
    const base = runBacktest(bars, script(actions), cfg);
    const changed = runBacktest(perturbFrom(bars, t + 2), script(actions), cfg);
    for (const r of [base, changed]) {
      expect(r.trades).toHaveLength(1);
      expect(r.trades[0].entry_bar).toBe(t + 1);
    }
    expect(changed.trades[0].entry_price).toBe(base.trades[0].entry_price);
    expect(changed.trades[0].entry_price).toBeCloseTo(bars.open[t + 1] * 1.001, 12);
    expect(changed.trades[0].quantity).toBe(base.trades[0].quantity);
    expect(changed.trades[0].entry_time).toBe(base.trades[0].entry_time);
    // Everything up to bar t+1's close is unchanged too.
    expect(Array.from(changed.equity.values.slice(0, t + 2))).toEqual(Array.from(base.equity.values.slice(0, t + 2)));
    // And the later bars do matter (the test would notice a fill at a later price).
    expect(changed.final_equity).not.toBe(base.final_equity);
  });

  it('perturbing bar t+1 does change the fill (the test can fail)', () => {
    const bars = randomBars(n, 21, HOUR, 50);
    const cfg = engineConfig({ bar_ms: HOUR, decisions: { ...DEFAULT_DECISIONS, min_signal_separation: 0 } });
    const base = runBacktest(bars, script(actions), cfg);
    const changed = runBacktest(perturbFrom(bars, t + 1), script(actions), cfg);
    expect(changed.trades[0].entry_price).not.toBe(base.trades[0].entry_price);
  });

  it('signals after bar t do not change equity up to bar t+1', () => {
    const bars = randomBars(n, 22, HOUR, 50);
    const probsA = randomProbabilities(n, 1);
    const probsB = Float32Array.from(probsA, (v, i) => (i >= (t + 1) * 3 ? 1 / 3 + ((i % 3) - 1) * 0.3 : v));
    const cfg = { ...DEFAULT_DECISIONS, allow_short_from_flat: true, min_signal_separation: 0, confidence_threshold: 0.34 };
    const a = run(bars, probsA, cfg);
    const b = run(bars, probsB, cfg);
    expect(Array.from(b.equity.values.slice(0, t + 2))).toEqual(Array.from(a.equity.values.slice(0, t + 2)));
  });
});
