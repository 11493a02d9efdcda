// A 1-symbol portfolio IS today's single-symbol backtest: the book run through BacktestEngine and
// through runPortfolio with one leg gives the same trades, equity, positions and signals as the frozen
// copy of the engine from before the portfolio book (test/helpers/reference-engine.ts), bit for bit,
// over every cost model, shorts, fractional sizes and chunked runs.
import { describe, expect, it } from 'vitest';
import { classifyProbabilities, DEFAULT_DECISIONS, type DecisionConfig } from '../../../src/core/backtest/decisions';
import { BacktestEngine, engineConfig, singleLeg } from '../../../src/core/backtest/engine';
import type { EngineConfig } from '../../../src/core/backtest/types';
import { runPortfolio } from '../../../src/core/portfolio/book';
import { US_EQUITY_COMMISSION } from '../../../src/core/instruments';
import { ReferenceEngine } from '../../helpers/reference-engine';
import { HOUR, randomBars, randomProbabilities } from '../backtest/helpers';

const shorts: DecisionConfig = { ...DEFAULT_DECISIONS, allow_short_from_flat: true, min_signal_separation: 0 };
const CASES: [string, Partial<EngineConfig>, number][] = [
  ['KTRDR fractions, long-only', {}, 1.1],
  ['KTRDR fractions, shorts, fractional units', { decisions: shorts, integer_quantity: false }, 1.1],
  ['FX spread + slippage in pips', { decisions: shorts, costs: { spread: 0.00006, slippage: 0.00001, slippage_fraction: 0, commission: { type: 'fraction', rate: 0 } } }, 1.1],
  ['equity per-share commission, min and cap', { decisions: shorts, costs: { spread: 0.01, slippage: 0.01, slippage_fraction: 0, commission: US_EQUITY_COMMISSION } }, 180],
  ['per-lot commission, all-in sizing', { position_size: 1, decisions: shorts, costs: { spread: 0.0001, slippage: 0, slippage_fraction: 0.0001, commission: { type: 'per_lot', per_lot: 3.5, lot_size: 100_000 } } }, 1.1],
  ['separation filter, no position awareness', { decisions: { ...DEFAULT_DECISIONS, position_awareness: false, min_signal_separation: 3, confidence_threshold: 0.45 } }, 50],
];

describe('a 1-leg portfolio equals the single-symbol engine from before the book (bit for bit)', () => {
  for (const [name, extra, start] of CASES) {
    for (const seed of [1, 2]) {
      it(`${name}, seed ${seed}`, () => {
        const n = 4000;
        const bars = randomBars(n, seed * 13 + 1, HOUR, start);
        const cfg = engineConfig({ bar_ms: HOUR, ...extra });
        const sig = classifyProbabilities(randomProbabilities(n, seed * 7), n, null, cfg.decisions.confidence_threshold);
        const ref = new ReferenceEngine(bars, sig, cfg).finish();
        expect(ref.trades.length).toBeGreaterThan(20);

        // Through the engine, run in uneven chunks as the job does.
        const engine = new BacktestEngine(bars, sig, cfg);
        for (let end = 37; end < n; end += 411) {
          engine.runUntil(end);
          expect(engine.processed).toBe(end);
        }
        const viaEngine = engine.finish();
        expect(viaEngine).toEqual(ref);

        // Through the book directly: the same leg's trades, positions, signals; the equity per step.
        const { leg, book } = singleLeg(bars, sig, cfg);
        const viaBook = runPortfolio([leg], book);
        expect(viaBook.legs[0].trades).toEqual(ref.trades);
        expect(Array.from(viaBook.equity)).toEqual(Array.from(ref.equity.values));
        expect(Array.from(viaBook.drawdown)).toEqual(Array.from(ref.equity.drawdowns));
        expect(Array.from(viaBook.legs[0].position)).toEqual(Array.from(ref.position));
        expect(viaBook.final_cash).toBe(ref.final_cash);
      });
    }
  }

  it('equity-only runs (random-entry significance) match too', () => {
    const n = 3000;
    const bars = randomBars(n, 99, HOUR, 1.3);
    const cfg = engineConfig({ bar_ms: HOUR, decisions: shorts, costs: { spread: 0.00008, slippage: 0.00001, slippage_fraction: 0, commission: { type: 'fraction', rate: 0 } } });
    const sig = classifyProbabilities(randomProbabilities(n, 5), n, null, 0.5);
    const a = new ReferenceEngine(bars, sig, cfg).finishEquityOnly();
    const b = new BacktestEngine(bars, sig, cfg).finishEquityOnly();
    expect(b.trade_count).toBe(a.trade_count);
    expect(Array.from(b.equity)).toEqual(Array.from(a.equity));
  });
});
