// Small helpers shared by the benchmarks: medians and percentiles, seeded randomness, timing.
import { mulberry32 } from '../src/core/random';

export function percentile(values: number[], p: number): number {
  if (!values.length) return NaN;
  const s = [...values].sort((a, b) => a - b);
  const idx = Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1));
  return s[idx];
}

export const median = (values: number[]) => percentile(values, 50);

/** Runs `fn` `runs` times and returns the median duration in ms. */
export function medianMs(runs: number, fn: () => void): number {
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    fn();
    times.push(performance.now() - t0);
  }
  return median(times);
}

/** The seeded generator every benchmark draws its data from. */
export const seededRandom = mulberry32;

export const round = (x: number, digits = 2) => Math.round(x * 10 ** digits) / 10 ** digits;
