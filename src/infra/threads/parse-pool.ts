// A small pool of worker threads that parse user text off the main thread: strategy YAML, CSV imports
// (parse + row checks + timeframe inference) and large JSON request bodies. On the server's main
// thread each of these stalled every other request meanwhile (the `yaml` library needs ~140 ms of CPU
// for 16 KiB of error-dense text; two concurrent 60k-row CSV imports stalled the loop 48–102 ms).
// Threads start lazily, are reused, never keep the process alive when idle, and a task that overruns
// its time is abandoned (thread terminated and replaced) with a clear answer.
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { availableParallelism } from 'node:os';
import { join, resolve } from 'node:path';
import { Worker } from 'node:worker_threads';
import { CsvFormatError } from '../../core/bars/csv';
import type { ParseResult, StrategyIssue } from '../../core/strategy/types';
import { ImportRefusedError, type ImportOptions, type PreparedImport } from '../bars/import';

/** What a thread is asked to do. */
export type ParseTask = { kind: 'strategy'; yaml: string; sourceName?: string } | { kind: 'csv'; text: string; opts: ImportOptions } | { kind: 'json'; text: string | Uint8Array };

export interface ParseRequest {
  id: number;
  task: ParseTask;
}

/** An error thrown in the thread, by class name, so that the main thread rebuilds the same class. */
export interface ThreadError {
  name: 'CsvFormatError' | 'ImportRefusedError' | 'SyntaxError' | 'Error';
  message: string;
  /** ImportRefusedError's fields for the 400 answer. */
  extra?: Record<string, unknown>;
}

export type ParseReply = { ready: true; id?: undefined } | { id: number; result: unknown } | { id: number; error: ThreadError };

/** Classifies an error thrown by a task (in the thread). */
export function threadError(err: unknown): ThreadError {
  if (err instanceof ImportRefusedError) return { name: 'ImportRefusedError', message: err.message, extra: err.extra };
  if (err instanceof CsvFormatError) return { name: 'CsvFormatError', message: err.message };
  if (err instanceof SyntaxError) return { name: 'SyntaxError', message: err.message };
  return { name: 'Error', message: err instanceof Error ? err.message : String(err) };
}

/** The same error class, message and fields on the main thread (routes map them with instanceof). */
export function rebuildError(e: ThreadError): Error {
  if (e.name === 'ImportRefusedError') return new ImportRefusedError(e.message, e.extra ?? {});
  if (e.name === 'CsvFormatError') return new CsvFormatError(e.message);
  if (e.name === 'SyntaxError') return new SyntaxError(e.message);
  return new Error(e.message);
}

/** A CSV or JSON task that was abandoned: it overran its time (`timeout`) or the thread's heap (`memory`). */
export class ParseAbandonedError extends Error {
  constructor(
    message: string,
    readonly reason: 'timeout' | 'memory',
  ) {
    super(message);
  }
}

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
  const built = join(__dirname, 'parse-thread.js');
  if (!existsSync(built)) throw new Error(`Parse thread not found at ${built}; run "npm run build"`);
  return { file: built };
}

/** Time allowed to a CSV or JSON task of `chars` characters: 10 s + 2 s per MiB (≈30× the idle-core need). */
export function bulkTimeoutMs(chars: number): number {
  return 10_000 + Math.ceil((2_000 * chars) / 2 ** 20);
}

/**
 * Thread heap for a server whose bodies and import files may be `importLimit` bytes: a JSON task holds
 * the body and its parsed copy, a CSV task the text (bar columns live outside the heap), plus working
 * room; never under 256 MiB (the strategy parser's own need).
 */
export function parseThreadHeapMb(importLimit: number): number {
  return Math.max(256, Math.ceil((3 * importLimit) / 2 ** 20) + 64);
}

export interface ParsePoolOptions {
  /** Threads at most (default: 2, but one core is left to the event loop: 1 on a 2-core machine); each starts on first need. */
  size?: number;
  /**
   * A strategy parse still running after this long is abandoned (default 5000 ms, counted from when
   * the thread starts on it). The slowest text within YAML_LIMITS needs ~140 ms of CPU on an idle core
   * (~500 ms in a fresh thread on a busy 2-core machine); wall time grows with the machine's load.
   */
  timeoutMs?: number;
  /** Time allowed to a CSV/JSON task of `chars` characters (default bulkTimeoutMs: imports are legitimately large). */
  bulkTimeoutMs?: (chars: number) => number;
  /** Heap of each thread in MiB (default 256; the server sizes it for its import limit). */
  heapMb?: number;
  entry?: ParseThreadEntry;
}

interface Job {
  id: number;
  /** Dropped once posted: the thread has its own copy, the main heap need not keep a large text alive. */
  task?: ParseTask;
  timeoutMs: number;
  resolve(r: unknown): void;
  reject(e: Error): void;
  /** Settles a job the thread did not finish (timeout or out of memory). */
  abandon(reason: 'timeout' | 'memory'): void;
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

export class ParsePool {
  private readonly size: number;
  private readonly timeoutMs: number;
  private readonly bulkTimeout: (chars: number) => number;
  private readonly heapMb: number;
  private entry?: ParseThreadEntry;
  private readonly slots: Slot[] = [];
  private readonly queue: Job[] = [];
  private nextId = 1;
  private closed = false;

  constructor(opts: ParsePoolOptions = {}) {
    this.size = Math.max(1, opts.size ?? Math.min(2, availableParallelism() - 1));
    this.timeoutMs = opts.timeoutMs ?? 5000;
    this.bulkTimeout = opts.bulkTimeoutMs ?? bulkTimeoutMs;
    this.heapMb = opts.heapMb ?? 256;
    this.entry = opts.entry;
  }

  /** Threads currently alive (for tests). */
  threadCount(): number {
    return this.slots.length;
  }

  /** parseStrategy(yaml, {sourceName}) with the default indicator catalogue; text it does not finish gets an error issue. */
  parseStrategy(yaml: string, sourceName?: string): Promise<ParseResult> {
    return this.run<ParseResult>({ kind: 'strategy', yaml, sourceName }, this.timeoutMs, (resolve, _reject, reason) =>
      resolve(
        abandonedParse(
          reason === 'timeout'
            ? `YAML: the text could not be parsed within ${this.timeoutMs / 1000} s; it is too complex for a strategy file`
            : 'YAML: the text needs too much memory to parse; it is too complex for a strategy file',
        ),
      ),
    );
  }

  /** prepareImport (parse, reject rows, infer and check the timeframe) on a thread; throws what it throws. */
  prepareImport(text: string, opts: ImportOptions): Promise<PreparedImport> {
    const ms = this.bulkTimeout(text.length);
    return this.run<PreparedImport>({ kind: 'csv', text, opts }, ms, (_resolve, reject, reason) =>
      reject(
        reason === 'timeout'
          ? new ParseAbandonedError(`The CSV could not be checked within ${Math.round(ms / 1000)} s (the server is overloaded); nothing was stored, try again`, 'timeout')
          : new ParseAbandonedError('The CSV needs more memory to check than the server allows; nothing was stored, split the file', 'memory'),
      ),
    );
  }

  /**
   * JSON.parse on a thread of a text or its UTF-8 bytes (decoded there, invalid sequences as U+FFFD
   * like Buffer#toString); blank text gives undefined ("no body"). A SyntaxError carries JSON.parse's
   * own message. Bytes that own their whole buffer are moved to the thread, not copied.
   */
  parseJson(text: string | Uint8Array): Promise<unknown> {
    const ms = this.bulkTimeout(text.length);
    return this.run<unknown>({ kind: 'json', text }, ms, (_resolve, reject, reason) =>
      reject(
        reason === 'timeout'
          ? new ParseAbandonedError(`The request body could not be parsed within ${Math.round(ms / 1000)} s (the server is overloaded); try again`, 'timeout')
          : new ParseAbandonedError('The request body needs more memory to parse than the server allows', 'memory'),
      ),
    );
  }

  /** Terminates every thread; tasks still waiting are rejected. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    const err = new Error('the parse threads are shut down');
    for (const job of this.queue.splice(0)) job.reject(err);
    const slots = this.slots.splice(0);
    for (const s of slots) {
      clearTimeout(s.timer);
      s.job?.reject(err);
      s.job = undefined;
    }
    await Promise.all(slots.map((s) => s.worker.terminate().catch(() => undefined)));
  }

  private run<T>(task: ParseTask, timeoutMs: number, abandon: (resolve: (r: T) => void, reject: (e: Error) => void, reason: 'timeout' | 'memory') => void): Promise<T> {
    if (this.closed) return Promise.reject(new Error('the parse threads are shut down'));
    return new Promise<T>((res, rej) => {
      const resolve = res as (r: unknown) => void;
      this.queue.push({ id: this.nextId++, task, timeoutMs, resolve, reject: rej, abandon: (reason) => abandon(res, rej, reason) });
      this.pump();
    });
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
    const task = job.task!;
    const bytes = task.kind === 'json' && typeof task.text !== 'string' ? task.text : null;
    const movable = bytes !== null && bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength && bytes.buffer instanceof ArrayBuffer;
    slot.worker.postMessage({ id: job.id, task } satisfies ParseRequest, movable ? [bytes.buffer as ArrayBuffer] : []);
    job.task = undefined;
    if (slot.ready) this.startTimer(slot);
  }

  private startTimer(slot: Slot): void {
    const job = slot.job;
    if (!job) return;
    slot.timer = setTimeout(() => {
      if (slot.job !== job) return;
      this.drop(slot);
      job.abandon('timeout');
      this.pump();
    }, job.timeoutMs);
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
      const opts = { resourceLimits: { maxOldGenerationSizeMb: this.heapMb } };
      worker = e.tsx
        ? new Worker(`require(${JSON.stringify(e.tsx)});require(${JSON.stringify(e.file)});`, { ...opts, eval: true })
        : new Worker(e.file, opts);
    } catch (err) {
      // No thread can start (entry missing): every waiting task fails with the reason.
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
      else job.reject(rebuildError(m.error));
      this.pump();
    });
    const fail = (err: Error) => {
      const job = slot.job;
      this.drop(slot);
      if (job) {
        if ((err as NodeJS.ErrnoException).code === 'ERR_WORKER_OUT_OF_MEMORY') job.abandon('memory');
        else job.reject(err);
      }
      this.pump();
    };
    worker.on('error', fail);
    worker.on('exit', (code) => {
      if (this.slots.includes(slot)) fail(new Error(`the parse thread stopped (exit code ${code})`));
    });
    return slot;
  }
}
