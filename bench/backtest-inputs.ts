// Synthetic hourly bars (a seeded random walk) and random class probabilities for the backtest
// benchmarks. `skew` is the exponent per class: larger makes that class rarely the most probable.
import type { EngineBars } from '../src/core/backtest/types';
import { seededRandom } from './stats';

const HOUR = 3_600_000;

export function syntheticBacktestInputs(n: number, o: { seed: number; startYear: number; skew: [number, number, number] }) {
  const r = seededRandom(o.seed);
  const bars: EngineBars = { time: new Float64Array(n), open: new Float64Array(n), high: new Float64Array(n), low: new Float64Array(n), close: new Float64Array(n) };
  let price = 1.1;
  for (let i = 0; i < n; i++) {
    const open = price;
    const close = open * (1 + (r() - 0.5) * 0.004);
    bars.time[i] = Date.UTC(o.startYear, 0, 1) + i * HOUR;
    bars.open[i] = open;
    bars.close[i] = close;
    bars.high[i] = Math.max(open, close) * (1 + r() * 0.001);
    bars.low[i] = Math.min(open, close) * (1 - r() * 0.001);
    price = close;
  }
  const [ka, kb, kc] = o.skew;
  const probs = new Float32Array(n * 3);
  for (let i = 0; i < n * 3; i += 3) {
    const a = r() ** ka;
    const b = r() ** kb;
    const c = r() ** kc;
    const s = a + b + c;
    probs[i] = a / s;
    probs[i + 1] = b / s;
    probs[i + 2] = c / s;
  }
  return { bars, probs };
}
