// One fused pass per step over the flat parameter array: global-norm clipping, L2 weight decay added
// after clipping (torch's Adam(weight_decay), as trainer.ts does), then tfjs's Adam update
// (β1 0.9, β2 0.999, ε 1e-7 = tfjs's float32 backend epsilon, added to √v̂).
import { Vec } from './kernels';
import type { SimdEngine } from './simd/engine';

export const ADAM_BETA1 = 0.9;
export const ADAM_BETA2 = 0.999;
/** tf.train.adam(lr) with epsilon unset uses the backend's epsilon(): 1e-7 for float32 backends. */
export const ADAM_EPSILON = 1e-7;
/** trainer.ts divides clipNorm by (norm + 1e-6). */
const CLIP_GUARD = 1e-6;

export class FusedAdam {
  readonly m: Vec;
  readonly v: Vec;
  /** β^t as tfjs keeps it: a float32 variable multiplied by β each step. */
  private accBeta1 = Math.fround(ADAM_BETA1);
  private accBeta2 = Math.fround(ADAM_BETA2);
  steps = 0;

  /** engine: keep the moments in its memory and update with its kernels (bit-identical results). */
  constructor(
    size: number,
    readonly learningRate: number,
    private readonly engine: SimdEngine | null = null,
  ) {
    this.m = engine ? engine.alloc(size) : new Vec(size);
    this.v = engine ? engine.alloc(size) : new Vec(size);
  }

  /** Global L2 norm of the gradients. */
  static norm(g: Vec): number {
    let s0 = 0;
    let s1 = 0;
    const n = g.length;
    let i = 0;
    for (; i + 1 < n; i += 2) {
      s0 += g[i] * g[i];
      s1 += g[i + 1] * g[i + 1];
    }
    if (i < n) s0 += g[i] * g[i];
    return Math.sqrt(s0 + s1);
  }

  /** Applies one update to `params` from `grads` (grads are left unchanged). */
  step(params: Vec, grads: Vec, clipNorm: number, weightDecay: number): void {
    const e = this.engine;
    const scale = clipNorm > 0 ? Math.min(1, clipNorm / ((e ? e.k.norm(grads.byteOffset, grads.length) : FusedAdam.norm(grads)) + CLIP_GUARD)) : 1;
    const c1 = 1 / Math.fround(1 - this.accBeta1);
    const c2 = 1 / Math.fround(1 - this.accBeta2);
    const lr = this.learningRate;
    const b1 = ADAM_BETA1;
    const b2 = ADAM_BETA2;
    const k1 = 1 - ADAM_BETA1;
    const k2 = 1 - ADAM_BETA2;
    const m = this.m;
    const v = this.v;
    const n = params.length;
    if (e) {
      e.k.adam(params.byteOffset, grads.byteOffset, m.byteOffset, v.byteOffset, n, scale, weightDecay, lr, c1, c2, b1, b2, k1, k2, ADAM_EPSILON);
      this.advance();
      return;
    }
    for (let i = 0; i < n; i++) {
      const p = params[i];
      const g = grads[i] * scale + weightDecay * p;
      // Flush moments that decayed below 1e-200 to zero: left alone they become denormals (after a
      // few thousand steps for a weight whose gradient stays 0), which are ~100× slower to compute
      // with, while their effect on the weight is below 1e-190.
      let mi = b1 * m[i] + k1 * g;
      let vi = b2 * v[i] + k2 * g * g;
      if (mi < 1e-200 && mi > -1e-200) mi = 0;
      if (vi < 1e-200) vi = 0;
      m[i] = mi;
      v[i] = vi;
      params[i] = p - (lr * (mi * c1)) / (Math.sqrt(vi * c2) + ADAM_EPSILON);
    }
    this.advance();
  }

  /** The step count and tfjs's β^t (float32 products), for a checkpoint; the moments are `m` and `v`. */
  get counters(): { steps: number; accBeta1: number; accBeta2: number } {
    return { steps: this.steps, accBeta1: this.accBeta1, accBeta2: this.accBeta2 };
  }

  restoreCounters(c: { steps: number; accBeta1: number; accBeta2: number }): void {
    this.steps = c.steps;
    this.accBeta1 = c.accBeta1;
    this.accBeta2 = c.accBeta2;
  }

  private advance(): void {
    this.accBeta1 = Math.fround(this.accBeta1 * Math.fround(ADAM_BETA1));
    this.accBeta2 = Math.fround(this.accBeta2 * Math.fround(ADAM_BETA2));
    this.steps++;
  }
}
