// Process entry of `ktrdr worker` (the CLI command parses options and calls this).
import { mkdirSync } from 'node:fs';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { numberFromEnv } from '../config';
import { checkRedisUrl, redactRedisUrl } from './connection';
import { lockTimingFromEnv } from './lock-timing';
import { RemoteWorker } from './remote-worker';

export interface WorkerCommandOptions {
  redis?: string;
  concurrency?: string;
  home?: string;
}

export class WorkerUsageError extends Error {}

export async function runWorkerCommand(opts: WorkerCommandOptions): Promise<RemoteWorker> {
  const url = opts.redis ?? process.env.KTRDR_REDIS_URL;
  if (!url) throw new WorkerUsageError('--redis URL (or KTRDR_REDIS_URL) is required, e.g. redis://:password@host:6379');
  checkRedisUrl(url);
  const concurrency = opts.concurrency === undefined ? 1 : Number(opts.concurrency);
  if (!Number.isInteger(concurrency) || concurrency < 1 || concurrency > 64) throw new WorkerUsageError(`--concurrency must be an integer 1..64 (got ${opts.concurrency})`);
  const home = resolve(opts.home ?? process.env.KTRDR_WORKER_HOME ?? join(homedir(), '.ktrdr-worker'));
  mkdirSync(home, { recursive: true });
  const cacheMb = numberFromEnv(process.env, 'KTRDR_WORKER_BLOB_CACHE_MB', 2048, (n) => Number.isInteger(n) && n >= 0, 'a whole number of MiB, 0 to turn the cache off');
  const worker = new RemoteWorker({
    blobCacheBytes: cacheMb * 1024 * 1024,
    url,
    home,
    concurrency,
    ...lockTimingFromEnv(process.env),
  });
  const slow = setTimeout(() => process.stdout.write(`Waiting for Redis at ${redactRedisUrl(url)}…\n`), 3000);
  await worker.ready();
  clearTimeout(slow);
  process.stdout.write(`${worker.describe()} ready\n`);
  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) {
      // Second signal: stop now; running jobs' processes exit with us and BullMQ moves their jobs on.
      process.stdout.write(`Received ${signal} again, exiting without waiting for running jobs\n`);
      process.exit(1);
    }
    stopping = true;
    process.stdout.write(`Received ${signal}, finishing running jobs before stopping (send it again to stop now)\n`);
    await worker.close();
    process.exit(0);
  };
  process.on('SIGINT', () => void stop('SIGINT'));
  process.on('SIGTERM', () => void stop('SIGTERM'));
  return worker;
}
