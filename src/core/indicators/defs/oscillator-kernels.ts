// Kernels shared by several oscillators (RSI/CMO, stochastic %K).
import { rollingMaxInto, rollingMinInto } from '../kernels';

/**
 * Wilder-smoothed average gain/loss (TA-Lib RSI/CMO recursion) over src[from..]; first output at
 * from+period. mode 'rsi' → 100·G/(G+L); 'cmo' → 100·(G−L)/(G+L). A window without any change gives
 * `flatValue` (TA-Lib gives 0 for both; RSI's neutral value 50 is the one that means "no pressure").
 */
export function wilderOscInto(
  src: Float64Array,
  period: number,
  out: Float64Array,
  mode: 'rsi' | 'cmo',
  flatValue: number,
  from = 0,
): void {
  const n = src.length;
  if (from + period >= n) return;
  let prevValue = src[from];
  let gain = 0;
  let loss = 0;
  let today = from + 1;
  for (let i = period; i > 0; i--) {
    const v = src[today++];
    const d = v - prevValue;
    prevValue = v;
    if (d < 0) loss -= d;
    else gain += d;
  }
  loss /= period;
  gain /= period;
  const cmo = mode === 'cmo';
  // one inlined expression instead of a per-bar closure call: this loop is the hot path of rsi/cmo/stochrsi
  let total = gain + loss;
  out[today - 1] = total === 0 ? flatValue : cmo ? 100.0 * ((gain - loss) / total) : 100.0 * (gain / total);
  for (; today < n; today++) {
    const v = src[today];
    const d = v - prevValue;
    prevValue = v;
    loss *= period - 1;
    gain *= period - 1;
    if (d < 0) loss -= d;
    else gain += d;
    loss /= period;
    gain /= period;
    total = gain + loss;
    out[today] = total === 0 ? flatValue : cmo ? 100.0 * ((gain - loss) / total) : 100.0 * (gain / total);
  }
}

/**
 * Raw stochastic %K = 100·(C − min L_k)/(max H_k − min L_k) of src[from..]; first at from+k-1.
 * A zero range gives 50 (mid-range; TA-Lib gives 0). Uses two scratch arrays of length n.
 */
export function rawStochInto(
  high: Float64Array,
  low: Float64Array,
  close: Float64Array,
  kPeriod: number,
  out: Float64Array,
  scratchHi: Float64Array,
  scratchLo: Float64Array,
  from = 0,
): void {
  rollingMaxInto(high, kPeriod, scratchHi, from);
  rollingMinInto(low, kPeriod, scratchLo, from);
  const n = close.length;
  for (let i = from + kPeriod - 1; i < n; i++) {
    const hi = scratchHi[i];
    const lo = scratchLo[i];
    const diff = (hi - lo) / 100.0;
    out[i] = diff !== 0 ? (close[i] - lo) / diff : 50;
  }
}
