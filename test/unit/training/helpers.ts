import type * as tf from '@tensorflow/tfjs';
import { rowSamples } from '../../../src/infra/models/samples';
import { Rng } from '../../../src/worker/training/random';
import type { LabelledSamples } from '../../../src/worker/training/trainer';

/** A learnable 3-class problem: the class is decided by the sign pattern of the first two features. */
export function syntheticMatrix(rows: number, cols: number, seed: number, noise = 0.3) {
  const rng = new Rng(seed);
  const values = new Float32Array(rows * cols);
  const labels = new Int32Array(rows);
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < cols; c++) values[r * cols + c] = rng.next() * 2 - 1;
    const s = values[r * cols] + values[r * cols + 1];
    labels[r] = s > 0.4 ? 0 : s < -0.4 ? 2 : 1;
    if (rng.next() < noise) labels[r] = rng.int(3);
  }
  return { values, labels, cols, rows };
}

export function labelled(values: Float32Array, cols: number, labels: Int32Array, from: number, to: number): LabelledSamples {
  const rows = new Int32Array(to - from);
  for (let i = 0; i < rows.length; i++) rows[i] = from + i;
  return { samples: rowSamples(values, cols, rows), labels: labels.slice(from, to) };
}

/** Every weight tensor of a tfjs model, as plain arrays (getWeights order). */
export function weightsOf(model: tf.LayersModel): number[][] {
  return model.getWeights().map((w) => Array.from(w.dataSync()));
}

/** max |a − b| over a tensor, relative to that tensor's largest magnitude. */
export function relativeDiff(a: number[], b: number[]): number {
  let diff = 0;
  let scale = 0;
  for (let i = 0; i < a.length; i++) {
    diff = Math.max(diff, Math.abs(a[i] - b[i]));
    scale = Math.max(scale, Math.abs(a[i]), Math.abs(b[i]));
  }
  return diff / Math.max(scale, 1e-12);
}
