// Scale-out JobHost: every operation becomes a BullMQ job (job id = operation id, so a job is never
// enqueued twice) run by `ktrdr worker` processes on any machine. What the job needs goes to Redis
// as content-addressed blobs; progress snapshots come back as job progress events and go into the
// same WorkerEvents the local host feeds, so the operations service cannot tell the two apart.
import { Queue, QueueEvents } from 'bullmq';
import type { Redis } from 'ioredis';
import type { JobReturn } from '../../shared/job-payload';
import type { JobPayload } from '../../shared/job-payload';
import type { SnapshotMessage, JobSpec, MainToWorker, WorkerToMain } from '../../shared/worker-protocol';
import type { Logger } from '../logger';
import type { JobHost, WorkerDescription, WorkerEvents, WorkerHandle } from '../operations/job-host';
import { applyRenames, importArtefacts } from './artefacts';
import { putBlob } from './blobs';
import { dropSeenMetrics } from './metrics-dedup';
import { bullConnection, CANCEL_CHANNEL, cancelKey, openRedis, QUEUE_NAME, redactRedisUrl, WORKERS_KEY, workerKey } from './connection';
import { collectJobInputs, JobInputError, readLocalFile } from './job-inputs';

/** What a worker puts in job.updateProgress: who runs it and, when there is one, a bridge message. */
export interface ProgressEnvelope {
  worker: string;
  message: SnapshotMessage | null;
}

interface Tracked {
  events: WorkerEvents;
  /** Metrics already handed to the service: a retried attempt restarts at 0 and must not repeat them. */
  metricsSeen: number;
  worker: string | null;
  ended: boolean;
  /** A completion is being imported: a second report of it (event + reconcile) is ignored. */
  finishing: boolean;
  /** When the job was on the queue (reconciliation looks only at those). */
  enqueuedAt: number | null;
  killTimer: NodeJS.Timeout | null;
}

export interface BullMqJobHostOptions {
  url: string;
  log: Logger;
  queueName?: string;
  /** How long an enqueue may take before the start fails (Redis unreachable). */
  enqueueTimeoutMs?: number;
}

const HEARTBEAT_STALE_MS = 15_000;
const RECONCILE_MS = 3000;

export class BullMqJobHost implements JobHost {
  private readonly queue: Queue;
  private readonly events: QueueEvents;
  private readonly redis: Redis;
  private readonly jobs = new Map<string, Tracked>();
  private workersCache: WorkerDescription[] = [];
  private readonly poll: NodeJS.Timeout;
  private readonly reconcileTimer: NodeJS.Timeout;
  private closed = false;

  constructor(private readonly o: BullMqJobHostOptions) {
    const name = o.queueName ?? QUEUE_NAME;
    // Producer side fails fast while Redis is away (no offline queue): a start then fails clearly.
    this.queue = new Queue(name, { connection: bullConnection(o.url, { enableOfflineQueue: false }) });
    this.queue.on('error', (err) => o.log.warn({ err: err.message }, `Redis queue: ${err.message}`));
    this.events = new QueueEvents(name, { connection: bullConnection(o.url) });
    this.events.on('error', (err) => o.log.warn({ err: err.message }, `Redis queue events: ${err.message}`));
    this.redis = openRedis(o.url, { enableOfflineQueue: false });
    this.events.on('progress', ({ jobId, data }) => this.onProgress(jobId, data as unknown as ProgressEnvelope));
    this.events.on('completed', ({ jobId, returnvalue }) => void this.onCompleted(jobId, returnvalue as unknown as JobReturn | string));
    this.events.on('failed', ({ jobId, failedReason }) => this.onFailed(jobId, failedReason));
    this.events.on('stalled', ({ jobId }) => {
      if (this.jobs.has(jobId)) o.log.warn({ operation_id: jobId }, `Job ${jobId} stalled (its worker stopped answering); BullMQ moves it to another worker`);
    });
    this.poll = setInterval(() => void this.refreshWorkers(), 1000);
    this.poll.unref();
    this.reconcileTimer = setInterval(() => void this.reconcile(), RECONCILE_MS);
    this.reconcileTimer.unref();
  }

  /** Waits until Redis answers (startup check; the server starts anyway when it does not). */
  async ready(timeoutMs = 5000): Promise<boolean> {
    const t = new Promise<boolean>((r) => setTimeout(() => r(false), timeoutMs).unref());
    return Promise.race([Promise.all([this.queue.waitUntilReady(), this.events.waitUntilReady()]).then(() => true, () => false), t]);
  }

  liveCount(): number {
    let n = 0;
    for (const j of this.jobs.values()) if (!j.ended) n++;
    return n;
  }

  describeWorkers(): WorkerDescription[] {
    return this.workersCache.map((w) => ({ ...w }));
  }

  start(spec: JobSpec, events: WorkerEvents): WorkerHandle {
    const id = spec.operationId;
    const tracked: Tracked = { events, metricsSeen: 0, worker: null, ended: false, finishing: false, enqueuedAt: null, killTimer: null };
    this.jobs.set(id, tracked);
    void this.enqueue(spec)
      .then(() => {
        tracked.enqueuedAt = Date.now();
      })
      .catch((err: Error) => {
        const input = err instanceof JobInputError || (err as NodeJS.ErrnoException).code === 'ENOENT';
        this.end(id, { type: 'error', message: input ? `Cannot send the job's inputs: ${err.message}` : `Redis unavailable: ${err.message}` }, 1);
      });
    return {
      pid: undefined,
      send: (m: MainToWorker) => {
        if (m.type === 'cancel') void this.cancel(id, m.reason);
      },
      kill: () => void this.kill(id),
    };
  }

  private async enqueue(spec: JobSpec): Promise<void> {
    // Commands fail at once while Redis is disconnected (no offline queue); this bounds a hung one.
    const timeout = this.o.enqueueTimeoutMs ?? 30_000;
    let timer: NodeJS.Timeout | undefined;
    const expire = new Promise<never>((_r, reject) => {
      timer = setTimeout(() => reject(new Error(`no answer from ${redactRedisUrl(this.o.url)} within ${timeout} ms`)), timeout);
    });
    try {
      await Promise.race([this.enqueueNow(spec), expire]);
    } finally {
      clearTimeout(timer);
    }
  }

  private async enqueueNow(spec: JobSpec): Promise<void> {
    if (this.redis.status !== 'ready') throw new Error(`not connected to ${redactRedisUrl(this.o.url)} (${this.redis.status})`);
    const { files, params } = collectJobInputs(spec);
    const inputs = [];
    for (const f of files) {
      const { ref, bytes } = readLocalFile(f);
      inputs.push({ ...ref, sha256: await putBlob(this.redis, bytes) });
    }
    const payload: JobPayload = { v: 1, operationId: spec.operationId, jobType: spec.jobType, params, logLevel: spec.logLevel, inputs };
    await this.queue.add(spec.jobType, payload, {
      jobId: spec.operationId,
      // Job errors are final (as in embedded mode); a worker that dies is handled by the stalled check.
      attempts: 1,
      removeOnComplete: { age: 3600, count: 1000 },
      removeOnFail: { age: 24 * 3600, count: 1000 },
    });
    this.o.log.info({ operation_id: spec.operationId, inputs: inputs.length }, `Enqueued ${spec.operationId} on BullMQ (${inputs.length} input file(s))`);
  }

  private onProgress(jobId: string, data: ProgressEnvelope): void {
    const t = this.jobs.get(jobId);
    if (!t || t.ended || !data || typeof data !== 'object') return;
    if (data.worker && data.worker !== t.worker) {
      t.worker = data.worker;
      t.events.onMessage({ type: 'worker', worker: data.worker });
    }
    const m = data.message;
    if (!m || m.type !== 'snapshot') return;
    const { message, seen } = dropSeenMetrics(m, t.metricsSeen);
    t.metricsSeen = seen;
    t.events.onMessage(message);
  }

  private async onCompleted(jobId: string, rv: JobReturn | string): Promise<void> {
    const t = this.jobs.get(jobId);
    if (!t || t.ended || t.finishing) return;
    t.finishing = true;
    const ret = (typeof rv === 'string' ? JSON.parse(rv) : rv) as JobReturn;
    if (ret.worker && ret.worker !== t.worker) {
      t.worker = ret.worker;
      t.events.onMessage({ type: 'worker', worker: ret.worker });
    }
    if (ret.outcome === 'cancelled') return this.end(jobId, { type: 'cancelled', summary: ret.summary }, 0);
    try {
      const imported = await importArtefacts(this.redis, this.homeOf(), ret.outputs ?? []);
      const results = applyRenames({ ...(ret.results ?? {}), artefacts: imported.stored }, imported.renamed);
      const summary = applyRenames(ret.summary, imported.renamed);
      this.end(jobId, { type: 'result', results, summary }, 0);
    } catch (err) {
      this.end(jobId, { type: 'error', message: `Result of ${jobId} refused: ${(err as Error).message}` }, 1);
    }
  }

  private onFailed(jobId: string, reason: string): void {
    const t = this.jobs.get(jobId);
    if (!t || t.ended || t.finishing) return;
    const message = /stalled more than allowable limit/i.test(reason)
      ? `Job lost its worker too many times (worker process died or stopped renewing its lock; last worker ${t.worker ?? 'unknown'}); not retried further`
      : reason;
    this.end(jobId, { type: 'error', message }, 1);
  }

  private end(jobId: string, message: WorkerToMain, code: number | null, signal: string | null = null): void {
    const t = this.jobs.get(jobId);
    if (!t || t.ended) return;
    t.ended = true;
    if (t.killTimer) clearTimeout(t.killTimer);
    this.jobs.delete(jobId);
    t.events.onMessage(message);
    t.events.onExit(code, signal);
  }

  /** A queued job is removed (it never runs); a running one is asked to stop through a flag its worker polls. */
  private async cancel(jobId: string, reason: string): Promise<void> {
    try {
      await this.redis.set(cancelKey(jobId), reason || 'cancelled', 'EX', 3600);
      await this.redis.publish(CANCEL_CHANNEL, JSON.stringify({ id: jobId, reason: reason || 'cancelled' }));
      const job = await this.queue.getJob(jobId);
      const state = job ? await job.getState() : 'unknown';
      this.o.log.info({ operation_id: jobId }, `Cancel ${jobId}: job is ${state}`);
      if (job && (state === 'waiting' || state === 'delayed' || state === 'prioritized')) {
        await job.remove();
        this.end(jobId, { type: 'cancelled', summary: { status: 'cancelled', reason, removed_from_queue: true } }, 0);
      }
    } catch (err) {
      this.o.log.warn({ operation_id: jobId }, `Could not cancel ${jobId} through Redis: ${(err as Error).message}`);
    }
  }

  /** After the cancel grace: the worker kills the job's process; if no worker answers, give up on it here. */
  private async kill(jobId: string): Promise<void> {
    const t = this.jobs.get(jobId);
    if (!t || t.ended) return;
    t.killTimer ??= setTimeout(() => this.end(jobId, { type: 'error', message: 'Worker did not answer the kill request' }, null, 'SIGKILL'), 3000);
    t.killTimer.unref();
    try {
      await this.redis.set(cancelKey(jobId), 'kill', 'EX', 3600);
      await this.redis.publish(CANCEL_CHANNEL, JSON.stringify({ id: jobId, reason: 'kill' }));
      // Still queued (e.g. the server is stopping): it must not run later for nobody.
      const job = await this.queue.getJob(jobId);
      const state = job ? await job.getState() : 'unknown';
      if (job && (state === 'waiting' || state === 'delayed' || state === 'prioritized')) {
        await job.remove();
        this.end(jobId, { type: 'cancelled', summary: { status: 'cancelled', removed_from_queue: true } }, 0);
      }
    } catch {
      // Redis away: the local give-up timer above ends it.
    }
  }

  /**
   * Events missed while Redis was away are recovered from the job itself; a job Redis no longer
   * has (restarted without persistence) fails instead of staying `running` forever.
   */
  private async reconcile(): Promise<void> {
    if (this.closed || this.redis.status !== 'ready') return;
    const now = Date.now();
    for (const [id, t] of [...this.jobs]) {
      if (t.ended || t.finishing || t.enqueuedAt === null || now - t.enqueuedAt < RECONCILE_MS) continue;
      try {
        const job = await this.queue.getJob(id);
        if (!job) {
          this.end(id, { type: 'error', message: 'Job lost: Redis no longer has it (was Redis restarted without persistence?)' }, 1);
          continue;
        }
        const state = await job.getState();
        // Give the event stream time to deliver the job's last progress events first.
        if (!job.finishedOn || now - job.finishedOn < 2 * RECONCILE_MS) continue;
        if (state === 'completed') await this.onCompleted(id, job.returnvalue as JobReturn);
        else if (state === 'failed') this.onFailed(id, job.failedReason);
      } catch {
        // Redis went away again; next round.
      }
    }
  }

  private homeValue = '';
  /** The server's KTRDR_HOME (set by the app; artefacts are stored there). */
  setHome(home: string): void {
    this.homeValue = home;
  }
  private homeOf(): string {
    if (!this.homeValue) throw new Error('BullMqJobHost.setHome was not called');
    return this.homeValue;
  }

  private async refreshWorkers(): Promise<void> {
    if (this.closed || this.redis.status !== 'ready') return;
    try {
      const now = Date.now();
      await this.redis.zremrangebyscore(WORKERS_KEY, '-inf', now - HEARTBEAT_STALE_MS);
      const ids = await this.redis.zrange(WORKERS_KEY, 0, '-1');
      const out: WorkerDescription[] = [];
      for (const id of ids) {
        const h = await this.redis.hgetall(workerKey(id));
        if (!h.host) continue;
        out.push({
          worker_id: id,
          host: h.host,
          pid: Number(h.pid) || null,
          kind: 'bullmq',
          concurrency: Number(h.concurrency) || 1,
          running: Number(h.running) || 0,
          last_seen: h.last_seen,
        });
      }
      this.workersCache = out;
    } catch {
      // Keep the last list; Redis may be restarting.
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    clearInterval(this.poll);
    clearInterval(this.reconcileTimer);
    for (const t of this.jobs.values()) if (t.killTimer) clearTimeout(t.killTimer);
    await Promise.allSettled([this.events.close(), this.queue.close()]);
    await this.redis.quit().catch(() => undefined);
  }
}
