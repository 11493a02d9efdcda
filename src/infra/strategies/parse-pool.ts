// A small pool of worker threads that parse strategy YAML off the main thread. The `yaml` library
// needs ~140 ms of CPU for 16 KiB of error-dense text; on the server's main thread that stalled every
// request meanwhile. Threads start lazily, are reused, never keep the process alive when idle, and a
// parse that overruns its time is abandoned (thread terminated and replaced) with a clear issue.
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { availableParallelism } from 'node:os';
import { join, resolve } from 'node:path';
import { Worker } from 'node:worker_threads';
import type { ParseResult, StrategyIssue } from '../../core/strategy/types';

export interface ParseRequest {
  id: number;
  yaml: string;
  sourceName?: string;
}

export type ParseReply = { ready: true; id?: undefined } | { id: number; result: ParseResult } | { id: number; error: string };

/** What a thread runs: the built .js, or (from sources) the .ts file loaded through tsx's require hook. */
export interface ParseThreadEntry {
  file: string;
  /** Resolved path of `tsx/cjs`, required first when `file` is TypeScript. */
  tsx?: string;
}

/** Like defaultWorkerEntry() of the job host: the .ts beside this file from sources, the .js beside the bundle when built. */
export function defaultParseThreadEntry(): ParseThreadEntry {
  if (__filename.endsWith('.ts')) {
    return { file: resolve(__dirname, 'parse-thread.ts'), tsx: createRequire(__filename).resolve('tsx/cjs') };
  }
  const built = join(__dirname, 'strategy-parse-thread.js');
  if (!existsSync(built)) throw new Error(`Strategy parse thread not found at ${built}; run "npm run build"`);
  return { file: built };
}

export interface ParsePoolOptions {
  /** Threads at most (default: 2, but one core is left to the event loop: 1 on a 2-core machine); each starts on first need. */
  size?: number;
  /**
   * A parse still running after this long is abandoned (default 5000 ms, counted from when the thread
   * starts on it). The slowest text within YAML_LIMITS needs ~140 ms of CPU on an idle core (~500 ms in
   * a fresh thread on a busy 2-core machine); wall time grows with the machine's load, so the margin is wide.
   */
  timeoutMs?: number;
  entry?: ParseThreadEntry;
}

interface Job {
  id: number;
  yaml: string;
  sourceName?: string;
  resolve(r: ParseResult): void;
  reject(e: Error): void;
}

interface Slot {
  worker: Worker;
  ready: boolean;
  job?: Job;
  timer?: NodeJS.Timeout;
}

/** The answer for text the parser did not finish in time: an error issue, so routes answer 200 valid:false / 422. */
export function abandonedParse(message: string): ParseResult {
  const issue: StrategyIssue = { severity: 'error', category: 'yaml', message, line: 1, column: 1 };
  return { issues: [issue], valid: false };
}

export class StrategyParsePool {
  private readonly size: number;
  private readonly timeoutMs: number;
  private entry?: ParseThreadEntry;
  private readonly slots: Slot[] = [];
  private readonly queue: Job[] = [];
  private nextId = 1;
  private closed = false;

  constructor(opts: ParsePoolOptions = {}) {
    this.size = Math.max(1, opts.size ?? Math.min(2, availableParallelism() - 1));
    this.timeoutMs = opts.timeoutMs ?? 5000;
    this.entry = opts.entry;
  }

  /** Threads currently alive (for tests). */
  threadCount(): number {
    return this.slots.length;
  }

  parse(yaml: string, sourceName?: string): Promise<ParseResult> {
    if (this.closed) return Promise.reject(new Error('the strategy parser is shut down'));
    return new Promise<ParseResult>((res, rej) => {
      this.queue.push({ id: this.nextId++, yaml, sourceName, resolve: res, reject: rej });
      this.pump();
    });
  }

  /** Terminates every thread; parses still waiting are rejected. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    const err = new Error('the strategy parser is shut down');
    for (const job of this.queue.splice(0)) job.reject(err);
    const slots = this.slots.splice(0);
    for (const s of slots) {
      clearTimeout(s.timer);
      s.job?.reject(err);
      s.job = undefined;
    }
    await Promise.all(slots.map((s) => s.worker.terminate().catch(() => undefined)));
  }

  private pump(): void {
    while (this.queue.length && !this.closed) {
      let slot = this.slots.find((s) => !s.job);
      if (!slot) {
        if (this.slots.length >= this.size) return;
        slot = this.spawn();
        if (!slot) return;
      }
      this.assign(slot, this.queue.shift()!);
    }
  }

  private assign(slot: Slot, job: Job): void {
    slot.job = job;
    // A busy thread keeps the process alive until it answers; an idle one never does.
    slot.worker.ref();
    slot.worker.postMessage({ id: job.id, yaml: job.yaml, sourceName: job.sourceName } satisfies ParseRequest);
    if (slot.ready) this.startTimer(slot);
  }

  private startTimer(slot: Slot): void {
    const job = slot.job;
    if (!job) return;
    slot.timer = setTimeout(() => {
      if (slot.job !== job) return;
      this.drop(slot);
      job.resolve(abandonedParse(`YAML: the text could not be parsed within ${this.timeoutMs / 1000} s; it is too complex for a strategy file`));
      this.pump();
    }, this.timeoutMs);
    slot.timer.unref();
  }

  /** Removes a thread from the pool and terminates it (a new one starts on the next need). */
  private drop(slot: Slot): void {
    clearTimeout(slot.timer);
    slot.job = undefined;
    const i = this.slots.indexOf(slot);
    if (i >= 0) this.slots.splice(i, 1);
    slot.worker.removeAllListeners();
    slot.worker.on('error', () => undefined);
    void slot.worker.terminate().catch(() => undefined);
  }

  private spawn(): Slot | undefined {
    let worker: Worker;
    try {
      this.entry ??= defaultParseThreadEntry();
      const e = this.entry;
      const opts = { resourceLimits: { maxOldGenerationSizeMb: 256 } };
      worker = e.tsx
        ? new Worker(`require(${JSON.stringify(e.tsx)});require(${JSON.stringify(e.file)});`, { ...opts, eval: true })
        : new Worker(e.file, opts);
    } catch (err) {
      // No thread can start (entry missing): every waiting parse fails with the reason.
      for (const job of this.queue.splice(0)) job.reject(err as Error);
      return undefined;
    }
    worker.unref();
    const slot: Slot = { worker, ready: false };
    this.slots.push(slot);
    worker.on('message', (m: ParseReply) => {
      if (m.id === undefined) {
        slot.ready = true;
        this.startTimer(slot);
        return;
      }
      const job = slot.job;
      if (!job || job.id !== m.id) return;
      clearTimeout(slot.timer);
      slot.job = undefined;
      worker.unref();
      if ('result' in m) job.resolve(m.result);
      else job.reject(new Error(m.error));
      this.pump();
    });
    const fail = (err: Error) => {
      const job = slot.job;
      this.drop(slot);
      if (job) {
        if ((err as NodeJS.ErrnoException).code === 'ERR_WORKER_OUT_OF_MEMORY') job.resolve(abandonedParse('YAML: the text needs too much memory to parse; it is too complex for a strategy file'));
        else job.reject(err);
      }
      this.pump();
    };
    worker.on('error', fail);
    worker.on('exit', (code) => {
      if (this.slots.includes(slot)) fail(new Error(`the strategy parse thread stopped (exit code ${code})`));
    });
    return slot;
  }
}
