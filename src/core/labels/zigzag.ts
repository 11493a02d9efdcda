// Zigzag segment labels (KTRDR ZigZagIndicator.get_zigzag_segment_labels): bars strictly between two
// consecutive pivots are BUY when the later pivot is higher, SELL when lower; pivot bars are HOLD.
// Fix: KTRDR labels every bar from the last (provisional) pivot on as HOLD, although the data do not
// say what they are yet; they are UNKNOWN (−1) here.
import { BUY, HOLD, SELL, UNKNOWN, type LabelResult } from './types';

export interface ZigzagPivots {
  /** Pivot bar indices in order; the last one is provisional (it may still be extended). */
  pivots: number[];
  /** confirmedAt[k]: the bar at which pivot k was confirmed by a reversal ≥ threshold (−1 for the last). */
  confirmedAt: number[];
}

/** KTRDR's zigzag on one price series: bar 0 is a pivot; a move ≥ threshold (fraction) sets a direction. */
export function zigzagPivots(price: Float64Array, threshold: number): ZigzagPivots {
  const pivots: number[] = [];
  const confirmedAt: number[] = [];
  if (price.length === 0) return { pivots, confirmedAt };
  pivots.push(0);
  confirmedAt.push(-1);
  let ref = price[0];
  let dir = 0;
  const startLeg = (i: number, d: number) => {
    confirmedAt[confirmedAt.length - 1] = i;
    pivots.push(i);
    confirmedAt.push(-1);
    dir = d;
    ref = price[i];
  };
  for (let i = 1; i < price.length; i++) {
    const p = price[i];
    const chg = (p - ref) / ref;
    if (dir === 0) {
      if (Math.abs(chg) >= threshold) startLeg(i, chg > 0 ? 1 : -1);
    } else if (dir > 0) {
      if (p > ref) {
        pivots[pivots.length - 1] = i; // the leg extends: the provisional pivot moves
        ref = p;
      } else if (chg <= -threshold) startLeg(i, -1);
    } else if (p < ref) {
      pivots[pivots.length - 1] = i;
      ref = p;
    } else if (chg >= threshold) startLeg(i, 1);
  }
  return { pivots, confirmedAt };
}

export function zigzagLabels(close: Float64Array, threshold = 0.02): LabelResult {
  const n = close.length;
  const labels = new Int8Array(n).fill(UNKNOWN);
  const { pivots, confirmedAt } = zigzagPivots(close, threshold);
  let horizon = 0;
  for (let k = 0; k + 1 < pivots.length; k++) {
    const a = pivots[k];
    const b = pivots[k + 1];
    labels[a] = HOLD;
    horizon = Math.max(horizon, confirmedAt[k] - a);
    const cls = close[b] > close[a] ? BUY : SELL;
    for (let i = a + 1; i < b; i++) labels[i] = cls;
    // An inner bar is known once the leg has been extended past it, at bar b at the latest.
    if (b - a > 1) horizon = Math.max(horizon, b - (a + 1));
  }
  return { labels, horizon };
}
