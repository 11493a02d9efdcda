// Below the fused training loop: one batch's forward + backward + gradient, and a validation pass.
// The loop (trainer.ts) owns the weights, Adam and the Rng; it draws the batch's dropout seeds and
// calls a BatchRunner, which leaves the batch's gradient in net.grads. SerialBatches computes on the
// calling thread (the one-thread run); ParallelBatches (parallel.ts) splits the rows over threads.
import { identityPositions } from '../../../infra/models/samples';
import type { LabelledSamples } from '../trainer';
import type { ShardableNet } from './shard-net';
import type { FusedWorkspace } from './trainer';

export interface BatchResult {
  /** The batch's mean weighted cross-entropy. */
  loss: number;
  /** Rows whose argmax is the label. */
  correct: number;
}

export interface BatchRunner {
  /** Threads computing each batch (1: the calling thread only). */
  readonly threads: number;
  /**
   * The gradient of the batch positions[from..from+count) of `data` into net.grads, with one dropout
   * seed per dropout layer (model order).
   */
  gradient(data: LabelledSamples, positions: Int32Array, from: number, count: number, classWeights: Float32Array, seeds: ArrayLike<number>): BatchResult;
  /** Σ w·CE / Σ w over the whole set (the training criterion) and accuracy, no dropout. */
  evaluate(data: LabelledSamples, classWeights: Float32Array): { loss: number; accuracy: number };
  /** Ends the threads (if any). */
  close(): Promise<void>;
}

/** Copies samples positions[from..from+count) into the workspace: inputs, labels, row weights. */
export function fillBatch<W extends FusedWorkspace>(net: ShardableNet<W>, ws: W, data: LabelledSamples, positions: Int32Array, from: number, count: number, classWeights: Float32Array): void {
  data.samples.fill(positions, from, count, ws.x32);
  net.loadInputs(ws, count);
  for (let k = 0; k < count; k++) {
    const label = data.labels[positions[from + k]];
    ws.labels[k] = label;
    ws.rowWeights[k] = classWeights[label];
  }
}

/** Validation pass on the calling thread, ws.capacity rows at a time. */
export function evaluateFused<W extends FusedWorkspace>(net: ShardableNet<W>, ws: W, data: LabelledSamples, classWeights: Float32Array): { loss: number; accuracy: number } {
  const n = data.samples.size;
  if (n === 0) return { loss: NaN, accuracy: NaN };
  const positions = identityPositions(n);
  let lossSum = 0;
  let weightSum = 0;
  let correct = 0;
  for (let from = 0; from < n; from += ws.capacity) {
    const count = Math.min(ws.capacity, n - from);
    fillBatch(net, ws, data, positions, from, count, classWeights);
    const r = net.evaluateRows(ws, count);
    lossSum += r.lossSum;
    weightSum += r.weightSum;
    correct += r.correct;
  }
  return { loss: weightSum > 0 ? lossSum / weightSum : NaN, accuracy: correct / n };
}

/** The one-thread runner: the whole batch through the net on the calling thread. */
export class SerialBatches<W extends FusedWorkspace> implements BatchRunner {
  readonly threads = 1;

  constructor(
    private readonly net: ShardableNet<W>,
    private readonly ws: W,
    private readonly evalWs: W | null,
  ) {}

  gradient(data: LabelledSamples, positions: Int32Array, from: number, count: number, classWeights: Float32Array, seeds: ArrayLike<number>): BatchResult {
    const { net, ws } = this;
    fillBatch(net, ws, data, positions, from, count, classWeights);
    for (let l = 1; l <= seeds.length; l++) net.drawMask(ws, l, count, seeds[l - 1]);
    net.forward(ws, count, true);
    const loss = net.lossAndGradient(ws, count);
    net.backward(ws, count, true);
    return { loss, correct: ws.correct };
  }

  evaluate(data: LabelledSamples, classWeights: Float32Array): { loss: number; accuracy: number } {
    if (!this.evalWs) throw new Error('No validation workspace');
    return evaluateFused(this.net, this.evalWs, data, classWeights);
  }

  async close(): Promise<void> {}
}
