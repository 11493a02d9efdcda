// Forward-return labels: the close-to-close return over `horizon` bars, classified with a symmetric
// threshold (> threshold BUY, < −threshold SELL, else HOLD). The raw returns are kept for regression.
import { BUY, HOLD, SELL, UNKNOWN, type LabelResult } from './types';

export function forwardReturnLabels(close: Float64Array, horizon = 20, threshold = 0.005): LabelResult & { returns: Float64Array } {
  const n = close.length;
  const labels = new Int8Array(n).fill(UNKNOWN);
  const returns = new Float64Array(n).fill(NaN);
  const knownAt = new Int32Array(n).fill(-1);
  for (let t = 0; t + horizon < n; t++) {
    const r = (close[t + horizon] - close[t]) / close[t];
    if (!Number.isFinite(r)) continue;
    returns[t] = r;
    labels[t] = r > threshold ? BUY : r < -threshold ? SELL : HOLD;
    knownAt[t] = t + horizon;
  }
  return { labels, horizon, knownAt, returns };
}
