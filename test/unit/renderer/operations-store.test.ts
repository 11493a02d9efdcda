// The operations store's poller against a fake API: which requests it makes, and when it stops.
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';

const requests: string[] = [];
const server: Record<string, { status: string; count: number; attempt?: number }> = {};

vi.mock('../../../src/renderer/src/api/client', async () => {
  const { FakeApiError: ApiError } = await import('../../helpers/renderer-api');
  const get = async (path: string) => {
    requests.push(`GET ${path}`);
    const metrics = /^\/operations\/([^/?]+)\/metrics\?cursor=(\d+)$/.exec(path);
    if (metrics) {
      const op = server[metrics[1]];
      const cursor = Number(metrics[2]);
      const all = Array.from({ length: op.count }, (_, i) => (op.attempt ? { i, attempt: op.attempt } : { i }));
      return { metrics: all.slice(cursor), new_cursor: op.count, ...(op.attempt ? { attempt: op.attempt } : {}) };
    }
    const one = /^\/operations\/([^/?]+)$/.exec(path);
    if (one) {
      const op = server[one[1]];
      if (!op) throw new ApiError(404, 'not found', {});
      return { data: { operation_id: one[1], operation_type: 'dummy', status: op.status, created_at: '2024-01-01T00:00:00Z', started_at: null, completed_at: null, progress: { percentage: 1 }, metadata: {}, metrics: { count: op.count } } };
    }
    throw new Error(`unexpected ${path}`);
  };
  return { ApiError, api: { get, post: vi.fn(), delete: async (path: string) => (requests.push(`DELETE ${path}`), {}) } };
});

const doc = { visibilityState: 'visible', listeners: [] as (() => void)[], addEventListener: (_: string, f: () => void) => doc.listeners.push(f) };

describe('operations store poller', () => {
  let ops: typeof import('../../../src/renderer/src/stores/operations');
  let metrics: typeof import('../../../src/renderer/src/stores/metrics');

  beforeAll(async () => {
    vi.stubGlobal('document', doc);
    vi.useFakeTimers();
    ops = await import('../../../src/renderer/src/stores/operations');
    metrics = await import('../../../src/renderer/src/stores/metrics');
  });
  afterAll(() => {
    vi.useRealTimers();
    vi.unstubAllGlobals();
  });
  beforeEach(() => {
    requests.length = 0;
  });

  it('polls a watched running operation once per second and stops when it is terminal', async () => {
    server.a = { status: 'running', count: 0 };
    const unwatch = ops.useOperations.getState().watch('a');
    await vi.advanceTimersByTimeAsync(10); // the initial read
    requests.length = 0;
    await vi.advanceTimersByTimeAsync(3000);
    expect(requests.filter((r) => r === 'GET /operations/a')).toHaveLength(3);
    server.a.status = 'completed';
    await vi.advanceTimersByTimeAsync(1000);
    expect(ops.useOperations.getState().ops.a.status).toBe('completed');
    requests.length = 0;
    await vi.advanceTimersByTimeAsync(5000);
    expect(requests).toEqual([]); // never asks about a terminal operation
    expect(ops.pollerRunning()).toBe(false);
    unwatch();
  });

  it('does not poll while the page is hidden, and resumes when it is visible again', async () => {
    server.b = { status: 'running', count: 0 };
    doc.visibilityState = 'hidden';
    const unwatch = ops.useOperations.getState().watch('b');
    await vi.advanceTimersByTimeAsync(10);
    requests.length = 0;
    await vi.advanceTimersByTimeAsync(4000);
    expect(requests).toEqual([]);
    doc.visibilityState = 'visible';
    doc.listeners.forEach((f) => f());
    await vi.advanceTimersByTimeAsync(2100);
    expect(requests.filter((r) => r === 'GET /operations/b').length).toBeGreaterThanOrEqual(2);
    unwatch();
    await vi.advanceTimersByTimeAsync(1000);
    requests.length = 0;
    await vi.advanceTimersByTimeAsync(3000);
    expect(requests).toEqual([]); // nothing watched: idle
  });

  it('fetches metrics by cursor, only when the operation reports new records', async () => {
    server.c = { status: 'running', count: 2 };
    const unsub = metrics.useMetrics.getState().subscribe('c');
    const unwatch = ops.useOperations.getState().watch('c');
    await vi.advanceTimersByTimeAsync(10);
    expect(metrics.useMetrics.getState().feeds.c.records).toHaveLength(2);
    requests.length = 0;
    await vi.advanceTimersByTimeAsync(1000); // nothing new: no metrics request
    expect(requests.filter((r) => r.includes('/metrics'))).toEqual([]);
    server.c.count = 5;
    await vi.advanceTimersByTimeAsync(1000);
    expect(requests.filter((r) => r.includes('/metrics'))).toEqual(['GET /operations/c/metrics?cursor=2']);
    expect(metrics.useMetrics.getState().feeds.c.records.map((r) => r.i)).toEqual([0, 1, 2, 3, 4]);
    server.c.status = 'completed';
    await vi.advanceTimersByTimeAsync(3000);
    expect(metrics.useMetrics.getState().feeds.c.final).toBe(true);
    unwatch();
    unsub();
  });

  it('a new attempt of the job (scale-out takeover) replaces the records held, read again from cursor 0', async () => {
    server.e = { status: 'running', count: 4, attempt: 1 };
    const unsub = metrics.useMetrics.getState().subscribe('e');
    const unwatch = ops.useOperations.getState().watch('e');
    await vi.advanceTimersByTimeAsync(10);
    expect(metrics.useMetrics.getState().feeds.e.records).toHaveLength(4);
    server.e = { status: 'running', count: 2, attempt: 2 };
    await vi.advanceTimersByTimeAsync(1000);
    expect(metrics.useMetrics.getState().feeds.e).toMatchObject({ cursor: 2, attempt: 2, records: [{ i: 0, attempt: 2 }, { i: 1, attempt: 2 }] });
    server.e.count = 3;
    await vi.advanceTimersByTimeAsync(1000);
    expect(metrics.useMetrics.getState().feeds.e.records.map((r) => `${r.attempt}:${r.i}`)).toEqual(['2:0', '2:1', '2:2']);
    unwatch();
    unsub();
  });

  it('keeps terminal states sticky against a late running answer', () => {
    const s = ops.useOperations.getState();
    s.upsert({ operation_id: 'd', status: 'cancelled' } as never);
    s.upsert({ operation_id: 'd', status: 'running' } as never);
    expect(ops.useOperations.getState().ops.d.status).toBe('cancelled');
  });
});
