// The seed scenarios (../shared/seeds 000, 001 and 004) against a real server and real worker
// processes, on the dummy operation (training/backtest variants live with those features).
import { getPriority } from 'node:os';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { workerPids, http, sleep, startServer, waitFor, type TestServer } from '../../helpers/server';

describe('operations: seed scenarios on a real server (dummy jobs)', () => {
  let s: TestServer;
  beforeAll(async () => {
    s = await startServer({ env: { LOG_LEVEL: 'debug', OPERATIONS_CACHE_TTL: '1.0' } });
  });
  afterAll(async () => {
    await s?.stop();
  });

  const get = (id: string) => http(`GET`, `${s.api}/operations/${id}`);

  it('cancellation (seeds 000/001): running with progress > 0, 200 on cancel, cancelled, frozen, a new one starts at once', async () => {
    const start = await http('POST', `${s.api}/dummy/start`, { duration_seconds: 60, iterations: 120 });
    expect(start.status).toBe(200);
    const id = start.body.operation_id as string;
    const running = await waitFor(async () => {
      const r = await get(id);
      return r.body.data.status === 'running' && r.body.data.progress.percentage > 0 ? r.body.data : null;
    }, 20_000, 250);
    expect(running.progress.percentage).toBeGreaterThan(0);
    const workers = workerPids(s.proc.pid!);
    expect(workers.length).toBeGreaterThanOrEqual(1);
    // Jobs run niced (KTRDR_WORKER_NICE, default 10) so the server keeps answering while they compute.
    for (const pid of workers) expect(getPriority(pid)).toBe(Math.min(19, getPriority(s.proc.pid!) + 10));

    const cancel = await http('DELETE', `${s.api}/operations/${id}`);
    expect(cancel.status).toBe(200);
    expect(cancel.body).toMatchObject({ success: true, data: { operation_id: id, status: 'cancelled', task_cancelled: true } });

    await sleep(2000);
    const after = (await get(id)).body.data;
    expect(after.status).toBe('cancelled');
    await sleep(1500);
    const later = (await get(id)).body.data;
    expect(later.status).toBe('cancelled');
    expect(later.progress.percentage).toBe(after.progress.percentage);
    expect(later.completed_at).toBe(after.completed_at);
    await waitFor(async () => workerPids(s.proc.pid!).length === 0, 10_000); // the worker is gone

    const next = await http('POST', `${s.api}/dummy/start`, { duration_seconds: 1, iterations: 5 });
    expect(next.body.success).toBe(true);
    await waitFor(async () => (await get(next.body.operation_id)).body.data.status === 'completed', 20_000);

    expect((await http('DELETE', `${s.api}/operations/${id}`)).status).toBe(400);
    expect((await http('DELETE', `${s.api}/operations/op_dummy_20200101_000000_00000000`)).status).toBe(404);
  });

  it('pull scenarios 2, 3, 4, 6: progress grows, cursor reads are incremental and idempotent, completion captures every metric', async () => {
    const start = await http('POST', `${s.api}/dummy/start`, { duration_seconds: 6, iterations: 12 });
    const id = start.body.operation_id as string;
    const seen: number[] = [];
    let cursor = 0;
    const all: any[] = [];
    for (;;) {
      const op = (await get(id)).body.data;
      seen.push(op.progress.percentage);
      const m = (await http('GET', `${s.api}/operations/${id}/metrics?cursor=${cursor}`)).body;
      expect(m).toMatchObject({ success: true, operation_id: id, operation_type: 'dummy' });
      // Asking again with the same cursor gives the same items (no duplicates, no loss); if the cached
      // copy was refreshed in between (1 s TTL), later items may follow them, never different ones.
      const again = (await http('GET', `${s.api}/operations/${id}/metrics?cursor=${cursor}`)).body;
      expect(again.metrics.slice(0, m.metrics.length)).toEqual(m.metrics);
      expect(again.new_cursor).toBe(cursor + again.metrics.length);
      expect(m.new_cursor).toBe(cursor + m.metrics.length);
      all.push(...m.metrics);
      cursor = m.new_cursor;
      if (op.status === 'completed') break;
      await sleep(700);
    }
    for (let i = 1; i < seen.length; i++) expect(seen[i]).toBeGreaterThanOrEqual(seen[i - 1]);
    expect(all.map((m) => m.iteration)).toEqual(Array.from({ length: 12 }, (_, i) => i + 1));
    const final = (await get(id)).body.data;
    expect(final.progress.percentage).toBe(100);
    expect(final.completed_at).toMatch(/Z$/);
    expect(final.metrics.history).toHaveLength(12);
    const past = (await http('GET', `${s.api}/operations/${id}/metrics?cursor=50`)).body;
    expect(past).toMatchObject({ metrics: [], new_cursor: 12 });
    const results = (await http('GET', `${s.api}/operations/${id}/results`)).body;
    expect(results).toMatchObject({ success: true, status: 'completed', results: { status: 'success', iterations_completed: 12 } });
  });

  it('scenario 5 and TTL: bridge registered before work, cache hits inside the TTL, misses after, no refresh once completed', async () => {
    const start = await http('POST', `${s.api}/dummy/start`, { duration_seconds: 4, iterations: 8 });
    const id = start.body.operation_id as string;
    await get(id);
    await get(id);
    await sleep(1100);
    await get(id);
    const log = () => s.output().split('\n').filter((l) => l.includes(id));
    // Log lines cross a pipe: wait until the last request's line has arrived.
    await waitFor(async () => log().some((l) => l.includes(`Cache miss for operation ${id}`)), 5000);
    const created = log().findIndex((l) => l.includes(`Created operation ${id}`));
    const registered = log().findIndex((l) => l.includes(`Registered local bridge for operation ${id}`));
    expect(created).toBeGreaterThanOrEqual(0);
    expect(registered).toBeGreaterThan(created);
    expect(log().some((l) => l.includes(`Cache hit for operation ${id}`))).toBe(true);
    expect(log().some((l) => l.includes(`Cache miss for operation ${id}`))).toBe(true);
    await waitFor(async () => (await get(id)).body.data.status === 'completed', 20_000, 300);
    const refreshes = log().filter((l) => l.includes(`Refreshed operation ${id}`)).length;
    for (let i = 0; i < 4; i++) {
      await get(id);
      await sleep(400);
    }
    expect(log().filter((l) => l.includes(`Refreshed operation ${id}`)).length).toBe(refreshes);
  });

  it('results answer 400 while running; a failing job ends failed with its message; a crash ends failed; the server keeps serving', async () => {
    const slow = (await http('POST', `${s.api}/dummy/start`, { duration_seconds: 30, iterations: 30 })).body.operation_id;
    const early = await http('GET', `${s.api}/operations/${slow}/results`);
    expect(early.status).toBe(400);
    expect(early.body.detail).toMatch(/not finished/);
    await http('DELETE', `${s.api}/operations/${slow}`, { reason: 'test over' });
    expect((await get(slow)).body.data.error_message).toBe('test over');

    const failing = (await http('POST', `${s.api}/dummy/start`, { duration_seconds: 0.5, iterations: 5, fail_at: 2 })).body.operation_id;
    const crashing = (await http('POST', `${s.api}/dummy/start`, { duration_seconds: 0.5, iterations: 5, crash_at: 2 })).body.operation_id;
    const f = await waitFor(async () => {
      const d = (await get(failing)).body.data;
      return d.status === 'failed' ? d : null;
    });
    expect(f.error_message).toBe('dummy task failed on purpose at iteration 2');
    const c = await waitFor(async () => {
      const d = (await get(crashing)).body.data;
      return d.status === 'failed' ? d : null;
    });
    expect(c.error_message).toMatch(/exited unexpectedly \(exit code 3\)/);
    expect((await http('GET', `${s.api}/health`)).body.status).toBe('ok');
  });

  it('lists operations newest first with the seed 004 `.operations[]` field, filters and counts', async () => {
    const r = (await http('GET', `${s.api}/operations?limit=3`)).body;
    expect(r.success).toBe(true);
    expect(r.operations).toEqual(r.data);
    expect(r.data.length).toBe(3);
    const created = r.data.map((o: { created_at: string }) => o.created_at);
    expect([...created].sort().reverse()).toEqual(created);
    const failed = (await http('GET', `${s.api}/operations?status=failed&operation_type=dummy`)).body;
    expect(failed.total_count).toBe(2);
    expect(failed.data.every((o: { status: string }) => o.status === 'failed')).toBe(true);
  });
});
