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
  const knownAt = new Int32Array(n).fill(-1);
  const { pivots, confirmedAt } = zigzagPivots(close, threshold);
  let horizon = 0;
  for (let k = 0; k + 1 < pivots.length; k++) {
    const a = pivots[k];
    const b = pivots[k + 1];
    const up = close[b] > close[a];
    labels[a] = HOLD;
    // Pivot a is a pivot once the reversal from it is confirmed.
    const c = confirmedAt[k];
    knownAt[a] = c;
    for (let i = a + 1; i < b; i++) labels[i] = up ? BUY : SELL;
    // An inner bar i is known to lie inside this leg (so its label is the leg's direction) once the
    // leg is confirmed (bar c) and the leg's provisional end has moved past i: at c for bars before
    // c, else at the first later bar that sets a new extreme of the leg (b, the last one, at the latest).
    let m = c;
    let extreme = close[c];
    for (let i = a + 1; i < b; i++) {
      if (i < c) {
        knownAt[i] = c;
        continue;
      }
      if (up ? close[i] > extreme : close[i] < extreme) extreme = close[i];
      if (m <= i) {
        // The next bar beyond the leg's extreme so far (the provisional pivot moves there).
        for (m = i + 1; m < b && !(up ? close[m] > extreme : close[m] < extreme); m++);
      }
      knownAt[i] = m;
    }
  }
  for (let i = 0; i < n; i++) if (knownAt[i] >= 0) horizon = Math.max(horizon, knownAt[i] - i);
  return { labels, horizon, knownAt };
}
