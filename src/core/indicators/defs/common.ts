// Small helpers shared by the definition modules.
import type { Params } from '../params';

/** The single output of a one-series indicator. */
export const VALUE = 'value';

/** Builds warmup + outputWarmups from one per-output function (warmup = the latest output start). */
export function perOutputWarmups(fn: (p: Params) => Record<string, number>): {
  warmup: (p: Params) => number;
  outputWarmups: (p: Params) => Record<string, number>;
} {
  return {
    outputWarmups: fn,
    warmup: (p) => Math.max(0, ...Object.values(fn(p))),
  };
}

/** Sets out[0..count-1] to NaN: a derived output is declared undefined where its inputs are. */
export function maskBefore(out: Float64Array, count: number): void {
  out.fill(NaN, 0, Math.min(count, out.length));
}
