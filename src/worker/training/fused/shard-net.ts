// What data-parallel training needs of a fused net beyond the training loop's interface: a
// description another thread can rebuild it from, and dropout masks drawn for a whole batch and
// handed out by rows (every shard uses exactly the mask values the one-thread run draws).
import type { Alea } from './alea';
import { chooseFusedKernels, type FusedKernels } from './choice';
import type { Vec } from './kernels';
import type { ModelSpec } from '../model';
import { FusedMlp, MlpWorkspace, mlpShapeOf, mlpValues, type MlpShape } from './mlp';
import { FusedRnn, RnnWorkspace, rnnShapeOf, type RnnShape } from './rnn';
import { SimdEngine, simdSupported } from './simd/engine';
import type { FusedNet, FusedWorkspace } from './trainer';

export interface ShardableNet<W extends FusedWorkspace> extends FusedNet<W> {
  /** How to build the same net in another thread. */
  spec(): NetSpec;
  /** Values per sample of dropout layer `l`'s mask in a batch's draw (0: none). */
  maskWidth(l: number): number;
  /** Dropout layer `l`'s mask values for a batch of `rows` rows from `seed`, batch-major, into `out`. */
  drawMaskValues(alea: Alea, l: number, rows: number, seed: number, out: Vec): void;
  /** The workspace's mask of layer `l` for its `count` rows = rows [first, first + count) of a batch's draw. */
  setMaskRows(ws: W, l: number, batch: Vec, first: number, count: number): void;
  /** As FusedNet's, with `totalWeight` = Σ w of the whole batch the rows belong to. */
  lossAndGradient(ws: W, rows: number, totalWeight?: number): number;
}

export type NetSpec = { kind: 'mlp'; shape: MlpShape; kernels: FusedKernels } | { kind: 'rnn'; shape: RnnShape };

/** The NetSpec of a model the fused trainer covers (kernels: SIMD, the default). */
export function netSpecOf(spec: ModelSpec): NetSpec {
  return spec.type === 'mlp' ? { kind: 'mlp', shape: mlpShapeOf(spec), kernels: 'simd' } : { kind: 'rnn', shape: rnnShapeOf(spec) };
}

/** Multiply-adds of one sample's forward pass (what a shard's row costs). */
export function forwardMacs(spec: NetSpec): number {
  if (spec.kind === 'mlp') {
    const s = spec.shape.sizes;
    let n = 0;
    for (let l = 0; l + 1 < s.length; l++) n += s[l] * s[l + 1];
    return n;
  }
  const { inputSize: F, units: H, layers: L, seq: T, classes: C } = spec.shape;
  const GH = (spec.shape.cell === 'lstm' ? 4 : 3) * H;
  return T * (F * GH + H * GH + (L - 1) * 2 * H * GH) + H * C;
}

/** A net built from `spec` with its own engine and a workspace of `capacity` rows (a training shard's thread). */
export function createNet(spec: NetSpec, capacity: number): { net: ShardableNet<FusedWorkspace>; ws: FusedWorkspace } {
  if (spec.kind === 'mlp') {
    const kernels = spec.kernels === 'simd' ? chooseFusedKernels(simdSupported(), { KTRDR_FUSED_KERNELS: 'simd' }) : 'js';
    const engine = kernels === 'simd' ? SimdEngine.create(mlpValues(spec.shape) + MlpWorkspace.values(spec.shape, capacity)) : null;
    const mlp = new FusedMlp(spec.shape, engine);
    return { net: mlp as ShardableNet<FusedWorkspace>, ws: mlp.workspace(capacity) };
  }
  const engine = SimdEngine.create(FusedRnn.values(spec.shape) + RnnWorkspace.values(spec.shape, capacity));
  if (!engine) throw new Error('The fused recurrent net needs WebAssembly SIMD, which this runtime lacks');
  const rnn = new FusedRnn(spec.shape, engine);
  return { net: rnn as unknown as ShardableNet<FusedWorkspace>, ws: rnn.workspace(capacity) };
}
