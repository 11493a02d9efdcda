// The experiment scheduler: a small loop in main that decides, from persisted state, which child to
// start next for each running experiment (walk_forward, sweep). Children are ordinary trainings and
// backtests started through the operations service (same job host, bridge, cache and REST contract);
// each child's outcome is written once to experiment_slots. Parents are resumed after a restart.
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ZodError } from 'zod';
import { isParentType, type OperationInfo, type OperationMetadata, type OperationType } from '../../shared/operations';
import { ResultContractError } from '../../shared/results/common';
import { HttpError } from '../api/errors';
import type { Logger } from '../logger';
import type { OperationsRepository } from '../operations/repository';
import type { OperationsService } from '../operations/service';
import { ExperimentSlots, type SlotStatus } from './slot-store';
import type { ExperimentKind, KindContext } from './types';

interface ActiveExperiment {
  id: string;
  type: OperationType;
  kind: ExperimentKind;
  request: Record<string, unknown>;
  maxParallel: number;
  running: Map<string, string>;
  cancelled: boolean;
}

const PROGRESS_EVERY_MS = 1000;

/** The kind built results its schema refuses (a bug in the kind, never the user's input). */
export class ResultSchemaError extends Error {}

export class ExperimentScheduler {
  private readonly active = new Map<string, ActiveExperiment>();
  private closed = false;
  private readonly timer: NodeJS.Timeout;
  readonly slots: ExperimentSlots;

  constructor(
    private readonly o: {
      operations: OperationsService;
      repo: OperationsRepository;
      slots: ExperimentSlots;
      kinds: Record<'walk_forward' | 'sweep', ExperimentKind>;
      home: string;
      log: Logger;
    },
  ) {
    this.slots = o.slots;
    // Live parent progress (children's percentages) between child events.
    this.timer = setInterval(() => this.active.forEach((e) => this.updateProgress(e)), PROGRESS_EVERY_MS);
    this.timer.unref();
  }

  /** Where an experiment keeps its files (frozen strategy texts per fold/trial). */
  dir(parentId: string): string {
    return join(this.o.home, 'experiments', parentId);
  }

  writeFile(parentId: string, name: string, text: string): string {
    const dir = this.dir(parentId);
    mkdirSync(dir, { recursive: true });
    const path = join(dir, name);
    if (!existsSync(path)) writeFileSync(path, text);
    return path;
  }

  /** Starts a new experiment; `init` writes its plan slots before the first child starts. */
  start(type: 'walk_forward' | 'sweep', metadata: Partial<OperationMetadata>, maxParallel: number, init: (parentId: string) => void): OperationInfo {
    const info = this.o.operations.startParent({ type, metadata }, { onCancel: (why) => this.onParentCancelled(info.operation_id, why) });
    try {
      init(info.operation_id);
    } catch (err) {
      this.o.operations.finishParent(info.operation_id, { status: 'failed', message: (err as Error).message });
      throw err;
    }
    this.activate(info.operation_id, type, metadata.parameters ?? {}, maxParallel);
    return this.o.operations.get(info.operation_id);
  }

  /** After a restart: every experiment left running is taken back; its interrupted children rerun. */
  resumeAll(): number {
    let n = 0;
    for (const row of this.o.repo.activeRows()) {
      if (!isParentType(row.operation_type)) continue;
      try {
        this.resume(row.operation_id);
        n++;
      } catch (err) {
        this.o.log.error({ operation_id: row.operation_id, err }, `Could not resume experiment ${row.operation_id}`);
      }
    }
    return n;
  }

  /** Resumes one experiment (running after a restart, or failed): finished children are kept. */
  resume(id: string): OperationInfo {
    if (this.active.has(id)) throw new HttpError(409, `Experiment ${id} is already running`);
    const row = this.o.repo.getRow(id);
    if (!row) throw new HttpError(404, `Operation not found: ${id}`);
    if (!isParentType(row.operation_type)) throw new HttpError(409, `Operation ${id} is a ${row.operation_type}: only experiments (walk_forward, sweep) can be resumed here; use retry to run it again`);
    if (row.status !== 'running' && row.status !== 'pending' && row.status !== 'failed') throw new HttpError(409, `Operation ${id} cannot be resumed (status: ${row.status})`);
    // Children still marked active belonged to a dead server (or a stopped run): they end failed and their slot reruns.
    // Those the job host took back (scale-out: still on a worker) keep running and count as running.
    const adopted: Array<{ slot: string; childId: string }> = [];
    for (const child of this.o.repo.children(id)) {
      if (child.status === 'pending' || child.status === 'running') {
        const slot = child.metadata.experiment_slot;
        if (this.o.operations.isLive(child.operation_id) && typeof slot === 'string') {
          adopted.push({ slot, childId: child.operation_id });
          continue;
        }
        this.o.repo.finish(child.operation_id, { status: 'failed', at: new Date().toISOString(), progress: child.progress, error_message: 'Interrupted: the server stopped; the experiment reruns this step' });
      }
    }
    const info = this.o.operations.attachParent(id, { onCancel: (why) => this.onParentCancelled(id, why) });
    const type = row.operation_type as 'walk_forward' | 'sweep';
    const request = info.metadata.parameters ?? {};
    this.recoverFinishedChildren(id, type);
    this.activate(id, type, request, Number(request.max_parallel) || this.o.operations.maxWorkers, adopted);
    this.o.log.info({ operation_id: id }, `Resumed experiment ${id}${adopted.length ? ` (${adopted.length} child(ren) still running on workers)` : ''}`);
    return this.o.operations.get(id);
  }

  /** A new operation with the same parameters: a new experiment (same plan, fresh children) or the same job. */
  retry(id: string): OperationInfo {
    const row = this.o.repo.getRow(id);
    if (!row) throw new HttpError(404, `Operation not found: ${id}`);
    if (!isParentType(row.operation_type)) return this.o.operations.retry(id);
    if (row.status !== 'failed' && row.status !== 'cancelled') throw new HttpError(400, `Operation ${id} cannot be retried (status: ${row.status})`);
    const type = row.operation_type as 'walk_forward' | 'sweep';
    const old = this.o.repo.get(id)!;
    const stored = this.o.slots.get(id, '_plan')?.data;
    // Both kinds' plans carry the frozen strategy text; the copy gets its own file.
    const plan = stored && typeof stored === 'object' && 'strategy_yaml' in stored && typeof stored.strategy_yaml === 'string' ? { ...stored, strategy_yaml: stored.strategy_yaml } : null;
    if (!plan) throw new HttpError(409, `Experiment ${id} has no stored plan to retry`);
    const request: Record<string, unknown> = { ...old.metadata.parameters, model_name: `${String(old.metadata.parameters.strategy_name).replace(/[^A-Za-z0-9_-]/g, '_')}-${type === 'sweep' ? 'sweep' : 'wf'}-${randomBytes(4).toString('hex')}` };
    return this.start(type, { ...old.metadata, retry_of: id, parameters: request }, Number(request.max_parallel) || this.o.operations.maxWorkers, (nid) => {
      this.o.slots.record(nid, '_plan', null, 'data', { ...plan, strategy_path: this.writeFile(nid, 'strategy.yaml', plan.strategy_yaml) });
    });
  }

  /** Stops scheduling (server shutdown): running experiments stay `running` in the store. */
  stop(): void {
    this.closed = true;
    clearInterval(this.timer);
  }

  /** The kind's view of an experiment's results so far (running or finished). */
  liveResults(id: string): Record<string, unknown> | null {
    const row = this.o.repo.getRow(id);
    if (!row || !isParentType(row.operation_type)) return null;
    const e = this.active.get(id);
    const info = this.o.repo.get(id)!;
    const ctx = this.context(e ?? { id, type: row.operation_type, kind: this.o.kinds[row.operation_type as 'sweep'], request: info.metadata.parameters ?? {}, maxParallel: 0, running: new Map(), cancelled: false });
    // Results only change when a slot is recorded or a child starts: reuse them between (UIs poll every second).
    const key = `${row.status}|${ctx.ctx.slots.size}|${[...ctx.ctx.running.values()].join(',')}`;
    const hit = this.resultsCache.get(id);
    if (hit?.key === key) return hit.results;
    let built: Record<string, unknown>;
    try {
      built = ctx.kind.results(ctx.ctx);
    } catch (err) {
      // A plan this version cannot read (an experiment from an older version): no live results.
      this.o.log.warn({ operation_id: id }, `Experiment ${id}: no live results (${(err as Error).message})`);
      return null;
    }
    const results = this.validated(ctx.kind, built, id);
    if (this.resultsCache.size > 50) this.resultsCache.clear();
    this.resultsCache.set(id, { key, results });
    return results;
  }

  private readonly resultsCache = new Map<string, { key: string; results: Record<string, unknown> }>();

  /**
   * Results as their schema (src/shared/results) says: what readers get is what they parse. A
   * mismatch is a bug here; it is logged, and the final results are not stored (the parent fails).
   */
  private validated(kind: ExperimentKind, results: Record<string, unknown>, id: string): Record<string, unknown> {
    try {
      return kind.validate(results) as Record<string, unknown>;
    } catch (err) {
      const where = err instanceof ResultContractError ? err.problems.slice(0, 3).join('; ') : err instanceof ZodError ? err.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).slice(0, 3).join('; ') : (err as Error).message;
      this.o.log.error({ operation_id: id }, `Experiment ${id}: results do not match their schema (${where})`);
      throw new ResultSchemaError(`results do not match their schema (${where})`);
    }
  }

  private activate(id: string, type: 'walk_forward' | 'sweep', request: Record<string, unknown>, maxParallel: number, adopted: Array<{ slot: string; childId: string }> = []): void {
    const e: ActiveExperiment = { id, type, kind: this.o.kinds[type], request, maxParallel: Math.max(1, maxParallel), running: new Map(), cancelled: false };
    this.active.set(id, e);
    for (const { slot, childId } of adopted) {
      e.running.set(slot, childId);
      void this.o.operations.waitForTerminal(childId).then(() => this.onChildTerminal(e, slot, childId));
    }
    this.pump(e);
  }

  /** A child that completed but whose slot was not written (crash between the two) is recorded from its results. */
  private recoverFinishedChildren(id: string, type: 'walk_forward' | 'sweep'): void {
    const slots = this.o.slots.all(id);
    for (const child of this.o.repo.children(id)) {
      const slot = child.metadata.experiment_slot;
      if (typeof slot !== 'string' || slots.has(slot) || child.status !== 'completed') continue;
      const { status, data } = this.slotOfCompleted(this.o.kinds[type], slot, child.operation_id);
      if (this.o.slots.record(id, slot, child.operation_id, status, data) && status === 'completed') this.liftWarnings(id, this.o.kinds[type], slot, data);
    }
  }

  private context(e: ActiveExperiment): { kind: ExperimentKind; ctx: KindContext } {
    const slots = this.o.slots.all(e.id);
    const ctx: KindContext = {
      parentId: e.id,
      request: e.request,
      slots,
      running: e.running,
      home: this.o.home,
      record: (slot, childId, status, data) => {
        if (this.o.slots.record(e.id, slot, childId, status, data)) slots.set(slot, { slot, child_id: childId, status, data, recorded_at: new Date().toISOString() });
      },
      childPercentage: (childId) => {
        try {
          return this.o.operations.get(childId).progress.percentage;
        } catch {
          return 0;
        }
      },
    };
    return { kind: e.kind, ctx };
  }

  private pump(e: ActiveExperiment): void {
    if (this.closed || e.cancelled || !this.active.has(e.id)) return;
    const { kind, ctx } = this.context(e);
    try {
      while (e.running.size < e.maxParallel) {
        const next = kind.next(ctx);
        if (!next) break;
        const child = this.o.operations.start({
          type: next.type,
          params: next.params,
          parent_id: e.id,
          metadata: { ...next.metadata, parent_id: e.id, experiment_slot: next.slot } as never,
        });
        e.running.set(next.slot, child.operation_id);
        this.o.log.info({ operation_id: e.id }, `Experiment ${e.id}: started ${next.type} ${child.operation_id} for ${next.slot}`);
        void this.o.operations.waitForTerminal(child.operation_id).then(() => this.onChildTerminal(e, next.slot, child.operation_id));
      }
      if (e.running.size === 0 && kind.done(ctx)) {
        const finished = kind.finish(ctx);
        const end = finished.status === 'completed' ? { ...finished, results: this.validated(kind, finished.results, e.id) } : finished;
        const last = kind.progress(ctx);
        const step = end.status === 'completed' ? `Completed · ${last.steps_completed}/${last.steps_total} steps` : 'Failed';
        this.o.operations.updateParent(e.id, { ...last, current_step: step, message: step });
        this.active.delete(e.id);
        this.o.operations.finishParent(e.id, end);
        return;
      }
    } catch (err) {
      this.o.log.error({ operation_id: e.id, err }, `Experiment ${e.id} failed: ${(err as Error).message}`);
      this.active.delete(e.id);
      for (const childId of e.running.values()) this.cancelChild(childId, 'The experiment failed');
      this.o.operations.finishParent(e.id, { status: 'failed', message: `Experiment scheduler error: ${(err as Error).message}` });
      return;
    }
    this.updateProgress(e);
  }

  private onChildTerminal(e: ActiveExperiment, slot: string, childId: string): void {
    // Shutdown: the child was stopped with the server, not finished; the next start reruns it.
    if (this.closed || e.cancelled || !this.active.has(e.id)) return;
    if (e.running.get(slot) !== childId) return;
    const child = this.o.repo.get(childId);
    let status: SlotStatus = 'failed';
    let data: unknown = { error: child?.error_message ?? 'unknown' };
    if (child?.status === 'completed') ({ status, data } = this.slotOfCompleted(e.kind, slot, childId));
    else if (child?.status === 'cancelled') {
      status = 'cancelled';
      data = { error: child.error_message ?? 'cancelled' };
    }
    if (this.o.slots.record(e.id, slot, childId, status, data) && status === 'completed') this.liftWarnings(e.id, e.kind, slot, data);
    e.running.delete(slot);
    this.pump(e);
  }

  /**
   * What a completed child's slot records: the kind's summary of its result, read through the
   * child's result contract. A result that does not match (or is missing) fails the slot with the
   * reason, never a guessed value.
   */
  private slotOfCompleted(kind: ExperimentKind, slot: string, childId: string): { status: SlotStatus; data: unknown } {
    try {
      return { status: 'completed', data: kind.extract(slot, this.o.repo.results(childId)) };
    } catch (err) {
      return { status: 'failed', data: { error: `Could not read the child's results: ${(err as Error).message}` } };
    }
  }

  /** A finished child's warnings that concern the experiment (degenerate splits…) go on the parent too. */
  private liftWarnings(parentId: string, kind: ExperimentKind, slot: string, data: unknown): void {
    const warnings = kind.slotWarnings(slot, data);
    if (warnings.length) this.o.operations.warnParent(parentId, warnings);
  }

  private onParentCancelled(id: string, why: string): void {
    const e = this.active.get(id);
    if (!e) return;
    e.cancelled = true;
    this.active.delete(id);
    for (const childId of e.running.values()) this.cancelChild(childId, `Parent experiment cancelled: ${why}`);
    this.o.log.info({ operation_id: id }, `Experiment ${id} cancelled; ${e.running.size} running child(ren) cancelled`);
  }

  private cancelChild(childId: string, reason: string): void {
    try {
      this.o.operations.cancel(childId, reason);
    } catch (err) {
      if (!(err instanceof HttpError)) throw err; // already finished
    }
  }

  private updateProgress(e: ActiveExperiment): void {
    if (e.cancelled || !this.active.has(e.id)) return;
    const { kind, ctx } = this.context(e);
    this.o.operations.updateParent(e.id, kind.progress(ctx));
  }
}
