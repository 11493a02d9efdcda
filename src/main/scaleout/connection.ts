// How KTRDR talks to Redis: BullMQ for the job queue, plus a few keys of its own (blobs, worker
// heartbeats, cancel flags). Every connection is an ioredis client built from one URL (see
// redis-url.ts); a private CA for rediss:// comes from KTRDR_REDIS_TLS_CA.
import { readFileSync } from 'node:fs';
import type { ConnectionOptions } from 'bullmq';
import { Redis, type RedisOptions } from 'ioredis';
import { parseRedisUrl } from './redis-url';

export { checkRedisUrl, parseRedisUrl, redactRedisUrl } from './redis-url';

/** The BullMQ queue a server and its workers share (KTRDR_QUEUE); KTRDR's own keys are namespaced by it. */
export const QUEUE_NAME = process.env.KTRDR_QUEUE || 'ktrdr-jobs';
export const KEY_PREFIX = 'ktrdr:';
/** Blobs are content-addressed, so queues may share them. */
export const blobKey = (sha256: string) => `${KEY_PREFIX}blob:${sha256}`;

/** KTRDR's keys for one queue: two servers on one Redis with different KTRDR_QUEUE never see each other's workers or jobs. */
export interface QueueKeys {
  /** Sorted set: worker id → last heartbeat (ms). */
  workers: string;
  worker(id: string): string;
  /** Flag set when an operation is cancelled (its value is the reason, or `kill`). */
  cancel(operationId: string): string;
  /** Pub/sub channel: `{id, reason}` when an operation is cancelled (its flag key is set too). */
  cancelChannel: string;
  /** What a finished attempt produced (JSON ResultRecord), kept until the server has imported it. */
  result(operationId: string): string;
  /** Set by an attempt whose job has ended while it stores the outcome: a new attempt waits for it instead of running. */
  finishing(operationId: string): string;
  /** Hash of one attempt's metrics (`m:<i>`) and warnings (`w:<i>`), read by the server by index. */
  journal(operationId: string, attempt: number): string;
  /** The latest training checkpoint a worker uploaded for the job (JSON RecordedCheckpoint): where a takeover resumes. */
  checkpoint(operationId: string): string;
}

export function queueKeys(queue: string = QUEUE_NAME): QueueKeys {
  const base = `${KEY_PREFIX}${queue}:`;
  return {
    workers: `${base}workers`,
    worker: (id) => `${base}worker:${id}`,
    cancel: (id) => `${base}cancel:${id}`,
    cancelChannel: `${base}cancel`,
    result: (id) => `${base}result:${id}`,
    finishing: (id) => `${base}finishing:${id}`,
    journal: (id, attempt) => `${base}journal:${id}:${attempt}`,
    checkpoint: (id) => `${base}checkpoint:${id}`,
  };
}

/** ioredis options for `url` (host, port, user, password, db, TLS), then `extra`. */
export function redisOptions(url: string, extra: Partial<RedisOptions> = {}): RedisOptions {
  const { tls, ...parts } = parseRedisUrl(url);
  const opts: RedisOptions = { ...parts, ...extra };
  if (tls) {
    // A private CA for rediss:// (KTRDR_REDIS_TLS_CA=/path/ca.pem); otherwise the system's CAs.
    const ca = process.env.KTRDR_REDIS_TLS_CA;
    opts.tls = { ...tls, ...(ca ? { ca: readFileSync(ca) } : {}), ...(typeof extra.tls === 'object' ? extra.tls : {}) };
  }
  return opts;
}

/**
 * BullMQ `connection` options for `url`: BullMQ opens its own ioredis clients from them (and sets
 * `maxRetriesPerRequest: null` on its blocking Worker/QueueEvents connections, as it requires).
 */
export function bullConnection(url: string, extra: Partial<RedisOptions> = {}): ConnectionOptions {
  return redisOptions(url, extra) as ConnectionOptions;
}

/**
 * A connection for KTRDR's own keys. Connection errors (Redis down, wrong password, bad
 * certificate) are emitted as 'error' events and ioredis keeps reconnecting; callers see them as
 * rejected commands or `status !== 'ready'`. The listener here keeps a missing one from making
 * ioredis print every failed reconnect; pass `onError` to log them.
 */
export function openRedis(url: string, opts: Partial<RedisOptions> = {}, onError: (err: Error) => void = () => undefined): Redis {
  const redis = new Redis(redisOptions(url, opts));
  redis.on('error', onError);
  return redis;
}
