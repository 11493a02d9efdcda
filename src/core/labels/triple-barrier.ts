// Triple-barrier labels (KTRDR create_labels, source triple_barrier). For bar t: take-profit at
// C·(1+pt·vol), stop at C·(1−sl·vol), time limit maxHold bars; first barrier touched wins (both in
// one bar: the sign of the close move); at the time limit a return smaller than vol·√maxHold/2 is HOLD.
import type { BarSeries } from '../bars/types';
import { BUY, HOLD, SELL, UNKNOWN, type LabelResult } from './types';

export interface TripleBarrierParams {
  pt_multiplier: number;
  sl_multiplier: number;
  max_holding_period: number;
  vol_span: number;
  vol_method: 'atr' | 'std';
}

/** pandas ewm(span, adjust=True).mean() */
function ewmMean(x: Float64Array, span: number): Float64Array {
  const decay = 1 - 2 / (span + 1);
  const out = new Float64Array(x.length);
  let num = 0;
  let den = 0;
  for (let i = 0; i < x.length; i++) {
    num *= decay;
    den *= decay;
    if (Number.isFinite(x[i])) {
      num += x[i];
      den += 1;
    }
    out[i] = den > 0 ? num / den : NaN;
  }
  return out;
}

/** pandas ewm(span, adjust=True).std() (bias-corrected), NaN until two observations. */
function ewmStd(x: Float64Array, span: number): Float64Array {
  const decay = 1 - 2 / (span + 1);
  const out = new Float64Array(x.length).fill(NaN);
  let w = 0;
  let w2 = 0;
  let sx = 0;
  let sxx = 0;
  let count = 0;
  for (let i = 0; i < x.length; i++) {
    w *= decay;
    w2 *= decay * decay;
    sx *= decay;
    sxx *= decay;
    if (Number.isFinite(x[i])) {
      w += 1;
      w2 += 1;
      sx += x[i];
      sxx += x[i] * x[i];
      count++;
    }
    if (count < 2) continue;
    const mean = sx / w;
    const biased = Math.max(0, sxx / w - mean * mean);
    const denom = w * w - w2;
    out[i] = denom > 0 ? Math.sqrt((biased * w * w) / denom) : NaN;
  }
  return out;
}

export function barrierVolatility(bars: BarSeries, span: number, method: 'atr' | 'std'): Float64Array {
  const n = bars.close.length;
  const x = new Float64Array(n);
  if (method === 'atr') for (let i = 0; i < n; i++) x[i] = (bars.high[i] - bars.low[i]) / bars.close[i];
  else {
    x[0] = NaN;
    for (let i = 1; i < n; i++) x[i] = Math.log(bars.close[i] / bars.close[i - 1]);
  }
  const vol = method === 'atr' ? ewmMean(x, span) : ewmStd(x, span);
  // KTRDR: early bars without a usable volatility borrow the first valid one.
  let first = -1;
  for (let i = 0; i < n; i++)
    if (Number.isFinite(vol[i]) && vol[i] > 0) {
      first = i;
      break;
    }
  if (first >= 0) for (let i = 0; i < Math.min(span, n - 1); i++) if (!(Number.isFinite(vol[i]) && vol[i] > 0)) vol[i] = vol[first];
  return vol;
}

export function tripleBarrierLabels(bars: BarSeries, p: TripleBarrierParams): LabelResult {
  const { close: c, high: h, low: l } = bars;
  const n = c.length;
  const hold = p.max_holding_period;
  const labels = new Int8Array(n).fill(UNKNOWN);
  const knownAt = new Int32Array(n).fill(-1);
  const vol = barrierVolatility(bars, p.vol_span, p.vol_method);
  for (let t = 0; t + hold < n; t++) {
    const v = vol[t];
    if (!(Number.isFinite(v) && v > 0)) continue;
    const upper = c[t] * (1 + p.pt_multiplier * v);
    const lower = c[t] * (1 - p.sl_multiplier * v);
    let side = 2; // 2 = no barrier touched yet
    let dt = 1;
    for (; dt <= hold && side === 2; dt++) {
      const up = h[t + dt] >= upper;
      const dn = l[t + dt] <= lower;
      if (up && dn) side = c[t + dt] - c[t] >= 0 ? 1 : -1;
      else if (up) side = 1;
      else if (dn) side = -1;
    }
    // The label is settled at the bar that touched a barrier (the loop stepped once past it) or at the vertical one.
    knownAt[t] = side === 2 ? t + hold : t + dt - 1;
    if (side === 2) {
      const ret = (c[t + hold] - c[t]) / c[t];
      side = Math.abs(ret) < v * Math.sqrt(hold) * 0.5 ? 0 : Math.sign(ret);
    }
    labels[t] = side > 0 ? BUY : side < 0 ? SELL : HOLD;
  }
  return { labels, horizon: hold, knownAt };
}
