// Issue 24, scale-out under faults, against real processes: a private redis-server (SIGKILLed,
// SIGSTOPped), `ktrdr worker` processes (SIGKILLed, SIGSTOPped) and the server (SIGKILLed, SIGTERMed).
// Every job ends exactly once: 0 results lost, 0 duplicated, 0 stuck. Lock timings are shortened
// for the tests (the defaults and the timings they give are in docs/scale-out.md).
import { createHash } from 'node:crypto';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Queue } from 'bullmq';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { blobKey, bullConnection, openRedis, QUEUE_NAME } from '../../../src/main/scaleout/connection';
import { hasRedis, noRedisReason, startRedis, startWorker, type TestRedis, type TestWorker } from '../../helpers/redis';
import { childPids, http, REPO, sleep, startServer, waitFor, type TestServer } from '../../helpers/server';

if (!hasRedis) console.log(noRedisReason);

/** Lock 2 s renewed every 0.5 s, stalled check every 1 s: a dead worker's job moves within ~3 s. */
const FAST = { KTRDR_TF_BACKEND: 'wasm', KTRDR_LOCK_DURATION_MS: '2000', KTRDR_LOCK_RENEW_MS: '500', KTRDR_STALLED_INTERVAL_MS: '1000' };
const SERVER_ENV = { KTRDR_TF_BACKEND: 'wasm', LOG_LEVEL: 'info', KTRDR_CANCEL_GRACE: '5', OPERATIONS_CACHE_TTL: '0' };
const RANGE = { start_date: '2019-01-01', end_date: '2023-12-31' };

let redis: TestRedis;
let server: TestServer;
let home: string;
let workers: TestWorker[] = [];

function strategy(name: string, epochs: number): string {
  const base = readFileSync(join(REPO, 'strategies', 'test_e2e_local_pull.yaml'), 'utf8');
  return base.replace('name: test_e2e_local_pull', `name: ${name}`).replace('epochs: 15', `epochs: ${epochs}\n  early_stopping:\n    enabled: false`);
}

function addStrategy(name: string, epochs: number) {
  mkdirSync(join(home, 'strategies'), { recursive: true });
  writeFileSync(join(home, 'strategies', `${name}.yaml`), strategy(name, epochs));
}

const op = async (id: string, s = server) => (await http('GET', `${s.api}/operations/${id}`)).body.data;

async function waitTerminal(id: string, timeoutMs = 120_000, s: TestServer = server) {
  return waitFor(
    async () => {
      const d = await op(id, s);
      return d && ['completed', 'failed', 'cancelled'].includes(d.status) ? d : null;
    },
    timeoutMs,
    150,
  );
}

async function start(path: string, body: unknown, s = server): Promise<string> {
  const r = await http('POST', `${s.api}${path}`, body);
  expect(r.status, JSON.stringify(r.body)).toBe(200);
  return r.body.operation_id;
}
const dummy = (iterations: number, seconds: number, s = server) => start('/dummy/start', { iterations, duration_seconds: seconds }, s);
const train = (name: string) => start('/trainings/start', { strategy_name: name, symbols: ['EURUSD'], timeframes: ['1d'], ...RANGE });

async function metrics(id: string) {
  return (await http('GET', `${server.api}/operations/${id}/metrics?cursor=0`)).body;
}

/** The history is one run's: indices 1..n once each, in order. */
function expectContiguous(values: number[], n?: number) {
  expect(values).toEqual(Array.from({ length: n ?? values.length }, (_, i) => i + 1));
}

const count = (text: string, needle: string) => text.split(needle).length - 1;
const allWorkerOutput = () => workers.map((w) => w.output()).join('\n');
/** Job processes a worker runs now (its other children, e.g. tsx's esbuild service, do not count). */
const jobChildren = (w: TestWorker) => childPids(w.pid).filter((p) => {
  try {
    return /KTRDR_WORKER|worker\.js|worker[/\\]main/.test(readFileSync(`/proc/${p}/cmdline`, 'utf8').replace(/\0/g, ' ')) || readFileSync(`/proc/${p}/environ`, 'utf8').includes('KTRDR_WORKER=1');
  } catch {
    return false;
  }
});

async function startWorkers(n: number, env: Record<string, string> = FAST, extra: { home?: string } = {}) {
  for (let i = 0; i < n; i++) workers.push(await startWorker(redis.url, { env, built: true, ...(i === 0 ? extra : {}) }));
}

function pauseRedis() {
  process.kill(redis.pid(), 'SIGSTOP');
}
function resumeRedis() {
  process.kill(redis.pid(), 'SIGCONT');
}
/** Redis frozen (SIGSTOP) for `ms`: connections stay open, nothing answers. */
async function pauseRedisFor(ms: number) {
  pauseRedis();
  await sleep(ms);
  resumeRedis();
}

beforeAll(async () => {
  if (!hasRedis) return;
  redis = await startRedis();
  home = mkdtempSync(join(tmpdir(), 'ktrdr-faults-'));
  server = await startServer({ built: true, home, env: { ...SERVER_ENV, KTRDR_REDIS_URL: redis.url } });
}, 120_000);

afterEach(async () => {
  try {
    resumeRedis();
  } catch {
    // not stopped / gone
  }
  // A failed test must not leave jobs for the next one's workers.
  const active = (await http('GET', `${server.api}/operations?active_only=true&limit=1000`).catch(() => null))?.body?.data ?? [];
  for (const o of active as { operation_id: string }[]) await http('DELETE', `${server.api}/operations/${o.operation_id}`).catch(() => undefined);
  for (const w of workers) {
    try {
      process.kill(w.pid, 'SIGCONT');
    } catch {
      // exited
    }
    await w.kill().catch(() => undefined);
  }
  workers = [];
});

afterAll(async () => {
  await server?.stop();
  await redis?.stop();
  if (home) rmSync(home, { recursive: true, force: true });
}, 60_000);

describe.skipIf(!hasRedis)('scale-out faults', () => {
  it('server SIGKILLed, then SIGTERMed: worker jobs keep running; the restarted server takes back running, waiting and finished-while-away jobs and imports each once; only a job Redis lost fails', async () => {
    await startWorkers(2);
    // Long enough (several seconds) to be still running when the server is killed below: 150 epochs
    // ended before the dummy's second metric once the trainer got faster.
    const EPOCHS = 600;
    addStrategy('restart_a', EPOCHS);
    const t1 = await train('restart_a');
    const d1 = await dummy(20, 8);
    await waitFor(async () => ((await op(t1)).metadata.worker && (await op(d1)).metadata.worker ? true : null), 60_000);
    const d2 = await dummy(10, 3); // waits: both workers are busy
    const lost = await dummy(5, 1);
    expect((await op(d2)).status).toBe('pending');
    await waitFor(async () => ((await op(d1)).metrics.count >= 2 ? true : null), 30_000);
    expect((await op(t1)).status).toBe('running');

    await server.kill();
    // While the server is away: Redis loses one queued job; the training finishes, unimported.
    const q = new Queue(QUEUE_NAME, { connection: bullConnection(redis.url) });
    try {
      await (await q.getJob(lost))!.remove();
      await waitFor(async () => ((await (await q.getJob(t1))?.getState()) === 'completed' ? true : null), 90_000, 200);
    } finally {
      await q.close();
    }
    server = await startServer({ built: true, home, env: { ...SERVER_ENV, KTRDR_REDIS_URL: redis.url } });

    const [a, b, c, l] = await Promise.all([t1, d1, d2, lost].map((id) => waitTerminal(id, 120_000)));
    expect(a.status, a.error_message).toBe('completed');
    expect(b.status, b.error_message).toBe('completed');
    expect(c.status, c.error_message).toBe('completed');
    expect(l.status).toBe('failed');
    expect(l.error_message).toMatch(/^Job lost: Redis no longer holds it/);
    for (const id of [t1, d1, d2]) expect(count(server.output(), `Operation ${id} completed`), id).toBe(1);
    expectContiguous((await metrics(d1)).metrics.map((m: { iteration: number }) => m.iteration), 20);
    expectContiguous((await metrics(t1)).metrics.map((m: { epoch: number }) => m.epoch), EPOCHS);
    expect(existsSync(join(home, 'checkpoints', t1))).toBe(false); // the checkpoints it stored went with the import
    const res = (await http('GET', `${server.api}/operations/${t1}/results`)).body.results;
    expect(readdirSync(join(home, 'models', 'restart_a'))).toEqual([res.model_path.split('/').pop()]);
    for (const x of res.artefacts) expect(createHash('sha256').update(readFileSync(join(home, x.path))).digest('hex')).toBe(x.sha256);

    // SIGTERM: the server leaves its jobs to the workers (no cancel, no kill) and takes them back.
    const d3 = await dummy(20, 6);
    await waitFor(async () => ((await op(d3)).metrics.count >= 2 ? true : null), 30_000);
    await server.stop();
    expect(server.output()).toContain(`Leaving ${d3} to its worker`);
    await sleep(1500);
    expect(allWorkerOutput()).not.toMatch(new RegExp(`job ${d3} (cancel|process exited \\(.*(cancel|killed))`));
    server = await startServer({ built: true, home, env: { ...SERVER_ENV, KTRDR_REDIS_URL: redis.url } });
    const e = await waitTerminal(d3, 60_000);
    expect(e.status, e.error_message).toBe('completed');
    expectContiguous((await metrics(d3)).metrics.map((m: { iteration: number }) => m.iteration), 20);
    expect(count(allWorkerOutput(), `job ${d3} (dummy) started`)).toBe(1);
  }, 300_000);

  it('Redis paused within the lock margin: the job stays on its worker; paused past the lock: a result finished meanwhile is delivered once, a running job is taken over (its lost process stopped) and a second blip does not fail it', async () => {
    // 6 s lock renewed every 0.5 s: a pause up to 5.5 s costs nothing (the defaults: 50 s / 2.5 s, pauses up to 47.5 s).
    await startWorkers(2, { ...FAST, KTRDR_LOCK_DURATION_MS: '6000' });
    const steady = await dummy(30, 9);
    await waitFor(async () => ((await op(steady)).metrics.count >= 3 ? true : null), 30_000);
    await pauseRedisFor(3500);
    const s = await waitTerminal(steady, 60_000);
    expect(s.status, s.error_message).toBe('completed');
    expect(s.metadata.attempt).toBe(1);
    expect(count(allWorkerOutput(), `job ${steady} (dummy) started`)).toBe(1);
    expect(allWorkerOutput()).not.toContain(`job ${steady}: this worker lost the job`);
    for (const w of [...workers]) await w.kill();
    workers = [];

    // 2 s lock: any pause over 1.5 s outlives it.
    await startWorkers(2);
    const quick = await dummy(6, 2.5);
    await waitFor(async () => ((await op(quick)).metrics.count >= 1 ? true : null), 30_000, 50);
    await pauseRedisFor(5000); // the job's process finishes meanwhile; its worker cannot report it
    const q = await waitTerminal(quick, 60_000);
    expect(q.status, q.error_message).toBe('completed');
    expect(count(allWorkerOutput(), `job ${quick} (dummy) started`)).toBe(1); // never run again
    expect(count(server.output(), `Operation ${quick} completed`)).toBe(1);
    expectContiguous((await metrics(quick)).metrics.map((m: { iteration: number }) => m.iteration), 6);

    const long = await dummy(30, 15);
    for (let blip = 1; blip <= 2; blip++) {
      await waitFor(async () => {
        const d = await op(long);
        return d.metadata.attempt === blip && d.metrics.count >= 2 ? true : null;
      }, 60_000);
      await pauseRedisFor(3500);
    }
    const l = await waitTerminal(long, 120_000);
    expect(l.status, l.error_message).toBe('completed');
    expect(l.metadata.attempt).toBe(3);
    expect(l.warnings.filter((w: string) => /took this job over/.test(w))).toHaveLength(2);
    expectContiguous((await metrics(long)).metrics.map((m: { iteration: number }) => m.iteration), 30);
    expect(count(allWorkerOutput(), `job ${long}: this worker lost the job`)).toBe(2);
    expect(count(server.output(), `Operation ${long} completed`)).toBe(1);
    // No process of a lost attempt lives on.
    await waitFor(async () => workers.every((w) => jobChildren(w).length === 0), 10_000);
  }, 300_000);

  it('Redis unreachable: /health degraded, starts 503 with Retry-After, workers stale; a job cancelled meanwhile stops when it is back; Redis restarted empty: the worker stops the lost job', async () => {
    // A lock that outlasts the pauses here: the jobs stay with their workers (FAST's 2 s lock would be lost).
    await startWorkers(2, { ...FAST, KTRDR_LOCK_DURATION_MS: '30000', KTRDR_LOCK_RENEW_MS: '1000' });
    const a = await dummy(200, 120);
    const b = await dummy(200, 120);
    await waitFor(async () => ((await op(a)).status === 'running' && (await op(b)).status === 'running' ? true : null), 30_000);
    await waitFor(async () => {
      const h = (await http('GET', `${server.api}/health`)).body;
      return h.status === 'ok' && h.job_host.redis === 'ok' && h.job_host.workers === 2 ? h : null;
    }, 10_000, 200);

    // One worker frozen: its heartbeat stops and /workers says so; the other stays available.
    const frozen = workers[0];
    process.kill(frozen.pid, 'SIGSTOP');
    const stale = await waitFor(async () => {
      const list = (await http('GET', `${server.api}/workers`)).body as Array<{ worker_id: string; status: string; stale: boolean }>;
      const f = list.find((w) => w.worker_id.endsWith(`:${frozen.pid}`));
      return f?.status === 'temporarily_unavailable' ? list : null;
    }, 20_000, 250);
    expect(stale.find((w) => w.worker_id.endsWith(`:${workers[1].pid}`))).toMatchObject({ stale: false, status: 'busy' });
    process.kill(frozen.pid, 'SIGCONT');

    pauseRedis();
    const refused = await waitFor(async () => {
      const r = await fetch(`${server.api}/dummy/start`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ iterations: 1, duration_seconds: 0 }) });
      return r.status === 503 ? r : null;
    }, 20_000, 250);
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(((await refused.json()) as { detail: string }).detail).toMatch(/^Redis at redis:\/\/127\.0\.0\.1:\d+ does not answer/);
    const health = (await http('GET', `${server.api}/health`)).body;
    expect(health).toMatchObject({ status: 'degraded', job_host: { redis: 'unreachable' } });
    expect(((await http('GET', `${server.api}/workers`)).body as Array<{ status: string }>).every((w) => w.status === 'temporarily_unavailable')).toBe(true);
    // Cancelled while Redis is paused: the operation is cancelled at once, its process once Redis answers.
    expect((await http('DELETE', `${server.api}/operations/${a}`)).status).toBe(200);
    expect((await op(a)).status).toBe('cancelled');
    resumeRedis();
    await waitFor(async () => (allWorkerOutput().includes(`job ${a} process exited (code 0, cancel requested)`) ? true : null), 20_000);
    await waitFor(async () => ((await http('GET', `${server.api}/health`)).body.status === 'ok' ? true : null), 20_000, 250);

    // Redis restarted without its data: the worker running `b` loses the job and stops its process.
    const runner = workers.find((w) => w.output().includes(`job ${b} (dummy) started`))!;
    await redis.stop();
    await redis.start();
    await waitFor(async () => (runner.output().includes(`job ${b}: this worker lost the job`) ? true : null), 30_000);
    await waitFor(async () => (runner.output().includes(`job ${b} process exited`) ? true : null), 15_000);
    await waitFor(async () => (jobChildren(runner).length === 0 ? true : null), 10_000);
    const lostB = await waitTerminal(b, 30_000);
    expect(lostB.status).toBe('failed');
    expect(lostB.error_message).toMatch(/^Job lost/);
  }, 300_000);

  it('a corrupt blob in Redis is replaced when the server puts it again: the next job runs', async () => {
    await startWorkers(1);
    addStrategy('blob_a', 2);
    const bars = readFileSync(join(home, 'data', 'EURUSD', '1d.bars'));
    const sha = createHash('sha256').update(bars).digest('hex');
    const c = openRedis(redis.url);
    try {
      await c.set(blobKey(sha), Buffer.from('not the bar file'), 'EX', 3600);
      const id = await train('blob_a');
      const d = await waitTerminal(id, 120_000);
      expect(d.status, d.error_message).toBe('completed');
      expect(server.output()).toMatch(new RegExp(`Blob ${sha} \\(data/EURUSD/1d\\.bars\\) held other bytes in Redis`));
      expect(createHash('sha256').update((await c.getBuffer(blobKey(sha)))!).digest('hex')).toBe(sha);
    } finally {
      await c.quit();
    }
  }, 180_000);

  it('queues are namespaced: a server on another KTRDR_QUEUE sees none of these workers; its job reads pending "waiting for a worker" until one joins that queue', async () => {
    await startWorkers(1);
    const other = await startServer({ built: true, env: { ...SERVER_ENV, KTRDR_REDIS_URL: redis.url, KTRDR_QUEUE: 'lonely' } });
    try {
      expect((await http('GET', `${other.api}/workers`)).body).toEqual([]);
      const h = await waitFor(async () => {
        const x = (await http('GET', `${other.api}/health`)).body;
        return x.job_host?.redis === 'ok' ? x : null;
      }, 10_000, 200);
      expect(h).toMatchObject({ status: 'degraded', job_host: { queue: 'lonely', workers: 0 } });
      expect(h.reason).toMatch(/No ktrdr worker is connected to queue lonely/);
      const id = await dummy(3, 0.3, other);
      await sleep(3000); // this server's worker is idle, and must not take it
      const waiting = await op(id, other);
      expect(waiting).toMatchObject({ status: 'pending', started_at: null, metadata: { queue: 'lonely' } });
      expect(waiting.progress).toMatchObject({ current_step: 'Queued', message: 'Waiting for a worker on queue lonely' });
      const lonely = await startWorker(redis.url, { env: { ...FAST, KTRDR_QUEUE: 'lonely' }, built: true });
      workers.push(lonely);
      const d = await waitTerminal(id, 60_000, other);
      expect(d.status, d.error_message).toBe('completed');
      expect(d.metadata.worker).toMatch(new RegExp(`:${lonely.pid}$`));
      const mine = (await http('GET', `${server.api}/workers`)).body as Array<{ worker_id: string }>;
      expect(mine.map((w) => w.worker_id)).not.toContain(d.metadata.worker);
    } finally {
      await other.stop();
    }
  }, 180_000);

  it('takeover after a worker is SIGKILLed resumes from the last checkpoint (epochs 1..k kept, the new attempt trains k+1 first); cancelled, the training resumes through the queue from its cancellation checkpoint; the model equals an uninterrupted embedded run bit for bit', async () => {
    const EPOCHS = 600;
    const body = { strategy_name: 'takeover_a', symbols: ['EURUSD'], timeframes: ['1d'], ...RANGE, checkpoints: { every_epochs: 50, every_seconds: 0 } };
    addStrategy('takeover_a', EPOCHS);
    // A version already here: the worker saves v1, the server stores v2.
    mkdirSync(join(home, 'models', 'takeover_a', '1d_v1'), { recursive: true });
    // The reference: the same training, uninterrupted, on an embedded server (no Redis), meanwhile.
    const refHome = mkdtempSync(join(tmpdir(), 'ktrdr-takeover-ref-'));
    mkdirSync(join(refHome, 'strategies'), { recursive: true });
    writeFileSync(join(refHome, 'strategies', 'takeover_a.yaml'), strategy('takeover_a', EPOCHS));
    cpSync(join(home, 'data', 'EURUSD'), join(refHome, 'data', 'EURUSD'), { recursive: true }); // the same bars (no seeding then)
    const ref = await startServer({ built: true, home: refHome, env: { KTRDR_TF_BACKEND: 'wasm', LOG_LEVEL: 'warn' } });
    const victimHome = mkdtempSync(join(tmpdir(), 'ktrdr-victim-'));
    const c = openRedis(redis.url);
    try {
      const refRun = http('POST', `${ref.api}/trainings/start`, body).then((r) => waitTerminal(r.body.task_id, 240_000, ref));

      await startWorkers(1, FAST, { home: victimHome });
      const id = await start('/trainings/start', body);
      // Killed once the server holds a checkpoint (so it was uploaded and recorded in Redis).
      const stored = () => (existsSync(join(home, 'checkpoints', id)) ? readdirSync(join(home, 'checkpoints', id)).filter((f) => f.endsWith('.ckpt')) : []);
      await waitFor(async () => stored().length > 0, 90_000, 20);
      const k0 = Number(/^e(\d+)/.exec(stored().sort().pop()!)![1]);
      const victim = workers[0];
      const killedAt = Date.now();
      await victim.kill();
      workers = [];
      const before = await op(id);
      expect(before.status).toBe('running');
      const stage = readdirSync(join(victimHome, 'jobs')).filter((n) => n.startsWith(`${victim.pid}-${id}-`));
      expect(stage).toHaveLength(1);
      await startWorkers(1);

      // Attempt 2 resumes from the latest checkpoint the victim recorded (k ≥ k0), not from epoch 1.
      let lowest: { pct: number; count: number } | null = null;
      const taken = await waitFor(async () => {
        const d = await op(id);
        if (d.metadata.attempt === 2 && (!lowest || d.progress.percentage < lowest.pct)) lowest = { pct: d.progress.percentage, count: d.metrics.count };
        return d.metadata.attempt === 2 && d.metadata.resumed_from && d.metrics.count >= d.metadata.resumed_from.epoch + 20 ? d : null;
      }, 90_000, 50);
      const k: number = taken.metadata.resumed_from.epoch;
      expect(k).toBeGreaterThanOrEqual(k0);
      expect(k % 50).toBe(0);
      expect(taken.metadata.resumed_from).toMatchObject({ checkpoint_type: 'periodic', batch: 0, attempt: 2 });
      expect(allWorkerOutput()).toContain(`job ${id} (training) started (attempt 2) from the periodic checkpoint at epoch ${k} `);
      expect(taken.warnings.some((w: string) => new RegExp(`Attempt 2 .* took this job over from attempt 1 .*resumed from the periodic checkpoint at epoch ${k}, so epochs 1–${k} are kept`).test(w))).toBe(true);
      // Progress restarts; the checkpoint's epochs never leave the history.
      expect(lowest!.pct).toBeLessThan(before.progress.percentage);
      expect(lowest!.count).toBeGreaterThanOrEqual(k0);
      // Attempt 2's own record: the checkpoint's epochs first (replayed, as trained before the kill), then k+1 trained after it.
      const journal = await c.hgetall(`ktrdr:${QUEUE_NAME}:journal:${id}:2`);
      const rec = (i: number) => JSON.parse(journal[`m:${i}`]) as { epoch: number; timestamp: string };
      for (let i = 0; i < k; i++) {
        expect(rec(i).epoch).toBe(i + 1);
        expect(Date.parse(rec(i).timestamp)).toBeLessThan(killedAt);
      }
      expect(rec(k).epoch).toBe(k + 1);
      expect(Date.parse(rec(k).timestamp)).toBeGreaterThan(killedAt);

      // Cancelled on its worker: the cancellation checkpoint reaches the server; a resume goes back to the queue with it.
      expect((await http('DELETE', `${server.api}/operations/${id}`)).status).toBe(200);
      const shown = await waitFor(async () => {
        const r = await http('GET', `${server.api}/checkpoints/${id}`);
        return r.status === 200 && r.body.data.checkpoint_type === 'cancellation' ? r.body.data : null;
      }, 30_000, 100);
      expect(shown.state.epoch).toBeGreaterThanOrEqual(k + 20);
      const resumed = await waitFor(async () => {
        const r = await http('POST', `${server.api}/operations/${id}/resume`);
        return r.status === 409 && /still stopping/.test(r.body.detail) ? null : r;
      }, 20_000, 100);
      expect(resumed.status, JSON.stringify(resumed.body)).toBe(200);
      expect(resumed.body.data.resumed_from).toMatchObject({ checkpoint_type: 'cancellation', epoch: shown.state.epoch });

      const d = await waitTerminal(id, 240_000);
      expect(d.status, d.error_message).toBe('completed');
      expect(d.metadata.attempt).toBe(1); // the resumed run is a new job on the queue
      expect(d.progress.percentage).toBe(100);
      expect(count(server.output(), `Operation ${id} completed`)).toBe(1);
      expect(allWorkerOutput()).toMatch(new RegExp(`job ${id} \\(training\\) started from the cancellation checkpoint at epoch ${shown.state.epoch}`));
      const refDone = await refRun;
      expect(refDone.status, refDone.error_message).toBe('completed');
      // One consistent history, and the same run as the uninterrupted one: metrics and weights bit for bit.
      const epochs = (await metrics(id)).metrics as Record<string, number>[];
      expectContiguous(epochs.map((m) => m.epoch), EPOCHS);
      const refEpochs = (await http('GET', `${ref.api}/operations/${refDone.operation_id}/metrics?cursor=0`)).body.metrics as Record<string, number>[];
      const values = (ms: Record<string, number>[]) => ms.map((m) => [m.epoch, m.train_loss, m.train_accuracy, m.val_loss, m.val_accuracy]);
      expect(values(epochs)).toEqual(values(refEpochs));
      const res = (await http('GET', `${server.api}/operations/${id}/results`)).body.results;
      const refRes = (await http('GET', `${ref.api}/operations/${refDone.operation_id}/results`)).body.results;
      expect(res.model_path).toBe('models/takeover_a/1d_v2');
      expect(readFileSync(join(home, res.model_path, 'weights.bin')).equals(readFileSync(join(refHome, refRes.model_path, 'weights.bin')))).toBe(true);
      expect(res.training_metrics.history).toEqual(refRes.training_metrics.history);
      expect(d.progress.current_step).toContain('models/takeover_a/1d_v2');
      expect(d.progress.current_step).not.toMatch(/_v1\b/);
      expect(readdirSync(join(home, 'models', 'takeover_a')).sort()).toEqual(['1d_v1', '1d_v2']);
      expect(stored()).toEqual([]); // a completed training keeps no checkpoint
      expect(await c.exists(`ktrdr:${QUEUE_NAME}:checkpoint:${id}`)).toBe(0);
      // The next worker on the dead one's home removes what it left.
      workers.push(await startWorker(redis.url, { env: FAST, built: true, home: victimHome }));
      expect(existsSync(join(victimHome, 'jobs', stage[0]))).toBe(false);
    } finally {
      await c.quit();
      await ref.stop();
      rmSync(victimHome, { recursive: true, force: true });
    }
  }, 360_000);
});
