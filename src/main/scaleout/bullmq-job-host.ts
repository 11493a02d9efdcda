// Scale-out JobHost: every operation becomes a BullMQ job (job id = operation id, so a job is never
// enqueued twice) run by `ktrdr worker` processes on any machine. What the job needs goes to Redis
// as content-addressed blobs; progress comes back through each attempt's journal (attempt-journal.ts)
// and goes into the same WorkerEvents the local host feeds, so the operations service cannot tell the
// two apart. The server owns the record of every job: Redis keeps a job, its journal and its result
// until this host has imported them, so a server restart (or a missed event) loses nothing.
import { Queue, QueueEvents } from 'bullmq';
import type { Redis } from 'ioredis';
import { deleteCheckpoints, latestValidCheckpoint } from '../../infra/checkpoints/store';
import type { JobPayload, JobReturn } from '../../shared/job-payload';
import { emptyProgress, type MetricRecord, type OperationProgress } from '../../shared/operations';
import type { JobSpec, MainToWorker, WorkerToMain } from '../../shared/worker-protocol';
import type { Logger } from '../logger';
import type { HostHealth, JobHost, ReattachSpec, WorkerDescription, WorkerEvents, WorkerHandle } from '../operations/job-host';
import { applyRenames, forgetImport, importArtefacts } from './artefacts';
import { JOURNAL_TTL_S, readJournal, type ProgressEnvelope, type ResultRecord } from './attempt-journal';
import { putBlob } from './blobs';
import { checkpointInProgress, importCheckpoint } from './checkpoints';
import { bullConnection, openRedis, QUEUE_NAME, queueKeys, redactRedisUrl, type QueueKeys } from './connection';
import { collectJobInputs, JobInputError, readLocalFile } from './job-inputs';

export type { ProgressEnvelope } from './attempt-journal';

interface Tracked {
  events: WorkerEvents;
  /** The attempt whose metrics the service holds (0: none yet). */
  attempt: number;
  /** Metrics and warnings of that attempt handed to the service. */
  seen: number;
  warningsSeen: number;
  /** Warning texts handed on (a new attempt repeats its predecessor's). */
  warnings: Set<string>;
  /** sha256 of the last checkpoint stored in the server's home for this job. */
  checkpoint: string | null;
  /** This run was cancelled (its flag in Redis must survive the enqueue). */
  cancelAsked: boolean;
  worker: string | null;
  progress: OperationProgress | null;
  ended: boolean;
  /** A result is being imported: other reports of the end wait for it. */
  finishing: boolean;
  /** The job is in Redis (added, or taken back after a restart). */
  enqueued: boolean;
  enqueuedAt: number;
  killTimer: NodeJS.Timeout | null;
  /** Everything that reads Redis for this job runs in order. */
  chain: Promise<void>;
}

export interface BullMqJobHostOptions {
  url: string;
  log: Logger;
  queueName?: string;
  /** How long an enqueue may take before the start fails (Redis unreachable). */
  enqueueTimeoutMs?: number;
}

const RECONCILE_MS = 3000;
const PING_MS = 1000;
/** Redis counts as unreachable when a PING has gone unanswered this long (a paused Redis keeps its connections open). */
export const PING_STALE_MS = 3000;
/** Workers beat every second; one silent this long is listed stale. */
export const WORKER_STALE_MS = 5000;
/** Seconds a client is told to wait before trying a refused start again. */
export const RETRY_AFTER_S = 5;
/** How long an enqueue that reuses an operation id waits for the earlier job to leave `active`. */
const EARLIER_RUN_WAIT_MS = 10_000;
/** A job that reuses an operation id while BullMQ still runs the earlier one under it. */
class EarlierRunActiveError extends Error {}

const LOST_MESSAGE = 'Job lost: Redis no longer holds it (Redis restarted without persistence, or the job never reached it before the server stopped)';

export class BullMqJobHost implements JobHost {
  readonly jobsOutliveServer = true;
  readonly queueName: string;
  private readonly keys: QueueKeys;
  private readonly queue: Queue;
  private readonly events: QueueEvents;
  private readonly redis: Redis;
  private readonly jobs = new Map<string, Tracked>();
  /** The last Redis work queued per operation id, kept until it settles (an ended job's cleanup). */
  private readonly settling = new Map<string, Promise<void>>();
  private workersCache: WorkerDescription[] = [];
  private readonly timers: NodeJS.Timeout[] = [];
  private closed = false;
  private lastPong = 0;
  /** When the PING now awaiting its answer was sent (0: none in flight). */
  private pingSentAt = 0;
  private lastRedisError: string | null = null;

  constructor(private readonly o: BullMqJobHostOptions) {
    this.queueName = o.queueName ?? QUEUE_NAME;
    this.keys = queueKeys(this.queueName);
    // Producer side fails fast while Redis is away (no offline queue): a start then fails clearly.
    this.queue = new Queue(this.queueName, { connection: bullConnection(o.url, { enableOfflineQueue: false }) });
    this.queue.on('error', (err) => o.log.warn({ err: err.message }, `Redis queue: ${err.message}`));
    this.events = new QueueEvents(this.queueName, { connection: bullConnection(o.url) });
    this.events.on('error', (err) => o.log.warn({ err: err.message }, `Redis queue events: ${err.message}`));
    this.redis = openRedis(o.url, { enableOfflineQueue: false }, (err) => (this.lastRedisError = err.message));
    this.events.on('progress', ({ jobId, data }) => this.onProgress(jobId, data as unknown as ProgressEnvelope));
    this.events.on('completed', ({ jobId, returnvalue }) => this.collect(jobId, { returnvalue: returnvalue as unknown as JobReturn | string }));
    this.events.on('failed', ({ jobId, failedReason }) => this.collect(jobId, { failedReason }));
    this.events.on('stalled', ({ jobId }) => {
      if (this.jobs.has(jobId)) o.log.warn({ operation_id: jobId }, `Job ${jobId} stalled (its worker stopped renewing its lock); BullMQ puts it back on the queue for another attempt`);
    });
    const every = (ms: number, fn: () => void) => {
      const t = setInterval(fn, ms);
      t.unref();
      this.timers.push(t);
    };
    every(PING_MS, () => void this.ping());
    every(1000, () => void this.refreshWorkers());
    every(RECONCILE_MS, () => void this.reconcile());
    void this.ping();
  }

  /** Waits until Redis answers (startup check; the server starts anyway when it does not). */
  async ready(timeoutMs = 5000): Promise<boolean> {
    const t = new Promise<boolean>((r) => setTimeout(() => r(false), timeoutMs).unref());
    const up = (async () => {
      await Promise.all([this.queue.waitUntilReady(), this.events.waitUntilReady()]);
      // Without an offline queue a command before the connection is up fails at once: wait for it.
      if (this.redis.status !== 'ready') await new Promise((r) => this.redis.once('ready', r));
      await this.ping();
      return this.lastPong > 0;
    })().catch(() => false);
    return Promise.race([up, t]);
  }

  liveCount(): number {
    let n = 0;
    for (const j of this.jobs.values()) if (!j.ended) n++;
    return n;
  }

  /** Workers as last read from Redis; one silent for WORKER_STALE_MS (or while Redis is unreachable) is stale. */
  describeWorkers(): WorkerDescription[] {
    const now = Date.now();
    const reachable = this.redisReachable();
    return this.workersCache.map((w) => ({ ...w, stale: !reachable || now - Date.parse(w.last_seen) > WORKER_STALE_MS }));
  }

  /**
   * Connected, and no PING unanswered for PING_STALE_MS. (Judged by the PING in flight, not by the
   * time since the last answer, so a busy event loop here is not taken for a Redis outage.)
   */
  private redisReachable(): boolean {
    return this.redis.status === 'ready' && this.lastPong > 0 && !(this.pingSentAt && Date.now() - this.pingSentAt > PING_STALE_MS);
  }

  private async ping(): Promise<void> {
    if (this.closed || this.pingSentAt || this.redis.status !== 'ready') return;
    this.pingSentAt = Date.now();
    try {
      await this.redis.ping();
      this.lastPong = Date.now();
      this.lastRedisError = null;
    } catch (err) {
      this.lastRedisError = (err as Error).message;
    } finally {
      this.pingSentAt = 0;
    }
  }

  private unreachableReason(): string {
    const url = redactRedisUrl(this.o.url);
    if (this.redis.status !== 'ready') return `Redis at ${url} is unreachable (${this.lastRedisError ?? `connection ${this.redis.status}`})`;
    return `Redis at ${url} does not answer (no reply to PING for ${Math.round((Date.now() - (this.pingSentAt || this.lastPong)) / 1000)} s)`;
  }

  refuseStart(): string | null {
    if (this.redisReachable()) return null;
    return `${this.unreachableReason()}: scale-out jobs cannot be queued; try again when it is back (GET /health says when)`;
  }

  health(): HostHealth {
    const reachable = this.redisReachable();
    const workers = this.describeWorkers();
    const live = workers.filter((w) => !w.stale);
    const details = {
      mode: 'scale-out',
      redis: reachable ? 'ok' : 'unreachable',
      queue: this.queueName,
      workers: live.length,
      stale_workers: workers.length - live.length,
      jobs: this.liveCount(),
    };
    if (!reachable) return { status: 'degraded', reason: `${this.unreachableReason()}: starts are refused (503), running jobs continue on their workers and are collected when it is back`, details };
    if (!live.length) return { status: 'degraded', reason: `No ktrdr worker is connected to queue ${this.queueName}: jobs wait until one starts (ktrdr worker --redis …)`, details };
    return { status: 'ok', reason: null, details };
  }

  start(spec: JobSpec, events: WorkerEvents): WorkerHandle {
    const id = spec.operationId;
    const tracked = this.track(id, events, { attempt: 0, seen: 0, warnings: [], enqueued: false });
    void this.enqueue(spec)
      .then(() => {
        tracked.enqueued = true;
        tracked.enqueuedAt = Date.now();
      })
      .catch((err: Error) => {
        const input = err instanceof JobInputError || (err as NodeJS.ErrnoException).code === 'ENOENT';
        const message = err instanceof EarlierRunActiveError ? err.message : input ? `Cannot send the job's inputs: ${err.message}` : `Redis unavailable: ${err.message}`;
        this.end(id, { type: 'error', message }, 1);
      });
    return this.handle(id);
  }

  reattach(spec: ReattachSpec, events: WorkerEvents): WorkerHandle {
    this.track(spec.operationId, events, { attempt: spec.attempt ?? 0, seen: spec.metricsSeen, warnings: spec.warnings, enqueued: true });
    this.o.log.info({ operation_id: spec.operationId }, `Re-attached ${spec.operationId} on queue ${this.queueName} (its state is read from Redis)`);
    // Resolved by the next reconcile round: at once when Redis answers, else when it is back.
    if (this.redisReachable()) void this.reconcileOne(spec.operationId);
    return this.handle(spec.operationId);
  }

  private track(id: string, events: WorkerEvents, from: { attempt: number; seen: number; warnings: string[]; enqueued: boolean }): Tracked {
    const t: Tracked = {
      events,
      attempt: from.attempt,
      seen: from.seen,
      warningsSeen: 0,
      warnings: new Set(from.warnings),
      checkpoint: null,
      cancelAsked: false,
      worker: null,
      progress: null,
      ended: false,
      finishing: false,
      enqueued: from.enqueued,
      enqueuedAt: from.enqueued ? 0 : Date.now(),
      killTimer: null,
      chain: Promise.resolve(),
    };
    this.jobs.set(id, t);
    return t;
  }

  private handle(id: string): WorkerHandle {
    return {
      pid: undefined,
      queue: this.queueName,
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
    await this.settling.get(spec.operationId);
    await this.clearEarlierRun(spec.operationId, this.jobs.get(spec.operationId)?.cancelAsked ?? false);
    const inputs = [];
    for (const f of files) {
      const { ref, bytes } = readLocalFile(f);
      const sha256 = await putBlob(this.redis, bytes, (sha) =>
        this.o.log.warn({ operation_id: spec.operationId }, `Blob ${sha} (${ref.path}) held other bytes in Redis (corrupted?); replaced with the verified file`),
      );
      inputs.push({ ...ref, sha256 });
    }
    const payload: JobPayload = { v: 1, operationId: spec.operationId, jobType: spec.jobType, params, logLevel: spec.logLevel, inputs };
    await this.queue.add(spec.jobType, payload, {
      jobId: spec.operationId,
      // Job errors are final (as in embedded mode); a worker that dies is handled by the stalled check.
      attempts: 1,
      // This host removes a job once it has recorded its end; these bounds only catch jobs nobody
      // collected (a server that never came back). Results outlive their blobs by nothing.
      removeOnComplete: { age: JOURNAL_TTL_S },
      removeOnFail: { age: JOURNAL_TTL_S },
    });
    this.o.log.info({ operation_id: spec.operationId, inputs: inputs.length }, `Enqueued ${spec.operationId} on BullMQ queue ${this.queueName} (${inputs.length} input file(s))`);
  }

  /**
   * A job that reuses an operation id (a training resumed under its own id) must find nothing of an
   * earlier run: BullMQ would not add a job whose id it still holds, a cancel flag would stop it at
   * once, an old result record would be handed back as its outcome, an old checkpoint record would
   * be resumed from. Cleanup after each end removes these; this covers one that Redis missed.
   */
  private async clearEarlierRun(id: string, cancelAsked: boolean): Promise<void> {
    const old = await this.queue.getJob(id);
    let attempts = 1;
    if (old) {
      // An attempt stores its outcome before BullMQ hears of it: a job just ended may still read active.
      let state = await old.getState();
      for (let waited = 0; state === 'active' && waited < EARLIER_RUN_WAIT_MS; waited += 200) {
        await new Promise((r) => setTimeout(r, 200));
        state = await old.getState();
      }
      if (state === 'active') throw new EarlierRunActiveError(`Cannot start ${id} again: an earlier run of it is still active on a worker; cancel it (or wait for its lock to expire) and resume again`);
      attempts = Math.max(1, old.attemptsStarted || 1);
      await old.remove();
    }
    const journals = Array.from({ length: attempts + 1 }, (_, i) => this.keys.journal(id, i + 1));
    // A cancel of this run that arrived meanwhile stays (its flag is what stops the job).
    const cancel = cancelAsked ? [] : [this.keys.cancel(id)];
    await this.redis.del(this.keys.result(id), this.keys.finishing(id), this.keys.checkpoint(id), ...cancel, ...journals);
  }

  /** Runs `fn` after everything already reading Redis for this job; an error is logged, the job stays tracked. */
  private serial(id: string, t: Tracked, fn: () => Promise<void>): void {
    const chain = t.chain.then(fn).catch((err: Error) => {
      t.finishing = false;
      this.o.log.warn({ operation_id: id }, `Job ${id}: could not read its state from Redis (${err.message}); retrying on the next round`);
    });
    t.chain = chain;
    // A new job under the same id (a resume) waits for this one's cleanup, which must not touch it.
    this.settling.set(id, chain);
    void chain.then(() => {
      if (this.settling.get(id) === chain) this.settling.delete(id);
    });
  }

  private onProgress(jobId: string, env: ProgressEnvelope): void {
    const t = this.jobs.get(jobId);
    if (!t || t.ended) return;
    this.serial(jobId, t, () => this.sync(jobId, t, env));
  }

  /** Brings the service up to `env` (an attempt's counts): a newer attempt replaces the older one's metrics. */
  private async sync(id: string, t: Tracked, env: ProgressEnvelope | null | undefined, final = false): Promise<void> {
    if (t.ended || !env || typeof env !== 'object' || typeof env.attempt !== 'number') return;
    // A lost attempt still talking (its worker has not noticed yet) is ignored, unless it delivered the result.
    if (env.attempt < t.attempt && !final) return;
    if (env.attempt !== t.attempt) {
      // The new attempt's journal is its whole history: a resumed one starts with the checkpoint's
      // epochs (replayed), which the service already holds as the lost attempt's (the same run, bit
      // for bit) up to `keep`; it reads on from there. One that started again replaces them all.
      let keep = 0;
      if (t.attempt > 0 || t.seen > 0) {
        const from = env.resumedFrom ?? null;
        keep = from ? Math.min(from.epoch, t.seen) : 0;
        const how = from
          ? `it resumed from the ${from.checkpoint_type} checkpoint at epoch ${from.epoch}${from.batch ? ` batch ${from.batch}` : ''}, so epochs 1–${from.epoch} are kept and the ${t.seen - keep} recorded after them are replaced`
          : `it started again from epoch 1, and its metrics replace the ${t.seen} recorded before`;
        const reason = `Attempt ${env.attempt} (worker ${env.worker}) took this job over from attempt ${t.attempt || '?'} (worker ${t.worker ?? 'unknown'}), which was lost; ${how}`;
        this.o.log.warn({ operation_id: id }, reason);
        t.events.onMessage({ type: 'restart', attempt: env.attempt, worker: env.worker ?? null, reason, keep, resumed_from: from });
        t.warnings.add(reason);
      }
      t.attempt = env.attempt;
      t.seen = keep;
      t.warningsSeen = 0;
      t.worker = null;
    }
    if (env.worker && env.worker !== t.worker) {
      t.worker = env.worker;
      t.events.onMessage({ type: 'worker', worker: env.worker, attempt: env.attempt });
    }
    let metrics: MetricRecord[] = [];
    let warnings: string[] = [];
    if (env.metrics > t.seen || env.warnings > t.warningsSeen) {
      const got = await readJournal(this.redis, this.keys.journal(id, t.attempt), [t.seen, env.metrics], [t.warningsSeen, env.warnings]);
      if (t.ended) return;
      metrics = got.metrics;
      warnings = got.warnings;
    }
    await this.keepCheckpoint(id, t, env.progress);
    if (t.ended) return;
    const fresh = warnings.filter((w) => !t.warnings.has(w));
    for (const w of fresh) t.warnings.add(w);
    if (!env.progress && !metrics.length && !fresh.length) return;
    t.progress = env.progress ?? t.progress;
    t.events.onMessage({ type: 'snapshot', progress: t.progress ?? emptyProgress(), metricsFrom: t.seen, metrics, warnings: fresh });
    t.seen += metrics.length;
    t.warningsSeen += warnings.length;
  }

  /**
   * A checkpoint the job reported is stored in the server's home (its worker put it in Redis before
   * the progress naming it), so GET /checkpoints and POST …/resume see it as in embedded mode. A
   * failure is logged, not retried: the next checkpoint is stored instead.
   */
  private async keepCheckpoint(id: string, t: Tracked, progress: OperationProgress | null): Promise<void> {
    const note = checkpointInProgress(progress);
    if (!note || note.ref.sha256 === t.checkpoint) return;
    t.checkpoint = note.ref.sha256;
    const home = this.homeOf();
    if (latestValidCheckpoint(home, id)?.sha256 === note.ref.sha256) return; // stored before a restart
    try {
      const ref = await importCheckpoint(this.redis, home, id, note);
      this.o.log.info({ operation_id: id }, `Stored the ${note.type} checkpoint of ${id} at epoch ${note.epoch}${note.batch ? ` batch ${note.batch}` : ''} (${ref.relPath}, ${ref.size} bytes)`);
    } catch (err) {
      this.o.log.warn({ operation_id: id }, `Could not store the checkpoint ${note.ref.path} of ${id} (${(err as Error).message}); the next one will be`);
    }
  }

  /** A job ended (event, or found by reconcile): its result record is the truth, BullMQ's outcome the fallback. */
  private collect(id: string, hint: { returnvalue?: JobReturn | string; failedReason?: string }): void {
    const t = this.jobs.get(id);
    if (!t || t.ended) return;
    this.serial(id, t, async () => {
      if (t.ended || t.finishing) return;
      const text = await this.redis.get(this.keys.result(id));
      if (text) return this.finishWith(id, t, JSON.parse(text) as ResultRecord<JobReturn>);
      if (hint.returnvalue) {
        const ret = (typeof hint.returnvalue === 'string' ? JSON.parse(hint.returnvalue) : hint.returnvalue) as JobReturn;
        return this.finishWith(id, t, { attempt: t.attempt, worker: ret.worker, progress: null, metrics: t.seen, warnings: t.warningsSeen, ret });
      }
      if (hint.failedReason !== undefined) {
        const message = /stalled more than allowable limit/i.test(hint.failedReason)
          ? `Job lost its worker too many times (worker processes died or stopped renewing their lock; last worker ${t.worker ?? 'unknown'}); not retried further`
          : hint.failedReason;
        this.end(id, { type: 'error', message }, 1);
        await this.cleanup(id, t);
      }
    });
  }

  private async finishWith(id: string, t: Tracked, rec: ResultRecord<JobReturn>): Promise<void> {
    t.finishing = true;
    // Every metric of the attempt that produced the result, then the result itself.
    await this.sync(id, t, { worker: rec.worker, attempt: rec.attempt, resumedFrom: rec.resumedFrom ?? null, progress: rec.progress, metrics: rec.metrics, warnings: rec.warnings }, true);
    const ret = rec.ret;
    if (ret.outcome === 'cancelled') this.end(id, { type: 'cancelled', summary: ret.summary }, 0);
    else if (ret.outcome === 'error') this.end(id, { type: 'error', message: ret.message ?? 'Job failed' }, 1);
    else {
      let message: WorkerToMain;
      try {
        // Claimed by operation id: a server killed mid-import imports into the same model version next time.
        const imported = await importArtefacts(this.redis, this.homeOf(), ret.outputs ?? [], id);
        const results = applyRenames({ ...(ret.results ?? {}), artefacts: imported.stored }, imported.renamed);
        const summary = applyRenames(ret.summary, imported.renamed);
        // The last progress names the model the worker saved (v1 there); here it may be stored as v2.
        if (t.progress && Object.keys(imported.renamed).length)
          t.events.onMessage({ type: 'snapshot', progress: applyRenames(t.progress, imported.renamed), metricsFrom: t.seen, metrics: [], warnings: [] });
        message = { type: 'result', results, summary };
        // The model is stored: nothing is left to resume (the job removed its own copies on the worker).
        deleteCheckpoints(this.homeOf(), id);
      } catch (err) {
        message = { type: 'error', message: `Result of ${id} refused: ${(err as Error).message}` };
      }
      this.end(id, message, message.type === 'result' ? 0 : 1);
      forgetImport(this.homeOf(), id);
    }
    await this.cleanup(id, t);
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

  /**
   * The end is recorded: Redis's copies go. A job still queued or running as another attempt (the
   * result came from one that lost its lock) is stopped, so nothing runs twice for nothing.
   */
  private async cleanup(id: string, t: Tracked): Promise<void> {
    try {
      const job = await this.queue.getJob(id);
      const state = job ? await job.getState() : 'unknown';
      if (job && (state === 'completed' || state === 'failed' || state === 'waiting' || state === 'delayed' || state === 'prioritized')) await job.remove().catch(() => undefined);
      else if (state === 'active') {
        const why = `already finished by attempt ${t.attempt}`;
        await this.redis.set(this.keys.cancel(id), why, 'EX', 3600);
        await this.redis.publish(this.keys.cancelChannel, JSON.stringify({ id, reason: why }));
      }
      const journals = Array.from({ length: Math.max(t.attempt, 1) + 1 }, (_, i) => this.keys.journal(id, i + 1));
      await this.redis.del(this.keys.result(id), this.keys.checkpoint(id), ...journals);
    } catch {
      // Redis away: the TTLs remove them.
    }
  }

  /** A queued job is removed (it never runs); a running one is asked to stop through a flag its worker polls. */
  private async cancel(jobId: string, reason: string): Promise<void> {
    const t = this.jobs.get(jobId);
    if (t) t.cancelAsked = true;
    try {
      await this.redis.set(this.keys.cancel(jobId), reason || 'cancelled', 'EX', 3600);
      await this.redis.publish(this.keys.cancelChannel, JSON.stringify({ id: jobId, reason: reason || 'cancelled' }));
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
    t.cancelAsked = true;
    t.killTimer ??= setTimeout(() => this.end(jobId, { type: 'error', message: 'Worker did not answer the kill request' }, null, 'SIGKILL'), 3000);
    t.killTimer.unref();
    try {
      await this.redis.set(this.keys.cancel(jobId), 'kill', 'EX', 3600);
      await this.redis.publish(this.keys.cancelChannel, JSON.stringify({ id: jobId, reason: 'kill' }));
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
   * Every tracked job is compared with Redis now and then: a result or an end whose event was missed
   * (Redis away, server restarted) is collected, progress missed is read from the job's stored
   * progress, and a job Redis no longer has fails instead of staying `running` forever.
   */
  private async reconcile(): Promise<void> {
    if (this.closed || !this.redisReachable()) return;
    const now = Date.now();
    for (const [id, t] of [...this.jobs]) {
      if (t.ended || t.finishing || !t.enqueued || now - t.enqueuedAt < RECONCILE_MS) continue;
      await this.reconcileOne(id);
    }
  }

  private async reconcileOne(id: string): Promise<void> {
    const t = this.jobs.get(id);
    if (!t || t.ended || t.finishing) return;
    try {
      if (await this.redis.exists(this.keys.result(id))) return this.collect(id, {});
      const job = await this.queue.getJob(id);
      if (!job) {
        this.end(id, { type: 'error', message: LOST_MESSAGE }, 1);
        return;
      }
      const state = await job.getState();
      if (state === 'completed') this.collect(id, { returnvalue: job.returnvalue as JobReturn });
      else if (state === 'failed') this.collect(id, { failedReason: job.failedReason });
      else if (state === 'active' && job.progress && typeof job.progress === 'object') this.onProgress(id, job.progress as unknown as ProgressEnvelope);
    } catch {
      // Redis went away again; next round.
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
    if (this.closed || !this.redisReachable()) return;
    try {
      const now = Date.now();
      // Heartbeat hashes expire after 15 s; entries much older than that are gone for good.
      await this.redis.zremrangebyscore(this.keys.workers, '-inf', now - 60_000);
      const ids = await this.redis.zrange(this.keys.workers, 0, '-1');
      const out: WorkerDescription[] = [];
      for (const id of ids) {
        const h = await this.redis.hgetall(this.keys.worker(id));
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
      // Keep the last list (its entries turn stale as they age); Redis may be restarting.
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const t of this.timers) clearInterval(t);
    for (const t of this.jobs.values()) if (t.killTimer) clearTimeout(t.killTimer);
    await Promise.allSettled([this.events.close(), this.queue.close()]);
    await this.redis.quit().catch(() => undefined);
  }
}
