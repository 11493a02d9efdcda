// The portfolio's like-for-like benchmark: equal-weight buy & hold of the same legs over the same bars
// with each leg's own costs (src/core/backtest/benchmark.ts holdCurve, split factors included),
// fully invested AND at the strategy's average gross exposure. Each leg gets `fraction` × initial ÷ N
// at its first bar's close and is sold at its last close (as the book's end-of-data close), so the
// last point is cash. Values are carried across the steps a leg has no bar at, like the book's marks.
import { holdCurve } from '../backtest/benchmark';
import { returnStats } from '../backtest/metrics';
import type { PortfolioHoldResult } from '../../shared/results/portfolio';
import type { Schedule } from './schedule';
import type { LegInput } from './types';

/** The contract's shape (src/shared/results/portfolio.ts): return statistics, share invested, costs, units per leg. */
export type PortfolioHoldBenchmark = PortfolioHoldResult;

/** Value per step of legs bought and held: Σ legs (budget before a leg's first bar; its hold curve from it). */
export function equalWeightHold(
  legs: readonly LegInput[],
  schedule: Pick<Schedule, 'time'>,
  initial: number,
  fraction: number,
  barsPerYear: number,
  years: number,
): PortfolioHoldBenchmark {
  const f = Math.max(0, Math.min(1, fraction));
  const steps = schedule.time.length;
  const curve = new Float64Array(steps).fill(initial - initial * f);
  const budget = (initial * f) / legs.length;
  let commission = 0;
  let spread = 0;
  let slippage = 0;
  const quantities: Record<string, number> = {};
  for (const leg of legs) {
    const hold = f > 0 ? holdCurve(leg.bars.close, budget, leg.costs, leg.price_factor ?? null) : null;
    quantities[leg.symbol] = hold?.quantity ?? 0;
    if (hold) {
      commission += hold.commission;
      spread += hold.spread_cost;
      slippage += hold.slippage_cost;
    }
    // Walk the steps with the leg's bars: before the first bar the budget is cash.
    const t = leg.bars.time;
    let k = -1;
    for (let s = 0; s < steps; s++) {
      while (k + 1 < t.length && t[k + 1] <= schedule.time[s]) k++;
      curve[s] += hold === null ? budget : k < 0 ? budget : hold.curve[k];
    }
  }
  const stats = returnStats(curve, initial, barsPerYear, years);
  const last = steps ? curve[steps - 1] : initial;
  return { ...stats, exposure: f, total_return: last - initial, final_equity: last, commission, spread_cost: spread, slippage_cost: slippage, quantities };
}
