// `ktrdr worker`: takes jobs from the BullMQ queue and runs each in its own child process with the
// same job code and bridge protocol as the server's local workers (ChildProcessJobHost), so a crash
// kills one job. Inputs come from Redis blobs into a per-job staging home (checksums verified);
// files the job writes there go back as blobs. Progress snapshots go out as job progress events.
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { UnrecoverableError, Worker, type Job } from 'bullmq';
import type { Redis } from 'ioredis';
import { parseJobPayload, resumeFromParam, type FileRef, type JobPayload, type JobReturn } from '../../shared/job-payload';
import type { JobSpec, ResumedFrom, SnapshotMessage, WorkerToMain } from '../../shared/worker-protocol';
import { decodeCheckpoint } from '../../infra/checkpoints/format';
import type { TrainingCheckpointMeta } from '../../infra/checkpoints/meta';
import { ChildProcessJobHost, type JobHost } from '../operations/job-host';
import { BlobCache, DEFAULT_BLOB_CACHE_BYTES } from './blob-cache';
import { isProcessAlive } from '../../infra/process-alive';
import { AttemptJournal, JOURNAL_TTL_S, type ResultRecord } from './attempt-journal';
import { getVerifiedBlob, putBlob, sha256Of } from './blobs';
import { CheckpointCarrier, recordedCheckpoint, resumedFromMeta } from './checkpoints';
import { bullConnection, openRedis, QUEUE_NAME, queueKeys, redactRedisUrl, type QueueKeys } from './connection';
import { PATH_PARAMS } from './job-inputs';
import { LOCK_DEFAULTS, pauseToleranceMs, takeoverBoundMs, type LockTiming } from './lock-timing';

export interface RemoteWorkerOptions extends Partial<LockTiming> {
  url: string;
  home: string;
  concurrency: number;
  queueName?: string;
  log?: (line: string) => void;
  host?: JobHost;
  /** Bound of the local copy of fetched inputs (bytes; 0 = no cache). */
  blobCacheBytes?: number;
}

/** The cancel flag is polled too, in case a pub/sub message was missed during a reconnect. */
const CANCEL_POLL_MS = 500;
const HEARTBEAT_MS = 1000;
/** A job's process asked to stop because its job was lost gets this long before it is killed. */
const LOST_GRACE_MS = 2000;
/** How long an attempt may take to store its outputs and result once its process has ended. */
const FINISHING_TTL_S = 600;

function walk(dir: string, base: string, out: Map<string, string> = new Map()): Map<string, string> {
  for (const name of readdirSync(dir)) {
    const abs = join(dir, name);
    if (statSync(abs).isDirectory()) walk(abs, base, out);
    else out.set(relative(base, abs).split(sep).join('/'), abs);
  }
  return out;
}

function relativise<T>(value: T, stage: string): T {
  const text = JSON.stringify(value);
  return JSON.parse(text.split(`${stage}/`).join('').split(JSON.stringify(stage).slice(1, -1)).join('.')) as T;
}

interface RunOutcome {
  outcome: WorkerToMain | null;
  exit: { code: number | null; signal: string | null };
  /** Why this worker no longer holds the job (its process was stopped; nothing is reported). */
  lost: string | null;
}

export class RemoteWorker {
  readonly id = `${hostname()}:${process.pid}`;
  readonly timing: LockTiming;
  private readonly worker: Worker;
  private readonly redis: Redis;
  private readonly keys: QueueKeys;
  /** ioredis needs a connection of its own for pub/sub (it runs no other commands once subscribed). */
  private readonly subscriber: Redis;
  /** Running jobs' cancel entry points, by operation id. */
  private readonly cancellers = new Map<string, (flag: string) => void>();
  /** Running jobs' "you lost it" entry points, by operation id. */
  private readonly losers = new Map<string, (why: string) => void>();
  private readonly host: JobHost;
  private running = 0;
  private readonly heartbeat: NodeJS.Timeout;
  private readonly log: (line: string) => void;
  private readonly blobs: BlobCache;
  private readonly jobsDir: string;

  constructor(private readonly o: RemoteWorkerOptions) {
    this.log = o.log ?? ((l) => process.stdout.write(`${l}\n`));
    this.timing = {
      lockDurationMs: o.lockDurationMs ?? LOCK_DEFAULTS.lockDurationMs,
      lockRenewMs: o.lockRenewMs ?? Math.min(LOCK_DEFAULTS.lockRenewMs, Math.floor((o.lockDurationMs ?? LOCK_DEFAULTS.lockDurationMs) / 4)),
      stalledIntervalMs: o.stalledIntervalMs ?? LOCK_DEFAULTS.stalledIntervalMs,
      maxStalledCount: o.maxStalledCount ?? LOCK_DEFAULTS.maxStalledCount,
    };
    this.keys = queueKeys(o.queueName ?? QUEUE_NAME);
    this.blobs = new BlobCache(join(o.home, 'blob-cache'), o.blobCacheBytes ?? DEFAULT_BLOB_CACHE_BYTES);
    this.jobsDir = join(o.home, 'jobs');
    this.sweepStages();
    this.host = o.host ?? new ChildProcessJobHost();
    // Errors (Redis away) surface as rejected commands, which every caller here handles; ioredis
    // reconnects by itself and re-subscribes the subscriber to its channel.
    this.redis = openRedis(o.url);
    this.subscriber = openRedis(o.url);
    this.subscriber.on('message', (_channel: string, text: string) => {
      try {
        const m = JSON.parse(text) as { id?: string; reason?: string };
        if (m.id) this.cancellers.get(m.id)?.(m.reason || 'cancelled');
      } catch {
        // not ours
      }
    });
    void this.subscriber.subscribe(this.keys.cancelChannel).catch(() => undefined);
    this.worker = new Worker(o.queueName ?? QUEUE_NAME, (job, token) => this.process(job, token), {
      connection: bullConnection(o.url),
      concurrency: o.concurrency,
      lockDuration: this.timing.lockDurationMs,
      lockRenewTime: this.timing.lockRenewMs,
      stalledInterval: this.timing.stalledIntervalMs,
      maxStalledCount: this.timing.maxStalledCount,
      autorun: true,
    });
    this.worker.on('error', (err) => this.log(`worker: Redis: ${err.message}`));
    // The lock of a running job could not be renewed: Redis lost it (a pause longer than the lock,
    // a restart without persistence) or the job was removed. BullMQ gives the job to a worker again
    // (maybe this one), so this attempt's process must stop rather than run on for nobody.
    this.worker.on('lockRenewalFailed', (ids: string[]) => {
      for (const id of ids) this.losers.get(id)?.('its lock could not be renewed (expired during a Redis outage or pause, or the job was removed)');
    });
    this.heartbeat = setInterval(() => void this.beat(), HEARTBEAT_MS);
    void this.beat();
  }

  async ready(): Promise<void> {
    await this.worker.waitUntilReady();
  }

  /** Staging folders of workers that died (SIGKILL, power loss) under this home: nobody will clean them otherwise. */
  private sweepStages(): void {
    if (!existsSync(this.jobsDir)) return;
    for (const name of readdirSync(this.jobsDir)) {
      const pid = Number(/^(\d+)-/.exec(name)?.[1]);
      // Folders without a pid come from older workers; a live pid may be another worker sharing this home.
      if (pid === process.pid || !isProcessAlive(pid)) rmSync(join(this.jobsDir, name), { recursive: true, force: true });
    }
  }

  private async beat(): Promise<void> {
    try {
      const now = Date.now();
      await this.redis.hset(this.keys.worker(this.id), {
        host: hostname(),
        pid: process.pid,
        concurrency: this.o.concurrency,
        running: this.running,
        last_seen: new Date(now).toISOString(),
      });
      await this.redis.pexpire(this.keys.worker(this.id), 15_000);
      await this.redis.zadd(this.keys.workers, now, this.id);
    } catch {
      // Redis away: the next beat retries.
    }
  }

  private async process(job: Job, token: string | undefined): Promise<JobReturn> {
    const parsed = parseJobPayload(job.data);
    if (!parsed.ok) throw new UnrecoverableError(`Invalid job payload: ${parsed.error}`);
    const payload = parsed.payload;
    const id = payload.operationId;
    const attempt = Math.max(1, job.attemptsStarted || 1);
    // An earlier attempt finished but lost its lock before BullMQ recorded it: hand its outcome back, do not run again.
    const earlier = await this.earlierOutcome(id, attempt);
    if (earlier) {
      this.log(`job ${id}: attempt ${earlier.attempt} on ${earlier.worker} already finished it; its outcome is handed back (attempt ${attempt} does not run)`);
      if (earlier.ret.outcome === 'error') throw new UnrecoverableError(earlier.ret.message ?? 'failed');
      return earlier.ret;
    }
    const stage = join(this.jobsDir, `${process.pid}-${id}-${attempt}`);
    const flag = await this.redis.get(this.keys.cancel(id));
    if (flag) {
      const journal = new AttemptJournal(this.redis, this.keys.journal(id, attempt), { worker: this.id, attempt }, (env) => job.updateProgress(env as never));
      return this.finish(id, journal, { outcome: 'cancelled', summary: { status: 'cancelled', reason: flag }, outputs: [], worker: this.id });
    }
    this.running++;
    let finishing = false;
    let journal: AttemptJournal | null = null;
    try {
      const params = this.localParams(payload.params, stage);
      const resume = await this.resumePoint(id, attempt, payload, stage);
      if (resume.from) params.resume_from = { path: resume.from.ref.path, sha256: resume.from.ref.sha256 };
      // Progress and warnings name files in the staging home, which mean nothing to the server.
      journal = new AttemptJournal(this.redis, this.keys.journal(id, attempt), { worker: this.id, attempt, resumedFrom: resume.from?.meta ?? null }, (env) => job.updateProgress(env as never), (m) => relativise(m, stage));
      for (const w of resume.warnings) journal.warn(w);
      await journal.announce();
      const hits = this.blobs.stats.hits;
      const before = await this.stage(stage, payload.inputs);
      const spec: JobSpec = { operationId: id, jobType: payload.jobType, params, home: stage, logLevel: payload.logLevel };
      const from = resume.from ? ` from the ${resume.from.meta.checkpoint_type} checkpoint at epoch ${resume.from.meta.epoch}${resume.from.meta.batch ? ` batch ${resume.from.meta.batch}` : ''}` : '';
      this.log(`job ${id} (${payload.jobType}) started${attempt > 1 ? ` (attempt ${attempt})` : ''}${from} (${payload.inputs.length} input(s), ${this.blobs.stats.hits - hits} from the local cache)`);
      const carrier = payload.jobType === 'training' ? new CheckpointCarrier(this.redis, this.keys.checkpoint(id), stage, { attempt, worker: this.id }, this.log) : null;
      const { outcome, exit, lost } = await this.run(job, token, spec, journal, carrier);
      // A result that arrived before the loss is still delivered (the server takes the first one).
      if (!lost || outcome?.type === 'result') {
        // First thing once the job's process has ended: a new attempt (this one's lock may be gone)
        // now waits for the outcome instead of running the job again.
        await this.untilRedisAnswers(`mark ${id} finishing`, () => this.redis.set(this.keys.finishing(id), `${attempt}|${this.id}`, 'EX', FINISHING_TTL_S));
        finishing = true;
      }
      if (lost && outcome?.type !== 'result') {
        journal.stop();
        this.log(`job ${id}: attempt ${attempt} lost: ${lost}; its process was stopped and nothing is reported`);
        // BullMQ cannot record anything for a job whose lock is gone; the job runs again as a new attempt.
        throw new Error(`Attempt ${attempt} lost: ${lost}`);
      }
      if (outcome?.type === 'result') {
        const outputs = await this.collectOutputs(stage, before);
        this.log(`job ${id} completed (${outputs.length} artefact(s))`);
        // Paths into the staging home mean nothing to the server: they become home-relative.
        const results = relativise(outcome.results, stage);
        return await this.finish(id, journal, { outcome: 'result', results, summary: relativise(outcome.summary, stage), outputs, worker: this.id });
      }
      if (outcome?.type === 'cancelled') {
        this.log(`job ${id} cancelled`);
        return await this.finish(id, journal, { outcome: 'cancelled', summary: outcome.summary, outputs: [], worker: this.id });
      }
      const flagNow = await this.redis.get(this.keys.cancel(id)).catch(() => null);
      if (flagNow) return await this.finish(id, journal, { outcome: 'cancelled', summary: { status: 'cancelled', reason: flagNow, killed: true }, outputs: [], worker: this.id });
      const message = outcome?.type === 'error' ? outcome.message : `Worker process exited unexpectedly (${exit.signal ? `signal ${exit.signal}` : `exit code ${exit.code}`}) before finishing`;
      this.log(`job ${id} failed: ${message}`);
      await this.finish(id, journal, { outcome: 'error', message, summary: {}, outputs: [], worker: this.id });
      throw new UnrecoverableError(message);
    } catch (err) {
      // Ended without storing an outcome (an unexpected error): a new attempt must not wait for one.
      if (finishing) await this.redis.del(this.keys.finishing(id)).catch(() => undefined);
      throw err;
    } finally {
      this.running--;
      journal?.stop();
      rmSync(stage, { recursive: true, force: true });
    }
  }

  /**
   * The checkpoint a training attempt continues from, written into its staging home: after a
   * takeover the latest one a worker recorded for the job, else the one the job was started with
   * (`resume_from`, POST …/resume), else none (epoch 1). A recorded checkpoint that cannot be fetched
   * or read is skipped with a warning; the next candidate is tried.
   */
  private async resumePoint(id: string, attempt: number, payload: JobPayload, stage: string): Promise<{ from: { ref: FileRef; meta: ResumedFrom } | null; warnings: string[] }> {
    const warnings: string[] = [];
    if (payload.jobType !== 'training') return { from: null, warnings };
    const requested = resumeFromParam(payload.params.resume_from);
    const candidates: FileRef[] = [];
    const recorded = attempt > 1 ? await recordedCheckpoint(this.redis, this.keys.checkpoint(id)).catch(() => null) : null;
    if (recorded && recorded.ref.sha256 !== requested?.sha256) candidates.push(recorded.ref);
    const given = requested && payload.inputs.find((r) => r.path === requested.path && (!requested.sha256 || r.sha256 === requested.sha256));
    if (given) candidates.push(given);
    for (const ref of candidates) {
      try {
        const bytes = await this.blobs.get(ref, (r) => getVerifiedBlob(this.redis, r));
        const meta = resumedFromMeta(decodeCheckpoint<TrainingCheckpointMeta>(bytes).meta);
        const abs = resolve(stage, ref.path);
        if (!abs.startsWith(stage + sep)) throw new Error('its path leaves the staging home');
        mkdirSync(dirname(abs), { recursive: true });
        writeFileSync(abs, bytes);
        return { from: { ref, meta }, warnings };
      } catch (err) {
        if (ref === given) throw new UnrecoverableError(`Checkpoint ${ref.path} to resume from: ${(err as Error).message}`);
        const why = `Attempt ${attempt} could not use the checkpoint recorded at epoch ${recorded?.epoch} (${ref.path}: ${(err as Error).message})`;
        this.log(`job ${id}: ${why}`);
        warnings.push(`${why}; it continues from ${given ? 'the checkpoint it was started with' : 'epoch 1'}`);
      }
    }
    return { from: null, warnings };
  }

  /**
   * Makes the attempt's end durable before BullMQ hears of it: every metric is in the journal and
   * the result record is stored (the first attempt to finish wins). Retries while Redis is away, so a
   * result survives a lock lost meanwhile: the server reads it from the record, not from BullMQ.
   */
  private async finish(id: string, journal: AttemptJournal, ret: JobReturn): Promise<JobReturn> {
    await journal.drain();
    const env = journal.envelope();
    const rec: ResultRecord<JobReturn> = { attempt: env.attempt, worker: this.id, resumedFrom: env.resumedFrom ?? null, progress: env.progress, metrics: env.metrics, warnings: env.warnings, ret };
    const text = JSON.stringify(rec);
    await this.untilRedisAnswers(`store the result of ${id}`, () => this.redis.multi().set(this.keys.result(id), text, 'EX', JOURNAL_TTL_S, 'NX').del(this.keys.finishing(id)).exec());
    return ret;
  }

  /**
   * The outcome an earlier attempt stored, waiting for it while that attempt is still storing it
   * (its process ended, its lock may not have survived); null when there is none and the job must run.
   */
  private async earlierOutcome(id: string, attempt: number): Promise<ResultRecord<JobReturn> | null> {
    for (let waited = 0; ; waited++) {
      const [text, finishing] = await Promise.all([this.redis.get(this.keys.result(id)), this.redis.get(this.keys.finishing(id))]);
      if (text) return JSON.parse(text) as ResultRecord<JobReturn>;
      if (!finishing) return null;
      const [other, worker] = finishing.split('|');
      // That worker died while storing (its heartbeat expired): nothing will come; run the job.
      if (Number(other) === attempt || !(await this.redis.exists(this.keys.worker(worker)))) {
        await this.redis.del(this.keys.finishing(id));
        return null;
      }
      if (waited === 0) this.log(`job ${id}: attempt ${other} on ${worker} is storing its outcome; attempt ${attempt} waits for it`);
      await new Promise((r) => setTimeout(r, 500));
    }
  }

  /** A finished job's outputs and result are worth waiting for: retried every second while Redis is away. */
  private async untilRedisAnswers<T>(what: string, fn: () => Promise<T>): Promise<T> {
    for (let tries = 0; ; tries++) {
      try {
        return await fn();
      } catch (err) {
        if (tries % 10 === 0) this.log(`cannot ${what} yet (${(err as Error).message}); retrying every second`);
        await new Promise((r) => setTimeout(r, 1000));
      }
    }
  }

  /** Inputs fetched by hash and verified; returns what the staging home holds before the job. */
  private async stage(stage: string, inputs: FileRef[]): Promise<Map<string, string>> {
    mkdirSync(stage, { recursive: true });
    const before = new Map<string, string>();
    for (const ref of inputs) {
      let bytes: Buffer;
      try {
        bytes = await this.blobs.get(ref, (r) => getVerifiedBlob(this.redis, r));
      } catch (err) {
        throw new UnrecoverableError((err as Error).message);
      }
      const abs = resolve(stage, ref.path);
      if (!abs.startsWith(stage + sep)) throw new UnrecoverableError(`Input ${ref.path} leaves the staging home; refused`);
      mkdirSync(dirname(abs), { recursive: true });
      writeFileSync(abs, bytes);
      before.set(ref.path, ref.sha256);
    }
    return before;
  }

  private localParams(params: Record<string, unknown>, stage: string): Record<string, unknown> {
    const out = { ...params };
    for (const k of PATH_PARAMS) {
      const v = out[k];
      if (typeof v === 'string' && !isAbsolute(v)) out[k] = join(stage, v);
    }
    return out;
  }

  private run(job: Job, token: string | undefined, spec: JobSpec, journal: AttemptJournal, carrier: CheckpointCarrier | null): Promise<RunOutcome> {
    return new Promise((resolveRun) => {
      // Snapshots go to the journal in order, each after the checkpoint it names is in Redis: the
      // server never reads of a checkpoint it cannot fetch, and the outcome waits for both.
      let relay: Promise<void> = Promise.resolve();
      let outcome: WorkerToMain | null = null;
      let asked: string | null = null;
      let lost: string | null = null;
      let lostKill: NodeJS.Timeout | null = null;
      const id = spec.operationId;
      const ask = (flag: string) => {
        if (flag === asked) return;
        asked = flag;
        if (process.env.KTRDR_WORKER_TRACE) this.log(`${new Date().toISOString()} job ${id}: ${flag === 'kill' ? 'kill' : 'cancel'} requested`);
        if (flag === 'kill') handle.kill();
        else handle.send({ type: 'cancel', reason: flag });
      };
      const lose = (why: string) => {
        if (lost) return;
        lost = why;
        this.log(`job ${id}: this worker lost the job (${why}); stopping its process`);
        handle.send({ type: 'cancel', reason: `Job lost by this worker: ${why}` });
        lostKill = setTimeout(() => handle.kill(), LOST_GRACE_MS);
      };
      this.cancellers.set(id, ask);
      this.losers.set(id, lose);
      const handle = this.host.start(spec, {
        onMessage: (m) => {
          if (m.type === 'snapshot') {
            const snap = m as SnapshotMessage;
            relay = relay.then(() => carrier?.carry(snap.progress)).then(() => journal.add(snap));
          } else if (m.type !== 'worker' && m.type !== 'restart') outcome = m;
        },
        onExit: (code, signal) => {
          clearInterval(poll);
          if (lostKill) clearTimeout(lostKill);
          this.cancellers.delete(id);
          this.losers.delete(id);
          this.log(`${process.env.KTRDR_WORKER_TRACE ? `${new Date().toISOString()} ` : ''}job ${id} process exited (${signal ? `signal ${signal}` : `code ${code}`}${lost ? ', job lost' : asked ? `, ${asked === 'kill' ? 'killed' : 'cancel requested'}` : ''})`);
          void relay.then(() => resolveRun({ outcome, exit: { code, signal }, lost }));
        },
      });
      let polls = 0;
      const poll = setInterval(() => {
        void this.redis
          .get(this.keys.cancel(id))
          .then((flag) => {
            if (flag) ask(flag);
          })
          .catch(() => undefined);
        // Now and then: is the job still ours? (A removed job, or one another worker holds, is not.)
        if (token && ++polls % 4 === 0)
          void job
            .extendLock(token, this.timing.lockDurationMs)
            .then((ok) => {
              if (!ok) lose('its lock is held by another attempt or the job is gone');
            })
            .catch(() => undefined);
      }, CANCEL_POLL_MS);
    });
  }

  /** Files that are new or changed in the staging home, uploaded as blobs. */
  private async collectOutputs(stage: string, before: Map<string, string>): Promise<FileRef[]> {
    const out: FileRef[] = [];
    for (const [rel, abs] of walk(stage, stage)) {
      if (!/^(models|backtests|data)\//.test(rel) || rel.includes('.tmp-')) continue;
      const bytes = readFileSync(abs);
      const sha = sha256Of(bytes);
      if (before.get(rel) === sha) continue;
      await this.untilRedisAnswers(`upload ${rel}`, () => putBlob(this.redis, bytes, (h) => this.log(`output blob ${h} (${rel}) held other bytes in Redis; replaced`)));
      out.push({ path: rel, sha256: sha, size: bytes.length });
    }
    return out;
  }

  async close(): Promise<void> {
    clearInterval(this.heartbeat);
    await this.worker.close().catch(() => undefined);
    await this.subscriber.quit().catch(() => undefined);
    await this.redis.zrem(this.keys.workers, this.id).catch(() => undefined);
    await this.redis.del(this.keys.worker(this.id)).catch(() => undefined);
    await this.redis.quit().catch(() => undefined);
  }

  describe(): string {
    const t = this.timing;
    return `ktrdr worker ${this.id} on ${redactRedisUrl(this.o.url)} queue ${this.o.queueName ?? QUEUE_NAME} (concurrency ${this.o.concurrency}, home ${this.o.home}; lock ${t.lockDurationMs} ms renewed every ${t.lockRenewMs} ms, stalled check every ${t.stalledIntervalMs} ms: takeover ≤ ${takeoverBoundMs(t)} ms, pauses < ${pauseToleranceMs(t)} ms survived)`;
  }
}

export type { JobPayload };
