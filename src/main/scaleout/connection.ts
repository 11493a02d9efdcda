// How KTRDR talks to Redis: BullMQ for the job queue, plus a few keys of its own (blobs, worker
// heartbeats, cancel flags). BullMQ 6 loads `ioredis` when it is installed; otherwise every BullMQ
// connection is a MiniRedis (see redis-client.ts).
import { RedisConnection } from 'bullmq';
import { MiniRedis, parseRedisUrl, redactRedisUrl, type MiniRedisOptions } from './redis-client';

export const QUEUE_NAME = process.env.KTRDR_QUEUE || 'ktrdr-jobs';
export const KEY_PREFIX = 'ktrdr:';
export const blobKey = (sha256: string) => `${KEY_PREFIX}blob:${sha256}`;
export const cancelKey = (operationId: string) => `${KEY_PREFIX}cancel:${operationId}`;
/** Pub/sub channel: `{id, reason}` when an operation is cancelled (its flag key is set too). */
export const CANCEL_CHANNEL = `${KEY_PREFIX}cancel`;
export const WORKERS_KEY = `${KEY_PREFIX}workers`;
export const workerKey = (id: string) => `${KEY_PREFIX}worker:${id}`;

let installed = false;

function hasIoredis(): boolean {
  try {
    require.resolve('ioredis');
    return true;
  } catch {
    return false;
  }
}

/** Makes BullMQ use MiniRedis when `ioredis` is absent (idempotent). */
export function installRedisDriver(): void {
  if (installed) return;
  installed = true;
  if (hasIoredis()) return;
  (RedisConnection as unknown as { clientFactory: (opts: MiniRedisOptions) => MiniRedis }).clientFactory = (opts) => new MiniRedis(opts);
}

/** Validates the URL early (clear message naming the problem, never the password). */
export function checkRedisUrl(url: string): void {
  try {
    parseRedisUrl(url);
  } catch (err) {
    throw new Error(`Invalid Redis URL ${redactRedisUrl(url)}: ${(err as Error).message}`);
  }
}

/** A connection for KTRDR's own keys. */
export function openRedis(url: string, opts: Partial<MiniRedisOptions> = {}): MiniRedis {
  return new MiniRedis({ url, ...opts });
}

export { redactRedisUrl };
