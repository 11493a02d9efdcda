// Inputs of the portfolio benchmark: N legs × T hourly bars of seeded random walks on one grid (or
// each leg missing ~25 % of the bars: other calendars), with random signals on ~10 % of the bars.
import { DEFAULT_DECISIONS } from '../src/core/backtest/decisions';
import type { EngineBars } from '../src/core/backtest/types';
import type { LegInput } from '../src/core/portfolio/types';
import { seededRandom } from './stats';

const HOUR = 3_600_000;
export const FX = { spread: 0.00008, slippage: 0.00001, slippage_fraction: 0, commission: { type: 'fraction' as const, rate: 0 } };
const DECISIONS = { ...DEFAULT_DECISIONS, allow_short_from_flat: true, min_signal_separation: 0 };

/** N legs × T bars of random walks on one hourly grid (or each missing ~25 % of bars), random signals. */
export function makeLegsForProfile(...a: Parameters<typeof makeLegs>) {
  return makeLegs(...a);
}

export function makeLegs(symbols: number, bars: number, seed: number, holes = false): LegInput[] {
  const r = seededRandom(seed);
  const legs: LegInput[] = [];
  for (let i = 0; i < symbols; i++) {
    const keep: number[] = [];
    for (let k = 0; k < bars; k++) if (!holes || r() > 0.25) keep.push(k);
    const n = keep.length;
    const b: EngineBars = { time: new Float64Array(n), open: new Float64Array(n), high: new Float64Array(n), low: new Float64Array(n), close: new Float64Array(n) };
    let price = 1 + r();
    for (let j = 0; j < n; j++) {
      const open = price;
      const close = open * (1 + (r() - 0.5) * 0.004);
      b.time[j] = Date.UTC(2000, 0, 1) + keep[j] * HOUR;
      b.open[j] = open;
      b.close[j] = close;
      b.high[j] = Math.max(open, close) * (1 + r() * 0.001);
      b.low[j] = Math.min(open, close) * (1 - r() * 0.001);
      price = close;
    }
    const action = new Uint8Array(n);
    const confidence = new Float32Array(n);
    for (let j = 0; j < n; j++) {
      const u = r();
      action[j] = u < 0.05 ? 0 : u < 0.1 ? 2 : 1;
      confidence[j] = 0.9;
    }
    legs.push({ symbol: `S${i}`, bars: b, bar_ms: HOUR, signals: { action, confidence }, costs: FX, decisions: DECISIONS });
  }
  return legs;
}

