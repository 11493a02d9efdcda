// Batched float32 inference of the fused LSTM/GRU over the sliding windows of a bar matrix, as a
// backtest asks for it: window w covers bars w..w+T−1 and its probabilities belong to bar w+T−1.
// Three things make it ~10× the per-window float64 forward pass (FusedRnn.forward) it must agree with
// to 1e-6 (test/unit/training/fused-rnn-infer.test.ts):
//  - the first layer's input projection x·W + b depends on the bar, not on the window: it is computed
//    once per bar (one GEMM over a block of bars) instead of T times, and a batch of consecutive
//    windows reads its step-t rows as one contiguous block of it;
//  - layers above the first multiply [input | h₋₁] by the stacked [W; U] (the parameters are stored in
//    that order already), one GEMM with twice the depth instead of two;
//  - float32 lanes (f32x4, twice f64x2's throughput) for the GEMMs and the gate math, with tanh as a
//    rational approximation within a few float32 ulps (kernels.as). Logits and softmax stay float64;
//  - LSTMs whose width is a multiple of 4 run lstmStep, which updates the cells inside the gate
//    product's tiles (gate columns permuted into blocks of i, f, c, o for 4 units; ~15 % faster than
//    a GEMM then a cell pass), with h double-buffered since every tile reads all of h₋₁.
// All layers advance one step together (layer l at step t reads layer l−1's h at step t), so a batch
// keeps only its current states: h of every layer side by side in one row per window, c per layer.
import { gatesOf, rnnLayout, type RnnLayout, type RnnShape } from './rnn';
import { SimdEngine } from './simd/engine';

/** Windows per GEMM (rows of the recurrent products). */
export const WINDOW_BATCH = 64;
/** Windows per block of precomputed first-layer projections (the block holds span + T − 1 bars). */
export const WINDOW_SPAN = 256;

/** Floats of kernels.as's constants table (CONSTANTS_BYTES / 4). */
export const CONSTANT_FLOATS = 68;

export class RnnWindowsF32 {
  private readonly e: SimdEngine;
  private readonly G: number;
  /** The FusedRnn parameter vector in float32, same offsets. */
  private readonly w: Float32Array;
  private readonly layout: RnnLayout;
  /** Head weights in float64 (the logits are summed in float64). */
  private readonly headW64: Float64Array;
  private readonly x: Float32Array;
  private readonly proj: Float32Array;
  private readonly pre: Float32Array;
  /** [batch][L·H]: h of layer l at columns [l·H, (l+1)·H). The fused LSTM alternates with hs2 by step. */
  private readonly hs: Float32Array;
  private readonly hs2: Float32Array;
  /** LSTM through lstmStep (the weights' gate columns are then permuted, see permuteGates). */
  private readonly fusedLstm: boolean;
  private readonly c: Float32Array[];
  private readonly rh: Float32Array;
  private readonly logits: Float64Array;
  /** The cell kernels' constants table (kernels.as initConstants). */
  private readonly consts: number;

  /** `params`: the FusedRnn layout (per layer kernel, recurrent kernel, bias; then the head's kernel and bias). */
  constructor(
    readonly shape: RnnShape,
    params: ArrayLike<number>,
    readonly batch = WINDOW_BATCH,
    readonly span = WINDOW_SPAN,
  ) {
    const { inputSize: F, units: H, layers: L, seq: T, classes: C } = shape;
    this.G = gatesOf(shape);
    const GH = this.G * H;
    this.layout = rnnLayout(shape);
    const n = this.layout.parameters;
    if (params.length !== n) throw new Error(`The recurrent net has ${n} parameters, got ${params.length}`);
    if (!(Number.isInteger(batch) && batch >= 1 && Number.isInteger(span) && span >= batch)) throw new Error(`Bad window batch ${batch} / span ${span}`);
    const bars = span + T - 1;
    const floats = n + bars * F + bars * GH + batch * GH + 2 * batch * L * H + L * batch * H + batch * H + 64 * (L + 8) + CONSTANT_FLOATS;
    const e = SimdEngine.create(Math.ceil(floats / 2));
    if (!e) throw new Error('Batched recurrent inference needs WebAssembly SIMD, which this runtime lacks');
    this.e = e;
    this.w = e.alloc32(n);
    for (let i = 0; i < n; i++) this.w[i] = params[i];
    this.fusedLstm = shape.cell === 'lstm' && H % 4 === 0;
    if (this.fusedLstm) permuteGates(this.w, this.layout.headW, H);
    this.headW64 = Float64Array.from({ length: H * C + C }, (_, i) => params[this.layout.headW + i]);
    this.x = e.alloc32(bars * F);
    this.proj = e.alloc32(bars * GH);
    this.pre = e.alloc32(batch * GH);
    this.hs = e.alloc32(batch * L * H);
    this.hs2 = e.alloc32(this.fusedLstm ? batch * L * H : 0);
    this.c = Array.from({ length: L }, () => e.alloc32(batch * H));
    this.rh = e.alloc32(batch * H);
    this.logits = new Float64Array(C);
    this.consts = e.alloc32(CONSTANT_FLOATS).byteOffset;
    e.k.initConstants(this.consts);
  }

  /**
   * Softmax probabilities of windows [from, to) into out: window w ends at bar w + T − 1 and its C
   * probabilities go to row w + T − 1 − outRow0 of out (default: the bar's row). `values` is the
   * row-major bar matrix (F columns).
   */
  run(values: Float32Array, from: number, to: number, out: Float32Array, outRow0 = 0): void {
    const T = this.shape.seq;
    const F = this.shape.inputSize;
    for (let w0 = from; w0 < to; w0 += this.span) {
      const count = Math.min(this.span, to - w0);
      const bars = count + T - 1;
      this.x.set(values.subarray(w0 * F, (w0 + bars) * F));
      this.project(bars);
      for (let k = 0; k < count; k += this.batch) this.windows(k, Math.min(this.batch, count - k), w0 - outRow0, out);
    }
  }

  /** proj = x·W₀ + b₀ over `bars` rows (the first layer's input projection, once per bar). */
  private project(bars: number): void {
    const { inputSize: F } = this.shape;
    const GH = this.G * this.shape.units;
    const e = this.e;
    e.k.sgemm(this.x.byteOffset, F * 4, e.at(this.w, this.layout.wOff[0]), GH * 4, this.proj.byteOffset, GH * 4, bars, GH, F, e.at(this.w, this.layout.bOff[0]), 0);
  }

  /** Windows k..k+B of the current block (block-relative); window k + b's row in out is outW0 + k + b + T − 1. */
  private windows(k: number, B: number, outW0: number, out: Float32Array): void {
    const hv = this.fusedLstm ? this.stepsFusedLstm(k, B) : this.steps(k, B);
    this.head(hv, B, outW0 + k, out);
  }

  /** The T steps of every layer through lstmStep; returns the state buffer holding the last step. */
  private stepsFusedLstm(k: number, B: number): Float32Array {
    const { units: H, layers: L, seq: T } = this.shape;
    const e = this.e;
    const step = e.k.lstmStep;
    const GH4 = 4 * H * 4;
    const H4 = H * 4;
    const hsRow = L * H * 4;
    let cur = this.hs;
    let prev = this.hs2;
    for (let t = 0; t < T; t++) {
      const first = t === 0;
      const c = cur.byteOffset;
      const p = prev.byteOffset;
      // Layer 0: the precomputed projection of the step's bars + h₋₁·U (none at the first step).
      step(0, 0, 0, p, hsRow, first ? 0 : H, e.at(this.w, this.layout.uOff[0]), e.at(this.proj, (k + t) * 4 * H), GH4, this.c[0].byteOffset, c, hsRow, B, H, first, this.consts);
      for (let l = 1; l < L; l++) {
        // b + (layer l−1's h at this step)·W + h₋₁·U
        step(c + (l - 1) * H4, hsRow, H, p + l * H4, hsRow, first ? 0 : H, e.at(this.w, this.layout.wOff[l]), e.at(this.w, this.layout.bOff[l]), 0, this.c[l].byteOffset, c + l * H4, hsRow, B, H, first, this.consts);
      }
      [cur, prev] = [prev, cur];
    }
    return prev;
  }

  /** The T steps of every layer through sgemm and the cell kernels (GRU, and LSTMs of other widths); h lives in hs. */
  private steps(k: number, B: number): Float32Array {
    const { units: H, layers: L, seq: T } = this.shape;
    const e = this.e;
    const sg = e.k.sgemm;
    const GH = this.G * H;
    const GH4 = GH * 4;
    const H4 = H * 4;
    const hsRow = L * H * 4;
    const hs = this.hs.byteOffset;
    const pre = this.pre.byteOffset;
    const lstm = this.shape.cell === 'lstm';
    for (let t = 0; t < T; t++) {
      const first = t === 0;
      for (let l = 0; l < L; l++) {
        const hAt = hs + l * H4;
        const wAt = e.at(this.w, this.layout.wOff[l]);
        const uAt = e.at(this.w, this.layout.uOff[l]);
        const bAt = e.at(this.w, this.layout.bOff[l]);
        if (lstm) {
          if (l === 0) {
            // pre = proj rows of step t + h₋₁·U (h₋₁ = 0 at the first step)
            sg(hAt, hsRow, uAt, GH4, pre, GH4, B, GH, first ? 0 : H, e.at(this.proj, (k + t) * GH), GH4);
          } else {
            // pre = b + [h of layer l−1 at t | h₋₁]·[W; U]
            sg(hAt - H4, hsRow, wAt, GH4, pre, GH4, B, GH, first ? H : 2 * H, bAt, 0);
          }
          e.k.lstmCell(pre, this.c[l].byteOffset, hAt, hsRow, B, H, first, this.consts);
        } else {
          const H2 = 2 * H;
          if (l === 0) {
            sg(hAt, hsRow, uAt, GH4, pre, GH4, B, H2, first ? 0 : H, e.at(this.proj, (k + t) * GH), GH4);
            sg(hAt, hsRow, uAt, GH4, pre + H2 * 4, GH4, B, H, 0, e.at(this.proj, (k + t) * GH + H2), GH4);
          } else {
            sg(hAt - H4, hsRow, wAt, GH4, pre, GH4, B, H2, first ? H : H2, bAt, 0);
            sg(hAt - H4, hsRow, wAt + H2 * 4, GH4, pre + H2 * 4, GH4, B, H, H, bAt + H2 * 4, 0);
          }
          e.k.gruGates(pre, hAt, hsRow, this.rh.byteOffset, B, H, first, this.consts);
          // hh pre-activation += (r·h₋₁)·U_h (zero at the first step)
          if (!first) sg(this.rh.byteOffset, H4, uAt + H2 * 4, GH4, pre + H2 * 4, GH4, B, H, H, pre + H2 * 4, GH4);
          e.k.gruOut(pre, hAt, hsRow, B, H, first, this.consts);
        }
      }
    }
    return this.hs;
  }

  /** Logits of the top layer's last h and softmax in float64 (as the float64 path: exp(z − max) / Σ; a NaN logit makes the row NaN). */
  private head(hv: Float32Array, B: number, outW0: number, out: Float32Array): void {
    const { units: H, layers: L, seq: T, classes: C } = this.shape;
    const top = (L - 1) * H;
    const head = this.headW64;
    const z = this.logits;
    const hb = H * C;
    for (let b = 0; b < B; b++) {
      const row = b * L * H + top;
      for (let c = 0; c < C; c++) {
        let s = head[hb + c];
        for (let j = 0; j < H; j++) s += hv[row + j] * head[j * C + c];
        z[c] = s;
      }
      let max = z[0];
      for (let c = 1; c < C; c++) max = Math.max(max, z[c]);
      let sum = 0;
      for (let c = 0; c < C; c++) sum += Math.exp(z[c] - max);
      const d = (outW0 + b + T - 1) * C;
      for (let c = 0; c < C; c++) out[d + c] = Math.exp(z[c] - max) / sum;
    }
  }
}

/**
 * Reorders the gate columns of every recurrent layer's [W; U] rows and bias (params[0..end), rows of
 * 4H) for lstmStep: original column g·H + j (gate g of unit j) goes to (j div 4)·16 + 4g + (j mod 4).
 */
function permuteGates(w: Float32Array, end: number, H: number): void {
  const GH = 4 * H;
  const row = new Float32Array(GH);
  for (let o = 0; o < end; o += GH) {
    for (let g = 0; g < 4; g++) for (let j = 0; j < H; j++) row[(j >> 2) * 16 + 4 * g + (j & 3)] = w[o + g * H + j];
    w.set(row, o);
  }
}
