// Data-parallel training over the threads of one job. The main thread stages each batch in shared
// memory (inputs, labels, row weights, and the dropout masks it draws for the whole batch from the
// loop's seeds, exactly the one-thread run's values), splits the rows into `shards` consecutive
// shards, computes shard 0 itself while each compute thread computes one other shard, then adds the
// threads' gradients into its own in shard order. The loss is normalised by the whole batch's Σ w, so
// a shard's gradient is its exact part of the batch's: the only difference from one thread is the
// order of the additions, and for a given shard count the result is the same on every run.
// Weights, Adam's moments and the Rng never leave the main thread.
import { Alea } from './alea';
import { SerialBatches, type BatchResult, type BatchRunner } from './batches';
import type { ModelSpec } from '../model';
import { forwardMacs, netSpecOf, type ShardableNet } from './shard-net';
import { runShardRows, type ShardTotals } from './shard-worker';
import { ComputeThread, type ComputeThreadEntry } from './threads/pool';
import { allocateShardMemory, CTL_COUNT, CTL_DONE, CTL_GEN, CTL_MODE, CTL_PARAMS, CTL_STOP, MODE_EVAL, MODE_TRAIN, shardRows, STAT_CORRECT, STAT_LOSS, STAT_TOTAL_WEIGHT, STAT_WEIGHT, ShardViews } from './threads/shared';
import type { LabelledSamples } from '../trainer';
import type { FusedWorkspace } from './trainer';

/**
 * A shard whose rows' forward passes hold fewer multiply-adds than this does not pay for its hand-off.
 * Measured on 2 quiet cores (bench/training.ts, issue 28), samples/s on 1 thread → 2 shards: the MLP
 * 36→64→32→3 (4,448 a row) at batch 32 269,586 → 149,589 (shards of 71k: 45 % slower), at batch 256
 * 301,462 → 288,509 (569k: no gain), at 512 ~308k → ~358k (1.1M: +16 %, 3 runs, noisy); the 2×64 LSTM
 * over 20 rows (1.17M a row) at batch 32 1,319 → 2,002 (GRU 1,508 → 2,560). Waking a thread, staging
 * the batch and adding its gradient cost ~0.15 ms a batch, and two threads on these cores run at ~0.7
 * of one each, so a shard pays from ~1M multiply-adds (~0.8 ms of forward + backward). The MLP needs
 * 225 rows a shard (batch 32 and 256 train on one thread, 450 on two); the 2×64 LSTM 1, the GRU 2.
 */
export const MIN_SHARD_MACS = 1_000_000;

/** Shards a batch of `batchSize` rows is split into with `threads` threads, for samples costing `macsPerSample`. */
export function shardCount(threads: number, batchSize: number, macsPerSample: number): number {
  const minRows = Math.max(1, Math.ceil(MIN_SHARD_MACS / Math.max(1, macsPerSample)));
  return Math.max(1, Math.min(Math.floor(threads), Math.floor(batchSize / minRows)));
}

/**
 * The shards a new training of `spec` at `batchSize` splits its batches into when `threads` are allowed
 * (KTRDR_THREADS or a pinned training.threads is a ceiling: fewer where a shard would not pay). A resumed
 * run does not ask: it uses the count its checkpoint recorded (the result depends on it).
 */
export function trainingShards(spec: ModelSpec, threads: number, batchSize: number): number {
  return shardCount(threads, batchSize, forwardMacs(netSpecOf(spec)));
}

export interface BatchRunnerOptions {
  /** Shards each batch is split into, exactly (trainingShards chooses it for a new run; a resume reads its checkpoint's). */
  shards: number;
  batchSize: number;
  /** Rows of the validation workspace (evaluation chunks are split over the shards too). */
  evalRows: number;
  entry?: ComputeThreadEntry;
}

/** The runner for `opts.shards`: the calling thread alone, or it and shards − 1 compute threads. */
export async function startBatchRunner<W extends FusedWorkspace>(net: ShardableNet<W>, ws: W, evalWs: W | null, opts: BatchRunnerOptions): Promise<BatchRunner> {
  if (!Number.isInteger(opts.shards) || opts.shards < 1) throw new Error(`Cannot split batches into ${opts.shards} shards: a positive integer is needed`);
  if (opts.shards === 1) return new SerialBatches(net, ws, evalWs);
  return ParallelBatches.start(net, ws, evalWs, opts.shards, opts);
}

/** A thread that has not finished its shard after this long (and ≥ 20× the main thread's shard time) is taken for lost. */
const LOST_THREAD_MS = 300_000;

class ParallelBatches<W extends FusedWorkspace> implements BatchRunner {
  private readonly v: ShardViews;
  private readonly alea = new Alea(0);
  private closed = false;

  private constructor(
    private readonly net: ShardableNet<W>,
    private readonly ws: W,
    private readonly evalWs: W | null,
    readonly threads: number,
    private readonly pool: ComputeThread[],
    private readonly loops: Promise<unknown>[],
    memory: ReturnType<typeof allocateShardMemory>,
  ) {
    this.v = new ShardViews(memory);
  }

  static async start<W extends FusedWorkspace>(net: ShardableNet<W>, ws: W, evalWs: W | null, shards: number, opts: BatchRunnerOptions): Promise<ParallelBatches<W>> {
    const rows = Math.max(opts.batchSize, evalWs ? opts.evalRows : 0);
    const maskWidths = Array.from({ length: net.dropoutLayers }, (_, i) => net.maskWidth(i + 1));
    const memory = allocateShardMemory({ parameters: net.params.length, inputLength: net.inputLength, rows, maskWidths, shards });
    const pool = await ComputeThread.startMany(shards - 1, opts.entry).catch((err: Error) => {
      // Never silently fewer: the result depends on the thread count.
      throw new Error(`Could not start ${shards - 1} compute thread(s) for training (${err.message}); set KTRDR_THREADS=1 (or training.threads: 1) to train on one thread`);
    });
    const capacity = Math.ceil(rows / shards);
    const spec = net.spec();
    const loops = pool.map((t, i) => t.request({ kind: 'train', net: spec, capacity, index: i + 1, shards, memory }).catch((err: Error) => err));
    return new ParallelBatches(net, ws, evalWs, shards, pool, loops, memory);
  }

  gradient(data: LabelledSamples, positions: Int32Array, from: number, count: number, classWeights: Float32Array, seeds: ArrayLike<number>): BatchResult {
    const { net, v } = this;
    data.samples.fill(positions, from, count, v.x);
    let total = 0;
    for (let k = 0; k < count; k++) {
      const label = data.labels[positions[from + k]];
      v.labels[k] = label;
      v.weights[k] = classWeights[label];
      total += v.weights[k];
    }
    v.stats[STAT_TOTAL_WEIGHT] = total;
    for (let l = 1; l <= seeds.length; l++) net.drawMaskValues(this.alea, l, count, seeds[l - 1], v.masks[l - 1]);
    this.publishParams();
    const own = this.run(MODE_TRAIN, count, this.ws);
    if (own === null) net.grads.fill(0);
    let loss = own?.loss ?? 0;
    let correct = own?.correct ?? 0;
    const g = net.grads;
    for (let k = 1; k < this.threads; k++) {
      const [a, b] = shardRows(count, this.threads, k);
      if (b <= a) continue;
      const slot = v.gradSlot(k);
      for (let i = 0; i < g.length; i++) g[i] += slot[i];
      loss += v.stat(k, STAT_LOSS);
      correct += v.stat(k, STAT_CORRECT);
    }
    return { loss, correct };
  }

  evaluate(data: LabelledSamples, classWeights: Float32Array): { loss: number; accuracy: number } {
    const evalWs = this.evalWs;
    if (!evalWs) throw new Error('No validation workspace');
    const n = data.samples.size;
    if (n === 0) return { loss: NaN, accuracy: NaN };
    const { v } = this;
    this.publishParams();
    const chunk = Math.min(v.m.rows, evalWs.capacity * this.threads);
    const positions = new Int32Array(chunk);
    let lossSum = 0;
    let weightSum = 0;
    let correct = 0;
    for (let from = 0; from < n; from += chunk) {
      const count = Math.min(chunk, n - from);
      for (let i = 0; i < count; i++) positions[i] = from + i;
      data.samples.fill(positions, 0, count, v.x);
      for (let k = 0; k < count; k++) {
        v.labels[k] = data.labels[from + k];
        v.weights[k] = classWeights[v.labels[k]];
      }
      const own = this.run(MODE_EVAL, count, evalWs);
      if (own) {
        lossSum += own.loss;
        weightSum += own.weight;
        correct += own.correct;
      }
      for (let k = 1; k < this.threads; k++) {
        lossSum += v.stat(k, STAT_LOSS);
        weightSum += v.stat(k, STAT_WEIGHT);
        correct += v.stat(k, STAT_CORRECT);
      }
    }
    return { loss: weightSum > 0 ? lossSum / weightSum : NaN, accuracy: correct / n };
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    const ctl = this.v.ctl;
    Atomics.store(ctl, CTL_STOP, 1);
    Atomics.add(ctl, CTL_GEN, 1);
    Atomics.notify(ctl, CTL_GEN);
    await Promise.race([Promise.all(this.loops), new Promise((r) => setTimeout(r, 5_000).unref())]);
    await Promise.all(this.pool.map((t) => t.close()));
  }

  private publishParams(): void {
    this.v.params.set(this.net.params);
    Atomics.add(this.v.ctl, CTL_PARAMS, 1);
  }

  /** Announces `count` staged rows, computes shard 0 on this thread (null when it has no rows) and waits for the others. */
  private run(mode: number, count: number, ws: W): ShardTotals | null {
    if (this.closed) throw new Error('The training threads are closed');
    const { v } = this;
    const ctl = v.ctl;
    ctl[CTL_MODE] = mode;
    ctl[CTL_COUNT] = count;
    Atomics.store(ctl, CTL_DONE, 0);
    Atomics.add(ctl, CTL_GEN, 1);
    Atomics.notify(ctl, CTL_GEN);
    const t0 = performance.now();
    const [, end] = shardRows(count, this.threads, 0);
    const own = end > 0 ? runShardRows(this.net, ws, v, 0, end, mode) : null;
    this.join(performance.now() - t0);
    return own;
  }

  private join(ownMs: number): void {
    const ctl = this.v.ctl;
    const want = this.threads - 1;
    const started = performance.now();
    const limit = Math.max(LOST_THREAD_MS, 20 * ownMs);
    for (;;) {
      const done = Atomics.load(ctl, CTL_DONE);
      const failure = this.v.failure();
      if (failure !== null) throw new Error(`A training thread failed: ${failure}`);
      if (done >= want) return;
      if (performance.now() - started > limit) throw new Error(`A training thread has not answered for ${Math.round(limit / 1000)} s`);
      Atomics.wait(ctl, CTL_DONE, done, 1_000);
    }
  }
}
