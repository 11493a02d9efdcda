// Soak: many start→cancel and start→complete cycles with concurrent pollers, against the BUILT
// server (as users run it). Nothing may leak: processes, stuck operations, file descriptors.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { workerPids, httpOnce as http, openFdCount, sleep, startServer, waitFor, type TestServer } from '../../helpers/server';

const CYCLES = Number(process.env.KTRDR_SOAK_CYCLES ?? 200);
const POLLERS = 20;

describe(`operations soak: ${CYCLES} start→cancel + ${CYCLES} start→complete, ${POLLERS} pollers`, () => {
  let s: TestServer;
  beforeAll(async () => {
    s = await startServer({ built: true, env: { LOG_LEVEL: 'warn', KTRDR_CANCEL_GRACE: '2' } });
  });
  afterAll(async () => {
    await s?.stop();
  });

  it('ends with zero workers, zero non-terminal operations and a flat descriptor count', async () => {
    const fdBefore = openFdCount(s.proc.pid!);
    const ids: string[] = [];
    let done = false;
    let polls = 0;
    let pollErrors = 0;
    const pollers = Array.from({ length: POLLERS }, async (_, i) => {
      while (!done) {
        const target = ids.length ? ids[(i * 7919 + polls) % ids.length] : null;
        const r = target ? await http('GET', `${s.api}/operations/${target}`) : await http('GET', `${s.api}/operations?active_only=true&limit=50`);
        polls++;
        if (r.status !== 200) pollErrors++;
        await sleep(20);
      }
    });

    const cancelCycle = async () => {
      const id = (await http('POST', `${s.api}/dummy/start`, { duration_seconds: 30, iterations: 30 })).body.operation_id as string;
      ids.push(id);
      const r = await http('DELETE', `${s.api}/operations/${id}`);
      expect(r.status).toBe(200);
    };
    const completeCycle = async () => {
      const id = (await http('POST', `${s.api}/dummy/start`, { duration_seconds: 0, iterations: 3 })).body.operation_id as string;
      ids.push(id);
      await waitFor(async () => (await http('GET', `${s.api}/operations/${id}`)).body.data.status === 'completed', 120_000, 50);
    };
    const inBatches = async (n: number, batch: number, fn: () => Promise<void>) => {
      for (let i = 0; i < n; i += batch) await Promise.all(Array.from({ length: Math.min(batch, n - i) }, fn));
    };
    await inBatches(CYCLES, 4, cancelCycle);
    await inBatches(CYCLES, 8, completeCycle);

    // Every worker gone, every operation terminal.
    await waitFor(async () => workerPids(s.proc.pid!).length === 0, 30_000, 200);
    const active = (await http('GET', `${s.api}/operations?active_only=true`)).body;
    done = true;
    await Promise.all(pollers);
    expect(active.total_count).toBe(0);
    const counts = Object.fromEntries(
      await Promise.all(
        ['completed', 'cancelled', 'failed'].map(async (st) => [st, (await http('GET', `${s.api}/operations?status=${st}&limit=1`)).body.total_count]),
      ),
    );
    expect(counts).toEqual({ completed: CYCLES, cancelled: CYCLES, failed: 0 });
    expect(pollErrors).toBe(0);
    expect(polls).toBeGreaterThan(POLLERS);
    await sleep(500); // let the last closed connections go
    const fdAfter = openFdCount(s.proc.pid!);
    expect(fdAfter - fdBefore).toBeLessThanOrEqual(8);
    console.log(`soak: ${polls} polls, fds ${fdBefore} → ${fdAfter}`);
  });
});
