// Benchmarks a strategy is judged against, like for like: buy & hold of the same instrument over the
// same bars with the same cost model (half-spread, slippage, commission on the way in and out),
// fully invested AND at the strategy's average exposure.
//
// Exposure = the time-weighted fraction of equity invested: the mean over bars of |position value| /
// equity, with the position valued at each bar's close (a bar with no position counts 0). The
// exposure-matched benchmark invests that fraction of the initial capital at the first bar's close
// and holds the rest in cash; both benchmarks sell at the last bar's close (the engine's forced
// close), so their last equity point is cash, as the strategy's is. Quantities are fractional.
import { affordableUnits, commissionFor, type EngineCosts } from '../instruments';
import { returnStats, type ReturnStats } from './metrics';
import type { Trade } from './types';

export interface HoldBenchmark extends ReturnStats {
  /** Fraction of the initial capital put in at the start (1 = fully invested). */
  exposure: number;
  /** Currency, as the strategy's total_return. */
  total_return: number;
  final_equity: number;
  max_drawdown: number;
  quantity: number;
  commission: number;
  spread_cost: number;
  slippage_cost: number;
}

/** Mean over bars of |quantity held · close| / equity (equity at that close). */
export function averageExposure(trades: readonly Trade[], close: Float64Array, equity: Float64Array): number {
  const n = close.length;
  if (n === 0) return 0;
  const held = new Float64Array(n);
  for (const t of trades) {
    // Held during bars entry_bar … exit_bar − 1, and through the last bar when closed at its close.
    const last = t.exit_reason === 'end_of_data' ? t.exit_bar : t.exit_bar - 1;
    for (let b = Math.max(0, t.entry_bar); b <= Math.min(last, n - 1); b++) held[b] = t.quantity;
  }
  let sum = 0;
  for (let b = 0; b < n; b++) if (held[b] !== 0 && equity[b] > 0) sum += Math.abs(held[b] * close[b]) / equity[b];
  return sum / n;
}

/** Buy `fraction` of `initial` at the first close, hold, sell at the last close, paying `costs` both ways. */
export function holdBenchmark(close: Float64Array, initial: number, fraction: number, costs: EngineCosts, barsPerYear: number, years: number): HoldBenchmark {
  const n = close.length;
  const f = Math.max(0, Math.min(1, fraction));
  const empty = (): HoldBenchmark => ({ ...returnStats(new Float64Array(n).fill(initial), initial, barsPerYear, years), exposure: f, total_return: 0, final_equity: initial, quantity: 0, commission: 0, spread_cost: 0, slippage_cost: 0 });
  if (n === 0 || f === 0) return empty();
  const half = costs.spread / 2;
  const slip = (raw: number) => raw * costs.slippage_fraction + costs.slippage;
  const buyPrice = close[0] + slip(close[0]) + half;
  const qty = affordableUnits(costs.commission, initial * f, buyPrice);
  if (!(qty > 0)) return empty();
  const entryCommission = commissionFor(costs.commission, buyPrice, qty);
  const cash = initial - qty * buyPrice - entryCommission;
  const curve = new Float64Array(n);
  for (let t = 0; t < n - 1; t++) curve[t] = cash + qty * close[t];
  const sellPrice = Math.max(0, close[n - 1] - slip(close[n - 1]) - half);
  const exitCommission = commissionFor(costs.commission, sellPrice, qty);
  curve[n - 1] = cash + qty * sellPrice - exitCommission;
  const s = returnStats(curve, initial, barsPerYear, years);
  return {
    ...s,
    exposure: f,
    total_return: curve[n - 1] - initial,
    final_equity: curve[n - 1],
    quantity: qty,
    commission: entryCommission + exitCommission,
    spread_cost: 2 * half * qty,
    slippage_cost: (slip(close[0]) + slip(close[n - 1])) * qty,
  };
}
