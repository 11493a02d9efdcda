// The shared memory of data-parallel training (../parallel.ts on the main thread, ../shard-worker.ts
// in each compute thread): the batch as the main thread staged it, the parameters, one gradient slot
// per thread, per-shard totals and a control block. Plain SharedArrayBuffers: each thread copies what
// it needs into its own WebAssembly memory (the SIMD module's memory is not shared), so the kernels
// and their results stay exactly those of the one-thread run.

/** Control words (Int32): a batch is announced by bumping GEN; each thread bumps DONE when finished. */
export const CTL_GEN = 0;
export const CTL_DONE = 1;
export const CTL_STOP = 2;
export const CTL_MODE = 3;
export const CTL_COUNT = 4;
export const CTL_FAILED = 5;
/** Bumped by the main thread whenever it writes new parameters (a thread copies them only then). */
export const CTL_PARAMS = 6;
const CTL_WORDS = 8;

export const MODE_TRAIN = 1;
export const MODE_EVAL = 2;

/** Per-shard totals (Float64): training loss part, or evaluation Σ w·CE; Σ w; correct rows. */
export const STAT_LOSS = 0;
export const STAT_WEIGHT = 1;
export const STAT_CORRECT = 2;
const STAT_WORDS = 4;
/** stats[0]: Σ w of the whole batch (each shard's loss and gradient are its part of the batch's). */
export const STAT_TOTAL_WEIGHT = 0;

const ERROR_BYTES = 2048;

export interface ShardMemory {
  ctl: SharedArrayBuffer;
  params: SharedArrayBuffer;
  grads: SharedArrayBuffer;
  stats: SharedArrayBuffer;
  x: SharedArrayBuffer;
  labels: SharedArrayBuffer;
  weights: SharedArrayBuffer;
  masks: SharedArrayBuffer;
  error: SharedArrayBuffer;
  /** Values per sample of each dropout layer's batch draw (index l − 1). */
  maskWidths: number[];
  inputLength: number;
  /** Rows the staging area holds (the largest batch or evaluation chunk). */
  rows: number;
  parameters: number;
  shards: number;
}

export function allocateShardMemory(o: { parameters: number; inputLength: number; rows: number; maskWidths: number[]; shards: number }): ShardMemory {
  const maskValues = o.maskWidths.reduce((a, w) => a + w, 0);
  return {
    ctl: new SharedArrayBuffer(CTL_WORDS * 4),
    params: new SharedArrayBuffer(o.parameters * 8),
    grads: new SharedArrayBuffer(Math.max(1, o.shards - 1) * o.parameters * 8),
    stats: new SharedArrayBuffer((1 + o.shards * STAT_WORDS) * 8),
    x: new SharedArrayBuffer(o.rows * o.inputLength * 4),
    labels: new SharedArrayBuffer(o.rows * 4),
    weights: new SharedArrayBuffer(o.rows * 8),
    masks: new SharedArrayBuffer(Math.max(1, o.rows * maskValues) * 8),
    error: new SharedArrayBuffer(ERROR_BYTES),
    maskWidths: o.maskWidths.slice(),
    inputLength: o.inputLength,
    rows: o.rows,
    parameters: o.parameters,
    shards: o.shards,
  };
}

/** Typed views of a ShardMemory (each thread makes its own). */
export class ShardViews {
  readonly ctl: Int32Array;
  readonly params: Float64Array;
  readonly stats: Float64Array;
  readonly x: Float32Array;
  readonly labels: Int32Array;
  readonly weights: Float64Array;
  /** Per dropout layer l (index l − 1): its batch draw, [rows][width]. */
  readonly masks: Float64Array[];
  private readonly grads: Float64Array;
  private readonly error: Uint8Array;

  constructor(readonly m: ShardMemory) {
    this.ctl = new Int32Array(m.ctl);
    this.params = new Float64Array(m.params);
    this.grads = new Float64Array(m.grads);
    this.stats = new Float64Array(m.stats);
    this.x = new Float32Array(m.x);
    this.labels = new Int32Array(m.labels);
    this.weights = new Float64Array(m.weights);
    this.error = new Uint8Array(m.error);
    let off = 0;
    this.masks = m.maskWidths.map((w) => {
      const v = new Float64Array(m.masks, off * 8, m.rows * w);
      off += m.rows * w;
      return v;
    });
  }

  /** Gradient slot of shard k ≥ 1 (shard 0 is the main thread's, in the net itself). */
  gradSlot(k: number): Float64Array {
    const P = this.m.parameters;
    return this.grads.subarray((k - 1) * P, k * P);
  }

  stat(k: number, field: number): number {
    return this.stats[1 + k * STAT_WORDS + field];
  }

  setStat(k: number, field: number, v: number): void {
    this.stats[1 + k * STAT_WORDS + field] = v;
  }

  /** Records a thread's failure (the main thread is blocked in Atomics.wait and cannot take a message). */
  fail(message: string): void {
    const bytes = new TextEncoder().encode(message).subarray(0, ERROR_BYTES - 4);
    new DataView(this.m.error).setUint32(0, bytes.length, true);
    this.error.set(bytes, 4);
    Atomics.store(this.ctl, CTL_FAILED, 1);
  }

  failure(): string | null {
    if (Atomics.load(this.ctl, CTL_FAILED) === 0) return null;
    const n = new DataView(this.m.error).getUint32(0, true);
    return new TextDecoder().decode(this.error.slice(4, 4 + n));
  }
}

/** Rows [start, end) of shard k when `count` rows are split over `shards` (as evenly as possible, in order). */
export function shardRows(count: number, shards: number, k: number): [number, number] {
  return [Math.floor((k * count) / shards), Math.floor(((k + 1) * count) / shards)];
}
