// Single-pass array primitives shared by the indicator definitions. Every kernel writes into a caller-
// supplied output (pre-filled with NaN) and reads only indices ≤ the one it writes, so each result is
// causal by construction. Arithmetic follows TA-Lib's operation order where TA-Lib has the primitive,
// so results agree with it to the last few ulps rather than merely "closely".

export function nanArray(n: number): Float64Array {
  const a = new Float64Array(n);
  a.fill(NaN);
  return a;
}

/** Simple moving average of src[from..]; first value at from+period-1 (TA-Lib running-sum order). */
export function smaInto(src: Float64Array, period: number, out: Float64Array, from = 0): void {
  const n = src.length;
  const first = from + period - 1;
  if (first >= n) return;
  let sum = 0;
  for (let i = from; i < first; i++) sum += src[i];
  let trail = from;
  for (let i = first; i < n; i++) {
    sum += src[i];
    const total = sum;
    sum -= src[trail++];
    out[i] = total / period;
  }
}

/**
 * TA-Lib EMA: seeded with the SMA of the `period` values ending at `seedEnd`, then
 * prev = (x - prev)·k + prev. `seedEnd` defaults to from+period-1 (the earliest possible seed).
 */
export function emaInto(
  src: Float64Array,
  period: number,
  out: Float64Array,
  from = 0,
  seedEnd = from + period - 1,
  k = 2 / (period + 1),
): void {
  const n = src.length;
  if (seedEnd >= n) return;
  let sum = 0;
  for (let i = seedEnd - period + 1; i <= seedEnd; i++) sum += src[i];
  let prev = sum / period;
  out[seedEnd] = prev;
  for (let i = seedEnd + 1; i < n; i++) {
    prev = (src[i] - prev) * k + prev;
    out[i] = prev;
  }
}

/**
 * EMA, EMA of EMA, EMA of that: the chain DEMA, TEMA and TRIX are built from. Each level starts
 * where the one below has its first value (TA-Lib's seeding).
 */
export function emaChain(x: Float64Array, period: number, levels: 2 | 3): Float64Array[] {
  const out: Float64Array[] = [];
  let input = x;
  for (let level = 0; level < levels; level++) {
    const e = nanArray(x.length);
    emaInto(input, period, e, level * (period - 1));
    out.push(e);
    input = e;
  }
  return out;
}

/** TA-Lib WMA (weights 1..period, newest heaviest) of src[from..]; first value at from+period-1. */
export function wmaInto(src: Float64Array, period: number, out: Float64Array, from = 0): void {
  const n = src.length;
  const first = from + period - 1;
  if (first >= n) return;
  if (period === 1) {
    for (let i = from; i < n; i++) out[i] = src[i];
    return;
  }
  const divider = (period * (period + 1)) / 2;
  let periodSum = 0;
  let periodSub = 0;
  let w = 1;
  for (let i = from; i < first; i++) {
    const v = src[i];
    periodSub += v;
    periodSum += v * w++;
  }
  let trailing = 0;
  let trail = from;
  for (let i = first; i < n; i++) {
    const v = src[i];
    periodSub += v;
    periodSub -= trailing;
    periodSum += v * period;
    trailing = src[trail++];
    out[i] = periodSum / divider;
    periodSum -= periodSub;
  }
}

/** True range at i ≥ 1: max(H-L, |H-C[i-1]|, |L-C[i-1]|) (TA-Lib TRANGE order). */
export function trueRangeAt(h: Float64Array, l: Float64Array, c: Float64Array, i: number): number {
  const hi = h[i];
  const lo = l[i];
  const pc = c[i - 1];
  let g = hi - lo;
  const a = Math.abs(pc - hi);
  if (a > g) g = a;
  const b = Math.abs(pc - lo);
  if (b > g) g = b;
  return g;
}

/** TA-Lib ATR: seed = mean of TR[1..period] at index `period`, then Wilder's (prev·(n-1)+TR)/n. */
export function atrInto(h: Float64Array, l: Float64Array, c: Float64Array, period: number, out: Float64Array): void {
  const n = c.length;
  if (period <= 1) {
    for (let i = 1; i < n; i++) out[i] = trueRangeAt(h, l, c, i);
    return;
  }
  if (period >= n) return;
  let sum = 0;
  for (let i = 1; i <= period; i++) sum += trueRangeAt(h, l, c, i);
  let prev = sum / period;
  out[period] = prev;
  for (let i = period + 1; i < n; i++) {
    prev *= period - 1;
    prev += trueRangeAt(h, l, c, i);
    prev /= period;
    out[i] = prev;
  }
}

/** Rolling maximum over the `period` values ending at i (first at from+period-1). */
export function rollingMaxInto(src: Float64Array, period: number, out: Float64Array, from = 0): void {
  const n = src.length;
  let idx = -1;
  let best = 0;
  for (let i = from + period - 1; i < n; i++) {
    const trail = i - period + 1;
    const v = src[i];
    if (idx < trail) {
      // the old extreme left the window: rescan (amortised O(1) on real data)
      idx = trail;
      best = src[trail];
      for (let j = trail + 1; j <= i; j++) {
        if (src[j] >= best) {
          best = src[j];
          idx = j;
        }
      }
    } else if (v >= best) {
      best = v;
      idx = i;
    }
    out[i] = best;
  }
}

/** Rolling minimum over the `period` values ending at i (first at from+period-1). */
export function rollingMinInto(src: Float64Array, period: number, out: Float64Array, from = 0): void {
  const n = src.length;
  let idx = -1;
  let best = 0;
  for (let i = from + period - 1; i < n; i++) {
    const trail = i - period + 1;
    const v = src[i];
    if (idx < trail) {
      idx = trail;
      best = src[trail];
      for (let j = trail + 1; j <= i; j++) {
        if (src[j] <= best) {
          best = src[j];
          idx = j;
        }
      }
    } else if (v <= best) {
      best = v;
      idx = i;
    }
    out[i] = best;
  }
}

// The sliding variance update below accumulates rounding error very slowly; recomputing the window's
// sum of squared deviations exactly at fixed positions bounds that drift. The positions depend only on
// the index, so truncating the series never changes an earlier value.
const VAR_RESYNC_EVERY = 64;

/**
 * Rolling mean (TA-Lib running-sum order, identical to smaInto) and POPULATION variance (÷period) of
 * src[from..]. Variance uses a sliding Welford update instead of TA-Lib's E[x²]−E[x]², which loses most
 * of its digits when the mean is large relative to the spread (prices). Negative round-off is clamped to 0.
 */
export function rollingMeanVarInto(
  src: Float64Array,
  period: number,
  meanOut: Float64Array,
  varOut: Float64Array,
  from = 0,
): void {
  const n = src.length;
  const first = from + period - 1;
  if (first >= n) return;
  let sum = 0;
  for (let i = from; i < first; i++) sum += src[i];
  let trail = from;
  let prevMean = 0;
  let m2 = 0;
  for (let i = first; i < n; i++) {
    const x = src[i];
    sum += x;
    const mean = sum / period;
    sum -= src[trail];
    if ((i - first) % VAR_RESYNC_EVERY === 0) {
      m2 = 0;
      for (let j = i - period + 1; j <= i; j++) {
        const d = src[j] - mean;
        m2 += d * d;
      }
    } else {
      const y = src[i - period]; // the value that left the window
      m2 += (x - y) * (x - mean + y - prevMean);
      if (m2 < 0) m2 = 0;
    }
    trail++;
    prevMean = mean;
    meanOut[i] = mean;
    varOut[i] = m2 / period;
  }
}

/** Least-squares line over the `period` values ending at i, evaluated TA-Lib's way (x = bars ago). */
export interface LinRegOutputs {
  value?: Float64Array; // fitted value at the newest bar
  slope?: Float64Array; // per bar, forward in time
  intercept?: Float64Array; // fitted value at the oldest bar of the window
  angle?: Float64Array; // atan(slope) in degrees
  forecast?: Float64Array; // fitted value one bar ahead (TA-Lib TSF)
}

export function linearRegressionInto(src: Float64Array, period: number, outs: LinRegOutputs, from = 0): void {
  const n = src.length;
  const sumX = period * (period - 1) * 0.5;
  const sumXSqr = (period * (period - 1) * (2 * period - 1)) / 6;
  const divisor = sumX * sumX - period * sumXSqr;
  const toDeg = 180 / Math.PI;
  const { value, slope, intercept, angle, forecast } = outs;
  for (let t = from + period - 1; t < n; t++) {
    let sumXY = 0;
    let sumY = 0;
    for (let i = period - 1; i >= 0; i--) {
      const y = src[t - i];
      sumY += y;
      sumXY += i * y;
    }
    const m = (period * sumXY - sumX * sumY) / divisor;
    const b = (sumY - m * sumX) / period;
    if (value) value[t] = b + m * (period - 1);
    if (slope) slope[t] = m;
    if (intercept) intercept[t] = b;
    if (angle) angle[t] = Math.atan(m) * toDeg;
    if (forecast) forecast[t] = b + m * period;
  }
}

/** Index of the first non-NaN value (n when all NaN). */
export function firstValid(a: Float64Array): number {
  let i = 0;
  while (i < a.length && Number.isNaN(a[i])) i++;
  return i;
}
