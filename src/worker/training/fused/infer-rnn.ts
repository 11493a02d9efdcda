// Backtest inference of LSTM/GRU models through the fused recurrent net: the same numbers as
// predictProbabilities(model, matrix) (windows of sequence_length rows ending at each bar; bars before
// the first full window stay NaN). Two paths:
//  - 'f32' (default): batched float32 windows (rnn-windows.ts: the first layer's input projection once
//    per bar, stacked [W; U] products, f32x4 kernels), on every core for long backtests
//    (KTRDR_THREADS, threads/config.ts); within 1e-6 of the float64 path (a unit test holds it there);
//  - 'f64': FusedRnn.forward per batch of windows in float64 (the training forward pass; the reference).
// Accepts exactly what buildModel makes for recurrent strategies: stacked LSTM or GRU layers of one
// width with tfjs's default activations (tanh, hardSigmoid), biases, no state tricks, Dropout layers
// (identity at inference), a Dense head and a softmax. Anything else keeps the tfjs path (null).
import type * as tf from '@tensorflow/tfjs';
import { windowSamples } from '../../../infra/models/samples';
import type { InferenceMatrix } from './infer';
import { FusedRnn, RnnWorkspace, type RnnShape } from './rnn';
import { RnnWindowsF32 } from './rnn-windows';
import { SimdEngine, simdSupported } from './simd/engine';
import { threadsFromEnv } from './threads/config';
import { ComputeThread, type ComputeThreadEntry } from './threads/pool';
import { loadWeights } from './weights';

export interface FusedRnnPredictor {
  readonly kind: 'fused-js';
  readonly model: 'lstm' | 'gru';
  readonly sizes: readonly number[];
  readonly activation: 'tanh';
  predictAsync(matrix: InferenceMatrix, onProgress?: (done: number, total: number) => void): Promise<Float32Array>;
  predict(matrix: InferenceMatrix): Float32Array;
}

/** Windows per forward pass of the float64 path (each holds T·G·H activations). */
const BATCH = 128;
/** Windows per progress report / event-loop turn. */
const CHUNK = 8192;
/** Windows per task of a compute thread (~0.15 s): small enough that the threads finish together. */
const THREAD_CHUNK = 2048;
/** Below this many windows the threads' start-up is not worth it: the calling thread predicts. */
export const THREADED_MIN_WINDOWS = 16_384;

export type RnnPrecision = 'f32' | 'f64';

/** KTRDR_RNN_INFERENCE: f32 (default, batched float32) or f64 (the float64 forward pass, ~5× slower). */
export function rnnPrecisionFromEnv(env: NodeJS.ProcessEnv = process.env): RnnPrecision {
  const raw = (env.KTRDR_RNN_INFERENCE ?? '').trim().toLowerCase();
  if (raw === '' || raw === 'f32') return 'f32';
  if (raw === 'f64') return 'f64';
  throw new Error(`KTRDR_RNN_INFERENCE=${env.KTRDR_RNN_INFERENCE} is not valid: use f32 or f64`);
}

export interface RnnPredictorOptions {
  /** 'f32' (default): batched float32 windows; 'f64': the training forward pass in float64 (the reference). */
  precision?: RnnPrecision;
  /** Threads for predictAsync (default KTRDR_THREADS, else one per core); predict() uses the calling thread. */
  threads?: number;
  /** Windows per progress report (per thread task: at most 2,048). */
  chunkRows?: number;
  /** Windows per float64 forward pass. */
  batchRows?: number;
  /** Fewer windows than this are predicted on the calling thread (default THREADED_MIN_WINDOWS). */
  threadedMinWindows?: number;
  entry?: ComputeThreadEntry;
}

/** The recurrent shape of `model`, or null when the fused net does not compute it exactly. */
export function recurrentShapeOf(model: tf.LayersModel): RnnShape | null {
  if (model.getClassName() !== 'Sequential' || model.inputs.length !== 1) return null;
  const inShape = model.inputs[0].shape;
  if (inShape.length !== 3 || typeof inShape[1] !== 'number' || typeof inShape[2] !== 'number') return null;
  let cell: 'lstm' | 'gru' | null = null;
  let units = 0;
  let layers = 0;
  let classes = 0;
  let sawHead = false;
  let sawSoftmax = false;
  const rnnLayers = model.layers.filter((l) => l.getClassName() === 'LSTM' || l.getClassName() === 'GRU');
  for (const layer of model.layers) {
    const name = layer.getClassName();
    const cfg = layer.getConfig() as Record<string, unknown>;
    if (name === 'Dropout' || name === 'InputLayer') continue;
    if (name === 'LSTM' || name === 'GRU') {
      const kind = name === 'LSTM' ? 'lstm' : 'gru';
      if (sawHead || (cell !== null && cell !== kind)) return null;
      cell = kind;
      const lastRnn = layer === rnnLayers[rnnLayers.length - 1];
      const plain =
        cfg.activation === 'tanh' &&
        cfg.recurrentActivation === 'hardSigmoid' &&
        cfg.useBias === true &&
        !cfg.returnState &&
        !cfg.goBackwards &&
        !cfg.stateful &&
        !cfg.unroll &&
        !(Number(cfg.dropout) > 0) &&
        !(Number(cfg.recurrentDropout) > 0) &&
        cfg.returnSequences === !lastRnn &&
        (kind === 'lstm' || !cfg.resetAfter);
      if (!plain) return null;
      const u = Number(cfg.units);
      if (units !== 0 && u !== units) return null;
      units = u;
      layers++;
      continue;
    }
    if (name === 'Dense') {
      if (cell === null || sawHead || cfg.useBias !== true || (cfg.activation !== 'linear' && cfg.activation !== 'softmax')) return null;
      sawHead = true;
      classes = Number(cfg.units);
      if (cfg.activation === 'softmax') sawSoftmax = true;
      continue;
    }
    if (name === 'Activation' && sawHead && !sawSoftmax && cfg.activation === 'softmax') {
      sawSoftmax = true;
      continue;
    }
    if (name === 'Activation' && cfg.activation === 'linear') continue;
    return null;
  }
  if (cell === null || !sawHead || !sawSoftmax) return null;
  return { cell, inputSize: inShape[2], units, layers, seq: inShape[1], classes, dropout: 0 };
}

export function fusedRnnPredictorFrom(model: tf.LayersModel, opts: RnnPredictorOptions = {}): FusedRnnPredictor | null {
  if (!simdSupported()) return null;
  const shape = recurrentShapeOf(model);
  if (!shape) return null;
  const batchRows = opts.batchRows ?? BATCH;
  const engine = SimdEngine.create(FusedRnn.values(shape) + RnnWorkspace.values(shape, batchRows));
  if (!engine) return null;
  const rnn = new FusedRnn(shape, engine);
  try {
    loadWeights(rnn.params, rnn.weightShapes(), model);
  } catch {
    return null;
  }
  return new RnnPredictor(rnn, opts, batchRows);
}

class RnnPredictor implements FusedRnnPredictor {
  readonly kind = 'fused-js' as const;
  readonly activation = 'tanh' as const;
  readonly model: 'lstm' | 'gru';
  readonly sizes: readonly number[];
  private readonly f32: RnnWindowsF32 | null;
  private readonly ws: RnnWorkspace | null;
  private readonly threads: number;
  private readonly chunkRows: number;

  constructor(
    private readonly rnn: FusedRnn,
    private readonly opts: RnnPredictorOptions,
    private readonly batchRows: number,
  ) {
    const s = rnn.shape;
    this.model = s.cell;
    this.sizes = [s.inputSize, ...new Array<number>(s.layers).fill(s.units), s.classes];
    const f32 = (opts.precision ?? 'f32') === 'f32';
    this.f32 = f32 ? new RnnWindowsF32(s, rnn.params) : null;
    this.ws = f32 ? null : rnn.workspace(batchRows);
    this.threads = f32 ? (opts.threads ?? threadsFromEnv()) : 1;
    this.chunkRows = opts.chunkRows ?? CHUNK;
    if (!(Number.isInteger(this.chunkRows) && this.chunkRows >= 1)) throw new Error(`chunkRows must be a positive integer, got ${this.chunkRows}`);
  }

  private check(matrix: InferenceMatrix): Float32Array {
    const F = this.rnn.shape.inputSize;
    if (matrix.cols !== F) throw new Error(`The model takes ${F} features per row, the matrix has ${matrix.cols}`);
    if (matrix.values.length < matrix.rows * F) throw new Error(`The matrix holds ${matrix.values.length} values for ${matrix.rows}×${F}`);
    return new Float32Array(matrix.rows * this.rnn.shape.classes).fill(NaN);
  }

  /** Windows of a matrix (window w ends at bar w + T − 1). */
  private windowCount(matrix: InferenceMatrix): number {
    return Math.max(0, matrix.rows - (this.rnn.shape.seq - 1));
  }

  predict(matrix: InferenceMatrix): Float32Array {
    const out = this.check(matrix);
    this.windows(matrix, 0, this.windowCount(matrix), out);
    return out;
  }

  async predictAsync(matrix: InferenceMatrix, onProgress?: (done: number, total: number) => void): Promise<Float32Array> {
    const out = this.check(matrix);
    const total = this.windowCount(matrix);
    if (this.threads > 1 && total >= (this.opts.threadedMinWindows ?? THREADED_MIN_WINDOWS)) await this.onThreads(matrix, total, out, onProgress);
    else await this.onThisThread(matrix, total, out, onProgress);
    return out;
  }

  /** Chunk by chunk on the calling thread, giving the event loop a turn after each. */
  private async onThisThread(matrix: InferenceMatrix, total: number, out: Float32Array, onProgress?: (done: number, total: number) => void): Promise<void> {
    for (let from = 0; from < total; ) {
      const to = Math.min(total, from + this.chunkRows);
      this.windows(matrix, from, to, out);
      from = to;
      onProgress?.(from, total);
      await new Promise((r) => setImmediate(r));
    }
  }

  /**
   * Chunks of windows on up to `threads` compute threads, each taking the next chunk when done;
   * progress counts finished windows. An onProgress that throws stops the prediction (the threads end).
   */
  private async onThreads(matrix: InferenceMatrix, total: number, out: Float32Array, onProgress?: (done: number, total: number) => void): Promise<void> {
    const { seq: T, inputSize: F, classes: C } = this.rnn.shape;
    const chunk = Math.min(this.chunkRows, THREAD_CHUNK);
    // Threads that cannot start cost speed, not results (every thread count gives the same numbers).
    const pool = await ComputeThread.startMany(Math.min(this.threads, Math.ceil(total / chunk)), this.opts.entry).catch(() => null);
    if (!pool) return this.onThisThread(matrix, total, out, onProgress);
    try {
      await Promise.all(pool.map((t) => t.request({ kind: 'infer-init', shape: this.rnn.shape, params: Float64Array.from(this.rnn.params) })));
      let next = 0;
      let done = 0;
      let stopped = false;
      const work = async (t: ComputeThread) => {
        while (!stopped && next < total) {
          const from = next;
          const count = Math.min(chunk, total - from);
          next += count;
          const values = matrix.values.slice(from * F, (from + count + T - 1) * F);
          const probs = await t.request<Float32Array>({ kind: 'infer', values, count }, [values.buffer]);
          if (stopped) return;
          out.set(probs, (from + T - 1) * C);
          done += count;
          try {
            onProgress?.(done, total);
          } catch (err) {
            stopped = true;
            throw err;
          }
        }
      };
      await Promise.all(pool.map(work));
    } finally {
      await Promise.all(pool.map((t) => t.close()));
    }
  }

  /** Probabilities of windows [from, to) into out, on this thread. */
  private windows(matrix: InferenceMatrix, from: number, to: number, out: Float32Array): void {
    if (to <= from) return;
    if (this.f32) this.f32.run(matrix.values, from, to, out);
    else this.windowsF64(matrix, from, to, out);
  }

  /** The float64 path: FusedRnn.forward over batches of windows. */
  private windowsF64(matrix: InferenceMatrix, from: number, to: number, out: Float32Array): void {
    const { seq: T, classes: C } = this.rnn.shape;
    const ws = this.ws!;
    const n = to - from;
    const ends = new Int32Array(n);
    for (let i = 0; i < n; i++) ends[i] = from + i + T - 1;
    const src = windowSamples(matrix.values, matrix.cols, ends, T);
    const positions = new Int32Array(this.batchRows);
    for (let b = 0; b < n; b += this.batchRows) {
      const count = Math.min(this.batchRows, n - b);
      for (let i = 0; i < count; i++) positions[i] = b + i;
      src.fill(positions, 0, count, ws.x32);
      this.rnn.loadInputs(ws, count);
      const z = this.rnn.forward(ws, count, false);
      // Softmax as tfjs: exp(z − max) / Σ; a NaN logit makes the row NaN.
      for (let i = 0, o = 0, d = (from + b + i + T - 1) * C; i < count; i++, o += C, d += C) {
        let max = z[o];
        for (let c = 1; c < C; c++) max = Math.max(max, z[o + c]);
        let sum = 0;
        for (let c = 0; c < C; c++) sum += Math.exp(z[o + c] - max);
        for (let c = 0; c < C; c++) out[d + c] = Math.exp(z[o + c] - max) / sum;
      }
    }
  }
}
