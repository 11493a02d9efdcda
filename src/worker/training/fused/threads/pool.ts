// Compute threads (worker_threads) of one job: the extra cores that train a batch's shards
// (../parallel.ts) and predict a backtest's windows (../infer-threads.ts). A job starts its threads
// when it needs them and ends them when done (no pool outlives a training or a prediction), so a
// crash or a cancelled job leaves no thread behind. Requests are request/reply messages; the training
// shards talk through shared memory instead, with a thread blocked in Atomics.wait between batches.
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join, resolve } from 'node:path';
import { Worker } from 'node:worker_threads';
import type { ThreadReply, ThreadRequest, ThreadRequestBody } from './protocol';

/** What a thread runs: the built .js, or (from sources) the .ts file loaded through tsx's require hook. */
export interface ComputeThreadEntry {
  file: string;
  /** Resolved path of `tsx/cjs`, required first when `file` is TypeScript. */
  tsx?: string;
}

/** As the parse threads' entry: the .ts beside this file from sources, the .js beside the bundle when built. */
export function defaultComputeThreadEntry(): ComputeThreadEntry {
  if (__filename.endsWith('.ts')) return { file: resolve(__dirname, 'compute-thread.ts'), tsx: createRequire(__filename).resolve('tsx/cjs') };
  const built = join(__dirname, 'compute-thread.js');
  if (!existsSync(built)) throw new Error(`Compute thread not found at ${built}; run "npm run build"`);
  return { file: built };
}

interface Pending {
  resolve(v: unknown): void;
  reject(e: Error): void;
}

export class ComputeThread {
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;
  private failure: Error | null = null;
  private closed = false;

  private constructor(private readonly worker: Worker) {
    worker.on('message', (m: ThreadReply) => {
      const p = m.id === undefined ? undefined : this.pending.get(m.id);
      if (!p) return;
      this.pending.delete(m.id!);
      if (m.error !== undefined) p.reject(new Error(m.error));
      else p.resolve(m.result);
    });
    const fail = (err: Error) => {
      if (this.closed) return;
      this.failure ??= err;
      for (const p of this.pending.values()) p.reject(err);
      this.pending.clear();
    };
    worker.on('error', (err) => fail(new Error(`A compute thread failed: ${err.message}`)));
    worker.on('exit', (code) => fail(new Error(`A compute thread stopped (exit code ${code})`)));
  }

  /** Starts a thread and waits until it has loaded its modules. */
  static start(entry: ComputeThreadEntry = defaultComputeThreadEntry()): Promise<ComputeThread> {
    const worker = entry.tsx ? new Worker(`require(${JSON.stringify(entry.tsx)});require(${JSON.stringify(entry.file)});`, { eval: true }) : new Worker(entry.file);
    const thread = new ComputeThread(worker);
    return thread.request({ kind: 'ping' }).then(() => thread);
  }

  /** Starts `n` threads at once; if one fails, the others are ended and the error is thrown. */
  static async startMany(n: number, entry?: ComputeThreadEntry): Promise<ComputeThread[]> {
    const started = await Promise.allSettled(Array.from({ length: n }, () => ComputeThread.start(entry)));
    const threads = started.flatMap((s) => (s.status === 'fulfilled' ? [s.value] : []));
    const failed = started.find((s): s is PromiseRejectedResult => s.status === 'rejected');
    if (failed) {
      await Promise.all(threads.map((t) => t.close()));
      throw failed.reason as Error;
    }
    return threads;
  }

  /** Sends a request; resolves with the thread's result, rejects with its error (or the thread's death). */
  request<T = unknown>(req: ThreadRequestBody, transfer: ArrayBuffer[] = []): Promise<T> {
    if (this.failure) return Promise.reject(this.failure);
    if (this.closed) return Promise.reject(new Error('The compute thread is closed'));
    const id = this.nextId++;
    return new Promise<T>((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
      this.worker.postMessage({ ...req, id } as ThreadRequest, transfer);
    });
  }

  /** Ends the thread (pending requests are rejected). */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    const err = new Error('The compute thread was closed');
    for (const p of this.pending.values()) p.reject(err);
    this.pending.clear();
    await this.worker.terminate().catch(() => undefined);
  }
}
