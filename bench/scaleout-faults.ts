// Scale-out under faults with the DEFAULT lock timing (the tests shorten it): what a 45 s Redis
// pause costs, how long a dead worker's job takes to move, how long a restarted server takes to
// pick its jobs back up, what verifying a blob on put and carrying a training checkpoint cost. The
// numbers in docs/scale-out.md come from here. About 3 minutes; runs the built server and workers
// when out/ exists.
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Redis } from 'ioredis';
import { encodeCheckpoint } from '../src/infra/checkpoints/format';
import { putBlob, sha256Of } from '../src/main/scaleout/blobs';
import { CheckpointCarrier, checkpointInProgress, importCheckpoint } from '../src/main/scaleout/checkpoints';
import { blobKey, openRedis, queueKeys } from '../src/main/scaleout/connection';
import { emptyProgress } from '../src/shared/operations';
import { LOCK_DEFAULTS, pauseToleranceMs, takeoverBoundMs } from '../src/main/scaleout/lock-timing';
import { testCheckpointMeta } from '../test/helpers/checkpoints';
import { hasRedis, noRedisReason, startRedis, startWorker, type TestWorker } from '../test/helpers/redis';
import { http, REPO, sleep, startServer, waitFor, type TestServer } from '../test/helpers/server';
import { median, round } from './stats';

const op = async (s: TestServer, id: string) => (await http('GET', `${s.api}/operations/${id}`)).body.data;

async function dummy(s: TestServer, iterations: number, seconds: number): Promise<string> {
  const r = await http('POST', `${s.api}/dummy/start`, { iterations, duration_seconds: seconds });
  if (r.status !== 200) throw new Error(`start failed: ${JSON.stringify(r.body)}`);
  return r.body.operation_id;
}

const secondsSince = (t0: number) => round((performance.now() - t0) / 1000, 1);

/**
 * 5. What carrying one training checkpoint costs: a file of the default LSTM's size (1.9 MB, see
 * bench/checkpoint.ts) uploaded and recorded by the worker (before the progress naming it goes on),
 * then fetched, verified and stored by the server. Medians of 9 distinct files.
 */
export async function checkpointCarry(c: Redis): Promise<Record<string, unknown>> {
  const stage = mkdtempSync(join(tmpdir(), 'ktrdr-bench-carry-'));
  const home = mkdtempSync(join(tmpdir(), 'ktrdr-bench-carry-home-'));
  const id = 'op_training_20250101_000000_benchcar';
  const key = queueKeys('bench-carry').checkpoint(id);
  const carrier = new CheckpointCarrier(c, key, stage, { attempt: 1, worker: 'bench:1' }, () => undefined);
  const carry: number[] = [];
  const store: number[] = [];
  let size = 0;
  try {
    for (let epoch = 1; epoch <= 9; epoch++) {
      const weights = Float64Array.from({ length: 240_000 }, (_, i) => Math.sin(i * epoch));
      const bytes = encodeCheckpoint({ meta: testCheckpointMeta(id, epoch), arrays: { weights } });
      size = bytes.length;
      const path = `checkpoints/${id}/e${String(epoch).padStart(6, '0')}-b000000.ckpt`;
      mkdirSync(join(stage, 'checkpoints', id), { recursive: true });
      writeFileSync(join(stage, path), bytes);
      const context = { checkpoint_path: path, checkpoint_sha256: sha256Of(Buffer.from(bytes)), checkpoint_size: bytes.length, checkpoint_epoch: epoch, checkpoint_batch: 0, checkpoint_type: 'periodic' };
      const progress = { ...emptyProgress(), context };
      const t0 = performance.now();
      await carrier.carry(progress);
      carry.push(performance.now() - t0);
      const t1 = performance.now();
      await importCheckpoint(c, home, id, checkpointInProgress(progress)!);
      store.push(performance.now() - t1);
    }
    return { file_bytes: size, worker_upload_and_record_ms: round(median(carry), 1), server_fetch_verify_store_ms: round(median(store), 1) };
  } finally {
    await c.del(key);
    rmSync(stage, { recursive: true, force: true });
    rmSync(home, { recursive: true, force: true });
  }
}

export async function benchScaleoutFaults(): Promise<Record<string, unknown>> {
  if (!hasRedis) return { skipped: noRedisReason };
  const built = existsSync(join(REPO, 'out', 'main', 'cli.js'));
  const redis = await startRedis();
  const env = { LOG_LEVEL: 'info', OPERATIONS_CACHE_TTL: '0', KTRDR_REDIS_URL: redis.url, KTRDR_SEED_SAMPLES: '0' };
  let server = await startServer({ built, env });
  const home = server.home;
  const workers: TestWorker[] = [await startWorker(redis.url, { built }), await startWorker(redis.url, { built })];
  const out: Record<string, unknown> = { defaults: { ...LOCK_DEFAULTS, pause_tolerance_s: pauseToleranceMs(LOCK_DEFAULTS) / 1000, takeover_bound_s: takeoverBoundMs(LOCK_DEFAULTS) / 1000 } };
  try {
    // 1. Redis frozen for 45 s (SIGSTOP) while a job runs.
    const paused = await dummy(server, 600, 120);
    await waitFor(async () => ((await op(server, paused)).metrics.count >= 2 ? true : null), 60_000);
    const t0 = performance.now();
    process.kill(redis.pid(), 'SIGSTOP');
    await waitFor(async () => ((await http('GET', `${server.api}/health`)).body.status === 'degraded' ? true : null), 30_000, 100);
    const degradedAfter = secondsSince(t0);
    const refused = (await http('POST', `${server.api}/dummy/start`, { iterations: 1, duration_seconds: 0 })).status;
    await sleep(45_000 - (performance.now() - t0));
    process.kill(redis.pid(), 'SIGCONT');
    const t1 = performance.now();
    const countAtResume = (await op(server, paused)).metrics.count;
    await waitFor(async () => ((await http('GET', `${server.api}/health`)).body.status === 'ok' ? true : null), 30_000, 100);
    const okAfter = secondsSince(t1);
    await waitFor(async () => ((await op(server, paused)).metrics.count > countAtResume + 2 ? true : null), 60_000, 100);
    const progressAfter = secondsSince(t1);
    const after = await op(server, paused);
    out.redis_paused_45s = {
      health_degraded_after_s: degradedAfter,
      start_answer_while_paused: refused,
      health_ok_after_resume_s: okAfter,
      progress_flowing_after_resume_s: progressAfter,
      attempt: after.metadata.attempt,
      job_lost_by_its_worker: workers.some((w) => w.output().includes(`job ${paused}: this worker lost the job`)),
    };
    await http('DELETE', `${server.api}/operations/${paused}`);
    await waitFor(async () => workers.some((w) => w.output().includes(`job ${paused} process exited`)), 30_000);

    // 2. A worker SIGKILLed mid-job: time until another worker runs it as attempt 2.
    const moved = await dummy(server, 600, 300);
    const running = await waitFor(async () => {
      const d = await op(server, moved);
      return d.metrics.count >= 2 ? d : null;
    }, 60_000);
    const victim = workers.find((w) => String(running.metadata.worker).endsWith(`:${w.pid}`))!;
    await sleep(2000); // let the in-flight work of other jobs settle
    const t2 = performance.now();
    await victim.kill();
    workers.splice(workers.indexOf(victim), 1);
    await waitFor(async () => ((await op(server, moved)).metadata.attempt === 2 ? true : null), 120_000, 100);
    out.worker_sigkill = { takeover_s: secondsSince(t2) };
    await http('DELETE', `${server.api}/operations/${moved}`);
    workers.push(await startWorker(redis.url, { built }));

    // 3. Server SIGKILLed with 2 jobs running and 2 queued: time from the restarted server listening
    // to every one of them advancing again, and all four completing once.
    await sleep(2000);
    const ids = [await dummy(server, 40, 20), await dummy(server, 40, 20), await dummy(server, 20, 5), await dummy(server, 20, 5)];
    await waitFor(async () => ((await op(server, ids[0])).metrics.count >= 2 && (await op(server, ids[1])).metrics.count >= 2 ? true : null), 60_000);
    await server.kill();
    await sleep(3000);
    const t3 = performance.now();
    server = await startServer({ built, env, home });
    const listening = secondsSince(t3);
    // The two that were running: how soon their progress reaches the new server again.
    const seen = new Map<string, number>();
    for (const id of ids.slice(0, 2)) seen.set(id, (await op(server, id)).metrics.count);
    await waitFor(async () => {
      for (const id of ids.slice(0, 2)) {
        const d = await op(server, id);
        if (d.status !== 'completed' && d.metrics.count <= seen.get(id)!) return null;
      }
      return true;
    }, 120_000, 100);
    const advancing = secondsSince(t3);
    const done = await Promise.all(ids.map((id) => waitFor(async () => {
      const d = await op(server, id);
      return ['completed', 'failed', 'cancelled'].includes(d.status) ? d : null;
    }, 120_000)));
    out.server_sigkill_restart = {
      listening_s: listening,
      running_jobs_progressing_s: advancing,
      completed: done.filter((d) => d.status === 'completed').length,
      imported_once: ids.every((id) => server.output().split(`Operation ${id} completed`).length - 1 === 1),
      metrics_complete: (await Promise.all(ids.map(async (id, i) => (await op(server, id)).metrics.count === (i < 2 ? 40 : 20)))).every(Boolean),
    };

    // 4. Verifying a 64 MiB blob on put (in Redis, nothing sent) against sending it.
    const c = openRedis(redis.url);
    try {
      const bytes = randomBytes(64 * 1024 * 1024);
      const ta = performance.now();
      const sha = await putBlob(c, bytes);
      const first = performance.now() - ta;
      const tb = performance.now();
      await putBlob(c, bytes);
      const verify = performance.now() - tb;
      await c.del(blobKey(sha));
      // A blob already in Redis that this process has not verified yet: checked slice by slice in Redis.
      const other = randomBytes(64 * 1024 * 1024);
      const otherSha = sha256Of(other);
      await c.set(blobKey(otherSha), other);
      const tc = performance.now();
      await putBlob(c, other);
      const full = performance.now() - tc;
      await c.del(blobKey(otherSha));
      out.blob_64mib = { first_put_ms: round(first, 0), renewed_put_ms: round(verify, 0), full_verification_ms: round(full, 0) };
      out.checkpoint_carried = await checkpointCarry(c);
    } finally {
      await c.quit();
    }
  } finally {
    try {
      process.kill(redis.pid(), 'SIGCONT');
    } catch {
      // gone
    }
    for (const w of workers) await w.kill().catch(() => undefined);
    await server.stop();
    await redis.stop();
  }
  return out;
}
