import { rmSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { http, pidAlive, workerPids, startServer, waitFor, type TestServer } from '../../helpers/server';

describe('operations survive a server crash', () => {
  let second: TestServer | undefined;
  afterAll(async () => {
    await second?.stop();
    if (second) rmSync(second.home, { recursive: true, force: true });
  });

  it('SIGKILL mid-operation: the worker dies with it; after restart the operation is failed with the reason and its metrics are intact', async () => {
    const first = await startServer({ cleanup: false });
    const id = (await http('POST', `${first.api}/dummy/start`, { duration_seconds: 60, iterations: 60 })).body.operation_id as string;
    // Wait until a few metrics exist (they are persisted as they arrive, without any client reading them).
    await waitFor(async () => (await http('GET', `${first.api}/operations/${id}/metrics`)).body.new_cursor >= 3, 30_000, 300);
    const workers = workerPids(first.proc.pid!);
    expect(workers.length).toBe(1);
    await first.kill();
    // No orphan: the worker notices its host is gone and exits.
    await waitFor(async () => !pidAlive(workers[0]), 10_000);

    second = await startServer({ home: first.home, cleanup: false });
    const op = (await http('GET', `${second.api}/operations/${id}`)).body.data;
    expect(op.status).toBe('failed');
    expect(op.error_message).toMatch(/Interrupted by restart.*no checkpoint available/);
    expect(op.metrics.history.length).toBeGreaterThanOrEqual(3);
    expect(op.metrics.history[0].iteration).toBe(1);
    const listed = (await http('GET', `${second.api}/operations`)).body;
    expect(listed.data.map((o: { operation_id: string }) => o.operation_id)).toContain(id);
    expect(listed.active_count).toBe(0);
  });

  it('a second server on the same data directory is refused with a clear message', async () => {
    const a = await startServer();
    try {
      await expect(startServer({ home: a.home, cleanup: false })).rejects.toThrow(/Another KTRDR server \(pid \d+, port \d+\) is using/);
    } finally {
      await a.stop();
    }
  });
});
