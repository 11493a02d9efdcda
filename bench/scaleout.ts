// Scale-out benchmarks (BullMQ on a private redis-server, two `ktrdr worker` processes):
// per-job overhead from the start request to the first progress a client can read, and the
// throughput of 100 tiny dummy jobs. Runs the built server and workers when out/ exists.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { hasRedis, noRedisReason, startRedis, startWorker } from '../test/helpers/redis';
import { http, REPO, sleep, startServer } from '../test/helpers/server';
import { median, percentile, round } from './stats';

async function startDummy(api: string): Promise<string> {
  const r = await http('POST', `${api}/dummy/start`, { iterations: 1, duration_seconds: 0 });
  if (r.status !== 200) throw new Error(`start failed: ${JSON.stringify(r.body)}`);
  return r.body.operation_id;
}

export async function benchScaleout(): Promise<Record<string, unknown>> {
  if (!hasRedis) return { skipped: noRedisReason };
  const built = existsSync(join(REPO, 'out', 'main', 'cli.js'));
  const redis = await startRedis();
  // TTL 0: a GET sees the latest snapshot, so the latency measured is the BullMQ path's, not the cache's.
  const server = await startServer({ built, env: { LOG_LEVEL: 'warn', OPERATIONS_CACHE_TTL: '0', KTRDR_REDIS_URL: redis.url, KTRDR_SEED_SAMPLES: '0' } });
  const workers = [await startWorker(redis.url, { built }), await startWorker(redis.url, { built })];
  try {
    // Overhead: one job at a time, start request → first progress snapshot readable through GET.
    const firstProgress: number[] = [];
    const completed: number[] = [];
    for (let i = 0; i < 15; i++) {
      const t0 = performance.now();
      const id = await startDummy(server.api);
      let seen = false;
      for (;;) {
        const d = (await http('GET', `${server.api}/operations/${id}`)).body.data;
        if (!seen && (d.progress.steps_total > 0 || d.status === 'completed')) {
          seen = true;
          firstProgress.push(performance.now() - t0);
        }
        if (['completed', 'failed', 'cancelled'].includes(d.status)) {
          if (d.status !== 'completed') throw new Error(`${id} ${d.status}: ${d.error_message}`);
          completed.push(performance.now() - t0);
          break;
        }
        await sleep(5);
      }
    }
    const warm = firstProgress.slice(3); // the first jobs pay module loading
    // Throughput: 100 tiny jobs started together, spread over the two workers (concurrency 1 each).
    const t0 = performance.now();
    const ids: string[] = [];
    for (let i = 0; i < 100; i++) ids.push(await startDummy(server.api));
    const pending = new Set(ids);
    const workersUsed = new Set<string>();
    while (pending.size) {
      for (const id of [...pending]) {
        const d = (await http('GET', `${server.api}/operations/${id}`)).body.data;
        if (d.status === 'completed') {
          pending.delete(id);
          workersUsed.add(d.metadata.worker);
        } else if (d.status === 'failed' || d.status === 'cancelled') throw new Error(`${id} ${d.status}: ${d.error_message}`);
      }
      await sleep(50);
    }
    const seconds = (performance.now() - t0) / 1000;
    return {
      mode: built ? 'built' : 'sources (tsx)',
      workers: 2,
      concurrency_per_worker: 1,
      enqueue_to_first_progress_ms: { median: round(median(warm), 1), p95: round(percentile(warm, 95), 1), runs: warm.length },
      enqueue_to_completed_ms: { median: round(median(completed.slice(3)), 1) },
      throughput_100_jobs: { seconds: round(seconds, 2), jobs_per_second: round(100 / seconds, 2), workers_used: workersUsed.size },
      note: 'each job runs in a fresh child process on its worker (crash isolation), which dominates the per-job cost; measured on a shared machine',
    };
  } finally {
    for (const w of workers) await w.stop();
    await server.stop();
    await redis.stop();
  }
}
