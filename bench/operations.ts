// Operations benchmarks: bridge write cost, GET latency under 50 pollers, cancel → worker gone,
// and end-to-end staleness (worker write → visible to a client). Runs the BUILT server.
import { ProgressBridge } from '../src/worker/bridge';
import { getKeepAlive, http, sleep, startServer, waitFor, workerPids } from '../test/helpers/server';
import { median, percentile, round } from './stats';

function bridgeWriteCost() {
  let messages = 0;
  const bridge = new ProgressBridge(() => messages++, 100);
  const fields = { items_processed: 0, steps_completed: 0 };
  const N = 5_000_000;
  const runs: number[] = [];
  for (let r = 0; r < 5; r++) {
    const t0 = process.hrtime.bigint();
    for (let i = 0; i < N; i++) {
      fields.items_processed = i;
      bridge.update(i / N * 100, 'Epoch 3/10 · Batch 40/120', fields);
    }
    runs.push(Number(process.hrtime.bigint() - t0) / N);
  }
  const cancelRuns: number[] = [];
  let x = 0;
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < N; i++) if (bridge.isCancelled()) x++;
  cancelRuns.push(Number(process.hrtime.bigint() - t0) / N);
  return { update_ns_per_call: round(median(runs), 1), is_cancelled_ns_per_call: round(median(cancelRuns), 2), messages_sent: messages, target_ns: 1000, x };
}

export async function benchOperations(): Promise<Record<string, unknown>> {
  const bridge = bridgeWriteCost();
  const s = await startServer({ built: true, env: { LOG_LEVEL: 'warn', OPERATIONS_CACHE_TTL: '1.0' } });
  try {
    // GET latency with 50 concurrent pollers on a running operation.
    const id = (await http('POST', `${s.api}/dummy/start`, { duration_seconds: 600, iterations: 6000 })).body.operation_id;
    await waitFor(async () => (await http('GET', `${s.api}/operations/${id}`)).body.data.progress.percentage > 0, 30_000);
    // Realistic pollers (each asks every 100 ms, 10× the UI's cadence), then a closed loop
    // (each asks again as soon as it has its answer) for throughput.
    const poll = async (ms: number, pauseMs: number) => {
      const latencies: number[] = [];
      const end = Date.now() + ms;
      await Promise.all(
        Array.from({ length: 50 }, async (_, i) => {
          await sleep((i * pauseMs) / 50);
          while (Date.now() < end) {
            const t0 = performance.now();
            const r = await getKeepAlive(`${s.api}/operations/${id}`);
            latencies.push(performance.now() - t0);
            if (r.status !== 200) throw new Error(`GET answered ${r.status}`);
            if (pauseMs) await sleep(pauseMs);
          }
        }),
      );
      return latencies;
    };
    const latencies = await poll(5000, 100);
    const closed = await poll(3000, 0);
    await http('DELETE', `${s.api}/operations/${id}`);

    // Staleness: each metric carries the worker's write time; a client polling every 20 ms
    // records when each record first becomes visible.
    const sid = (await http('POST', `${s.api}/dummy/start`, { duration_seconds: 12, iterations: 60 })).body.operation_id;
    const staleness: number[] = [];
    let cursor = 0;
    for (;;) {
      const m = (await http('GET', `${s.api}/operations/${sid}/metrics?cursor=${cursor}`)).body;
      const now = Date.now();
      for (const rec of m.metrics) staleness.push(now - Date.parse(rec.timestamp));
      cursor = m.new_cursor;
      const st = (await http('GET', `${s.api}/operations/${sid}`)).body.data.status;
      if (st !== 'running' && st !== 'pending') break;
      await sleep(20);
    }
    const stalenessRunning = staleness.slice(0, -1); // the last one arrives with the final pull

    // Cancel → terminal and worker process gone.
    const cancelMs: number[] = [];
    const goneMs: number[] = [];
    for (let i = 0; i < 10; i++) {
      const cid = (await http('POST', `${s.api}/dummy/start`, { duration_seconds: 60, iterations: 600 })).body.operation_id;
      await waitFor(async () => (await http('GET', `${s.api}/operations/${cid}`)).body.data.progress.percentage > 0, 30_000, 20);
      const t0 = performance.now();
      const r = await http('DELETE', `${s.api}/operations/${cid}`);
      cancelMs.push(performance.now() - t0);
      if (r.body.data.status !== 'cancelled') throw new Error('cancel did not answer cancelled');
      await waitFor(async () => workerPids(s.proc.pid!).length === 0, 10_000, 5);
      goneMs.push(performance.now() - t0);
    }
    return {
      bridge_write: bridge,
      get_operation_50_pollers_every_100ms: { requests: latencies.length, p50_ms: round(percentile(latencies, 50)), p99_ms: round(percentile(latencies, 99)), target_p99_ms: 5 },
      get_operation_50_closed_loop: { requests_per_s: round(closed.length / 3), p50_ms: round(percentile(closed, 50)), p99_ms: round(percentile(closed, 99)) },
      staleness: { samples: stalenessRunning.length, median_ms: round(median(stalenessRunning)), max_ms: round(Math.max(...stalenessRunning)), ttl_ms: 1000, target_max_ms: 1200 },
      cancel: { delete_answer_median_ms: round(median(cancelMs)), worker_gone_median_ms: round(median(goneMs)), worker_gone_max_ms: round(Math.max(...goneMs)), target_ms: 2000 },
    };
  } finally {
    await s.stop();
  }
}

if (require.main === module) {
  benchOperations().then((r) => console.log(JSON.stringify(r, null, 2)));
}
