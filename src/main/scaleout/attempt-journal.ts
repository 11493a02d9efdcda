// One attempt of a job as the server reads it. Every metric record and warning the job's process
// sends is kept in a Redis hash by index (`m:<i>`, `w:<i>`); a progress event then only says how many
// there are and what the latest progress is. An event lost to a Redis blip or to a server restart
// loses nothing: the server reads by index what it has not seen yet, from the next event or from the
// job's last stored progress. The worker writes the records before the event that announces them and
// writes again what a failed write left out, so the journal has no holes.
import type { Redis } from 'ioredis';
import type { MetricRecord, OperationProgress } from '../../shared/operations';
import type { ResumedFrom, SnapshotMessage } from '../../shared/worker-protocol';
import { BLOB_TTL_S } from './blobs';

/** What a worker puts in job.updateProgress. */
export interface ProgressEnvelope {
  /** `host:pid` of the worker running this attempt. */
  worker: string;
  /** BullMQ's attemptsStarted when the attempt began (1 for the first run, 2 after a takeover, …). */
  attempt: number;
  progress: OperationProgress | null;
  /** Records in this attempt's journal. */
  metrics: number;
  warnings: number;
  /**
   * The checkpoint this attempt resumed from (its journal then starts with that checkpoint's epochs,
   * as the job replays them), or null/absent when it started from epoch 1.
   */
  resumedFrom?: ResumedFrom | null;
}

/** What a finished attempt produced, kept under the queue's result key until the server imports it. */
export interface ResultRecord<R = unknown> {
  attempt: number;
  worker: string;
  resumedFrom?: ResumedFrom | null;
  progress: OperationProgress | null;
  metrics: number;
  warnings: number;
  ret: R;
}

/** Journals and result records live as long as the blobs their results point to. */
export const JOURNAL_TTL_S = BLOB_TTL_S;
const RETRY_MS = 1000;

export class AttemptJournal {
  private readonly metrics: MetricRecord[] = [];
  private readonly warnings: string[] = [];
  private progress: OperationProgress | null = null;
  private writtenMetrics = 0;
  private writtenWarnings = 0;
  private lastSent = '';
  private chain: Promise<void> = Promise.resolve();
  private retryTimer: NodeJS.Timeout | null = null;
  private stopped = false;
  private failing = false;

  constructor(
    private readonly redis: Redis,
    private readonly key: string,
    private readonly who: { worker: string; attempt: number; resumedFrom?: ResumedFrom | null },
    private readonly report: (env: ProgressEnvelope) => Promise<unknown>,
    /** Applied to each snapshot first (the worker makes staging paths home-relative). */
    private readonly rewrite: (m: SnapshotMessage) => SnapshotMessage = (m) => m,
  ) {}

  /** Tells the server a worker has taken the job (before any progress). */
  announce(): Promise<void> {
    return this.schedule();
  }

  /** A coalesced snapshot from the job's process. */
  add(snapshot: SnapshotMessage): void {
    const m = this.rewrite(snapshot);
    for (let i = 0; i < m.metrics.length; i++) this.metrics[m.metricsFrom + i] = m.metrics[i];
    if (m.warnings.length) this.warnings.push(...m.warnings);
    this.progress = m.progress;
    void this.schedule();
  }

  /** A warning of the worker's own about this attempt (the job's come with its snapshots). */
  warn(message: string): void {
    this.warnings.push(message);
    void this.schedule();
  }

  envelope(): ProgressEnvelope {
    return { ...this.who, progress: this.progress, metrics: this.metrics.length, warnings: this.warnings.length };
  }

  /** Whether the last write failed (Redis away): the journal is behind what the job sent. */
  get behind(): boolean {
    return this.failing;
  }

  /** Resolves once every record is written, retrying while Redis is away; or once stopped. */
  async drain(): Promise<void> {
    for (;;) {
      await this.chain;
      if (this.stopped || (!this.failing && this.writtenMetrics === this.metrics.length && this.writtenWarnings === this.warnings.length)) return;
      await new Promise((r) => setTimeout(r, RETRY_MS / 2));
      await this.schedule();
    }
  }

  /** The attempt was lost or ended: nothing more is written. */
  stop(): void {
    this.stopped = true;
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.retryTimer = null;
  }

  private schedule(): Promise<void> {
    this.chain = this.chain.then(() => this.push());
    return this.chain;
  }

  private async push(): Promise<void> {
    if (this.stopped) return;
    try {
      const fields: string[] = [];
      for (let i = this.writtenMetrics; i < this.metrics.length; i++) fields.push(`m:${i}`, JSON.stringify(this.metrics[i] ?? null));
      for (let i = this.writtenWarnings; i < this.warnings.length; i++) fields.push(`w:${i}`, this.warnings[i]);
      const metrics = this.metrics.length;
      const warnings = this.warnings.length;
      if (fields.length) {
        const res = await this.redis.multi().hset(this.key, ...fields).expire(this.key, JOURNAL_TTL_S).exec();
        const err = res?.find(([e]) => e)?.[0];
        if (err) throw err;
        this.writtenMetrics = metrics;
        this.writtenWarnings = warnings;
      }
      this.failing = false;
    } catch {
      // Redis away (or paused): write again shortly, and with the next snapshot.
      this.failing = true;
      this.retryLater();
      return;
    }
    // The event is only a nudge (the server also reads the job's stored progress and the result
    // record), so a failed one is sent again later but never holds up the end of the attempt.
    const env = { ...this.envelope(), metrics: this.writtenMetrics, warnings: this.writtenWarnings };
    const text = JSON.stringify(env);
    if (text === this.lastSent) return;
    try {
      await this.report(env);
      this.lastSent = text;
    } catch {
      this.retryLater();
    }
  }

  private retryLater(): void {
    if (this.stopped) return;
    this.retryTimer ??= setTimeout(() => {
      this.retryTimer = null;
      void this.schedule();
    }, RETRY_MS);
    this.retryTimer.unref();
  }
}

/** Records `[fromMetric, toMetric)` and warnings `[fromWarning, toWarning)` of one attempt; stops at the first missing one. */
export async function readJournal(
  redis: Redis,
  key: string,
  metrics: [number, number],
  warnings: [number, number],
): Promise<{ metrics: MetricRecord[]; warnings: string[] }> {
  const read = async (prefix: string, [from, to]: [number, number]): Promise<string[]> => {
    const out: string[] = [];
    for (let start = from; start < to; start += 1000) {
      const fields = Array.from({ length: Math.min(1000, to - start) }, (_, i) => `${prefix}:${start + i}`);
      const got = await redis.hmget(key, ...fields);
      for (const v of got) {
        if (v === null) return out;
        out.push(v);
      }
    }
    return out;
  };
  const m = await read('m', metrics);
  const w = await read('w', warnings);
  return { metrics: m.map((t) => JSON.parse(t) as MetricRecord), warnings: w };
}
