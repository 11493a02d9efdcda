import { BUY, HOLD, SELL } from '../../../src/core/backtest/decisions';
import type { EngineBars } from '../../../src/core/backtest/types';
import { mulberry32 } from '../../../src/core/random';

export const DAY = 86_400_000;
export const HOUR = 3_600_000;
export const T0 = Date.UTC(2024, 0, 1); // a Monday

/** Bars from [open, high, low, close] rows, one every `stepMs` from T0. */
export function barsFrom(rows: [number, number, number, number][], stepMs = DAY): EngineBars {
  const n = rows.length;
  const b: EngineBars = {
    time: new Float64Array(n),
    open: new Float64Array(n),
    high: new Float64Array(n),
    low: new Float64Array(n),
    close: new Float64Array(n),
  };
  rows.forEach(([o, h, l, c], i) => {
    b.time[i] = T0 + i * stepMs;
    b.open[i] = o;
    b.high[i] = h;
    b.low[i] = l;
    b.close[i] = c;
  });
  return b;
}

const CODES: Record<string, number> = { B: BUY, H: HOLD, S: SELL };

/** Scripted signals: "B.HS" style string (. = HOLD) and per-bar confidences (default 0.9). */
export function script(actions: string, confidence: number[] = []) {
  const n = actions.length;
  const action = new Uint8Array(n);
  const conf = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    action[i] = CODES[actions[i]] ?? HOLD;
    conf[i] = confidence[i] ?? 0.9;
  }
  return { action, confidence: conf };
}

/** Deterministic pseudo-random numbers (mulberry32). */
export const rng = mulberry32;

/** A random walk of `n` consistent OHLC bars. */
export function randomBars(n: number, seed: number, stepMs = HOUR, start = 1.1): EngineBars {
  const r = rng(seed);
  const rows: [number, number, number, number][] = [];
  let price = start;
  for (let i = 0; i < n; i++) {
    const open = price;
    const close = open * (1 + (r() - 0.5) * 0.01);
    const high = Math.max(open, close) * (1 + r() * 0.002);
    const low = Math.min(open, close) * (1 - r() * 0.002);
    rows.push([open, high, low, close]);
    price = close * (1 + (r() - 0.5) * 0.001);
  }
  return barsFrom(rows, stepMs);
}

/** Random class probabilities (rows × 3, each row sums to 1). */
export function randomProbabilities(n: number, seed: number): Float32Array {
  const r = rng(seed);
  const p = new Float32Array(n * 3);
  for (let i = 0; i < n; i++) {
    const a = r() ** 3;
    const b = r() ** 3;
    const c = r() ** 3;
    const s = a + b + c;
    p[i * 3] = a / s;
    p[i * 3 + 1] = b / s;
    p[i * 3 + 2] = c / s;
  }
  return p;
}
