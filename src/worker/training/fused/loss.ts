// Class-weighted softmax cross-entropy over logits, shared by the fused nets: Σ_i w_i·CE_i / Σ_i w_i
// as trainer.ts defines it, its gradient, and the argmax accuracy count (first maximum wins, as tf.argMax).
import type { Vec } from './kernels';

export interface LossTotals {
  correct: number;
  weightSum: number;
}

/** Index of the largest of z[o..o+C) (the first one on ties, as tf.argMax). */
function rowArgmax(z: Vec, o: number, C: number): number {
  let arg = 0;
  for (let c = 1; c < C; c++) if (z[o + c] > z[o + arg]) arg = c;
  return arg;
}

/**
 * Mean weighted CE of z[0..rows·C); writes dLoss/dz into g and the counts into `out`. `totalWeight`:
 * the Σ w of the whole batch when these rows are one shard of it (parallel.ts), so that each shard's
 * loss and gradient are its part of the batch's; default the rows' own Σ w.
 */
export function softmaxCrossEntropy(z: Vec, g: Vec, labels: Int32Array, w: Vec, rows: number, C: number, out: LossTotals, totalWeight?: number): number {
  let loss = 0;
  let wsum = 0;
  let correct = 0;
  for (let i = 0, o = 0; i < rows; i++, o += C) {
    const arg = rowArgmax(z, o, C);
    const max = z[o + arg];
    let sum = 0;
    for (let c = 0; c < C; c++) {
      const e = Math.exp(z[o + c] - max);
      g[o + c] = e;
      sum += e;
    }
    const label = labels[i];
    const wi = w[i];
    loss += wi * (Math.log(sum) + max - z[o + label]);
    wsum += wi;
    if (arg === label) correct++;
    const inv = wi / sum;
    for (let c = 0; c < C; c++) g[o + c] *= inv;
    g[o + label] -= wi;
  }
  const total = totalWeight ?? wsum;
  const scale = 1 / total;
  const n = rows * C;
  for (let i = 0; i < n; i++) g[i] *= scale;
  out.correct = correct;
  out.weightSum = wsum;
  return loss / total;
}

/** Σ w·CE, Σ w and the correct count of z[0..rows·C) (validation: no gradient). */
export function weightedLossSum(z: Vec, labels: Int32Array, w: Vec, rows: number, C: number): { lossSum: number; weightSum: number; correct: number } {
  let lossSum = 0;
  let weightSum = 0;
  let correct = 0;
  for (let i = 0, o = 0; i < rows; i++, o += C) {
    const arg = rowArgmax(z, o, C);
    const max = z[o + arg];
    let sum = 0;
    for (let c = 0; c < C; c++) sum += Math.exp(z[o + c] - max);
    const label = labels[i];
    lossSum += w[i] * (Math.log(sum) + max - z[o + label]);
    weightSum += w[i];
    if (arg === label) correct++;
  }
  return { lossSum, weightSum, correct };
}
