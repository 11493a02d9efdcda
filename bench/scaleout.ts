// Scale-out benchmarks (BullMQ on a private redis-server, two `ktrdr worker` processes):
// per-job overhead from the start request to the first progress a client can read, and the
// throughput of 100 tiny dummy jobs. Runs the built server and workers when out/ exists.
import { existsSync } from 'node:fs';
import { QueueEvents } from 'bullmq';
import { bullConnection, QUEUE_NAME } from '../src/main/scaleout/connection';
import { join } from 'node:path';
import { hasRedis, noRedisReason, startRedis, startWorker } from '../test/helpers/redis';
import { http, REPO, sleep, startServer } from '../test/helpers/server';
import { median, percentile, round } from './stats';

/** Start request → first progress readable through GET, one job at a time (`t0` per job id for callers). */
async function overhead(api: string, runs: number, starts?: Map<string, number>): Promise<{ first: number[]; done: number[] }> {
  const first: number[] = [];
  const done: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    const id = await startDummy(api);
    starts?.set(id, t0);
    let seen = false;
    for (;;) {
      const d = (await http('GET', `${api}/operations/${id}`)).body.data;
      if (!seen && (d.progress.steps_total > 0 || d.status === 'completed')) {
        seen = true;
        first.push(performance.now() - t0);
      }
      if (['completed', 'failed', 'cancelled'].includes(d.status)) {
        if (d.status !== 'completed') throw new Error(`${id} ${d.status}: ${d.error_message}`);
        done.push(performance.now() - t0);
        break;
      }
      await sleep(5);
    }
  }
  // The first jobs pay module loading.
  return { first: first.slice(3), done: done.slice(3) };
}

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
    // Overhead: one job at a time, start request → first progress snapshot readable through GET;
    // and start request → BullMQ 'active' (a worker took it), which excludes the job's process start.
    const events = new QueueEvents(QUEUE_NAME, { connection: bullConnection(redis.url) });
    await events.waitUntilReady();
    const starts = new Map<string, number>();
    const activeAt = new Map<string, number>();
    events.on('active', ({ jobId }) => {
      if (!activeAt.has(jobId)) activeAt.set(jobId, performance.now());
    });
    const scale = await overhead(server.api, 15, starts);
    await events.close();
    const active = [...starts].filter(([id]) => activeAt.has(id)).map(([id, t0]) => activeAt.get(id)! - t0);
    const warm = scale.first;
    const completed = scale.done;
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
      enqueue_to_completed_ms: { median: round(median(completed), 1) },
      enqueue_to_worker_active_ms: { median: round(median(active.slice(3)), 1), p95: round(percentile(active.slice(3), 95), 1) },
      embedded_same_measure: await embeddedOverhead(built),
      throughput_100_jobs: { seconds: round(seconds, 2), jobs_per_second: round(100 / seconds, 2), workers_used: workersUsed.size },
      note: 'each job runs in a fresh child process on its worker (crash isolation), which dominates the per-job cost; measured on a shared machine',
    };
  } finally {
    for (const w of workers) await w.stop();
    await server.stop();
    await redis.stop();
  }
}

/** The same start → first progress measure on an embedded server (local worker process per job), for comparison. */
async function embeddedOverhead(built: boolean): Promise<Record<string, number>> {
  const server = await startServer({ built, env: { LOG_LEVEL: 'warn', OPERATIONS_CACHE_TTL: '0', KTRDR_SEED_SAMPLES: '0' } });
  try {
    const r = await overhead(server.api, 15);
    return { enqueue_to_first_progress_median_ms: round(median(r.first), 1), completed_median_ms: round(median(r.done), 1) };
  } finally {
    await server.stop();
  }
}
