// `ktrdr worker`: takes jobs from the BullMQ queue and runs each in its own child process with the
// same job code and bridge protocol as the server's local workers (ChildProcessJobHost), so a crash
// kills one job. Inputs come from Redis blobs into a per-job staging home (checksums verified);
// files the job writes there go back as blobs. Progress snapshots go out as job progress events.
import { mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { UnrecoverableError, Worker, type Job } from 'bullmq';
import type { Redis } from 'ioredis';
import { parseJobPayload, type FileRef, type JobPayload, type JobReturn } from '../../shared/job-payload';
import type { JobSpec, SnapshotMessage, WorkerToMain } from '../../shared/worker-protocol';
import { ChildProcessJobHost, type JobHost } from '../operations/job-host';
import { BlobCache, DEFAULT_BLOB_CACHE_BYTES } from './blob-cache';
import { getVerifiedBlob, putBlob, sha256Of } from './blobs';
import { bullConnection, CANCEL_CHANNEL, cancelKey, openRedis, QUEUE_NAME, redactRedisUrl, WORKERS_KEY, workerKey } from './connection';
import type { ProgressEnvelope } from './bullmq-job-host';
import { PATH_PARAMS } from './job-inputs';

export interface RemoteWorkerOptions {
  url: string;
  home: string;
  concurrency: number;
  queueName?: string;
  log?: (line: string) => void;
  /** Lock and stalled-check timing (ms); short values let tests see a dead worker quickly. */
  lockDurationMs?: number;
  stalledIntervalMs?: number;
  /** How often a job may lose its worker before it fails. */
  maxStalledCount?: number;
  host?: JobHost;
  /** Bound of the local copy of fetched inputs (bytes; 0 = no cache). */
  blobCacheBytes?: number;
}

/** The cancel flag is polled too, in case a pub/sub message was missed during a reconnect. */
const CANCEL_POLL_MS = 500;
const HEARTBEAT_MS = 1000;

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

export class RemoteWorker {
  readonly id = `${hostname()}:${process.pid}`;
  private readonly worker: Worker;
  private readonly redis: Redis;
  /** ioredis needs a connection of its own for pub/sub (it runs no other commands once subscribed). */
  private readonly subscriber: Redis;
  /** Running jobs' cancel entry points, by operation id. */
  private readonly cancellers = new Map<string, (flag: string) => void>();
  private readonly host: JobHost;
  private running = 0;
  private readonly heartbeat: NodeJS.Timeout;
  private readonly log: (line: string) => void;
  private readonly blobs: BlobCache;

  constructor(private readonly o: RemoteWorkerOptions) {
    this.log = o.log ?? ((l) => process.stdout.write(`${l}\n`));
    this.blobs = new BlobCache(join(o.home, 'blob-cache'), o.blobCacheBytes ?? DEFAULT_BLOB_CACHE_BYTES);
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
    void this.subscriber.subscribe(CANCEL_CHANNEL).catch(() => undefined);
    this.worker = new Worker(o.queueName ?? QUEUE_NAME, (job) => this.process(job), {
      connection: bullConnection(o.url),
      concurrency: o.concurrency,
      lockDuration: o.lockDurationMs ?? 30_000,
      stalledInterval: o.stalledIntervalMs ?? 30_000,
      maxStalledCount: o.maxStalledCount ?? 1,
      autorun: true,
    });
    this.worker.on('error', (err) => this.log(`worker: Redis: ${err.message}`));
    this.heartbeat = setInterval(() => void this.beat(), HEARTBEAT_MS);
    void this.beat();
  }

  async ready(): Promise<void> {
    await this.worker.waitUntilReady();
  }

  private async beat(): Promise<void> {
    try {
      const now = Date.now();
      await this.redis.hset(workerKey(this.id), {
        host: hostname(),
        pid: process.pid,
        concurrency: this.o.concurrency,
        running: this.running,
        last_seen: new Date(now).toISOString(),
      });
      await this.redis.pexpire(workerKey(this.id), 15_000);
      await this.redis.zadd(WORKERS_KEY, now, this.id);
    } catch {
      // Redis away: the next beat retries.
    }
  }

  private async process(job: Job): Promise<JobReturn> {
    const parsed = parseJobPayload(job.data);
    if (!parsed.ok) throw new UnrecoverableError(`Invalid job payload: ${parsed.error}`);
    const payload = parsed.payload;
    const id = payload.operationId;
    const flag = await this.redis.get(cancelKey(id));
    if (flag) return { outcome: 'cancelled', summary: { status: 'cancelled', reason: flag }, outputs: [], worker: this.id };
    this.running++;
    const stage = join(this.o.home, 'jobs', `${id}-${Date.now().toString(36)}`);
    try {
      await job.updateProgress({ worker: this.id, message: null } satisfies ProgressEnvelope as never);
      const hits = this.blobs.stats.hits;
      const before = await this.stage(stage, payload.inputs);
      const spec: JobSpec = { operationId: id, jobType: payload.jobType, params: this.localParams(payload.params, stage), home: stage, logLevel: payload.logLevel };
      this.log(`job ${id} (${payload.jobType}) started (${payload.inputs.length} input(s), ${this.blobs.stats.hits - hits} from the local cache)`);
      const { outcome, exit } = await this.run(job, spec);
      if (outcome?.type === 'result') {
        const outputs = await this.collectOutputs(stage, before);
        this.log(`job ${id} completed (${outputs.length} artefact(s))`);
        // Paths into the staging home mean nothing to the server: they become home-relative.
        const results = relativise(outcome.results, stage);
        return { outcome: 'result', results, summary: relativise(outcome.summary, stage), outputs, worker: this.id };
      }
      if (outcome?.type === 'cancelled') {
        this.log(`job ${id} cancelled`);
        return { outcome: 'cancelled', summary: outcome.summary, outputs: [], worker: this.id };
      }
      const flagNow = await this.redis.get(cancelKey(id)).catch(() => null);
      if (flagNow) return { outcome: 'cancelled', summary: { status: 'cancelled', reason: flagNow, killed: true }, outputs: [], worker: this.id };
      const message = outcome?.type === 'error' ? outcome.message : `Worker process exited unexpectedly (${exit.signal ? `signal ${exit.signal}` : `exit code ${exit.code}`}) before finishing`;
      this.log(`job ${id} failed: ${message}`);
      throw new UnrecoverableError(message);
    } finally {
      this.running--;
      rmSync(stage, { recursive: true, force: true });
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

  private run(job: Job, spec: JobSpec): Promise<{ outcome: WorkerToMain | null; exit: { code: number | null; signal: string | null } }> {
    return new Promise((resolveRun) => {
      let outcome: WorkerToMain | null = null;
      // Progress events keep their order: each waits for the previous one.
      let chain: Promise<unknown> = Promise.resolve();
      let asked: string | null = null;
      const ask = (flag: string) => {
        if (flag === asked) return;
        asked = flag;
        if (process.env.KTRDR_WORKER_TRACE) this.log(`${new Date().toISOString()} job ${spec.operationId}: ${flag === 'kill' ? 'kill' : 'cancel'} requested`);
        if (flag === 'kill') handle.kill();
        else handle.send({ type: 'cancel', reason: flag });
      };
      this.cancellers.set(spec.operationId, ask);
      const handle = this.host.start(spec, {
        onMessage: (m) => {
          if (m.type === 'snapshot') {
            const env: ProgressEnvelope = { worker: this.id, message: m as SnapshotMessage };
            chain = chain.then(() => job.updateProgress(env as never)).catch(() => undefined);
          } else if (m.type !== 'worker') {
            outcome = m;
          }
        },
        onExit: (code, signal) => {
          clearInterval(poll);
          this.cancellers.delete(spec.operationId);
          this.log(`${process.env.KTRDR_WORKER_TRACE ? `${new Date().toISOString()} ` : ''}job ${spec.operationId} process exited (${signal ? `signal ${signal}` : `code ${code}`}${asked ? `, ${asked === 'kill' ? 'killed' : 'cancel requested'}` : ''})`);
          void chain.then(() => resolveRun({ outcome, exit: { code, signal } }));
        },
      });
      const poll = setInterval(() => {
        void this.redis
          .get(cancelKey(spec.operationId))
          .then((flag) => {
            if (flag) ask(flag);
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
      await putBlob(this.redis, bytes);
      out.push({ path: rel, sha256: sha, size: bytes.length });
    }
    return out;
  }

  async close(): Promise<void> {
    clearInterval(this.heartbeat);
    await this.worker.close().catch(() => undefined);
    await this.subscriber.quit().catch(() => undefined);
    await this.redis.zrem(WORKERS_KEY, this.id).catch(() => undefined);
    await this.redis.del(workerKey(this.id)).catch(() => undefined);
    await this.redis.quit().catch(() => undefined);
  }

  describe(): string {
    return `ktrdr worker ${this.id} on ${redactRedisUrl(this.o.url)} (concurrency ${this.o.concurrency}, home ${this.o.home})`;
  }
}

export type { JobPayload };
