// Backtest inference through the fused MLP's forward pass. On the wasm and cpu backends tfjs spends
// most of a prediction on per-kernel dispatch and tensor copies; here plain loops compute the same
// Dense → activation → … → softmax chain straight from the feature matrix into the output, a cache-sized
// batch of rows at a time, with the weights the tfjs model holds (copied as training does, weights.ts).
// Only models the fused net represents exactly are accepted (fusedPredictorFrom returns null for the
// rest, which keep the tfjs path). Non-finite features propagate as in tfjs (IEEE arithmetic in both):
// a NaN feature gives a NaN row, which the decision code turns into HOLD.
import type * as tf from '@tensorflow/tfjs';
import type { BackendName } from '../backend';
import type { Activation } from '../model';
import { chooseTrainer } from './choice';
import { fusedRnnPredictorFrom, rnnPrecisionFromEnv, type RnnPrecision } from './infer-rnn';
import { ACT_LEAKY, ACT_RELU, ACT_SIGMOID, ACT_TANH, activate, LEAKY_ALPHA, Vec } from './kernels';
import { FusedMlp } from './mlp';
import { threadsFromEnv } from './threads/config';
import { loadTfjsWeights } from './weights';

export interface InferenceMatrix {
  rows: number;
  cols: number;
  /** Row-major rows × cols. */
  values: Float32Array;
}

export interface FusedPredictor {
  readonly kind: 'fused-js';
  /** The model family: MLPs through the fused MLP, LSTM/GRU through the fused recurrent net (infer-rnn.ts). */
  readonly model?: 'mlp' | 'lstm' | 'gru';
  /** [input, hidden…, classes]. */
  readonly sizes: readonly number[];
  readonly activation: Activation;
  /**
   * rows × classes softmax probabilities (row-major). Runs in chunks of `chunkRows`, calling
   * onProgress(done, total) after each (it may throw to stop: the error propagates) and giving the
   * event loop a turn in between.
   */
  predictAsync(matrix: InferenceMatrix, onProgress?: (done: number, total: number) => void): Promise<Float32Array>;
  /** The same numbers in one blocking call. */
  predict(matrix: InferenceMatrix): Float32Array;
}

/** What the model's manifest says about it (metadata.json `model`), when known. */
export interface ModelInfo {
  type?: string;
  sequence_length?: number;
}

export interface FusedPredictorOptions {
  /** Rows per progress report / event-loop turn. */
  chunkRows?: number;
  /** Rows per forward pass: small enough that the activations stay in cache. */
  batchRows?: number;
  /** LSTM/GRU: threads of predictAsync (default KTRDR_THREADS, else one per core; infer-rnn.ts). */
  threads?: number;
  /** LSTM/GRU: batched float32 (default) or the float64 forward pass (infer-rnn.ts). */
  precision?: RnnPrecision;
}

export const DEFAULT_CHUNK_ROWS = 65_536;
export const DEFAULT_BATCH_ROWS = 256;

type Act = Activation | 'linear' | 'softmax';

interface DenseStep {
  units: number;
  /** The activation applied to this layer's output ('linear' until an activation layer follows). */
  act: Act;
}

const DENSE_ACTIVATIONS: ReadonlySet<string> = new Set(['linear', 'relu', 'tanh', 'sigmoid', 'softmax']);

/** An activation layer's function, or null when the fused net has no exact equivalent. */
function activationOfLayer(layer: tf.layers.Layer): Act | null {
  const cfg = layer.getConfig() as Record<string, unknown>;
  switch (layer.getClassName()) {
    case 'Activation': {
      const a = String(cfg.activation);
      return a === 'relu' || a === 'tanh' || a === 'sigmoid' || a === 'softmax' || a === 'linear' ? a : null;
    }
    case 'LeakyReLU':
      return cfg.alpha === LEAKY_ALPHA ? 'leaky_relu' : null;
    case 'ReLU':
      return cfg.maxValue === undefined || cfg.maxValue === null ? 'relu' : null;
    case 'Softmax':
      return cfg.axis === -1 || cfg.axis === 1 ? 'softmax' : null;
    default:
      return null;
  }
}

/** The Dense chain of a plain MLP, or null when the model is anything else. */
function denseChain(model: tf.LayersModel): { inputSize: number; steps: DenseStep[] } | null {
  if (model.getClassName() !== 'Sequential' || model.inputs.length !== 1 || model.outputs.length !== 1) return null;
  const inShape = model.inputs[0].shape;
  const outShape = model.outputs[0].shape;
  if (inShape.length !== 2 || outShape.length !== 2 || typeof inShape[1] !== 'number') return null;
  const steps: DenseStep[] = [];
  for (const layer of model.layers) {
    const name = layer.getClassName();
    if (name === 'Dropout' || name === 'InputLayer') continue; // identity at inference
    const last = steps[steps.length - 1];
    if (name === 'Dense') {
      const cfg = layer.getConfig() as Record<string, unknown>;
      const act = String(cfg.activation);
      if (cfg.useBias !== true || !DENSE_ACTIVATIONS.has(act)) return null;
      steps.push({ units: Number(cfg.units), act: act as Act });
      continue;
    }
    const act = activationOfLayer(layer);
    if (act === null || last === undefined) return null;
    if (act === 'linear') continue;
    if (last.act !== 'linear') return null; // two activations in a row: not one fused layer
    last.act = act;
  }
  return { inputSize: inShape[1], steps };
}

/**
 * A fused predictor for `model`, or null unless the fused nets compute it exactly: a plain MLP
 * (Dense layers with biases, every hidden one followed by the same relu/tanh/sigmoid/leaky_relu
 * (alpha 0.01), the last one by softmax; Dropout layers anywhere, identity at inference), or the
 * LSTM/GRU stack buildModel makes (infer-rnn.ts; needs WebAssembly SIMD).
 */
export function fusedPredictorFrom(model: tf.LayersModel, info: ModelInfo = {}, opts: FusedPredictorOptions = {}): FusedPredictor | null {
  if (info.type === 'lstm' || info.type === 'gru') {
    const rnn = fusedRnnPredictorFrom(model, { threads: opts.threads, precision: opts.precision });
    if (!rnn || rnn.model !== info.type || (info.sequence_length !== undefined && info.sequence_length !== model.inputs[0].shape[1])) return null;
    return rnn;
  }
  if (info.type !== undefined && info.type !== 'mlp') return null;
  if (info.type === undefined && model.inputs[0]?.shape.length === 3) return fusedRnnPredictorFrom(model, { threads: opts.threads, precision: opts.precision });
  if (info.sequence_length !== undefined && info.sequence_length > 1) return null;
  const chain = denseChain(model);
  if (!chain || chain.steps.length === 0) return null;
  const hidden = chain.steps.slice(0, -1);
  const output = chain.steps[chain.steps.length - 1];
  if (output.act !== 'softmax') return null;
  const activation = hidden.length > 0 ? hidden[0].act : 'relu';
  if (activation === 'linear' || activation === 'softmax' || hidden.some((s) => s.act !== activation)) return null;
  const mlp = new FusedMlp({ sizes: [chain.inputSize, ...chain.steps.map((s) => s.units)], activation, dropout: 0 });
  try {
    loadTfjsWeights(mlp, model);
  } catch {
    return null; // weights that are not exactly [kernel, bias] per Dense layer
  }
  return new FusedMlpPredictor(mlp, activation, opts.chunkRows ?? DEFAULT_CHUNK_ROWS, opts.batchRows ?? DEFAULT_BATCH_ROWS);
}

/**
 * The fused predictor where backtests should use it: where training would pick the fused loop
 * (wasm and cpu backends, or KTRDR_TRAINER=fused; never with KTRDR_TRAINER=tfjs) and the model is one
 * it computes exactly. null: keep tfjs. `backend` is the tfjs backend in use (any name: only wasm and
 * cpu count).
 */
export function fusedInferenceFor(model: tf.LayersModel, info: ModelInfo, backend: string, env: NodeJS.ProcessEnv = process.env): FusedPredictor | null {
  const type = info.type === 'lstm' || info.type === 'gru' ? info.type : 'mlp';
  if (chooseTrainer(type, backend as BackendName, env) !== 'fused-js') return null;
  return fusedPredictorFrom(model, info, { threads: threadsFromEnv(env), precision: rnnPrecisionFromEnv(env) });
}

const ACT_CODES: Record<Activation, number> = { relu: ACT_RELU, tanh: ACT_TANH, sigmoid: ACT_SIGMOID, leaky_relu: ACT_LEAKY };

class FusedMlpPredictor implements FusedPredictor {
  readonly kind = 'fused-js' as const;
  readonly model = 'mlp' as const;
  readonly sizes: readonly number[];
  private readonly act: number;
  private readonly params: Vec;
  private readonly wOff: readonly number[];
  private readonly bOff: readonly number[];
  /** Per layer l: its input rows [batchRows][sizes[l]] (index 0: the batch itself); the last one is the logits. */
  private readonly buf: Vec[];

  constructor(
    mlp: FusedMlp,
    readonly activation: Activation,
    private readonly chunkRows: number,
    private readonly batchRows: number,
  ) {
    if (!(chunkRows >= 1 && batchRows >= 1)) throw new Error(`chunkRows and batchRows must be ≥ 1`);
    this.sizes = mlp.sizes;
    this.act = ACT_CODES[activation];
    this.params = mlp.params;
    this.wOff = mlp.wOff;
    this.bOff = mlp.bOff;
    this.buf = mlp.sizes.map((n) => new Vec(batchRows * n));
  }

  private check(matrix: InferenceMatrix): Float32Array {
    const nIn = this.sizes[0];
    if (matrix.cols !== nIn) throw new Error(`The model takes ${nIn} features per row, the matrix has ${matrix.cols}`);
    if (matrix.values.length < matrix.rows * nIn) throw new Error(`The matrix holds ${matrix.values.length} values for ${matrix.rows}×${nIn}`);
    return new Float32Array(matrix.rows * this.sizes[this.sizes.length - 1]);
  }

  predict(matrix: InferenceMatrix): Float32Array {
    const out = this.check(matrix);
    this.rows(matrix.values, 0, matrix.rows, out);
    return out;
  }

  async predictAsync(matrix: InferenceMatrix, onProgress?: (done: number, total: number) => void): Promise<Float32Array> {
    const out = this.check(matrix);
    const total = matrix.rows;
    for (let from = 0; from < total; ) {
      const to = Math.min(total, from + this.chunkRows);
      this.rows(matrix.values, from, to, out);
      from = to;
      onProgress?.(from, total);
      await new Promise((r) => setImmediate(r));
    }
    return out;
  }

  /** Probabilities of rows [from, to) into out, batchRows at a time. */
  private rows(values: Float32Array, from: number, to: number, out: Float32Array): void {
    const sizes = this.sizes;
    const depth = sizes.length - 1;
    const nIn = sizes[0];
    const C = sizes[depth];
    const x = this.buf[0];
    const z = this.buf[depth];
    for (let r = from; r < to; r += this.batchRows) {
      const n = Math.min(this.batchRows, to - r);
      const base = r * nIn;
      const len = n * nIn;
      // v·0 is NaN exactly when v is NaN or ±Inf: one test per batch finds non-finite features.
      let probe = 0;
      for (let i = 0; i < len; i++) {
        const v = values[base + i];
        x[i] = v;
        probe += v * 0;
      }
      const finite = probe === probe;
      for (let l = 0; l < depth; l++) {
        const h = this.buf[l + 1];
        denseForward4x2(this.buf[l], n, sizes[l], sizes[l + 1], this.params, this.wOff[l], this.bOff[l], h);
        if (l === depth - 1) break;
        // The branch-free forms equal the exact ones on finite values only (−∞ would become NaN).
        if (finite) activateFinite(h, n * sizes[l + 1], this.act);
        else activate(h, n * sizes[l + 1], this.act);
      }
      // Softmax as tfjs computes it: exp(z − max) / Σ. A NaN logit makes the whole row NaN.
      for (let i = 0, o = 0, d = r * C; i < n; i++, o += C, d += C) {
        let max = z[o];
        for (let c = 1; c < C; c++) max = Math.max(max, z[o + c]);
        let sum = 0;
        for (let c = 0; c < C; c++) sum += z[o + c] = Math.exp(z[o + c] - max);
        for (let c = 0; c < C; c++) out[d + c] = z[o + c] / sum;
      }
    }
  }
}

/**
 * relu / leaky relu without branches (the signs of pre-activations are random, so a branch
 * mispredicts about half the time): (v + |v|)/2 is max(v, 0) bit for bit for every finite v and NaN;
 * leaky adds α·(v − |v|)/2, which is α·v for negative v and 0 otherwise. tanh as 1 − 2/(e^{2v} + 1):
 * within ~1e-16 of Math.tanh (far below float32 rounding) at about half its cost. sigmoid: as training.
 */
function activateFinite(h: Vec, n: number, act: number): void {
  if (act === ACT_RELU) {
    for (let i = 0; i < n; i++) {
      const v = h[i];
      h[i] = (v + Math.abs(v)) * 0.5;
    }
  } else if (act === ACT_LEAKY) {
    for (let i = 0; i < n; i++) {
      const v = h[i];
      const a = Math.abs(v);
      h[i] = (v + a) * 0.5 + (v - a) * 0.5 * LEAKY_ALPHA;
    }
  } else if (act === ACT_TANH) {
    for (let i = 0; i < n; i++) h[i] = 1 - 2 / (Math.exp(2 * h[i]) + 1);
  } else {
    activate(h, n, act);
  }
}

/**
 * out[i][j] = b[j] + Σ_k x[i][k]·W[k][j], as kernels.ts denseForward (same sums in the same order)
 * but in tiles of 4 rows × 2 outputs: 8 sums fed by 6 loads, and every output width (3 classes
 * included) but one odd column runs in the tiled loop. Measured faster than 2×4 for inference widths.
 */
function denseForward4x2(x: Vec, rows: number, nIn: number, nOut: number, p: Vec, wOff: number, bOff: number, out: Vec): void {
  const nOut2 = nOut - (nOut & 1);
  let i = 0;
  for (; i + 3 < rows; i += 4) {
    const x0 = i * nIn;
    const x1 = x0 + nIn;
    const x2 = x1 + nIn;
    const x3 = x2 + nIn;
    const o0 = i * nOut;
    const o1 = o0 + nOut;
    const o2 = o1 + nOut;
    const o3 = o2 + nOut;
    let j = 0;
    for (; j < nOut2; j += 2) {
      let a0 = p[bOff + j];
      let a1 = p[bOff + j + 1];
      let b0 = a0;
      let b1 = a1;
      let c0 = a0;
      let c1 = a1;
      let d0 = a0;
      let d1 = a1;
      let w = wOff + j;
      for (let k = 0; k < nIn; k++, w += nOut) {
        const w0 = p[w];
        const w1 = p[w + 1];
        let u = x[x0 + k];
        a0 += u * w0;
        a1 += u * w1;
        u = x[x1 + k];
        b0 += u * w0;
        b1 += u * w1;
        u = x[x2 + k];
        c0 += u * w0;
        c1 += u * w1;
        u = x[x3 + k];
        d0 += u * w0;
        d1 += u * w1;
      }
      out[o0 + j] = a0;
      out[o0 + j + 1] = a1;
      out[o1 + j] = b0;
      out[o1 + j + 1] = b1;
      out[o2 + j] = c0;
      out[o2 + j + 1] = c1;
      out[o3 + j] = d0;
      out[o3 + j + 1] = d1;
    }
    if (j < nOut) {
      let a = p[bOff + j];
      let b = a;
      let c = a;
      let d = a;
      for (let k = 0, w = wOff + j; k < nIn; k++, w += nOut) {
        const q = p[w];
        a += x[x0 + k] * q;
        b += x[x1 + k] * q;
        c += x[x2 + k] * q;
        d += x[x3 + k] * q;
      }
      out[o0 + j] = a;
      out[o1 + j] = b;
      out[o2 + j] = c;
      out[o3 + j] = d;
    }
  }
  for (; i < rows; i++) {
    const x0 = i * nIn;
    const o0 = i * nOut;
    for (let j = 0; j < nOut; j++) {
      let a = p[bOff + j];
      for (let k = 0, w = wOff + j; k < nIn; k++, w += nOut) a += x[x0 + k] * p[w];
      out[o0 + j] = a;
    }
  }
}
