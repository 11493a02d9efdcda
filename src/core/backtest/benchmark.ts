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

/**
 * Buy `fraction` of `initial` at the first close, hold, sell at the last close, paying `costs` both
 * ways. `priceFactor` (split-adjusted bars; src/core/instruments/splits.ts): per-share costs on the
 * shares really traded, as the engine charges them.
 */
export function holdBenchmark(
  close: Float64Array,
  initial: number,
  fraction: number,
  costs: EngineCosts,
  barsPerYear: number,
  years: number,
  priceFactor: Float64Array | null = null,
): HoldBenchmark {
  const n = close.length;
  const f = Math.max(0, Math.min(1, fraction));
  const empty = (): HoldBenchmark => ({ ...returnStats(new Float64Array(n).fill(initial), initial, barsPerYear, years), exposure: f, total_return: 0, final_equity: initial, quantity: 0, commission: 0, spread_cost: 0, slippage_cost: 0 });
  if (n === 0 || f === 0) return empty();
  const hold = holdCurve(close, initial * f, costs, priceFactor);
  if (hold === null) return empty();
  const curve = new Float64Array(n);
  const rest = initial - initial * f;
  for (let t = 0; t < n; t++) curve[t] = rest + hold.curve[t];
  const s = returnStats(curve, initial, barsPerYear, years);
  return { ...s, exposure: f, total_return: curve[n - 1] - initial, final_equity: curve[n - 1], quantity: hold.quantity, commission: hold.commission, spread_cost: hold.spread_cost, slippage_cost: hold.slippage_cost };
}

export interface HoldCurve {
  /** Value of the `budget` at each close: cash left + quantity × close; the last point is after the sale. */
  curve: Float64Array;
  quantity: number;
  commission: number;
  spread_cost: number;
  slippage_cost: number;
}

/** `budget` put into one instrument at the first close and sold at the last close (null when not one unit is affordable). */
export function holdCurve(close: Float64Array, budget: number, costs: EngineCosts, priceFactor: Float64Array | null = null): HoldCurve | null {
  const n = close.length;
  if (n === 0 || !(budget > 0)) return null;
  const F0 = priceFactor ? priceFactor[0] : 1;
  const F1 = priceFactor ? priceFactor[n - 1] : 1;
  // Per series unit: spread and slippage in price units are per traded share (÷ F).
  const slip = (raw: number, F: number) => raw * costs.slippage_fraction + costs.slippage / F;
  const buyPrice = close[0] + slip(close[0], F0) + costs.spread / 2 / F0;
  const qty = affordableUnits(costs.commission, budget, buyPrice * F0) * F0;
  if (!(qty > 0)) return null;
  const entryCommission = commissionFor(costs.commission, buyPrice * F0, qty / F0);
  const cash = budget - qty * buyPrice - entryCommission;
  const curve = new Float64Array(n);
  for (let t = 0; t < n - 1; t++) curve[t] = cash + qty * close[t];
  const sellPrice = Math.max(0, close[n - 1] - slip(close[n - 1], F1) - costs.spread / 2 / F1);
  const exitCommission = commissionFor(costs.commission, sellPrice * F1, qty / F1);
  curve[n - 1] = cash + qty * sellPrice - exitCommission;
  return {
    curve,
    quantity: qty,
    commission: entryCommission + exitCommission,
    spread_cost: (costs.spread / 2 / F0 + costs.spread / 2 / F1) * qty,
    slippage_cost: (slip(close[0], F0) + slip(close[n - 1], F1)) * qty,
  };
}
