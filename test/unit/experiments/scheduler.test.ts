// The experiment scheduler's mechanics with scripted workers: max_parallel, one record per slot,
// resume after a restart (finished kept, interrupted rerun), parent cancel.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { ExperimentScheduler } from '../../../src/main/experiments/scheduler';
import { ExperimentSlots } from '../../../src/main/experiments/slot-store';
import { extractSlot } from '../../../src/main/experiments/child-requests';
import type { ExperimentKind } from '../../../src/main/experiments/types';
import { OperationsRepository } from '../../../src/main/operations/repository';
import { OperationsService } from '../../../src/main/operations/service';
import { openDatabase, type Db } from '../../../src/main/store/database';
import { FakeJobHost } from '../../helpers/fake-job-host';
import { memoryLogger } from '../../helpers/logs';

const SLOTS = ['a', 'b', 'c', 'd'];

/** The results' contract: a numeric sum and the statuses. */
const schema = z.object({ sum: z.number().finite(), statuses: z.array(z.string().nullable()) });

/** Four independent training children; the result is the sum of their `value`s; a value < 0 raises a warning. */
const kind: ExperimentKind = {
  validate: (r) => schema.parse(r),
  slotWarnings: (slot, data) => ((data as { value: number }).value < 0 ? [`Slot ${slot}: negative value`] : []),
  next: (ctx) => {
    const slot = SLOTS.find((s) => !ctx.slots.has(s) && !ctx.running.has(s));
    return slot ? { slot, type: 'training', params: { slot }, metadata: {} } : null;
  },
  extract: (_slot, r) => ({ value: (r as { value: number }).value }),
  done: (ctx) => SLOTS.every((s) => ctx.slots.has(s)),
  progress: (ctx) => ({ current_step: `${[...ctx.slots.keys()].length}/4`, steps_completed: ctx.slots.size, steps_total: 4 }),
  results: (ctx) => ({ sum: SLOTS.reduce((a, s) => a + ((ctx.slots.get(s)?.data as { value?: number } | undefined)?.value ?? 0), 0), statuses: SLOTS.map((s) => ctx.slots.get(s)?.status ?? null) }),
  finish: (ctx) => ({ status: 'completed', results: kind.results(ctx), summary: {} }),
};

describe('ExperimentScheduler', () => {
  let home: string;
  let db: Db;
  let host: FakeJobHost;
  let svc: OperationsService;
  let sched: ExperimentScheduler;
  let repo: OperationsRepository;

  function boot(k: ExperimentKind = kind) {
    const { log } = memoryLogger();
    host = new FakeJobHost();
    repo = new OperationsRepository(db);
    svc = new OperationsService({ repo, host, log, home, logLevel: 'info', cacheTtlMs: 0, cancelGraceMs: 100, maxWorkers: 8 });
    svc.recoverInterrupted();
    sched = new ExperimentScheduler({ operations: svc, repo, slots: new ExperimentSlots(db), kinds: { walk_forward: k, sweep: k }, home, log });
  }
  const flush = () => new Promise((r) => setTimeout(r, 0));
  /** Finishes the running worker for `slot` with a result. */
  async function complete(slot: string, value: number) {
    const w = host.workers.find((x) => x.alive && x.spec.params.slot === slot)!;
    w.send({ type: 'result', results: { value }, summary: {} });
    w.exit(0);
    await flush();
  }

  beforeEach(() => {
    home = mkdtempSync(join(tmpdir(), 'ktrdr-sched-'));
    db = openDatabase(home);
    boot();
  });
  afterEach(() => {
    sched.stop();
    db.close();
    rmSync(home, { recursive: true, force: true });
  });

  it('runs at most max_parallel children, records each once, completes with every slot', async () => {
    const p = sched.start('sweep', { parameters: {} }, 2, () => undefined);
    expect(host.liveCount()).toBe(2);
    expect(svc.list({ parent_id: p.operation_id, limit: 10, offset: 0 }).total).toBe(2);
    await complete('a', 1);
    expect(host.liveCount()).toBe(2); // c started in a's place
    expect(sched.slots.record(p.operation_id, 'a', 'other', 'completed', { value: 100 })).toBe(false); // written once
    await complete('b', 2);
    await complete('c', 3);
    await complete('d', 4);
    const op = svc.get(p.operation_id);
    expect(op.status).toBe('completed');
    expect(op.progress.current_step).toMatch(/^Completed/);
    expect(svc.results(p.operation_id).results).toEqual({ sum: 10, statuses: ['completed', 'completed', 'completed', 'completed'] });
  });

  it('after a restart: completed slots are kept, interrupted children fail and their slots rerun', async () => {
    const p = sched.start('sweep', { parameters: { max_parallel: 2 } }, 2, () => undefined);
    await complete('a', 1);
    // The server dies: b and c are running. A new service + scheduler on the same database.
    sched.stop();
    boot();
    expect(sched.resumeAll()).toBe(1);
    const kids = repo.children(p.operation_id);
    expect(kids.filter((k) => k.status === 'failed').map((k) => k.error_message)).toEqual([expect.stringMatching(/Interrupted/), expect.stringMatching(/Interrupted/)]);
    expect(host.liveCount()).toBe(2); // b and c again
    expect(host.workers.map((w) => w.spec.params.slot).sort()).toEqual(['b', 'c']);
    await complete('b', 2);
    await complete('c', 3);
    await complete('d', 4);
    expect(svc.get(p.operation_id).status).toBe('completed');
    expect(svc.results(p.operation_id).results).toEqual({ sum: 10, statuses: ['completed', 'completed', 'completed', 'completed'] });
    expect(repo.children(p.operation_id).filter((k) => k.status === 'completed')).toHaveLength(4);
  });

  it('a child that completed but was not recorded before the crash is recorded from its results, not rerun', async () => {
    const p = sched.start('sweep', { parameters: { max_parallel: 4 } }, 4, () => undefined);
    sched.stop(); // the scheduler stops listening: a's completion is not recorded
    await complete('a', 5);
    boot();
    sched.resumeAll();
    expect(host.workers.map((w) => w.spec.params.slot).sort()).toEqual(['b', 'c', 'd']);
    for (const [s, v] of [['b', 1], ['c', 1], ['d', 1]] as const) await complete(s, v);
    expect(svc.results(p.operation_id).results).toMatchObject({ sum: 8 });
  });

  it('cancelling the parent cancels its children and starts nothing more; cancelling a child marks only its slot', async () => {
    const p = sched.start('sweep', { parameters: {} }, 2, () => undefined);
    const running = host.workers.filter((w) => w.alive);
    const kid = repo.children(p.operation_id)[0];
    svc.cancel(kid.operation_id);
    running[0].exit(0);
    await flush();
    expect(sched.slots.get(p.operation_id, 'a')?.status).toBe('cancelled');
    expect(svc.get(p.operation_id).status).toBe('running');
    svc.cancel(p.operation_id, 'stop');
    for (const w of host.workers) w.exit(0);
    await flush();
    expect(repo.children(p.operation_id).every((k) => k.status === 'cancelled')).toBe(true);
    expect(svc.get(p.operation_id).status).toBe('cancelled');
    const count = host.workers.length;
    await flush();
    expect(host.workers.length).toBe(count);
  });

  it('retry: a cancelled experiment starts again as a new one with its plan; a failed job reruns with its stored params', async () => {
    const p = sched.start('sweep', { strategy_name: 's', parameters: { strategy_name: 's', max_parallel: 1 } }, 1, (id) => {
      sched.slots.record(id, '_plan', null, 'data', { strategy_yaml: 'name: s\n' });
    });
    svc.cancel(p.operation_id);
    expect(() => sched.resume(p.operation_id)).toThrow(/cannot be resumed \(status: cancelled\)/);
    const again = sched.retry(p.operation_id);
    expect(again.operation_id).not.toBe(p.operation_id);
    expect(again.metadata.retry_of).toBe(p.operation_id);
    expect(sched.slots.get(again.operation_id, '_plan')?.data).toMatchObject({ strategy_yaml: 'name: s\n' });
    expect(repo.children(again.operation_id)).toHaveLength(1);

    const job = svc.start({ type: 'dummy', params: { iterations: 7 } });
    host.last().send({ type: 'error', message: 'boom' });
    host.last().exit(1);
    await flush();
    const rerun = sched.retry(job.operation_id);
    expect(rerun.operation_type).toBe('dummy');
    expect(host.last().spec.params).toEqual({ iterations: 7 });
    expect(() => sched.retry(rerun.operation_id)).toThrow(/cannot be retried \(status: running\)/);
  });

  it('a child’s warnings that concern the experiment land on the parent, once each', async () => {
    const p = sched.start('sweep', { parameters: {} }, 4, () => undefined);
    await complete('a', -1);
    await complete('b', 2);
    expect(svc.get(p.operation_id).warnings).toEqual(['Slot a: negative value']);
    await complete('c', -3);
    await complete('d', 4);
    expect(svc.get(p.operation_id).warnings).toEqual(['Slot a: negative value', 'Slot c: negative value']);
    expect(svc.get(p.operation_id).status).toBe('completed');
  });

  it('a child result that does not match its contract fails that slot with the reason, never a guessed value (also when recovered after a crash)', async () => {
    // Slots that read their child as a backtest through the result contract (as the real kinds do).
    const strict: ExperimentKind = { ...kind, extract: (slot, r) => extractSlot(`${slot}/backtest`, r), results: (ctx) => ({ sum: 0, statuses: SLOTS.map((s) => ctx.slots.get(s)?.status ?? null) }) };
    sched.stop();
    boot(strict);
    const p = sched.start('sweep', { parameters: {} }, 4, () => undefined);
    await complete('a', 1); // {value: 1} is no backtest result
    const a = sched.slots.get(p.operation_id, 'a')!;
    expect(a.status).toBe('failed');
    expect((a.data as { error: string }).error).toMatch(/^Could not read the child's results: The backtest result does not match its schema \(src\/shared\/results\): .*metrics/);
    // A child that completed while no scheduler listened is read the same way on resume.
    sched.stop();
    await complete('b', 2);
    boot(strict);
    sched.resumeAll();
    expect(sched.slots.get(p.operation_id, 'b')).toMatchObject({ status: 'failed', data: { error: expect.stringMatching(/backtest result does not match its schema/) } });
  });

  it('results that break their schema are never stored: the experiment fails saying where', async () => {
    const p = sched.start('sweep', { parameters: {} }, 4, () => undefined);
    for (const [s, v] of [['a', 1], ['b', 2], ['c', 3]] as const) await complete(s, v);
    const w = host.workers.find((x) => x.alive && x.spec.params.slot === 'd')!;
    w.send({ type: 'result', results: { value: 'x' }, summary: {} }); // the sum becomes the text "6x"
    w.exit(0);
    await flush();
    const op = svc.get(p.operation_id);
    expect(op.status).toBe('failed');
    expect(op.error_message).toMatch(/results do not match their schema \(sum: /);
  });
});
