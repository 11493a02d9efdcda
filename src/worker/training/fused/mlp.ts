// A fused, allocation-free MLP: Dense → activation → dropout per hidden layer, Dense logits, softmax
// cross-entropy. Forward and backward are hand-written loops (kernels.ts) over buffers sized once per
// batch capacity (MlpWorkspace), so a training step is a handful of function calls instead of tfjs's
// hundred-odd kernel dispatches. The math mirrors the tfjs model built by buildModel(spec) layer for
// layer; weights use tfjs's layout (Dense kernel [in][out], then bias) so they copy across directly.
import type { Activation, ModelSpec } from '../model';
import { Alea } from './alea';
import { ACT_LEAKY, ACT_RELU, ACT_SIGMOID, ACT_TANH, activate, activationBackward, denseForward, denseGradInput, denseGradParams, LEAKY_ALPHA, Vec } from './kernels';
import { softmaxCrossEntropy, weightedLossSum } from './loss';
import type { NetSpec } from './shard-net';
import type { SimdEngine } from './simd/engine';

const ACT_CODES: Record<Activation, number> = { relu: ACT_RELU, tanh: ACT_TANH, sigmoid: ACT_SIGMOID, leaky_relu: ACT_LEAKY };

export interface MlpShape {
  /** [input, hidden…, classes]. */
  sizes: number[];
  activation: Activation;
  dropout: number;
}

export function mlpShapeOf(spec: ModelSpec): MlpShape {
  if (spec.type !== 'mlp') throw new Error(`The fused trainer handles MLPs only, not ${spec.type}`);
  return { sizes: [spec.inputSize, ...spec.hiddenLayers, spec.numClasses], activation: spec.activation, dropout: spec.dropout };
}

/** Per-batch-capacity buffers: activations, dropout masks, gradients flowing back, the batch itself. */
export class MlpWorkspace {
  readonly capacity: number;
  /** Input rows [capacity][sizes[0]]. */
  readonly x: Vec;
  /** Float32 staging area for SampleSource.fill (which writes Float32Array). */
  readonly x32: Float32Array;
  /** Per hidden layer l (1..depth-1): activation output; index 0 and depth unused. */
  readonly h: Vec[];
  /** Per hidden layer: h × mask (the next layer's input while training); same array as h without dropout. */
  readonly a: Vec[];
  /** Per hidden layer: the dropout multiplier (0 or 1/keep), null without dropout. */
  readonly mask: (Vec | null)[];
  /** Per layer l (1..depth): gradient w.r.t. that layer's output; d[depth] is w.r.t. the logits. */
  readonly d: Vec[];
  readonly logits: Vec;
  readonly labels: Int32Array;
  /** Per-row loss weight (the class weight of the row's label). */
  readonly rowWeights: Vec;
  /** Rows of the last lossAndGradient call whose argmax was the label. */
  correct = 0;
  /** Σ rowWeights of the last lossAndGradient call. */
  weightSum = 0;
  readonly alea = new Alea(0);

  /** `alloc`: where the float64 buffers live (a SIMD engine's memory, or plain arrays). */
  constructor(shape: MlpShape, capacity: number, alloc: (n: number) => Vec = (n) => new Vec(n)) {
    const s = shape.sizes;
    const depth = s.length - 1;
    this.capacity = capacity;
    this.x = alloc(capacity * s[0]);
    this.x32 = new Float32Array(capacity * s[0]);
    this.h = [];
    this.a = [];
    this.mask = [];
    this.d = [];
    const empty = new Vec(0);
    for (let l = 0; l <= depth; l++) {
      const hidden = l > 0 && l < depth;
      const h = hidden ? alloc(capacity * s[l]) : empty;
      const withDropout = hidden && shape.dropout > 0;
      this.h.push(h);
      this.mask.push(withDropout ? alloc(capacity * s[l]) : null);
      this.a.push(withDropout ? alloc(capacity * s[l]) : h);
      this.d.push(l > 0 ? alloc(capacity * s[l]) : empty);
    }
    this.logits = alloc(capacity * s[depth]);
    this.labels = new Int32Array(capacity);
    this.rowWeights = new Vec(capacity);
  }

  /** Float64 values a workspace of `capacity` rows allocates (for sizing a SIMD engine). */
  static values(shape: MlpShape, capacity: number): number {
    const s = shape.sizes;
    const depth = s.length - 1;
    let n = capacity * (s[0] + s[depth]);
    for (let l = 1; l <= depth; l++) n += capacity * s[l] * (l < depth ? (shape.dropout > 0 ? 4 : 2) : 1);
    return n;
  }
}

/** Float64 values a FusedMlp with a SIMD engine allocates: params, grads, a transposed-kernel scratch. */
export function mlpValues(shape: MlpShape): number {
  let params = 0;
  let widest = 0;
  for (let l = 0; l + 1 < shape.sizes.length; l++) {
    params += (shape.sizes[l] + 1) * shape.sizes[l + 1];
    widest = Math.max(widest, shape.sizes[l] * shape.sizes[l + 1]);
  }
  return 2 * params + widest;
}

export class FusedMlp {
  readonly shape: MlpShape;
  readonly sizes: readonly number[];
  /** Dense layers. */
  readonly depth: number;
  readonly params: Vec;
  readonly grads: Vec;
  /** Offsets of each Dense layer's kernel and bias in params/grads. */
  readonly wOff: number[];
  readonly bOff: number[];
  private readonly act: number;
  private readonly dropoutOn: boolean;
  /** tfjs's dropout: keep ⇔ floor(u + keep) = 1 in float32, kept values × 1/keep (float32). */
  private readonly keep32: number;
  private readonly keepScale: number;
  /** The SIMD kernels and the memory every buffer lives in; null: the JS kernels (the reference). */
  readonly engine: SimdEngine | null;
  /** SIMD only: a transposed kernel, so the input gradient is a GEMM with the same sum order as the JS dot products. */
  private readonly wt: Vec | null;

  constructor(shape: MlpShape, engine: SimdEngine | null = null) {
    if (shape.sizes.length < 2 || shape.sizes.some((n) => !Number.isInteger(n) || n <= 0)) throw new Error(`Bad MLP sizes ${JSON.stringify(shape.sizes)}`);
    if (!(shape.dropout >= 0 && shape.dropout < 1)) throw new Error(`Dropout must be in [0, 1), got ${shape.dropout}`);
    this.shape = shape;
    this.sizes = shape.sizes.slice();
    this.depth = shape.sizes.length - 1;
    this.act = ACT_CODES[shape.activation];
    this.dropoutOn = shape.dropout > 0;
    this.keep32 = Math.fround(1 - shape.dropout);
    this.keepScale = Math.fround(1 / this.keep32);
    this.wOff = [];
    this.bOff = [];
    let n = 0;
    for (let l = 0; l < this.depth; l++) {
      this.wOff.push(n);
      n += this.sizes[l] * this.sizes[l + 1];
      this.bOff.push(n);
      n += this.sizes[l + 1];
    }
    this.engine = engine;
    this.params = this.alloc(n);
    this.grads = this.alloc(n);
    let widest = 0;
    for (let l = 0; l < this.depth; l++) widest = Math.max(widest, this.sizes[l] * this.sizes[l + 1]);
    this.wt = engine ? engine.alloc(widest) : null;
  }

  /** A float64 buffer where the kernels can reach it. */
  alloc(n: number): Vec {
    return this.engine ? this.engine.alloc(n) : new Vec(n);
  }

  spec(): NetSpec {
    return { kind: 'mlp', shape: this.shape, kernels: this.engine ? 'simd' : 'js' };
  }

  get parameterCount(): number {
    return this.params.length;
  }

  workspace(capacity: number): MlpWorkspace {
    return new MlpWorkspace(this.shape, capacity, (n) => this.alloc(n));
  }

  /**
   * Draws hidden layer `l`'s dropout mask for `rows` rows from a tfjs-style seed: the same values
   * tf.dropout(h, rate, undefined, seed) would use (Alea stream, float32 threshold).
   */
  drawMask(ws: MlpWorkspace, l: number, rows: number, seed: number): void {
    const mask = ws.mask[l];
    if (mask === null) return;
    this.drawMaskValues(ws.alea, l, rows, seed, mask);
  }

  /** Values per row of dropout layer `l`'s mask (0: that layer has none). */
  maskWidth(l: number): number {
    return this.dropoutOn ? this.sizes[l] : 0;
  }

  /** drawMask's values for a whole batch of `rows` rows, row-major, into `out` (a shard takes its rows with setMaskRows). */
  drawMaskValues(alea: Alea, l: number, rows: number, seed: number, out: Vec): void {
    alea.reseedInt(seed);
    alea.fillDropoutMask(out, rows * this.sizes[l], this.keep32, this.keepScale);
  }

  /** Layer `l`'s mask for the workspace's `count` rows = rows [first, first+count) of a batch's drawMaskValues. */
  setMaskRows(ws: MlpWorkspace, l: number, batch: Vec, first: number, count: number): void {
    const mask = ws.mask[l];
    if (mask === null) return;
    const u = this.sizes[l];
    mask.set(batch.subarray(first * u, (first + count) * u));
  }

  /** Forward pass over ws.x[0..rows); training = apply the masks drawn with drawMask. Returns ws.logits. */
  forward(ws: MlpWorkspace, rows: number, training: boolean): Vec {
    if (this.engine) return this.forwardSimd(this.engine, ws, rows, training);
    const p = this.params;
    const sizes = this.sizes;
    const last = this.depth - 1;
    const useMasks = training && this.dropoutOn;
    let input = ws.x;
    for (let l = 0; l < this.depth; l++) {
      const nIn = sizes[l];
      const nOut = sizes[l + 1];
      const out = l === last ? ws.logits : ws.h[l + 1];
      denseForward(input, rows, nIn, nOut, p, this.wOff[l], this.bOff[l], out);
      if (l === last) break;
      const n = rows * nOut;
      activate(out, n, this.act);
      if (useMasks) {
        const a = ws.a[l + 1];
        const mask = ws.mask[l + 1] as Vec;
        for (let i = 0; i < n; i++) a[i] = out[i] * mask[i];
        input = a;
      } else {
        input = out;
      }
    }
    return ws.logits;
  }

  private forwardSimd(e: SimdEngine, ws: MlpWorkspace, rows: number, training: boolean): Vec {
    const k = e.k;
    const p = this.params;
    const sizes = this.sizes;
    const last = this.depth - 1;
    const useMasks = training && this.dropoutOn;
    let input = ws.x;
    for (let l = 0; l < this.depth; l++) {
      const nIn = sizes[l];
      const nOut = sizes[l + 1];
      const out = l === last ? ws.logits : ws.h[l + 1];
      k.gemm(input.byteOffset, nIn * 8, 8, e.at(p, this.wOff[l]), nOut * 8, out.byteOffset, nOut * 8, rows, nOut, nIn, e.at(p, this.bOff[l]), 0);
      if (l === last) break;
      const n = rows * nOut;
      if (this.act === ACT_RELU) k.relu(out.byteOffset, n);
      else if (this.act === ACT_LEAKY) k.leaky(out.byteOffset, n, LEAKY_ALPHA);
      else activate(out, n, this.act);
      if (useMasks) {
        const a = ws.a[l + 1];
        k.mul(out.byteOffset, (ws.mask[l + 1] as Vec).byteOffset, a.byteOffset, n);
        input = a;
      } else {
        input = out;
      }
    }
    return ws.logits;
  }

  /**
   * Class-weighted mean cross-entropy over ws.logits[0..rows) as trainer.ts defines it:
   * Σ_i w_i·CE_i / Σ_i w_i, with w_i = ws.rowWeights[i]. Writes dLoss/dlogits into ws.d[depth] and
   * sets ws.correct (argmax = label, first maximum wins as tf.argMax) and ws.weightSum. `totalWeight`:
   * the whole batch's Σ w when these rows are a shard of it.
   */
  lossAndGradient(ws: MlpWorkspace, rows: number, totalWeight?: number): number {
    return softmaxCrossEntropy(ws.logits, ws.d[this.depth], ws.labels, ws.rowWeights, rows, this.sizes[this.depth], ws, totalWeight);
  }

  /** Weighted loss sum, weight sum and correct count of a forward pass without dropout (validation). */
  evaluateRows(ws: MlpWorkspace, rows: number): { lossSum: number; weightSum: number; correct: number } {
    this.forward(ws, rows, false);
    return weightedLossSum(ws.logits, ws.labels, ws.rowWeights, rows, this.sizes[this.depth]);
  }

  /** ws.x[0..count·inputs) ← the Float32 staging rows (the batch as SampleSource.fill wrote it). */
  loadInputs(ws: MlpWorkspace, count: number): void {
    const x = ws.x;
    const x32 = ws.x32;
    const m = count * this.sizes[0];
    for (let i = 0; i < m; i++) x[i] = x32[i];
  }

  /** Values per sample. */
  get inputLength(): number {
    return this.sizes[0];
  }

  /** Dropout layers, in the order forwardLogits meets them (one mask seed each per batch). */
  get dropoutLayers(): number {
    return this.dropoutOn ? this.depth - 1 : 0;
  }

  /** Backward pass after forward(training) and lossAndGradient: fills this.grads (overwritten). */
  backward(ws: MlpWorkspace, rows: number, training: boolean): void {
    if (this.engine) return this.backwardSimd(this.engine, ws, rows, training);
    const p = this.params;
    const g = this.grads;
    const sizes = this.sizes;
    const useMasks = training && this.dropoutOn;
    for (let l = this.depth - 1; l >= 0; l--) {
      const nIn = sizes[l];
      const nOut = sizes[l + 1];
      const input = l === 0 ? ws.x : useMasks ? ws.a[l] : ws.h[l];
      const dOut = ws.d[l + 1];
      denseGradParams(input, dOut, rows, nIn, nOut, g, this.wOff[l], this.bOff[l]);
      if (l === 0) break;
      const dIn = ws.d[l];
      denseGradInput(dOut, rows, nIn, nOut, p, this.wOff[l], dIn);
      activationBackward(dIn, ws.h[l], useMasks ? ws.mask[l] : null, rows * nIn, this.act);
    }
  }

  private backwardSimd(e: SimdEngine, ws: MlpWorkspace, rows: number, training: boolean): void {
    const k = e.k;
    const p = this.params;
    const g = this.grads;
    const wt = this.wt as Vec;
    const sizes = this.sizes;
    const useMasks = training && this.dropoutOn;
    for (let l = this.depth - 1; l >= 0; l--) {
      const nIn = sizes[l];
      const nOut = sizes[l + 1];
      const input = l === 0 ? ws.x : useMasks ? ws.a[l] : ws.h[l];
      const dOut = ws.d[l + 1];
      // gW[k][j] = Σ_i x[i][k]·d[i][j]: A = xᵀ (element (k, i) at x + i·nIn + k), B = d.
      k.gemm(input.byteOffset, 8, nIn * 8, dOut.byteOffset, nOut * 8, e.at(g, this.wOff[l]), nOut * 8, nIn, nOut, rows, 0, 0);
      k.colSum(dOut.byteOffset, rows, nOut, e.at(g, this.bOff[l]));
      if (l === 0) break;
      const dIn = ws.d[l];
      k.transpose(e.at(p, this.wOff[l]), nIn, nOut, wt.byteOffset);
      k.gemm(dOut.byteOffset, nOut * 8, 8, wt.byteOffset, nIn * 8, dIn.byteOffset, nIn * 8, rows, nIn, nOut, 0, 0);
      const n = rows * nIn;
      if (this.act === ACT_RELU) k.reluBack(dIn.byteOffset, ws.h[l].byteOffset, n);
      else if (this.act === ACT_LEAKY) k.leakyBack(dIn.byteOffset, ws.h[l].byteOffset, n, LEAKY_ALPHA);
      else activationBackward(dIn, ws.h[l], null, n, this.act);
      if (useMasks) k.mul(dIn.byteOffset, (ws.mask[l] as Vec).byteOffset, dIn.byteOffset, n);
    }
  }

  /** Softmax probabilities of ws.logits[0..rows) (for comparing with the tfjs model's predict). */
  probabilities(ws: MlpWorkspace, rows: number): Float64Array {
    const C = this.sizes[this.depth];
    const out = new Float64Array(rows * C);
    for (let i = 0, o = 0; i < rows; i++, o += C) {
      let max = -Infinity;
      for (let c = 0; c < C; c++) max = Math.max(max, ws.logits[o + c]);
      let sum = 0;
      for (let c = 0; c < C; c++) sum += out[o + c] = Math.exp(ws.logits[o + c] - max);
      for (let c = 0; c < C; c++) out[o + c] /= sum;
    }
    return out;
  }
}
