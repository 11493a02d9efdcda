// Messages between a job's main thread and its compute threads (pool.ts ↔ compute-thread.ts).
import type { NetSpec } from '../shard-net';
import type { RnnShape } from '../rnn';
import type { ShardMemory } from './shared';

export type ThreadRequest =
  | { id: number; kind: 'ping' }
  /** Batched recurrent inference: the net this thread predicts with from now on. */
  | { id: number; kind: 'infer-init'; shape: RnnShape; params: Float64Array }
  /** Probabilities (count × classes) of windows 0..count−1 of `values` (count + T − 1 bars, row-major). */
  | { id: number; kind: 'infer'; values: Float32Array; count: number }
  /** Training shard `index` of `shards`: loops on the shared memory until told to stop, then replies. */
  | { id: number; kind: 'train'; net: NetSpec; capacity: number; index: number; shards: number; memory: ShardMemory };

export interface ThreadReply {
  id?: number;
  result?: unknown;
  error?: string;
}

/** A request before the pool numbers it. */
export type ThreadRequestBody = ThreadRequest extends infer R ? (R extends { id: number } ? Omit<R, 'id'> : never) : never;
