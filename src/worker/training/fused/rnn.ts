// Fused LSTM / GRU nets: the recurrent model buildModel(spec) makes (numLayers stacked cells of
// hiddenSize units over sequenceLength rows, Dropout after each, Dense head, softmax), forward and
// backward through time (BPTT) with the cell equations of tfjs-layers (recurrent.js):
//   LSTM (gates i, f, c, o in that order in the kernels): z = x·W + h·U + b,
//        i = σ(z0), f = σ(z1), c = f·c₋₁ + i·tanh(z2), o = σ(z3), h = o·tanh(c)
//   GRU (gates z, r, h; reset applied before the recurrent product — tfjs has no reset_after):
//        xw = x·W + b, z = σ(xw_z + h₋₁·U_z), r = σ(xw_r + h₋₁·U_r),
//        hh = tanh(xw_h + (r·h₋₁)·U_h), h = z·h₋₁ + (1 − z)·hh
// with σ = tfjs's default recurrent activation hardSigmoid: clip(0.2x + 0.5, 0, 1) (its gradient 0.2
// where 0 ≤ 0.2x + 0.5 ≤ 1, as tf.clipByValue's). Weights are in tfjs's order and layout (per cell:
// kernel [in][G·H], recurrent kernel [H][G·H], bias [G·H]; then the Dense kernel and bias), so they
// copy across from and back into the tfjs model. Every product is one of the SIMD engine's GEMMs over
// time-major buffers ([T][B][·]: one step's rows are contiguous); the input projection x·W of all steps
// is a single GEMM, as are the weight gradients after the backward sweep. The per-unit gate math is
// plain JS over the same float64 memory.
import type { ModelSpec } from '../model';
import { Alea } from './alea';
import type { Vec } from './kernels';
import { softmaxCrossEntropy, weightedLossSum } from './loss';
import type { NetSpec } from './shard-net';
import type { SimdEngine } from './simd/engine';

export interface RnnShape {
  cell: 'lstm' | 'gru';
  inputSize: number;
  units: number;
  layers: number;
  seq: number;
  classes: number;
  dropout: number;
}

export function rnnShapeOf(spec: ModelSpec): RnnShape {
  if (spec.type !== 'lstm' && spec.type !== 'gru') throw new Error(`The fused recurrent net handles LSTM and GRU models, not ${spec.type}`);
  return { cell: spec.type, inputSize: spec.inputSize, units: spec.hiddenSize, layers: spec.numLayers, seq: spec.sequenceLength, classes: spec.numClasses, dropout: spec.dropout };
}

export const gatesOf = (shape: RnnShape) => (shape.cell === 'lstm' ? 4 : 3);

/** Where each weight lives in the flat parameter vector (tfjs's getWeights order). */
export interface RnnLayout {
  /** Per layer: offsets of kernel [in][G·H], recurrent kernel [H][G·H] (right after it), bias [G·H]. */
  wOff: number[];
  uOff: number[];
  bOff: number[];
  /** The head's kernel [H][C] and bias [C]. */
  headW: number;
  headB: number;
  parameters: number;
}

export function rnnLayout(shape: RnnShape): RnnLayout {
  const H = shape.units;
  const GH = gatesOf(shape) * H;
  const out: RnnLayout = { wOff: [], uOff: [], bOff: [], headW: 0, headB: 0, parameters: 0 };
  let n = 0;
  for (let l = 0; l < shape.layers; l++) {
    out.wOff.push(n);
    n += (l === 0 ? shape.inputSize : H) * GH;
    out.uOff.push(n);
    n += H * GH;
    out.bOff.push(n);
    n += GH;
  }
  out.headW = n;
  n += H * shape.classes;
  out.headB = n;
  out.parameters = n + shape.classes;
  return out;
}

/** tfjs's hardSigmoid. */
function hardSigmoid(x: number): number {
  const y = 0.2 * x + 0.5;
  return y < 0 ? 0 : y > 1 ? 1 : y;
}

/** Its derivative from the pre-activation (tf.clipByValue passes the gradient on the closed interval). */
function hardSigmoidGrad(x: number): number {
  const y = 0.2 * x + 0.5;
  return y >= 0 && y <= 1 ? 0.2 : 0;
}

interface LayerBuffers {
  /** Input projection x·W + b, [T][B][G·H]; LSTM: then + h₋₁·U in place (the gate pre-activations). */
  pre: Vec;
  /** Gate activations [T][B][G·H] (LSTM: i, f, tanh(z2), o; GRU: z, r, hh). */
  gates: Vec;
  /** Outputs h [T][B][H]. */
  h: Vec;
  /** LSTM: cell states c and tanh(c) [T][B][H]; GRU: r·h₋₁ in `rh`. */
  c: Vec | null;
  tc: Vec | null;
  rh: Vec | null;
  /** Dropout after this layer: multiplier (time-major for inner layers, [B][H] after the last), and h × mask. */
  mask: Vec | null;
  out: Vec;
  /** Gradient w.r.t. the gate pre-activations [T][B][G·H], and w.r.t. the outputs h [T][B][H]. */
  dZ: Vec;
  dH: Vec;
}

export class RnnWorkspace {
  readonly capacity: number;
  readonly x32: Float32Array;
  /** The batch, time-major [T][B][F]. */
  readonly x: Vec;
  readonly layers: LayerBuffers[];
  readonly logits: Vec;
  readonly dLogits: Vec;
  /** Gradient w.r.t. the head's input (after dropout) [B][H]. */
  readonly dHead: Vec;
  readonly labels: Int32Array;
  readonly rowWeights: Vec;
  /** Zeros [B][H] (h₋₁ and c₋₁), the recurrent gradient dh, dc, and GRU scratch [B][H]. */
  readonly zeros: Vec;
  readonly dh: Vec;
  readonly dc: Vec;
  readonly tmp: Vec;
  readonly tmp2: Vec;
  /** Batch-major dropout draw [B][T][H], transposed into the time-major mask. */
  readonly draw: Vec;
  correct = 0;
  weightSum = 0;
  readonly alea = new Alea(0);

  constructor(shape: RnnShape, capacity: number, alloc: (n: number) => Vec) {
    const { seq: T, units: H, inputSize: F, classes: C, layers: L } = shape;
    const GH = gatesOf(shape) * H;
    const B = capacity;
    this.capacity = B;
    this.x32 = new Float32Array(B * T * F);
    this.x = alloc(B * T * F);
    this.layers = [];
    const drop = shape.dropout > 0;
    for (let l = 0; l < L; l++) {
      const last = l === L - 1;
      const h = alloc(T * B * H);
      const mask = drop ? alloc(last ? B * H : T * B * H) : null;
      this.layers.push({
        pre: alloc(T * B * GH),
        gates: alloc(T * B * GH),
        h,
        c: shape.cell === 'lstm' ? alloc(T * B * H) : null,
        tc: shape.cell === 'lstm' ? alloc(T * B * H) : null,
        rh: shape.cell === 'gru' ? alloc(T * B * H) : null,
        mask,
        out: drop ? alloc(last ? B * H : T * B * H) : h,
        dZ: alloc(T * B * GH),
        dH: alloc(T * B * H),
      });
    }
    this.logits = alloc(B * C);
    this.dLogits = alloc(B * C);
    this.dHead = alloc(B * H);
    this.labels = new Int32Array(B);
    this.rowWeights = alloc(B);
    this.zeros = alloc(B * H);
    this.dh = alloc(B * H);
    this.dc = alloc(B * H);
    this.tmp = alloc(B * H);
    this.tmp2 = alloc(B * H);
    this.draw = drop ? alloc(B * T * H) : alloc(0);
  }

  /** Float64 values one workspace allocates (for sizing the engine). */
  static values(shape: RnnShape, capacity: number): number {
    const { seq: T, units: H, inputSize: F, classes: C, layers: L } = shape;
    const GH = gatesOf(shape) * H;
    const B = capacity;
    const perLayer = 3 * T * B * GH + 5 * T * B * H + 2 * T * B * H;
    return B * T * F + L * perLayer + 2 * B * C + 7 * B * H + B + B * T * H + 64 * (L * 10 + 12);
  }
}

export class FusedRnn {
  readonly shape: RnnShape;
  readonly params: Vec;
  readonly grads: Vec;
  /** Per layer: offsets of kernel, recurrent kernel, bias; then the head's kernel and bias. */
  readonly wOff: number[];
  readonly uOff: number[];
  readonly bOff: number[];
  readonly headW: number;
  readonly headB: number;
  private readonly G: number;
  /** Transposed kernels (W [G·H][in], U [G·H][H]) per layer and the head's [C][H], refreshed each backward pass. */
  private readonly wT: Vec[] = [];
  private readonly uT: Vec[] = [];
  private readonly headT: Vec;
  private readonly keep32: number;
  private readonly keepScale: number;

  constructor(
    shape: RnnShape,
    readonly engine: SimdEngine,
  ) {
    if (!(shape.dropout >= 0 && shape.dropout < 1)) throw new Error(`Dropout must be in [0, 1), got ${shape.dropout}`);
    for (const k of ['inputSize', 'units', 'layers', 'seq', 'classes'] as const) if (!(Number.isInteger(shape[k]) && shape[k] > 0)) throw new Error(`Bad recurrent ${k} ${shape[k]}`);
    this.shape = shape;
    this.G = gatesOf(shape);
    const H = shape.units;
    const GH = this.G * H;
    const layout = rnnLayout(shape);
    ({ wOff: this.wOff, uOff: this.uOff, bOff: this.bOff, headW: this.headW, headB: this.headB } = layout);
    this.params = engine.alloc(layout.parameters);
    this.grads = engine.alloc(layout.parameters);
    for (let l = 0; l < shape.layers; l++) {
      this.wT.push(engine.alloc((l === 0 ? shape.inputSize : H) * GH));
      this.uT.push(engine.alloc(H * GH));
    }
    this.headT = engine.alloc(H * shape.classes);
    this.keep32 = Math.fround(1 - shape.dropout);
    this.keepScale = Math.fround(1 / this.keep32);
  }

  /** Float64 values the net itself allocates (params, grads, transposes). */
  static values(shape: RnnShape): number {
    const GH = gatesOf(shape) * shape.units;
    const H = shape.units;
    const params = (shape.inputSize + H + 1) * GH + (shape.layers - 1) * (2 * H + 1) * GH + (H + 1) * shape.classes;
    return 3 * params + 64 * (2 * shape.layers + 4);
  }

  /** The tfjs shapes of the weights, in model.getWeights() order. */
  weightShapes(): number[][] {
    const { units: H, classes: C } = this.shape;
    const GH = this.G * H;
    const shapes: number[][] = [];
    for (let l = 0; l < this.shape.layers; l++) shapes.push([l === 0 ? this.shape.inputSize : H, GH], [H, GH], [GH]);
    shapes.push([H, C], [C]);
    return shapes;
  }

  spec(): NetSpec {
    return { kind: 'rnn', shape: this.shape };
  }

  workspace(capacity: number): RnnWorkspace {
    return new RnnWorkspace(this.shape, capacity, (n) => this.engine.alloc(n));
  }

  get inputLength(): number {
    return this.shape.seq * this.shape.inputSize;
  }

  get dropoutLayers(): number {
    return this.shape.dropout > 0 ? this.shape.layers : 0;
  }

  /** Batch-major staging [B][T][F] → time-major ws.x [T][B][F]. */
  loadInputs(ws: RnnWorkspace, count: number): void {
    const { seq: T, inputSize: F } = this.shape;
    const x = ws.x;
    const x32 = ws.x32;
    for (let b = 0; b < count; b++) {
      for (let t = 0; t < T; t++) {
        const src = (b * T + t) * F;
        const dst = (t * count + b) * F;
        for (let f = 0; f < F; f++) x[dst + f] = x32[src + f];
      }
    }
  }

  /**
   * Dropout layer `l` (1-based, in model order: after recurrent layer l−1) draws tf.dropout's mask for
   * `rows` rows from `seed`: over [B][T][H] (inner layers, then transposed to time-major) or [B][H].
   */
  drawMask(ws: RnnWorkspace, l: number, rows: number, seed: number): void {
    const layer = ws.layers[l - 1];
    if (layer.mask === null) return;
    if (l === this.shape.layers) {
      this.drawMaskValues(ws.alea, l, rows, seed, layer.mask);
      return;
    }
    this.drawMaskValues(ws.alea, l, rows, seed, ws.draw);
    this.setMaskRows(ws, l, ws.draw, 0, rows);
  }

  /** Values per row (sample) of dropout layer `l`'s mask, batch-major: T·H for inner layers, H after the last (0: no dropout). */
  maskWidth(l: number): number {
    if (this.shape.dropout <= 0) return 0;
    return l === this.shape.layers ? this.shape.units : this.shape.seq * this.shape.units;
  }

  /** Dropout layer `l`'s draw for a whole batch of `rows` rows, batch-major ([B][T][H] or [B][H]), into `out`. */
  drawMaskValues(alea: Alea, l: number, rows: number, seed: number, out: Vec): void {
    alea.reseedInt(seed);
    alea.fillDropoutMask(out, rows * this.maskWidth(l), this.keep32, this.keepScale);
  }

  /** Layer `l`'s mask for the workspace's `count` rows = rows [first, first+count) of a batch's drawMaskValues (time-major for inner layers). */
  setMaskRows(ws: RnnWorkspace, l: number, batch: Vec, first: number, count: number): void {
    const layer = ws.layers[l - 1];
    if (layer.mask === null) return;
    const { seq: T, units: H } = this.shape;
    const m = layer.mask;
    if (l === this.shape.layers) {
      m.set(batch.subarray(first * H, (first + count) * H));
      return;
    }
    for (let b = 0; b < count; b++) for (let t = 0; t < T; t++) for (let j = 0, s = ((first + b) * T + t) * H, o = (t * count + b) * H; j < H; j++) m[o + j] = batch[s + j];
  }

  /** Forward pass over ws.x (rows sequences); training applies the drawn masks. Returns ws.logits. */
  forward(ws: RnnWorkspace, rows: number, training: boolean): Vec {
    const e = this.engine;
    const k = e.k;
    const p = this.params;
    const { seq: T, units: H, layers: L, classes: C } = this.shape;
    const G = this.G;
    const GH = G * H;
    const B = rows;
    const useMasks = training && this.shape.dropout > 0;
    let input = ws.x;
    let nIn = this.shape.inputSize;
    for (let l = 0; l < L; l++) {
      const lb = ws.layers[l];
      const { pre, gates, h } = lb;
      const uAt = e.at(p, this.uOff[l]);
      // Input projection of every step at once: pre = x·W + b over T·B rows.
      k.gemm(input.byteOffset, nIn * 8, 8, e.at(p, this.wOff[l]), GH * 8, pre.byteOffset, GH * 8, T * B, GH, nIn, e.at(p, this.bOff[l]), 0);
      for (let t = 0; t < T; t++) {
        const z0 = t * B * GH;
        const h0 = t * B * H;
        const hPrevAt = t === 0 ? ws.zeros.byteOffset : e.at(h, h0 - B * H);
        if (this.shape.cell === 'lstm') {
          const c = lb.c as Vec;
          const tc = lb.tc as Vec;
          // pre_t += h₋₁·U
          if (t > 0) k.gemm(hPrevAt, H * 8, 8, uAt, GH * 8, e.at(pre, z0), GH * 8, B, GH, H, e.at(pre, z0), GH * 8);
          for (let b = 0; b < B; b++) {
            const zb = z0 + b * GH;
            const hb = h0 + b * H;
            const cp = t === 0 ? -1 : hb - B * H;
            for (let j = 0; j < H; j++) {
              const i = hardSigmoid(pre[zb + j]);
              const f = hardSigmoid(pre[zb + H + j]);
              const g = Math.tanh(pre[zb + 2 * H + j]);
              const o = hardSigmoid(pre[zb + 3 * H + j]);
              gates[zb + j] = i;
              gates[zb + H + j] = f;
              gates[zb + 2 * H + j] = g;
              gates[zb + 3 * H + j] = o;
              const cv = (cp < 0 ? 0 : f * c[cp + j]) + i * g;
              c[hb + j] = cv;
              const tcv = Math.tanh(cv);
              tc[hb + j] = tcv;
              h[hb + j] = o * tcv;
            }
          }
        } else {
          const rh = lb.rh as Vec;
          // z, r pre-activations: xw[:, 0:2H] + h₋₁·U[:, 0:2H]
          k.gemm(hPrevAt, H * 8, 8, uAt, GH * 8, e.at(pre, z0), GH * 8, B, 2 * H, H, e.at(pre, z0), GH * 8);
          for (let b = 0; b < B; b++) {
            const zb = z0 + b * GH;
            const hb = h0 + b * H;
            for (let j = 0; j < H; j++) {
              const z = hardSigmoid(pre[zb + j]);
              const r = hardSigmoid(pre[zb + H + j]);
              gates[zb + j] = z;
              gates[zb + H + j] = r;
              rh[hb + j] = t === 0 ? 0 : r * h[hb - B * H + j];
            }
          }
          // hh pre-activation: xw[:, 2H:] + (r·h₋₁)·U[:, 2H:]
          k.gemm(e.at(rh, h0), H * 8, 8, uAt + 2 * H * 8, GH * 8, e.at(pre, z0 + 2 * H), GH * 8, B, H, H, e.at(pre, z0 + 2 * H), GH * 8);
          for (let b = 0; b < B; b++) {
            const zb = z0 + b * GH;
            const hb = h0 + b * H;
            for (let j = 0; j < H; j++) {
              const hh = Math.tanh(pre[zb + 2 * H + j]);
              gates[zb + 2 * H + j] = hh;
              const z = gates[zb + j];
              const hp = t === 0 ? 0 : h[hb - B * H + j];
              h[hb + j] = z * hp + (1 - z) * hh;
            }
          }
        }
      }
      const last = l === L - 1;
      // What the next layer (or the head) reads: all steps, or the last step only.
      const seqOut = last ? e.at(h, (T - 1) * B * H) : h.byteOffset;
      const n = last ? B * H : T * B * H;
      if (useMasks) {
        k.mul(seqOut, (lb.mask as Vec).byteOffset, lb.out.byteOffset, n);
        input = lb.out;
      } else {
        input = last ? h.subarray((T - 1) * B * H) : h;
      }
      nIn = H;
    }
    k.gemm(input.byteOffset, H * 8, 8, e.at(p, this.headW), C * 8, ws.logits.byteOffset, C * 8, B, C, H, e.at(p, this.headB), 0);
    return ws.logits;
  }

  lossAndGradient(ws: RnnWorkspace, rows: number, totalWeight?: number): number {
    return softmaxCrossEntropy(ws.logits, ws.dLogits, ws.labels, ws.rowWeights, rows, this.shape.classes, ws, totalWeight);
  }

  evaluateRows(ws: RnnWorkspace, rows: number): { lossSum: number; weightSum: number; correct: number } {
    this.forward(ws, rows, false);
    return weightedLossSum(ws.logits, ws.labels, ws.rowWeights, rows, this.shape.classes);
  }

  /** BPTT after forward(training) and lossAndGradient: fills this.grads (overwritten). */
  backward(ws: RnnWorkspace, rows: number, training: boolean): void {
    const e = this.engine;
    const k = e.k;
    const p = this.params;
    const g = this.grads;
    const { seq: T, units: H, layers: L, classes: C } = this.shape;
    const G = this.G;
    const GH = G * H;
    const B = rows;
    const useMasks = training && this.shape.dropout > 0;
    const top = ws.layers[L - 1];
    const headIn = useMasks ? top.out.byteOffset : e.at(top.h, (T - 1) * B * H);
    // Head: gW = inᵀ·dLogits, gb = Σ dLogits, d(in) = dLogits·Wᵀ.
    k.gemm(headIn, 8, H * 8, ws.dLogits.byteOffset, C * 8, e.at(g, this.headW), C * 8, H, C, B, 0, 0);
    k.colSum(ws.dLogits.byteOffset, B, C, e.at(g, this.headB));
    k.transpose(e.at(p, this.headW), H, C, this.headT.byteOffset);
    k.gemm(ws.dLogits.byteOffset, C * 8, 8, this.headT.byteOffset, H * 8, ws.dHead.byteOffset, H * 8, B, H, C, 0, 0);
    // Into the top layer's output gradient: only its last step reaches the head.
    top.dH.fill(0, 0, T * B * H);
    const dTop = top.dH.subarray((T - 1) * B * H, T * B * H);
    if (useMasks) k.mul(ws.dHead.byteOffset, (top.mask as Vec).byteOffset, dTop.byteOffset, B * H);
    else dTop.set(ws.dHead.subarray(0, B * H));

    for (let l = L - 1; l >= 0; l--) {
      const lb = ws.layers[l];
      const nIn = l === 0 ? this.shape.inputSize : H;
      const input = l === 0 ? ws.x : useMasks ? ws.layers[l - 1].out : ws.layers[l - 1].h;
      const uT = this.uT[l];
      k.transpose(e.at(p, this.uOff[l]), H, GH, uT.byteOffset);
      const { dZ, dH, gates, pre, h } = lb;
      const dh = ws.dh;
      const dc = ws.dc;
      dh.fill(0, 0, B * H);
      dc.fill(0, 0, B * H);
      for (let t = T - 1; t >= 0; t--) {
        const z0 = t * B * GH;
        const h0 = t * B * H;
        if (this.shape.cell === 'lstm') {
          const c = lb.c as Vec;
          const tc = lb.tc as Vec;
          for (let b = 0; b < B; b++) {
            const zb = z0 + b * GH;
            const hb = h0 + b * H;
            const rb = b * H;
            for (let j = 0; j < H; j++) {
              const dht = dH[hb + j] + dh[rb + j];
              const i = gates[zb + j];
              const f = gates[zb + H + j];
              const gg = gates[zb + 2 * H + j];
              const o = gates[zb + 3 * H + j];
              const tcv = tc[hb + j];
              const dct = dht * o * (1 - tcv * tcv) + dc[rb + j];
              const cPrev = t === 0 ? 0 : c[hb - B * H + j];
              dZ[zb + j] = dct * gg * hardSigmoidGrad(pre[zb + j]);
              dZ[zb + H + j] = dct * cPrev * hardSigmoidGrad(pre[zb + H + j]);
              dZ[zb + 2 * H + j] = dct * i * (1 - gg * gg);
              dZ[zb + 3 * H + j] = dht * tcv * hardSigmoidGrad(pre[zb + 3 * H + j]);
              dc[rb + j] = dct * f;
            }
          }
          // dh₋₁ = dZ_t·Uᵀ
          if (t > 0) k.gemm(e.at(dZ, z0), GH * 8, 8, uT.byteOffset, H * 8, dh.byteOffset, H * 8, B, H, GH, 0, 0);
        } else {
          const dhp = ws.tmp;
          const drh = ws.tmp2;
          for (let b = 0; b < B; b++) {
            const zb = z0 + b * GH;
            const hb = h0 + b * H;
            const rb = b * H;
            for (let j = 0; j < H; j++) {
              const dht = dH[hb + j] + dh[rb + j];
              const z = gates[zb + j];
              const hh = gates[zb + 2 * H + j];
              const hp = t === 0 ? 0 : h[hb - B * H + j];
              dZ[zb + j] = dht * (hp - hh) * hardSigmoidGrad(pre[zb + j]);
              dZ[zb + 2 * H + j] = dht * (1 - z) * (1 - hh * hh);
              dhp[rb + j] = dht * z;
            }
          }
          // d(r·h₋₁) = dZ_h·U_hᵀ
          k.gemm(e.at(dZ, z0 + 2 * H), GH * 8, 8, e.at(uT, 2 * H * H), H * 8, drh.byteOffset, H * 8, B, H, H, 0, 0);
          for (let b = 0; b < B; b++) {
            const zb = z0 + b * GH;
            const hb = h0 + b * H;
            const rb = b * H;
            for (let j = 0; j < H; j++) {
              const hp = t === 0 ? 0 : h[hb - B * H + j];
              const r = gates[zb + H + j];
              dZ[zb + H + j] = drh[rb + j] * hp * hardSigmoidGrad(pre[zb + H + j]);
              dhp[rb + j] += drh[rb + j] * r;
            }
          }
          // dh₋₁ = dhp + dZ_{z,r}·U_{z,r}ᵀ
          if (t > 0) k.gemm(e.at(dZ, z0), GH * 8, 8, uT.byteOffset, H * 8, dh.byteOffset, H * 8, B, H, 2 * H, dhp.byteOffset, H * 8);
        }
      }
      // Weight gradients over all steps at once.
      k.gemm(input.byteOffset, 8, nIn * 8, dZ.byteOffset, GH * 8, e.at(g, this.wOff[l]), GH * 8, nIn, GH, T * B, 0, 0);
      k.colSum(dZ.byteOffset, T * B, GH, e.at(g, this.bOff[l]));
      const gU = e.at(g, this.uOff[l]);
      if (this.shape.cell === 'lstm') {
        // gU = Σ_{t≥1} h_{t−1}ᵀ·dZ_t
        if (T > 1) k.gemm(h.byteOffset, 8, H * 8, e.at(dZ, B * GH), GH * 8, gU, GH * 8, H, GH, (T - 1) * B, 0, 0);
        else g.fill(0, this.uOff[l], this.uOff[l] + H * GH);
      } else {
        if (T > 1) k.gemm(h.byteOffset, 8, H * 8, e.at(dZ, B * GH), GH * 8, gU, GH * 8, H, 2 * H, (T - 1) * B, 0, 0);
        else for (let r = 0; r < H; r++) g.fill(0, this.uOff[l] + r * GH, this.uOff[l] + r * GH + 2 * H);
        k.gemm((lb.rh as Vec).byteOffset, 8, H * 8, e.at(dZ, 2 * H), GH * 8, gU + 2 * H * 8, GH * 8, H, H, T * B, 0, 0);
      }
      if (l === 0) break;
      // The layer below's output gradient: dZ·Wᵀ, through its dropout mask.
      const below = ws.layers[l - 1];
      const wT = this.wT[l];
      k.transpose(e.at(p, this.wOff[l]), nIn, GH, wT.byteOffset);
      k.gemm(dZ.byteOffset, GH * 8, 8, wT.byteOffset, nIn * 8, below.dH.byteOffset, nIn * 8, T * B, nIn, GH, 0, 0);
      if (useMasks) k.mul(below.dH.byteOffset, (below.mask as Vec).byteOffset, below.dH.byteOffset, T * B * H);
    }
  }
}
