import { hostname } from 'node:os';
import {
  emptyProgress,
  isParentType,
  isTerminal,
  type MetricRecord,
  type OperationInfo,
  type OperationMetadata,
  type OperationProgress,
  type OperationType,
} from '../../shared/operations';
import type { WorkerToMain } from '../../shared/worker-protocol';
import { deleteCheckpoints, latestValidCheckpoint } from '../../infra/checkpoints/store';
import { HttpError } from '../api/errors';
import type { Logger } from '../logger';
import { currentClient } from '../request-context';
import { newOperationId } from './ids';
import type { HostHealth, JobHost, WorkerDescription, WorkerHandle } from './job-host';
import { metricsKey, toSummary, type ListFilter, type OperationsRepository } from './repository';

export interface StartOperationRequest {
  type: OperationType;
  metadata?: Partial<OperationMetadata>;
  /** Handed to the job in the worker. */
  params?: Record<string, unknown>;
  /** The experiment this operation belongs to. */
  parent_id?: string | null;
  /** Known before it runs (e.g. synthetic input bars): on the operation from its first reading. */
  warnings?: string[];
}

/** What the service calls back on a parent operation (an experiment run by a scheduler in main). */
export interface ParentController {
  /** The parent was cancelled: cancel the children and start no more. */
  onCancel(reason: string): void;
}

export interface OperationsServiceOptions {
  repo: OperationsRepository;
  host: JobHost;
  log: Logger;
  home: string;
  logLevel: string;
  cacheTtlMs: number;
  cancelGraceMs: number;
  maxWorkers: number;
  /**
   * Operations that may be pending or running at once, from every client (REST, CLI, MCP, UI) together;
   * a start beyond it answers 429 with Retry-After. Experiment children are not counted against it
   * separately: their experiment was admitted and bounds them by its max_parallel.
   */
  maxActive?: number;
  /** Monotonic milliseconds; injectable so tests can step through the TTL. */
  clock?: () => number;
}

type Outcome =
  | { kind: 'result'; results: Record<string, unknown>; summary: Record<string, unknown> }
  | { kind: 'cancelled'; summary: Record<string, unknown> }
  | { kind: 'error'; message: string };

/** One operation that is not finished yet, or whose process has not been reaped. */
interface LiveOperation {
  info: OperationInfo;
  params: Record<string, unknown>;
  /** The worker's latest state as last received: the main-side mirror of its bridge. */
  mirror: OperationProgress;
  /** Every metric received so far; clients see the first `visibleMetrics` (advanced on refresh). */
  history: MetricRecord[];
  visibleMetrics: number;
  lastRefresh: number;
  lastPersist: number;
  handle: WorkerHandle | null;
  /** `{success, data}` of the cached copy, serialised once per change (reads are frequent, changes are not). */
  json: string | null;
  outcome: Outcome | null;
  killTimer: NodeJS.Timeout | null;
  /** Set for parent operations: they have no worker; their scheduler drives them. */
  controller?: ParentController;
}

const nowIso = () => new Date().toISOString();
/** Which run of the job the metrics history belongs to (1 unless a scale-out takeover replaced it). */
const attemptOf = (m: OperationMetadata) => (typeof m.attempt === 'number' ? m.attempt : 1);
/** Seconds a refused client is told to wait (Retry-After). */
export const RETRY_AFTER_S = 5;
const PROGRESS_PERSIST_MS = 1000;
/** How long a stopping server lets running trainings write their shutdown checkpoint before killing them. */
const SHUTDOWN_CHECKPOINT_MS = 3000;
const TERMINAL_JSON_CACHE = 500;

/**
 * Creates, runs, reads and cancels operations. Workers push coalesced snapshots into a mirror;
 * clients read through a TTL cache that refreshes from the mirror only when someone asks and
 * the copy is older than the TTL. Terminal operations are never refreshed and are read from SQLite.
 */
export class OperationsService {
  private readonly live = new Map<string, LiveOperation>();
  private readonly queue: string[] = [];
  private running = 0;
  private closed = false;
  private readonly terminalWaiters = new Map<string, Array<() => void>>();
  private readonly terminalJson = new Map<string, string>();

  private readonly clock: () => number;

  constructor(private readonly o: OperationsServiceOptions) {
    this.clock = o.clock ?? (() => performance.now());
  }

  /** Operations left pending/running by a server that died are failed, saying whether a checkpoint exists. */
  recoverInterrupted(): number {
    let n = 0;
    for (const row of this.o.repo.activeRows()) {
      if (isParentType(row.operation_type)) continue; // experiments resume (src/main/experiments)
      if (this.live.has(row.operation_id)) continue; // taken back by the job host (reattachJobs)
      const progress = JSON.parse(row.progress_json) as OperationProgress;
      // What is on disk, verified, not what the worker last reported (it may have written one since).
      const checkpoint = row.operation_type === 'training' ? latestValidCheckpoint(this.o.home, row.operation_id) : null;
      const message = checkpoint
        ? `Interrupted by restart: the server stopped while this operation was ${row.status}; checkpoint available (epoch ${checkpoint.meta.epoch}${checkpoint.meta.batch ? `, batch ${checkpoint.meta.batch}` : ''}, ${checkpoint.relPath}): resume it with POST /operations/${row.operation_id}/resume`
        : `Interrupted by restart: the server stopped while this operation was ${row.status}; no checkpoint available`;
      if (this.o.repo.finish(row.operation_id, { status: 'failed', at: nowIso(), progress, error_message: message })) n++;
      this.o.log.warn({ operation_id: row.operation_id }, message);
    }
    return n;
  }

  /**
   * Scale-out restart: operations a previous server process left on a queue (metadata.queue) are
   * handed back to the host, which still holds their jobs or their results in Redis; it reports
   * their progress and outcome as for a fresh start, or fails the ones Redis no longer has. Runs
   * before recoverInterrupted, which then leaves them alone. Returns how many were taken back.
   */
  reattachJobs(): number {
    const host = this.o.host;
    if (!host.reattach) return 0;
    let n = 0;
    for (const row of this.o.repo.activeRows()) {
      if (isParentType(row.operation_type) || this.live.has(row.operation_id)) continue;
      const info = this.o.repo.get(row.operation_id);
      if (!info || typeof info.metadata.queue !== 'string') continue;
      const op = this.liveEntry(info, this.o.repo.params(row.operation_id) ?? {});
      op.history = [...((info.metrics[metricsKey(info.operation_type)] as MetricRecord[] | undefined) ?? [])];
      op.visibleMetrics = op.history.length;
      this.live.set(info.operation_id, op);
      this.running++;
      const id = info.operation_id;
      op.handle = host.reattach(
        { operationId: id, jobType: info.operation_type, attempt: typeof info.metadata.attempt === 'number' ? info.metadata.attempt : null, metricsSeen: op.history.length, warnings: [...info.warnings] },
        { onMessage: (m) => this.onWorkerMessage(id, m), onExit: (code, signal) => this.onWorkerExit(id, code, signal) },
      );
      n++;
    }
    return n;
  }

  /** Whether this server process holds the operation (running, queued, taken back after a restart); a cancelled job may still be stopping. */
  isLive(id: string): boolean {
    return this.live.has(id);
  }

  /** The job host's view of its own health (scale-out: Redis and workers); null for the embedded host. */
  hostHealth(): HostHealth | null {
    return this.o.host.health?.() ?? null;
  }

  /** Operations pending or running now (experiments' own rows excluded: they run no job). */
  activeJobs(): number {
    let n = 0;
    for (const op of this.live.values()) if (!op.controller && !isTerminal(op.info.status)) n++;
    return n;
  }

  /** Refuses a client's start when the host cannot take jobs (503) or the admission limit is reached (429). */
  private admit(req: StartOperationRequest): void {
    if (this.closed) throw new HttpError(503, 'Server is shutting down');
    // Children of an admitted experiment are bounded by its max_parallel and fail as operations instead.
    if (req.parent_id) return;
    const refusal = this.o.host.refuseStart?.();
    if (refusal) throw new HttpError(503, refusal, { reason: 'job_host_unavailable' }, { 'retry-after': String(RETRY_AFTER_S) });
    const limit = this.o.maxActive ?? Number.POSITIVE_INFINITY;
    const active = this.activeJobs();
    if (active >= limit)
      throw new HttpError(
        429,
        `Too many operations: ${active} are pending or running and this server admits ${limit} at once (KTRDR_MAX_ACTIVE_OPERATIONS); retry when one has finished`,
        { reason: 'admission_limit', active, limit },
        { 'retry-after': String(RETRY_AFTER_S) },
      );
  }

  start(req: StartOperationRequest): OperationInfo {
    this.admit(req);
    const createdAt = nowIso();
    const id = newOperationId(req.type);
    const metadata: OperationMetadata = {
      symbol: null,
      timeframe: null,
      start_date: null,
      end_date: null,
      ...req.metadata,
      parameters: { ...(req.metadata?.parameters ?? {}) },
    };
    // Tag what a client kind started (X-KTRDR-Client, e.g. "mcp"), so the UI can show it.
    const client = currentClient();
    if (client && metadata.started_by === undefined) metadata.started_by = client;
    const progress = { ...emptyProgress(), message: 'Queued', current_step: 'Queued' };
    if (isParentType(req.type)) throw new Error(`${req.type} operations are started with startParent`);
    const info: OperationInfo = {
      operation_id: id,
      operation_type: req.type,
      parent_id: req.parent_id ?? null,
      status: 'pending',
      created_at: createdAt,
      started_at: null,
      completed_at: null,
      updated_at: createdAt,
      progress,
      metadata,
      error_message: null,
      warnings: [...(req.warnings ?? [])],
      errors: [],
      result_summary: null,
      metrics: { [metricsKey(req.type)]: [], count: 0 },
    };
    this.o.repo.insert(info, req.params ?? {});
    this.live.set(id, this.liveEntry(info, req.params ?? {}));
    this.o.log.info({ operation_id: id }, `Created operation ${id} (type=${req.type})`);
    if (this.running < this.o.maxWorkers) this.launch(id);
    else this.queue.push(id);
    return structuredClone(this.live.get(id)!.info);
  }

  /** Starts a new operation with the same type, parameters and metadata as a failed or cancelled one. */
  retry(id: string): OperationInfo {
    const row = this.o.repo.getRow(id);
    if (!row) throw new HttpError(404, `Operation not found: ${id}`);
    if (row.status !== 'failed' && row.status !== 'cancelled') throw new HttpError(400, `Operation ${id} cannot be retried (status: ${row.status})`);
    const params = this.o.repo.params(id);
    if (!params) throw new HttpError(409, `Operation ${id} was created before job parameters were stored; start it again instead`);
    const metadata = JSON.parse(row.metadata_json) as OperationMetadata;
    return this.start({ type: row.operation_type, params, metadata: { ...metadata, retry_of: id } });
  }

  /**
   * Runs a failed or cancelled job again under its own id with `params` (a training resumed from a
   * checkpoint: the caller checked the checkpoint and added `resume_from`). Metrics up to
   * `keepMetrics` stay; the resumed job reports the rest. 409 unless failed or cancelled.
   */
  resumeJob(id: string, params: Record<string, unknown>, opts: { keepMetrics: number; metadata?: Record<string, unknown> }): OperationInfo {
    const row = this.o.repo.getRow(id);
    if (!row) throw new HttpError(404, `Operation not found: ${id}`);
    if (isParentType(row.operation_type)) throw new HttpError(400, `Operation ${id} is an experiment: experiments resume through their scheduler`);
    // A resumed job takes a worker like a new one: the same 503/429 admission as a start.
    this.admit({ type: row.operation_type as StartOperationRequest['type'], parent_id: row.parent_id ?? undefined });
    // A cancelled job's worker may still be writing its cancellation checkpoint: wait for it to exit.
    if (this.live.has(id)) throw new HttpError(409, isTerminal(row.status) ? `Operation ${id} is still stopping (its worker has not exited yet); try again in a moment` : `Operation ${id} is ${row.status}: only failed or cancelled operations can be resumed`);
    if (!this.o.repo.reopenForResume(id, nowIso(), opts.keepMetrics)) {
      const status = this.o.repo.getRow(id)?.status ?? row.status;
      throw new HttpError(409, `Operation ${id} cannot be resumed (status: ${status}): only failed or cancelled operations can`);
    }
    this.terminalJson.delete(id);
    const info = this.o.repo.get(id)!;
    // A resumed job is a new run on the host: a scale-out queue counts its attempts from 1 again.
    delete info.metadata.attempt;
    info.metadata = { ...info.metadata, ...opts.metadata };
    this.o.repo.saveMetadata(id, info.metadata);
    info.progress = { ...info.progress, message: 'Resuming', current_step: 'Resuming' };
    const entry = this.liveEntry(info, params);
    entry.history = [...(info.metrics[metricsKey(info.operation_type)] as MetricRecord[])];
    entry.visibleMetrics = entry.history.length;
    this.live.set(id, entry);
    this.o.log.info({ operation_id: id }, `Resuming operation ${id} (${entry.history.length} metrics kept)`);
    if (this.running < this.o.maxWorkers) this.launch(id);
    else this.queue.push(id);
    return structuredClone(this.live.get(id)!.info);
  }

  /** The job parameters an operation was started with (null for operations from before they were kept). */
  params(id: string): Record<string, unknown> | null {
    return this.o.repo.params(id);
  }

  /** The configured worker limit (an experiment's default max_parallel). */
  get maxWorkers(): number {
    return this.o.maxWorkers;
  }

  /** Creates a parent operation (walk_forward, sweep): running at once, no worker; `controller` drives it. */
  startParent(req: StartOperationRequest, controller: ParentController): OperationInfo {
    this.admit(req);
    if (!isParentType(req.type)) throw new Error(`${req.type} is not a parent operation type`);
    const at = nowIso();
    const id = newOperationId(req.type);
    const progress = { ...emptyProgress(), message: 'Planning', current_step: 'Planning' };
    const info: OperationInfo = {
      operation_id: id,
      operation_type: req.type,
      parent_id: null,
      status: 'running',
      created_at: at,
      started_at: at,
      completed_at: null,
      updated_at: at,
      progress,
      metadata: { symbol: null, timeframe: null, start_date: null, end_date: null, ...req.metadata, parameters: { ...(req.metadata?.parameters ?? {}) } },
      error_message: null,
      warnings: [],
      errors: [],
      result_summary: null,
      metrics: { history: [], count: 0 },
    };
    this.o.repo.insert(info);
    this.attachParentOp(info, controller);
    this.o.log.info({ operation_id: id }, `Created experiment ${id} (type=${req.type})`);
    return structuredClone(info);
  }

  /**
   * Takes a stored parent back under a controller after a restart (status `running`) or a resume
   * (a `failed` one is reopened first). Returns the operation as now running.
   */
  attachParent(id: string, controller: ParentController): OperationInfo {
    if (this.live.has(id)) throw new HttpError(409, `Operation ${id} is already running`);
    const row = this.o.repo.getRow(id);
    if (!row) throw new HttpError(404, `Operation not found: ${id}`);
    if (!isParentType(row.operation_type)) throw new HttpError(400, `Operation ${id} is a ${row.operation_type}, not an experiment`);
    if (row.status === 'failed') this.o.repo.reopen(id, nowIso());
    else if (row.status !== 'running' && row.status !== 'pending') throw new HttpError(400, `Operation ${id} cannot be resumed (status: ${row.status})`);
    this.terminalJson.delete(id);
    const info = this.o.repo.get(id)!;
    this.attachParentOp(info, controller);
    return structuredClone(info);
  }

  /** A fresh in-memory record: no worker yet, nothing received, the stored progress as the mirror. */
  private liveEntry(info: OperationInfo, params: Record<string, unknown>, controller?: ParentController): LiveOperation {
    const now = this.clock();
    return { info, params, mirror: { ...info.progress }, history: [], visibleMetrics: 0, lastRefresh: now, lastPersist: now, handle: null, json: null, outcome: null, killTimer: null, controller };
  }

  private attachParentOp(info: OperationInfo, controller: ParentController): void {
    this.live.set(info.operation_id, this.liveEntry(info, {}, controller));
  }

  /** A parent's aggregated progress (its children's), persisted and visible at once. */
  updateParent(id: string, progress: Partial<OperationProgress>, extraMetadata?: Record<string, unknown>): void {
    const op = this.live.get(id);
    if (!op?.controller || op.info.status !== 'running') return;
    op.mirror = { ...op.mirror, ...progress };
    op.info.progress = { ...op.mirror };
    op.info.updated_at = nowIso();
    if (extraMetadata) op.info.metadata = { ...op.info.metadata, ...extraMetadata };
    op.json = null;
    this.o.repo.saveProgress(id, op.info.progress, op.info.updated_at);
  }

  /** Adds warnings to a running parent (a child's degenerate split, …); each one once. */
  warnParent(id: string, warnings: string[]): void {
    const op = this.live.get(id);
    if (!op?.controller) return;
    const fresh = warnings.filter((w) => !op.info.warnings.includes(w));
    if (!fresh.length) return;
    op.info.warnings.push(...fresh);
    op.json = null;
    this.o.repo.saveWarnings(id, op.info.warnings, nowIso());
  }

  /** Ends a parent: completed with its aggregated results, or failed with a reason. */
  finishParent(id: string, end: { status: 'completed'; results: Record<string, unknown>; summary: Record<string, unknown> } | { status: 'failed'; message: string }): void {
    const op = this.live.get(id);
    if (!op?.controller) return;
    const at = nowIso();
    if (op.info.status === 'running') {
      if (end.status === 'completed') {
        this.o.repo.finish(id, { status: 'completed', at, progress: { ...op.info.progress, percentage: 100 }, result_summary: end.summary, results: end.results });
      } else {
        this.o.repo.finish(id, { status: 'failed', at, progress: op.info.progress, error_message: end.message });
      }
      this.o.log.info({ operation_id: id }, `Experiment ${id} ${end.status}`);
    } else if (end.status === 'completed') {
      // Cancelled meanwhile: keep what was gathered, the status stays cancelled.
      this.o.repo.attachSummary(id, end.summary);
    }
    this.live.delete(id);
    this.terminalJson.delete(id);
    this.notifyTerminal(id);
  }

  get(id: string): OperationInfo {
    const op = this.live.get(id);
    if (!op) {
      const stored = this.o.repo.get(id);
      if (!stored) throw new HttpError(404, `Operation not found: ${id}`);
      return stored;
    }
    if (op.info.status === 'running') this.refreshIfStale(op);
    return structuredClone(op.info);
  }

  /**
   * The `{success:true, data}` answer of GET /operations/{id} as JSON text. Terminal operations are
   * immutable, so their text is cached too.
   */
  getJson(id: string): string {
    const op = this.live.get(id);
    if (op) {
      if (op.info.status === 'running') this.refreshIfStale(op);
      return (op.json ??= JSON.stringify({ success: true, data: op.info }));
    }
    const cached = this.terminalJson.get(id);
    if (cached !== undefined) return cached;
    const stored = this.o.repo.get(id);
    if (!stored) throw new HttpError(404, `Operation not found: ${id}`);
    const json = JSON.stringify({ success: true, data: stored });
    if (this.terminalJson.size >= TERMINAL_JSON_CACHE) this.terminalJson.delete(this.terminalJson.keys().next().value!);
    this.terminalJson.set(id, json);
    return json;
  }

  list(filter: ListFilter) {
    // Running operations the caller will see: bring their cached copies up to the TTL, as get() does.
    for (const op of this.live.values()) if (op.info.status === 'running') this.refreshIfStale(op);
    return this.o.repo.list(filter);
  }

  summaryOf(id: string) {
    return toSummary(this.get(id));
  }

  metrics(id: string, cursor: number) {
    const op = this.live.get(id);
    if (op) {
      if (op.info.status === 'running') this.refreshIfStale(op);
      const visible = op.visibleMetrics;
      const items = cursor < visible ? op.history.slice(cursor, visible) : [];
      this.o.log.debug({ operation_id: id }, `Metrics for ${id}: cursor ${cursor} → ${visible} (${items.length} new)`);
      return { operation_type: op.info.operation_type, metrics: structuredClone(items), new_cursor: visible, attempt: attemptOf(op.info.metadata) };
    }
    const row = this.o.repo.getRow(id);
    if (!row) throw new HttpError(404, `Operation not found: ${id}`);
    const total = this.o.repo.metricCount(id);
    return { operation_type: row.operation_type, metrics: cursor < total ? this.o.repo.metrics(id, cursor) : [], new_cursor: total, attempt: attemptOf(JSON.parse(row.metadata_json) as OperationMetadata) };
  }

  results(id: string) {
    const info = this.get(id);
    if (!isTerminal(info.status)) throw new HttpError(400, `Operation not finished (status: ${info.status})`);
    return {
      operation_type: info.operation_type,
      status: info.status,
      results: this.o.repo.results(id) ?? info.result_summary ?? {},
    };
  }

  cancel(id: string, reason?: string | null) {
    const op = this.live.get(id);
    if (!op || isTerminal(op.info.status)) {
      const row = op ? undefined : this.o.repo.getRow(id);
      if (!op && !row) throw new HttpError(404, `Operation not found: ${id}`);
      const status = op ? op.info.status : row!.status;
      throw new HttpError(400, `Operation ${id} cannot be cancelled (status: ${status})`);
    }
    const why = reason?.trim() || 'Operation cancelled by user';
    if (op.info.status === 'running') this.refresh(op, 'cancel');
    const at = nowIso();
    this.o.repo.finish(id, { status: 'cancelled', at, progress: op.info.progress, error_message: why, cancel_reason: why });
    Object.assign(op.info, { status: 'cancelled', completed_at: at, updated_at: at, error_message: why });
    op.json = null;
    this.o.log.info({ operation_id: id }, `Cancelled operation ${id}: ${why}`);
    this.notifyTerminal(id);
    if (op.controller) {
      this.live.delete(id);
      op.controller.onCancel(why);
      return { success: true, operation_id: id, status: 'cancelled' as const, cancelled_at: at, cancellation_reason: why, task_cancelled: true };
    }
    const queued = this.queue.indexOf(id);
    if (queued >= 0) {
      this.queue.splice(queued, 1);
      this.live.delete(id);
    } else if (op.handle) {
      op.handle.send({ type: 'cancel', reason: why });
      op.killTimer = setTimeout(() => {
        this.o.log.warn({ operation_id: id }, `Worker for ${id} did not stop within ${this.o.cancelGraceMs} ms; killing it`);
        op.handle?.kill();
      }, this.o.cancelGraceMs);
      op.killTimer.unref();
    }
    return { success: true, operation_id: id, status: 'cancelled' as const, cancelled_at: at, cancellation_reason: why, task_cancelled: true };
  }

  /** Resolves once the operation has reached a terminal status (tests, CLI follow, shutdown). */
  waitForTerminal(id: string): Promise<void> {
    const op = this.live.get(id);
    if (!op || isTerminal(op.info.status)) return Promise.resolve();
    return new Promise((resolve) => {
      const list = this.terminalWaiters.get(id) ?? [];
      list.push(resolve);
      this.terminalWaiters.set(id, list);
    });
  }

  activeWorkers(): number {
    return this.o.host.liveCount();
  }

  /** Who runs jobs: the host's own list, or this server's local worker pool. */
  workers(): WorkerDescription[] {
    if (this.o.host.describeWorkers) return this.o.host.describeWorkers();
    return [
      {
        worker_id: `${hostname()}:${process.pid}`,
        host: hostname(),
        pid: process.pid,
        kind: 'embedded',
        concurrency: this.o.maxWorkers,
        running: this.running,
        last_seen: nowIso(),
      },
    ];
  }

  /**
   * Stops every worker; operations still running end `failed` (the job could not finish). A running
   * training is first asked to stop, which writes its `shutdown` checkpoint (resumable after the next
   * start); it is killed if it has not exited within SHUTDOWN_CHECKPOINT_MS. A host whose jobs
   * outlive the server (scale-out) keeps them: they stay `pending`/`running` in the store and the
   * next start takes them back (reattachJobs).
   */
  async shutdown(): Promise<void> {
    this.closed = true;
    const exits: Promise<void>[] = [];
    const keepJobs = this.o.host.jobsOutliveServer === true;
    const stopping: LiveOperation[] = [];
    for (const [id, op] of this.live) {
      if (op.controller) {
        // Experiments stay `running` in the store: the next start resumes them.
        this.notifyTerminal(id);
        continue;
      }
      if (keepJobs && op.handle && !isTerminal(op.info.status)) {
        this.o.repo.saveProgress(id, op.mirror, nowIso());
        this.o.log.info({ operation_id: id }, `Leaving ${id} to its worker; the next server start takes it back`);
        this.notifyTerminal(id);
        continue;
      }
      const running = op.info.status === 'running';
      if (!isTerminal(op.info.status)) {
        const message = `Interrupted: the server was stopped while the operation was running${op.info.operation_type === 'training' && running ? `; a training saves a checkpoint as it stops: POST /operations/${id}/resume continues from it` : ''}`;
        this.o.repo.finish(id, { status: 'failed', at: nowIso(), progress: op.mirror, error_message: message });
        op.info.status = 'failed';
        op.json = null;
        this.notifyTerminal(id);
      }
      if (op.handle) {
        exits.push(new Promise((resolve) => this.onReaped.set(id, resolve)));
        if (running && op.info.operation_type === 'training') {
          op.handle.send({ type: 'cancel', reason: 'The server is shutting down', shutdown: true });
          stopping.push(op);
        } else op.handle.kill();
      }
    }
    this.queue.length = 0;
    const all = Promise.all(exits);
    const within = (ms: number) => Promise.race([all, new Promise((r) => setTimeout(r, ms).unref())]);
    if (stopping.length) await within(SHUTDOWN_CHECKPOINT_MS);
    for (const op of stopping) op.handle?.kill();
    await within(5000);
  }

  private readonly onReaped = new Map<string, () => void>();

  private launch(id: string): void {
    const op = this.live.get(id)!;
    this.running++;
    const at = nowIso();
    op.handle = this.o.host.start(
      { operationId: id, jobType: op.info.operation_type, params: op.params, home: this.o.home, logLevel: this.o.logLevel },
      { onMessage: (m) => this.onWorkerMessage(id, m), onExit: (code, signal) => this.onWorkerExit(id, code, signal) },
    );
    // Which machine and process runs it; scale-out hosts report theirs with a 'worker' message.
    if (op.handle.pid !== undefined) op.info.metadata.worker = `${hostname()}:${op.handle.pid}`;
    if (op.handle.queue) {
      // On a queue until a worker takes it: pending, saying where it waits (the 'worker' message starts it).
      op.info.metadata.queue = op.handle.queue;
      op.mirror = { ...op.mirror, message: `Waiting for a worker on queue ${op.handle.queue}`, current_step: 'Queued' };
      op.info.progress = { ...op.mirror };
      op.info.updated_at = at;
      op.json = null;
      this.o.repo.saveMetadata(id, op.info.metadata);
      this.o.repo.saveProgress(id, op.info.progress, at);
      this.o.log.info({ operation_id: id }, `Operation ${id} queued on ${op.handle.queue}, waiting for a worker`);
      return;
    }
    this.markRunning(op, at);
  }

  private markRunning(op: LiveOperation, at: string): void {
    const id = op.info.operation_id;
    op.info.status = 'running';
    op.info.started_at = at;
    op.info.updated_at = at;
    op.mirror = { ...op.mirror, message: 'Starting', current_step: 'Starting' };
    op.info.progress = { ...op.mirror };
    op.json = null;
    this.o.repo.markStarted(id, at, op.handle?.pid ?? null);
    if (op.info.metadata.worker) this.o.repo.saveMetadata(id, op.info.metadata);
    this.o.log.info({ operation_id: id, pid: op.handle?.pid }, `Registered ${op.handle?.queue ? `worker ${String(op.info.metadata.worker)}` : 'local bridge'} for operation ${id} (worker pid ${op.handle?.pid ?? 'remote'})`);
  }

  private onWorkerMessage(id: string, m: WorkerToMain): void {
    const op = this.live.get(id);
    if (!op) return;
    if (m.type === 'worker') {
      op.info.metadata.worker = m.worker;
      if (m.attempt !== undefined) op.info.metadata.attempt = m.attempt;
      op.json = null;
      // A queued job's first worker: it has started.
      if (op.info.status === 'pending' && op.handle?.queue) this.markRunning(op, nowIso());
      else this.o.repo.saveMetadata(id, op.info.metadata);
      return;
    }
    if (m.type === 'restart') {
      this.restartHistory(op, m);
      return;
    }
    if (m.type !== 'snapshot') {
      if (m.type === 'result') op.outcome = { kind: 'result', results: m.results, summary: m.summary };
      else if (m.type === 'cancelled') op.outcome = { kind: 'cancelled', summary: m.summary };
      else op.outcome = { kind: 'error', message: m.message };
      if (m.type === 'error' && m.detail) this.o.log.error({ operation_id: id }, m.detail);
      return;
    }
    if (op.info.status !== 'running') return; // cancelled: progress stays frozen where it was
    op.mirror = { ...m.progress, percentage: Math.max(op.mirror.percentage, m.progress.percentage) };
    if (m.metrics.length) {
      // The worker numbers its metrics; a gap or overlap would mean a lost or repeated message.
      const from = m.metricsFrom;
      for (let i = 0; i < m.metrics.length; i++) op.history[from + i] = m.metrics[i];
      this.o.repo.appendMetrics(id, from, m.metrics);
    }
    const t = this.clock();
    if (m.warnings.length) {
      op.info.warnings.push(...m.warnings);
      op.json = null;
      this.o.repo.saveWarnings(id, op.info.warnings, nowIso());
    }
    if (t - op.lastPersist >= PROGRESS_PERSIST_MS) {
      op.lastPersist = t;
      this.o.repo.saveProgress(id, op.mirror, nowIso());
    }
  }

  /**
   * A new attempt of the job replaces the lost one: its metrics replace the history from index
   * `keep` on (the epochs of the checkpoint it resumed from stay; clients see `metadata.attempt`
   * change and the cursor go back to `keep`), progress may go down again, and why is a warning.
   * `metadata.resumed_from` says which checkpoint the attempt continues from (absent: epoch 1).
   */
  private restartHistory(op: LiveOperation, m: Extract<WorkerToMain, { type: 'restart' }>): void {
    const id = op.info.operation_id;
    const attempt = m.attempt;
    const keep = Math.max(0, Math.min(m.keep ?? 0, op.history.length));
    op.history.length = keep;
    op.visibleMetrics = Math.min(op.visibleMetrics, keep);
    op.info.metrics = { [metricsKey(op.info.operation_type)]: op.history.slice(0, op.visibleMetrics), count: op.visibleMetrics };
    this.o.repo.truncateMetrics(id, keep);
    const from = m.resumed_from ?? null;
    const step = from ? `Attempt ${attempt} resuming from epoch ${from.epoch}` : `Attempt ${attempt} restarting`;
    op.mirror = { ...op.mirror, percentage: 0, message: step, current_step: step };
    op.info.progress = { ...op.mirror };
    op.info.metadata.attempt = attempt;
    if (from) op.info.metadata.resumed_from = { ...from, at: nowIso(), attempt };
    else delete op.info.metadata.resumed_from;
    op.info.warnings.push(m.reason);
    op.info.updated_at = nowIso();
    op.json = null;
    this.o.repo.saveMetadata(id, op.info.metadata);
    this.o.repo.saveWarnings(id, op.info.warnings, op.info.updated_at);
    this.o.repo.saveProgress(id, op.info.progress, op.info.updated_at);
  }

  private onWorkerExit(id: string, code: number | null, signal: string | null): void {
    this.running--;
    const op = this.live.get(id);
    if (op) {
      if (op.killTimer) clearTimeout(op.killTimer);
      if (!isTerminal(op.info.status)) this.finishFromOutcome(id, op, code, signal);
      else if (op.outcome?.kind === 'cancelled' || op.outcome?.kind === 'result') this.o.repo.attachSummary(id, op.outcome.summary);
      // An experiment reruns its trainings from scratch: a child's checkpoints would only take space.
      if (op.info.parent_id && op.info.operation_type === 'training') deleteCheckpoints(this.o.home, id);
      this.live.delete(id);
      this.terminalJson.delete(id);
    }
    this.onReaped.get(id)?.();
    this.onReaped.delete(id);
    this.o.log.debug({ operation_id: id, code, signal }, `Worker for ${id} exited`);
    while (this.running < this.o.maxWorkers && this.queue.length && !this.closed) this.launch(this.queue.shift()!);
  }

  private finishFromOutcome(id: string, op: LiveOperation, code: number | null, signal: string | null): void {
    this.refresh(op, 'final');
    const at = nowIso();
    const outcome = op.outcome;
    if (outcome?.kind === 'result') {
      const progress = { ...op.info.progress, percentage: 100 };
      this.o.repo.finish(id, { status: 'completed', at, progress, result_summary: outcome.summary, results: outcome.results });
      this.o.log.info({ operation_id: id }, `Operation ${id} completed`);
    } else if (outcome?.kind === 'cancelled') {
      this.o.repo.finish(id, { status: 'cancelled', at, progress: op.info.progress, result_summary: outcome.summary, error_message: 'Cancelled by the job' });
    } else {
      const message =
        outcome?.kind === 'error'
          ? outcome.message
          : `Worker process exited unexpectedly (${signal ? `signal ${signal}` : `exit code ${code}`}) before finishing`;
      this.o.repo.finish(id, { status: 'failed', at, progress: op.info.progress, error_message: message });
      this.o.log.warn({ operation_id: id }, `Operation ${id} failed: ${message}`);
    }
    this.notifyTerminal(id);
  }

  private refreshIfStale(op: LiveOperation): void {
    const age = this.clock() - op.lastRefresh;
    const id = op.info.operation_id;
    if (age < this.o.cacheTtlMs) {
      this.o.log.debug({ operation_id: id }, `Cache hit for operation ${id} (age=${(age / 1000).toFixed(2)}s)`);
      return;
    }
    this.o.log.debug({ operation_id: id }, `Cache miss for operation ${id} (age=${(age / 1000).toFixed(2)}s) - refreshing`);
    this.refresh(op, 'ttl');
  }

  /** Copies the mirror into the cached operation that clients see, and persists progress. */
  private refresh(op: LiveOperation, why: 'ttl' | 'final' | 'cancel'): void {
    const id = op.info.operation_id;
    const before = op.visibleMetrics;
    op.visibleMetrics = op.history.length;
    op.info.progress = { ...op.mirror, context: { ...op.mirror.context } };
    op.info.metrics = { [metricsKey(op.info.operation_type)]: op.history.slice(0, op.visibleMetrics), count: op.visibleMetrics };
    op.info.updated_at = nowIso();
    op.lastRefresh = this.clock();
    op.json = null;
    this.o.repo.saveProgress(id, op.info.progress, op.info.updated_at);
    this.o.log.debug({ operation_id: id }, `Refreshed operation ${id} from bridge (${why}; cursor ${before} → ${op.visibleMetrics})`);
  }

  private notifyTerminal(id: string): void {
    const waiters = this.terminalWaiters.get(id);
    this.terminalWaiters.delete(id);
    waiters?.forEach((w) => w());
  }
}
