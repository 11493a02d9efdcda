import { mkdtempSync, rmSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { OperationsRepository } from '../../../src/main/operations/repository';
import { OperationsService } from '../../../src/main/operations/service';
import { openDatabase, type Db } from '../../../src/main/store/database';
import { OPERATION_ID_PATTERN } from '../../../src/main/operations/ids';
import { latestValidCheckpoint } from '../../../src/infra/checkpoints/store';
import { writeTestCheckpoint } from '../../helpers/checkpoints';
import { FakeJobHost } from '../../helpers/fake-job-host';
import { memoryLogger } from '../../helpers/logs';

describe('OperationsService', () => {
  let home: string;
  let db: Db;
  let host: FakeJobHost;
  let now: number;
  let logs: string[];
  let svc: OperationsService;

  function make(maxWorkers = 4) {
    const m = memoryLogger();
    logs = m.lines;
    return new OperationsService({
      repo: new OperationsRepository(db),
      host,
      log: m.log,
      home,
      logLevel: 'debug',
      cacheTtlMs: 1000,
      cancelGraceMs: 500,
      maxWorkers,
      clock: () => now,
    });
  }

  beforeEach(() => {
    home = mkdtempSync(join(tmpdir(), 'ktrdr-ops-'));
    db = openDatabase(home);
    host = new FakeJobHost();
    now = 0;
    svc = make();
  });
  afterEach(() => {
    db.close();
    rmSync(home, { recursive: true, force: true });
  });

  it('creates a running operation with a KTRDR-style id and hands the job its parameters', () => {
    const info = svc.start({ type: 'dummy', params: { iterations: 3 }, metadata: { symbol: 'EURUSD' } });
    expect(info.operation_id).toMatch(OPERATION_ID_PATTERN);
    expect(info.operation_id.startsWith('op_dummy_')).toBe(true);
    expect(info.status).toBe('running');
    expect(info.metadata.symbol).toBe('EURUSD');
    expect(host.last().spec.params).toEqual({ iterations: 3 });
    expect(logs.some((l) => l.includes('Registered local bridge'))).toBe(true);
  });

  it('records which worker runs each operation: host:pid locally, or what a scale-out host reports', () => {
    const local = svc.start({ type: 'dummy' });
    expect(local.metadata.worker).toBe(`${hostname()}:1001`);
    const remote = svc.start({ type: 'dummy' });
    host.last().send({ type: 'worker', worker: 'gpu-box:4242' });
    expect(svc.get(remote.operation_id).metadata.worker).toBe('gpu-box:4242');
    host.last().send({ type: 'result', results: {}, summary: {} });
    host.last().exit(0);
    // Stored, not just cached: the terminal operation is read back from SQLite.
    expect(svc.get(remote.operation_id).metadata.worker).toBe('gpu-box:4242');
  });

  it('serves the cached copy within the TTL and refreshes from the mirror after it (logging hit/miss)', () => {
    const { operation_id: id } = svc.start({ type: 'dummy' });
    now = 1500;
    svc.get(id); // miss: refresh now
    host.last().snapshot(40, 'Iteration 4/10', [{ i: 1 }]);
    now = 1900;
    expect(svc.get(id).progress.percentage).toBe(0); // hit: still the old copy
    expect(logs.some((l) => l.startsWith(`Cache hit for operation ${id}`))).toBe(true);
    now = 2600;
    const fresh = svc.get(id);
    expect(fresh.progress.percentage).toBe(40);
    expect(fresh.progress.current_step).toBe('Iteration 4/10');
    expect(logs.some((l) => l.startsWith(`Cache miss for operation ${id}`))).toBe(true);
    expect(logs.some((l) => l.includes(`Refreshed operation ${id} from bridge (ttl; cursor 0 → 1)`))).toBe(true);
  });

  it('metrics by cursor are idempotent, incremental, and empty past the end', () => {
    const { operation_id: id } = svc.start({ type: 'training' });
    host.last().snapshot(10, 'e1', [{ epoch: 1 }, { epoch: 2 }, { epoch: 3 }]);
    now = 5000;
    expect(svc.metrics(id, 0)).toMatchObject({ metrics: [{ epoch: 1 }, { epoch: 2 }, { epoch: 3 }], new_cursor: 3 });
    host.last().snapshot(20, 'e2', [{ epoch: 4 }]);
    now = 7000;
    const inc = svc.metrics(id, 3);
    expect(inc).toMatchObject({ metrics: [{ epoch: 4 }], new_cursor: 4 });
    expect(svc.metrics(id, 3)).toEqual(inc);
    expect(svc.metrics(id, 99)).toMatchObject({ metrics: [], new_cursor: 4 });
    expect(svc.get(id).metrics.epochs).toHaveLength(4);
  });

  it('forces a final pull on completion so a late metric is not lost, then never refreshes again', () => {
    const { operation_id: id } = svc.start({ type: 'training' });
    const w = host.last();
    w.snapshot(50, 'e1', [{ epoch: 1 }]);
    w.snapshot(99, 'e2', [{ epoch: 2 }]); // arrives inside the TTL: no client saw it
    w.send({ type: 'result', results: { model_path: 'x' }, summary: { ok: true } });
    w.exit(0);
    const done = svc.get(id);
    expect(done.status).toBe('completed');
    expect(done.progress.percentage).toBe(100);
    expect(done.metrics.epochs).toEqual([{ epoch: 1 }, { epoch: 2 }]);
    expect(svc.results(id).results).toEqual({ model_path: 'x' });
    const refreshes = logs.filter((l) => l.startsWith(`Refreshed operation ${id}`)).length;
    now += 10_000;
    svc.get(id);
    svc.get(id);
    expect(logs.filter((l) => l.startsWith(`Refreshed operation ${id}`)).length).toBe(refreshes);
  });

  it('cancel answers at once, freezes progress, and stays cancelled even if the job then reports a result', () => {
    const { operation_id: id } = svc.start({ type: 'dummy' });
    const w = host.last();
    w.snapshot(30, 'Iteration 3/10');
    const res = svc.cancel(id, 'user asked');
    expect(res).toMatchObject({ status: 'cancelled', cancellation_reason: 'user asked', task_cancelled: true });
    expect(w.received).toContainEqual({ type: 'cancel', reason: 'user asked' });
    w.snapshot(60, 'Iteration 6/10'); // late progress is ignored
    w.send({ type: 'result', results: {}, summary: {} });
    w.exit(0);
    const info = svc.get(id);
    expect(info.status).toBe('cancelled');
    expect(info.progress.percentage).toBe(30);
    expect(() => svc.cancel(id)).toThrow(/cannot be cancelled \(status: cancelled\)/);
    expect(() => svc.cancel('op_dummy_20250101_000000_deadbeef')).toThrow(/not found/);
  });

  it('kills a worker that ignores cancellation after the grace period', async () => {
    const { operation_id: id } = svc.start({ type: 'dummy' });
    svc.cancel(id);
    expect(host.kills).toBe(0);
    await new Promise((r) => setTimeout(r, 700));
    expect(host.kills).toBe(1);
    expect(svc.get(id).status).toBe('cancelled');
  });

  it('a crash (no result, non-zero exit) fails the operation with a readable message', () => {
    const a = svc.start({ type: 'dummy' }).operation_id;
    host.last().exit(null, 'SIGSEGV');
    expect(svc.get(a)).toMatchObject({ status: 'failed', error_message: expect.stringContaining('signal SIGSEGV') });
    const b = svc.start({ type: 'dummy' }).operation_id;
    host.last().send({ type: 'error', message: 'strategy has no indicators' });
    host.last().exit(1);
    expect(svc.get(b)).toMatchObject({ status: 'failed', error_message: 'strategy has no indicators' });
  });

  it('queues beyond maxWorkers and cancels a queued operation without starting it', () => {
    svc = make(1);
    const a = svc.start({ type: 'dummy' }).operation_id;
    const b = svc.start({ type: 'dummy' }).operation_id;
    const c = svc.start({ type: 'dummy' }).operation_id;
    expect(host.workers).toHaveLength(1);
    expect(svc.get(b).status).toBe('pending');
    svc.cancel(c);
    host.last().send({ type: 'result', results: {}, summary: {} });
    host.last().exit(0);
    expect(svc.get(a).status).toBe('completed');
    expect(host.workers).toHaveLength(2);
    expect(host.last().spec.operationId).toBe(b);
    expect(svc.get(c).status).toBe('cancelled');
  });

  it('lists newest first from the store with filters, total and active counts', () => {
    const ids = [0, 1, 2].map(() => svc.start({ type: 'dummy' }).operation_id);
    host.workers[0].send({ type: 'result', results: {}, summary: {} });
    host.workers[0].exit(0);
    const all = svc.list({ limit: 10, offset: 0 });
    expect(all.total).toBe(3);
    expect(all.active).toBe(2);
    expect(all.items.map((i) => i.operation_id)).toEqual([...ids].reverse());
    expect(svc.list({ status: 'completed', limit: 10, offset: 0 }).items.map((i) => i.operation_id)).toEqual([ids[0]]);
    expect(svc.list({ active_only: true, limit: 1, offset: 1 })).toMatchObject({ total: 2, items: [{ operation_id: ids[1] }] });
  });

  it('after a restart, operations that were running are failed with the reason and keep their metrics', () => {
    const { operation_id: id } = svc.start({ type: 'training' });
    const { operation_id: other } = svc.start({ type: 'training' });
    // What the worker reported is not trusted: the checkpoint store decides (verified files only).
    host.workers[0].snapshot(20, 'Epoch 2/10', [{ epoch: 1 }, { epoch: 2 }], { context: { checkpoint_path: '/tmp/ck' } });
    writeTestCheckpoint(home, id, 2);
    now = 5000;
    svc.get(id); // persists progress
    // A new service over the same database, as a restarted server would have.
    const next = make();
    expect(next.recoverInterrupted()).toBe(2);
    const info = next.get(id);
    expect(info.status).toBe('failed');
    expect(info.error_message).toMatch(new RegExp(`Interrupted by restart.*checkpoint available \\(epoch 2, checkpoints/${id}/e000002-b000000.ckpt\\): resume it with POST /operations/${id}/resume`));
    expect(info.metrics.epochs).toEqual([{ epoch: 1 }, { epoch: 2 }]);
    expect(next.get(other).error_message).toMatch(/Interrupted by restart.*no checkpoint available/);
  });

  it('resumeJob: a cancelled job runs again under its id with the new parameters, keeping the metrics up to the checkpoint', () => {
    const { operation_id: id } = svc.start({ type: 'training', params: { strategy_name: 's' } });
    const w = host.last();
    w.snapshot(40, 'Epoch 3/10', [{ epoch: 1 }, { epoch: 2 }, { epoch: 3 }]);
    w.send({ type: 'snapshot', progress: { ...svc.get(id).progress }, metricsFrom: 3, metrics: [], warnings: ['w1'] });
    now = 5000;
    svc.get(id);
    svc.cancel(id, 'stop');
    expect(() => svc.resumeJob(id, {}, { keepMetrics: 2 })).toThrow(/still stopping/);
    w.exit(0);
    const info = svc.resumeJob(id, { strategy_name: 's', resume_from: { path: 'checkpoints/x.ckpt' } }, { keepMetrics: 2, metadata: { resumed_from: { epoch: 2 } } });
    expect(info.status).toBe('running');
    expect(info.completed_at).toBeNull();
    expect(info.error_message).toBeNull();
    expect(info.warnings).toEqual([]);
    expect(info.metadata.resumed_from).toEqual({ epoch: 2 });
    expect(host.last()).not.toBe(w);
    expect(host.last().spec.operationId).toBe(id);
    expect(host.last().spec.params.resume_from).toEqual({ path: 'checkpoints/x.ckpt' });
    expect(svc.metrics(id, 0)).toMatchObject({ metrics: [{ epoch: 1 }, { epoch: 2 }], new_cursor: 2 });
    // Retry still uses the stored parameters, never the resume point.
    expect(svc.params(id)).toEqual({ strategy_name: 's' });
    expect(() => svc.resumeJob(id, {}, { keepMetrics: 0 })).toThrow(/is running: only failed or cancelled/);
    // The resumed job reports epoch 3 again (index 2) and finishes.
    host.last().snapshot(100, 'done', [{ epoch: 1 }, { epoch: 2 }, { epoch: 3, again: true }]);
    host.last().send({ type: 'result', results: { ok: 1 }, summary: { ok: 1 } });
    host.last().exit(0);
    const done = svc.get(id);
    expect(done.status).toBe('completed');
    expect(done.metrics.epochs).toEqual([{ epoch: 1 }, { epoch: 2 }, { epoch: 3, again: true }]);
    expect(() => svc.resumeJob(id, {}, { keepMetrics: 0 })).toThrow(/cannot be resumed \(status: completed\)/);
    expect(() => svc.resumeJob('op_training_20250101_000000_deadbeef', {}, { keepMetrics: 0 })).toThrow(/not found/);
  });

  it("an experiment's training leaves no checkpoints behind when it ends (the experiment reruns it from scratch)", () => {
    const child = svc.start({ type: 'training', parent_id: 'op_sweep_20250101_000000_deadbeef' });
    const own = svc.start({ type: 'training' });
    writeTestCheckpoint(home, child.operation_id, 3, 5);
    writeTestCheckpoint(home, own.operation_id, 3, 5);
    svc.cancel(child.operation_id);
    svc.cancel(own.operation_id);
    for (const w of host.workers) w.exit(0);
    expect(latestValidCheckpoint(home, child.operation_id)).toBeNull();
    expect(latestValidCheckpoint(home, own.operation_id)?.meta.batch).toBe(5);
  });
});
