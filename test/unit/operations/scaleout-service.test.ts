// The operations service with a host whose jobs wait on a queue and outlive the server (what the
// BullMQ host is): pending until a worker takes a job, a new attempt replacing the lost one's
// metrics, jobs left running on shutdown and taken back on start, starts refused (503, 429).
import { z } from 'zod';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { HttpError } from '../../../src/main/api/errors';
import { ExperimentScheduler } from '../../../src/main/experiments/scheduler';
import { ExperimentSlots } from '../../../src/main/experiments/slot-store';
import type { ExperimentKind } from '../../../src/main/experiments/types';
import type { ReattachSpec, WorkerEvents, WorkerHandle } from '../../../src/main/operations/job-host';
import { OperationsRepository } from '../../../src/main/operations/repository';
import { OperationsService } from '../../../src/main/operations/service';
import { openDatabase, type Db } from '../../../src/main/store/database';
import type { JobSpec } from '../../../src/shared/worker-protocol';
import { FakeJobHost, FakeWorker } from '../../helpers/fake-job-host';
import { memoryLogger } from '../../helpers/logs';

class QueueHost extends FakeJobHost {
  readonly jobsOutliveServer = true;
  refusal: string | null = null;
  readonly reattached: ReattachSpec[] = [];
  override start(spec: JobSpec, events: WorkerEvents): WorkerHandle {
    return { ...super.start(spec, events), pid: undefined, queue: 'q1' };
  }
  reattach(spec: ReattachSpec, events: WorkerEvents): WorkerHandle {
    this.reattached.push(spec);
    return this.start({ operationId: spec.operationId, jobType: spec.jobType, params: {}, home: '', logLevel: 'info' }, events);
  }
  refuseStart(): string | null {
    return this.refusal;
  }
}

describe('OperationsService with a queueing host', () => {
  let home: string;
  let db: Db;
  let host: QueueHost;

  const make = (maxActive?: number) =>
    new OperationsService({ repo: new OperationsRepository(db), host, log: memoryLogger().log, home, logLevel: 'info', cacheTtlMs: 0, cancelGraceMs: 500, maxWorkers: 100, maxActive });

  beforeEach(() => {
    home = mkdtempSync(join(tmpdir(), 'ktrdr-ops-q-'));
    db = openDatabase(home);
    host = new QueueHost();
  });
  afterEach(() => {
    db.close();
    rmSync(home, { recursive: true, force: true });
  });

  it('a queued job reads pending ("waiting for a worker" on its queue) until a worker takes it', () => {
    const svc = make();
    const { operation_id: id } = svc.start({ type: 'dummy' });
    const waiting = svc.get(id);
    expect(waiting).toMatchObject({ status: 'pending', started_at: null, metadata: { queue: 'q1' } });
    expect(waiting.progress).toMatchObject({ current_step: 'Queued', message: 'Waiting for a worker on queue q1' });
    host.last().send({ type: 'worker', worker: 'box:7', attempt: 1 });
    const running = svc.get(id);
    expect(running).toMatchObject({ status: 'running', metadata: { worker: 'box:7', attempt: 1 } });
    expect(running.started_at).not.toBeNull();
  });

  it('a new attempt replaces the lost attempt\'s metrics; progress may go down; the reason is a warning', () => {
    const svc = make();
    const { operation_id: id } = svc.start({ type: 'training' });
    const w = host.last();
    w.send({ type: 'worker', worker: 'a:1', attempt: 1 });
    w.snapshot(26.7, 'Epoch 2/10', [{ epoch: 1 }, { epoch: 2 }]);
    expect(svc.metrics(id, 0)).toMatchObject({ new_cursor: 2, attempt: 1 });
    w.send({ type: 'restart', attempt: 2, worker: 'b:2', reason: 'Attempt 2 took this job over' });
    w.send({ type: 'worker', worker: 'b:2', attempt: 2 });
    expect(svc.metrics(id, 0)).toMatchObject({ metrics: [], new_cursor: 0, attempt: 2 });
    // The new attempt numbers from 0 again and its progress starts low.
    (w as unknown as { metrics: number }).metrics = 0;
    w.snapshot(12, 'Epoch 1/10', [{ epoch: 1 }]);
    const info = svc.get(id);
    expect(info.progress.percentage).toBe(12);
    expect(info.metrics.epochs).toEqual([{ epoch: 1 }]);
    expect(info.warnings).toContain('Attempt 2 took this job over');
    w.send({ type: 'result', results: {}, summary: {} });
    w.exit(0);
    // Stored: the replaced history is what SQLite holds.
    expect(make().metrics(id, 0)).toMatchObject({ metrics: [{ epoch: 1 }], new_cursor: 1, attempt: 2 });
  });

  it('a new attempt resumed from a checkpoint keeps the checkpoint\'s epochs and replaces only the later ones; metadata.resumed_from says where it continued', () => {
    const svc = make();
    const { operation_id: id } = svc.start({ type: 'training' });
    const w = host.last();
    w.send({ type: 'worker', worker: 'a:1', attempt: 1 });
    w.snapshot(40, 'Epoch 5/10', [1, 2, 3, 4, 5].map((epoch) => ({ epoch, attempt: 1 })));
    const from = { checkpoint_type: 'periodic', created_at: '2025-01-01T00:00:00.000Z', epoch: 3, batch: 0 };
    w.send({ type: 'restart', attempt: 2, worker: 'b:2', reason: 'Attempt 2 resumed', keep: 3, resumed_from: from });
    w.send({ type: 'worker', worker: 'b:2', attempt: 2 });
    expect(svc.metrics(id, 0)).toMatchObject({ new_cursor: 3, attempt: 2 });
    const taken = svc.get(id);
    expect(taken.metadata.resumed_from).toMatchObject({ ...from, attempt: 2 });
    expect(taken.progress).toMatchObject({ percentage: 0, current_step: 'Attempt 2 resuming from epoch 3' });
    // The new attempt reads on after the kept epochs: 4, 5, 6 are its own.
    (w as unknown as { metrics: number }).metrics = 3;
    w.snapshot(50, 'Epoch 6/10', [4, 5, 6].map((epoch) => ({ epoch, attempt: 2 })));
    expect(svc.get(id).metrics.epochs).toEqual([
      { epoch: 1, attempt: 1 },
      { epoch: 2, attempt: 1 },
      { epoch: 3, attempt: 1 },
      { epoch: 4, attempt: 2 },
      { epoch: 5, attempt: 2 },
      { epoch: 6, attempt: 2 },
    ]);
    // A later takeover that finds no usable checkpoint starts again: nothing kept, resumed_from gone.
    w.send({ type: 'restart', attempt: 3, worker: 'c:3', reason: 'Attempt 3 started again', keep: 0, resumed_from: null });
    expect(svc.metrics(id, 0)).toMatchObject({ metrics: [], new_cursor: 0, attempt: 3 });
    expect(svc.get(id).metadata.resumed_from).toBeUndefined();
    w.send({ type: 'result', results: {}, summary: {} });
    w.exit(0);
    expect(make().metrics(id, 0)).toMatchObject({ metrics: [], new_cursor: 0, attempt: 3 });
  });

  it('a resumed training waits on the queue as `pending`: listed under KTRDR\'s `resuming` filter until a worker starts it; its attempts count from 1 again', () => {
    const svc = make();
    const { operation_id: id } = svc.start({ type: 'training', params: { strategy_name: 's' } });
    const other = svc.start({ type: 'training' }).operation_id; // pending too, but never resumed
    host.workers[0].send({ type: 'worker', worker: 'a:1', attempt: 1 });
    host.workers[0].send({ type: 'restart', attempt: 2, worker: 'b:2', reason: 'taken over', keep: 0, resumed_from: null });
    host.workers[0].send({ type: 'worker', worker: 'b:2', attempt: 2 });
    svc.cancel(id, 'stop');
    host.workers[0].send({ type: 'cancelled', summary: {} });
    host.workers[0].exit(0);
    const resuming = () => svc.list({ status: 'resuming', limit: 10, offset: 0 }).items.map((i) => i.operation_id);
    expect(resuming()).toEqual([]);
    const info = svc.resumeJob(id, { strategy_name: 's', resume_from: { path: 'checkpoints/x.ckpt' } }, { keepMetrics: 0, metadata: { resumed_from: { epoch: 4 } } });
    expect(info).toMatchObject({ status: 'pending', metadata: { queue: 'q1', resumed_from: { epoch: 4 } } });
    expect(info.metadata.attempt).toBeUndefined();
    expect(resuming()).toEqual([id]);
    expect(svc.list({ status: 'pending', limit: 10, offset: 0 }).items.map((i) => i.operation_id).sort()).toEqual([id, other].sort());
    host.last().send({ type: 'worker', worker: 'c:3', attempt: 1 });
    expect(svc.get(id)).toMatchObject({ status: 'running', metadata: { attempt: 1 } });
    expect(resuming()).toEqual([]);
  });

  it('shutdown leaves queued and running jobs to their workers; the next start takes them back with what it holds', async () => {
    const svc = make();
    const running = svc.start({ type: 'training' }).operation_id;
    const queued = svc.start({ type: 'dummy' }).operation_id;
    host.workers[0].send({ type: 'worker', worker: 'a:1', attempt: 1 });
    host.workers[0].snapshot(30, 'Epoch 3/10', [{ epoch: 1 }, { epoch: 2 }, { epoch: 3 }]);
    host.workers[0].send({ type: 'snapshot', progress: svc.get(running).progress, metricsFrom: 3, metrics: [], warnings: ['slow disk'] });
    await svc.shutdown();
    expect(host.kills).toBe(0);
    expect(host.workers.every((w: FakeWorker) => w.received.length === 0)).toBe(true); // no cancel either

    const next = make();
    expect(next.reattachJobs()).toBe(2);
    expect(next.recoverInterrupted()).toBe(0);
    const spec = host.reattached.find((s) => s.operationId === running)!;
    expect(spec).toMatchObject({ attempt: 1, metricsSeen: 3, warnings: ['slow disk'], jobType: 'training' });
    expect(host.reattached.find((s) => s.operationId === queued)).toMatchObject({ attempt: null, metricsSeen: 0 });
    expect(next.get(running).status).toBe('running');
    expect(next.get(queued).status).toBe('pending');
    // The host reports the end of the one Redis lost.
    const lost = host.workers.filter((w) => w.spec.operationId === queued).pop()!;
    lost.send({ type: 'error', message: 'Job lost: Redis no longer holds it' });
    lost.exit(1);
    expect(next.get(queued)).toMatchObject({ status: 'failed', error_message: 'Job lost: Redis no longer holds it' });
  });

  it('starts are refused while the host cannot take jobs (503) and beyond the admission limit (429), with Retry-After', () => {
    const svc = make(2);
    host.refusal = 'Redis at redis://x:6379 does not answer';
    const refused = (() => {
      try {
        svc.start({ type: 'dummy' });
      } catch (err) {
        return err as HttpError;
      }
    })()!;
    expect(refused).toBeInstanceOf(HttpError);
    expect(refused.statusCode).toBe(503);
    expect(refused.message).toBe('Redis at redis://x:6379 does not answer');
    expect(refused.headers['retry-after']).toBe('5');
    host.refusal = null;
    svc.start({ type: 'dummy' });
    svc.start({ type: 'dummy' });
    let limited: HttpError | null = null;
    try {
      svc.start({ type: 'dummy' });
    } catch (err) {
      limited = err as HttpError;
    }
    expect(limited?.statusCode).toBe(429);
    expect(limited?.message).toMatch(/2 are pending or running and this server admits 2 at once \(KTRDR_MAX_ACTIVE_OPERATIONS\)/);
    // An experiment's children are bounded by its max_parallel, not refused here.
    expect(svc.start({ type: 'dummy', parent_id: 'op_sweep_x' }).status).toBe('pending');
    host.workers[0].send({ type: 'cancelled', summary: {} });
    host.workers[0].exit(0);
    expect(() => svc.start({ type: 'dummy' })).toThrow(/2 are pending or running/); // the child counts as active
  });

  it('an experiment resumed after a restart keeps its children still on workers (not failed, not rerun)', async () => {
    const SLOTS = ['a', 'b', 'c'];
    const kind: ExperimentKind = {
      next: (ctx) => {
        const slot = SLOTS.find((x) => !ctx.slots.has(x) && !ctx.running.has(x));
        return slot ? { slot, type: 'training', params: { slot }, metadata: {} } : null;
      },
      extract: (_slot, r) => ({ value: (r as { value: number }).value }),
      done: (ctx) => SLOTS.every((x) => ctx.slots.has(x)),
      progress: (ctx) => ({ current_step: `${ctx.slots.size}/3`, steps_completed: ctx.slots.size, steps_total: 3 }),
      results: (ctx) => ({ sum: SLOTS.reduce((a, x) => a + ((ctx.slots.get(x)?.data as { value?: number } | undefined)?.value ?? 0), 0) }),
      finish: (ctx) => ({ status: 'completed', results: kind.results(ctx), summary: {} }),
      validate: (r) => z.object({ sum: z.number() }).passthrough().parse(r),
      slotWarnings: () => [],
    };
    const boot = () => {
      const svc = make();
      svc.reattachJobs();
      svc.recoverInterrupted();
      const repo = new OperationsRepository(db);
      return { svc, sched: new ExperimentScheduler({ operations: svc, repo, slots: new ExperimentSlots(db), kinds: { walk_forward: kind, sweep: kind }, home, log: memoryLogger().log }) };
    };
    const first = boot();
    const p = first.sched.start('sweep', { parameters: { max_parallel: 2 } }, 2, () => undefined);
    for (const w of host.workers) w.send({ type: 'worker', worker: 'box:1', attempt: 1 });
    first.sched.stop();
    await first.svc.shutdown();
    const started = host.workers.length;
    // Restarted: a and b are still on workers; the host takes them back, the scheduler keeps them.
    const second = boot();
    expect(second.sched.resumeAll()).toBe(1);
    expect(host.reattached.map((r) => r.operationId)).toHaveLength(2);
    expect(host.workers.length - started).toBe(2); // the two re-attached, no new child
    const finish = async (slot: string, value: number) => {
      const w = host.workers.filter((x) => x.alive && x.spec.operationId && new OperationsRepository(db).getRow(x.spec.operationId)?.params_json?.includes(`"${slot}"`)).pop()!;
      w.send({ type: 'result', results: { value }, summary: {} });
      w.exit(0);
      await new Promise((r) => setTimeout(r, 0));
    };
    await finish('a', 1);
    await finish('b', 2);
    await finish('c', 3);
    expect(second.svc.get(p.operation_id).status).toBe('completed');
    expect(second.svc.results(p.operation_id).results).toEqual({ sum: 6 });
    const kids = new OperationsRepository(db).children(p.operation_id);
    expect(kids.map((k) => k.status)).toEqual(['completed', 'completed', 'completed']);
    second.sched.stop();
  });
});
