// Backtest inference of LSTM/GRU models through the fused recurrent net (rnn.ts): the same numbers as
// predictProbabilities(model, matrix) (windows of sequence_length rows ending at each bar; bars before
// the first full window stay NaN), computed with the SIMD GEMMs instead of tfjs's per-step kernels.
// Accepts exactly what buildModel makes for recurrent strategies: stacked LSTM or GRU layers of one
// width with tfjs's default activations (tanh, hardSigmoid), biases, no state tricks, Dropout layers
// (identity at inference), a Dense head and a softmax. Anything else keeps the tfjs path (null).
import type * as tf from '@tensorflow/tfjs';
import { windowSamples } from '../../../infra/models/samples';
import type { InferenceMatrix } from './infer';
import { FusedRnn, RnnWorkspace, type RnnShape } from './rnn';
import { SimdEngine, simdSupported } from './simd/engine';
import { loadWeights } from './weights';

export interface FusedRnnPredictor {
  readonly kind: 'fused-js';
  readonly model: 'lstm' | 'gru';
  readonly sizes: readonly number[];
  readonly activation: 'tanh';
  predictAsync(matrix: InferenceMatrix, onProgress?: (done: number, total: number) => void): Promise<Float32Array>;
  predict(matrix: InferenceMatrix): Float32Array;
}

/** Windows per forward pass (each holds T·G·H activations per layer). */
const BATCH = 128;
const CHUNK = 8192;

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

export function fusedRnnPredictorFrom(model: tf.LayersModel, batchRows = BATCH, chunkRows = CHUNK): FusedRnnPredictor | null {
  if (!simdSupported()) return null;
  const shape = recurrentShapeOf(model);
  if (!shape) return null;
  const engine = SimdEngine.create(FusedRnn.values(shape) + RnnWorkspace.values(shape, batchRows));
  if (!engine) return null;
  const rnn = new FusedRnn(shape, engine);
  try {
    loadWeights(rnn.params, rnn.weightShapes(), model);
  } catch {
    return null;
  }
  return new RnnPredictor(rnn, batchRows, chunkRows);
}

class RnnPredictor implements FusedRnnPredictor {
  readonly kind = 'fused-js' as const;
  readonly activation = 'tanh' as const;
  readonly model: 'lstm' | 'gru';
  readonly sizes: readonly number[];
  private readonly ws: RnnWorkspace;

  constructor(
    private readonly rnn: FusedRnn,
    private readonly batchRows: number,
    private readonly chunkRows: number,
  ) {
    const s = rnn.shape;
    this.model = s.cell;
    this.sizes = [s.inputSize, ...new Array<number>(s.layers).fill(s.units), s.classes];
    this.ws = rnn.workspace(batchRows);
  }

  private check(matrix: InferenceMatrix): Float32Array {
    const F = this.rnn.shape.inputSize;
    if (matrix.cols !== F) throw new Error(`The model takes ${F} features per row, the matrix has ${matrix.cols}`);
    if (matrix.values.length < matrix.rows * F) throw new Error(`The matrix holds ${matrix.values.length} values for ${matrix.rows}×${F}`);
    return new Float32Array(matrix.rows * this.rnn.shape.classes).fill(NaN);
  }

  predict(matrix: InferenceMatrix): Float32Array {
    const out = this.check(matrix);
    const first = this.rnn.shape.seq - 1;
    this.windows(matrix, 0, Math.max(0, matrix.rows - first), out);
    return out;
  }

  async predictAsync(matrix: InferenceMatrix, onProgress?: (done: number, total: number) => void): Promise<Float32Array> {
    const out = this.check(matrix);
    const total = Math.max(0, matrix.rows - (this.rnn.shape.seq - 1));
    for (let from = 0; from < total; ) {
      const to = Math.min(total, from + this.chunkRows);
      this.windows(matrix, from, to, out);
      from = to;
      onProgress?.(from, total);
      await new Promise((r) => setImmediate(r));
    }
    return out;
  }

  /** Probabilities of windows [from, to) (window w ends at bar w + T − 1) into out. */
  private windows(matrix: InferenceMatrix, from: number, to: number, out: Float32Array): void {
    const { seq: T, classes: C } = this.rnn.shape;
    const ws = this.ws;
    const n = to - from;
    if (n <= 0) return;
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
