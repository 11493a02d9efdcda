// Using a saved model: load it with its manifest, and turn a feature matrix into class probabilities.
import * as tf from '@tensorflow/tfjs';
import { type ModelManifest } from './manifest';
import { readManifestIfAny } from './registry';
import { sampleLength, identityPositions, rowSamples, windowSamples, type SampleSource } from './samples';
import { loadLayersModel } from './tfjs-files';

export interface LoadedModel {
  model: tf.LayersModel;
  manifest: ModelManifest;
}

export async function loadModel(dir: string): Promise<LoadedModel> {
  const manifest = readManifestIfAny(dir);
  if (!manifest) throw new Error(`No ${'metadata.json'} in ${dir}: not a model folder written by this workstation`);
  const model = await loadLayersModel(dir);
  return { model, manifest };
}

export interface MatrixLike {
  rows: number;
  cols: number;
  /** Row-major rows × cols. */
  values: Float32Array;
}

/**
 * Probabilities (rows × numClasses, row-major) for every row of the matrix, computed in batches.
 * Sequence models see the window of `sequenceLength` rows ending at each row; rows with fewer rows
 * before them get NaN (not enough history).
 */
export function predictProbabilities(model: tf.LayersModel, matrix: MatrixLike, opts: { sequenceLength?: number; batchSize?: number } = {}): Float32Array {
  const L = opts.sequenceLength ?? (model.inputs[0].shape.length === 3 ? (model.inputs[0].shape[1] as number) : 1);
  const batchSize = opts.batchSize ?? 4096;
  const classes = model.outputs[0].shape[1] as number;
  const out = new Float32Array(matrix.rows * classes).fill(NaN);
  let src: SampleSource;
  let firstRow = 0;
  if (L > 1) {
    firstRow = L - 1;
    const ends = new Int32Array(Math.max(0, matrix.rows - firstRow));
    for (let i = 0; i < ends.length; i++) ends[i] = firstRow + i;
    src = windowSamples(matrix.values, matrix.cols, ends, L);
  } else {
    src = rowSamples(matrix.values, matrix.cols, identityPositions(matrix.rows));
  }
  out.set(predictSamples(model, src, batchSize), firstRow * classes);
  return out;
}

export interface PredictHooks {
  /** Called after each batch with rows done so far; may throw to stop (e.g. on cancellation). */
  onProgress?: (done: number, total: number) => void;
}

/**
 * predictProbabilities for long ranges: the same numbers, but it reports progress and lets other
 * work (a cancel request) in between batches instead of blocking for the whole range.
 */
export async function predictProbabilitiesAsync(model: tf.LayersModel, matrix: MatrixLike, opts: { sequenceLength?: number; batchSize?: number } & PredictHooks = {}): Promise<Float32Array> {
  const L = opts.sequenceLength ?? (model.inputs[0].shape.length === 3 ? (model.inputs[0].shape[1] as number) : 1);
  const batchSize = opts.batchSize ?? 4096;
  const classes = model.outputs[0].shape[1] as number;
  const out = new Float32Array(matrix.rows * classes).fill(NaN);
  const firstRow = L > 1 ? L - 1 : 0;
  const total = Math.max(0, matrix.rows - firstRow);
  // Slices of 16 batches (~0.3 s here): each is predicted in one go, then the event loop gets a turn.
  const slice = batchSize * 16;
  for (let from = 0; from < total; from += slice) {
    const count = Math.min(slice, total - from);
    let src: SampleSource;
    if (L > 1) {
      const ends = new Int32Array(count);
      for (let i = 0; i < count; i++) ends[i] = firstRow + from + i;
      src = windowSamples(matrix.values, matrix.cols, ends, L);
    } else {
      const rows = new Int32Array(count);
      for (let i = 0; i < count; i++) rows[i] = from + i;
      src = rowSamples(matrix.values, matrix.cols, rows);
    }
    out.set(predictSamples(model, src, batchSize), (firstRow + from) * classes);
    opts.onProgress?.(from + count, total);
    await new Promise((r) => setImmediate(r));
  }
  return out;
}

/** Probabilities (samples × classes, row-major) for every sample of a source, in batches. */
export function predictSamples(model: tf.LayersModel, src: SampleSource, batchSize = 4096): Float32Array {
  const classes = model.outputs[0].shape[1] as number;
  const out = new Float32Array(src.size * classes);
  const positions = identityPositions(src.size);
  const per = sampleLength(src);
  for (let from = 0; from < src.size; from += batchSize) {
    const count = Math.min(batchSize, src.size - from);
    const x = new Float32Array(count * per);
    src.fill(positions, from, count, x);
    const probs = tf.tidy(() => model.predict(tf.tensor(x, [count, ...src.shape])) as tf.Tensor);
    out.set(probs.dataSync() as Float32Array, from * classes);
    probs.dispose();
  }
  return out;
}
