// Scale-out end to end: a private redis-server, a server with KTRDR_REDIS_URL and two `ktrdr worker`
// processes with their own homes. Trainings spread over both workers with their models stored (and
// checksummed) in the server's home; a worker SIGKILLed mid-training hands the job to the other with
// no duplicate epochs; cancellation of running and queued jobs; Redis stopped and started again.
// Runs the built server and workers (out/, as npm test builds it first), like the soak test.
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Queue } from 'bullmq';
import { bullConnection, openRedis, QUEUE_NAME, blobKey } from '../../../src/main/scaleout/connection';
import { hasRedis, noRedisReason, startRedis, startWorker, type TestRedis, type TestWorker } from '../../helpers/redis';
import { http, REPO, sleep, startServer, waitFor, type TestServer } from '../../helpers/server';

if (!hasRedis) console.log(noRedisReason);

const WORKER_ENV = { KTRDR_TF_BACKEND: 'wasm', KTRDR_LOCK_DURATION_MS: '2000', KTRDR_STALLED_INTERVAL_MS: '1000', KTRDR_MAX_STALLED_COUNT: '1' };
const SERVER_ENV = { KTRDR_TF_BACKEND: 'wasm', LOG_LEVEL: 'info', KTRDR_CANCEL_GRACE: '5' };
const RANGE = { start_date: '2019-01-01', end_date: '2023-12-31' };

let redis: TestRedis;
let server: TestServer;
const workers: TestWorker[] = [];

function strategy(name: string, epochs: number): string {
  const base = readFileSync(join(REPO, 'strategies', 'test_e2e_local_pull.yaml'), 'utf8');
  // Early stopping off: "slow" must really run all its epochs, or it can finish before the kill.
  return base
    .replace('name: test_e2e_local_pull', `name: ${name}`)
    .replace('epochs: 15', `epochs: ${epochs}\n  early_stopping:\n    enabled: false`);
}

function writeStrategies(home: string) {
  mkdirSync(join(home, 'strategies'), { recursive: true });
  writeFileSync(join(home, 'strategies', 'tiny.yaml'), strategy('tiny', 2));
  writeFileSync(join(home, 'strategies', 'slow.yaml'), strategy('slow', 3000));
}

async function op(id: string) {
  return (await http('GET', `${server.api}/operations/${id}`)).body.data;
}

async function waitTerminal(id: string, timeoutMs = 120_000, s: TestServer = server) {
  return waitFor(
    async () => {
      const d = (await http('GET', `${s.api}/operations/${id}`)).body.data;
      return ['completed', 'failed', 'cancelled'].includes(d.status) ? d : null;
    },
    timeoutMs,
    150,
  );
}

async function train(name: string, s: TestServer = server): Promise<string> {
  const r = await http('POST', `${s.api}/trainings/start`, { strategy_name: name, symbols: ['EURUSD'], timeframes: ['1d'], ...RANGE });
  expect(r.status, JSON.stringify(r.body)).toBe(200);
  return r.body.operation_id;
}

async function dummy(iterations: number, seconds: number): Promise<string> {
  const r = await http('POST', `${server.api}/dummy/start`, { iterations, duration_seconds: seconds });
  expect(r.status).toBe(200);
  return r.body.operation_id;
}

const sha = (path: string) => createHash('sha256').update(readFileSync(path)).digest('hex');
const timeless = (m: Record<string, unknown>) => Object.fromEntries(Object.entries(m).filter(([k]) => k !== 'timestamp' && k !== 'duration'));

beforeAll(async () => {
  if (!hasRedis) return;
  redis = await startRedis();
  server = await startServer({ built: true, env: { ...SERVER_ENV, KTRDR_REDIS_URL: redis.url } });
  writeStrategies(server.home);
  workers.push(await startWorker(redis.url, { env: WORKER_ENV, built: true }), await startWorker(redis.url, { env: WORKER_ENV, built: true }));
}, 120_000);

/** Each test starts with two live workers (a failed test must not starve the next ones). */
async function twoWorkers() {
  for (const w of [...workers]) if (w.proc.exitCode !== null || w.proc.signalCode !== null) workers.splice(workers.indexOf(w), 1);
  while (workers.length < 2) workers.push(await startWorker(redis.url, { env: WORKER_ENV, built: true }));
}

afterAll(async () => {
  for (const w of workers) await w.stop().catch(() => undefined);
  await server?.stop();
  await redis?.stop();
}, 60_000);

describe.skipIf(!hasRedis)('scale-out on BullMQ with two ktrdr workers', () => {
  it('runs six trainings on both workers; models land in the server home with verified checksums; metrics read as in embedded mode', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 6; i++) ids.push(await train('tiny'));
    const done = await Promise.all(ids.map((id) => waitTerminal(id)));
    for (const d of done) expect(d.status, d.error_message).toBe('completed');

    const used = new Set(done.map((d) => d.metadata.worker));
    expect(used.size).toBe(2);
    for (const w of used) expect(workers.map((x) => `:${x.pid}`).some((p) => String(w).endsWith(p))).toBe(true);

    const paths = new Set<string>();
    for (const d of done) {
      const res = (await http('GET', `${server.api}/operations/${d.operation_id}/results`)).body.results;
      expect(existsSync(join(server.home, res.model_path))).toBe(true);
      paths.add(res.model_path);
      expect(res.artefacts.length).toBeGreaterThan(0);
      for (const a of res.artefacts) expect(sha(join(server.home, a.path))).toBe(a.sha256);
      const manifest = JSON.parse(readFileSync(join(server.home, res.model_path, 'metadata.json'), 'utf8'));
      expect(`${res.model_path}`).toMatch(new RegExp(`_v${manifest.version}$`));
    }
    expect(paths.size).toBe(6); // six versions, none overwritten
    const models = (await http('GET', `${server.api}/models`)).body;
    expect(JSON.stringify(models)).toContain('tiny');

    // Metrics: cursor paging as in embedded mode, and the same numbers an embedded server computes.
    const id = ids[0];
    const all = (await http('GET', `${server.api}/operations/${id}/metrics?cursor=0`)).body;
    expect(all.metrics.map((m: { epoch: number }) => m.epoch)).toEqual([1, 2]);
    expect(all.new_cursor).toBe(2);
    expect((await http('GET', `${server.api}/operations/${id}/metrics?cursor=1`)).body.metrics).toHaveLength(1);
    expect((await http('GET', `${server.api}/operations/${id}/metrics?cursor=2`)).body).toMatchObject({ metrics: [], new_cursor: 2 });

    // A backtest of one of those models: model, strategy and bars travel to a worker; trades and
    // equity come back into the server's home.
    const res0 = (await http('GET', `${server.api}/operations/${ids[0]}/results`)).body.results;
    const bt = await http('POST', `${server.api}/backtests/start`, { strategy_name: 'tiny', symbol: 'EURUSD', timeframe: '1d', start_date: '2023-01-01', end_date: '2023-12-31', model_path: res0.model_path });
    expect(bt.status, JSON.stringify(bt.body)).toBe(200);
    const btDone = await waitTerminal(bt.body.operation_id);
    expect(btDone.status, btDone.error_message).toBe('completed');
    expect(btDone.metadata.worker).toMatch(/:\d+$/);
    const btRes = (await http('GET', `${server.api}/operations/${bt.body.operation_id}/results`)).body.results;
    const stored = btRes.artefacts.map((a: { path: string }) => a.path);
    expect(stored).toContain(`backtests/${bt.body.operation_id}/trades.json`);
    for (const a of btRes.artefacts) expect(sha(join(server.home, a.path))).toBe(a.sha256);
    expect(JSON.stringify(btRes)).not.toMatch(/ktrdr-worker-/);
    expect((await http('GET', `${server.api}/backtests/${bt.body.operation_id}/trades`)).status).toBe(200);

    // A data load: the bars a worker fetched land in the server's store.
    const dl = await http('POST', `${server.api}/data/acquire/download`, { symbol: 'SYNTHX', timeframe: '1d', mode: 'full', start_date: '2022-01-01', end_date: '2022-06-30', source: 'synthetic' });
    expect(dl.status, JSON.stringify(dl.body)).toBe(200);
    const dlDone = await waitTerminal(dl.body.operation_id);
    expect(dlDone.status, dlDone.error_message).toBe('completed');
    expect(readdirSync(join(server.home, 'data', 'SYNTHX'))).toContain('1d.bars');

    const embedded = await startServer({ built: true, env: { ...SERVER_ENV } });
    try {
      writeStrategies(embedded.home);
      const eid = await train('tiny', embedded);
      const e = await waitTerminal(eid, 120_000, embedded);
      expect(e.status).toBe('completed');
      expect(e.metadata.worker).toMatch(/^.+:\d+$/);
      const em = (await http('GET', `${embedded.api}/operations/${eid}/metrics?cursor=0`)).body;
      expect(em.new_cursor).toBe(all.new_cursor);
      expect(em.metrics.map(timeless)).toEqual(all.metrics.map(timeless));
    } finally {
      await embedded.stop();
    }
  }, 300_000);

  it('a 6-trial sweep runs its children on both workers; every trial\'s model arrives checksummed in the server home', async () => {
    await twoWorkers();
    const started = await http('POST', `${server.api}/experiments/sweeps/start`, {
      strategy_name: 'tiny',
      ...RANGE,
      space: { 'training.learning_rate': { values: [0.0005, 0.001, 0.002, 0.004, 0.008, 0.016] } },
      sampler: 'grid',
      trials: 6,
      objective: 'oos_sharpe',
      seed: 3,
    });
    expect(started.status, JSON.stringify(started.body)).toBe(200);
    const id = started.body.operation_id as string;
    const sweep = await waitTerminal(id, 240_000);
    expect(sweep.status, sweep.error_message).toBe('completed');
    const { results } = (await http('GET', `${server.api}/operations/${id}/results`)).body;
    expect(results.trials).toHaveLength(6);
    for (const t of results.trials) expect(t.status).toBe('completed');
    expect(results.overfitting.trials_used).toBe(6);

    const kids = (await http('GET', `${server.api}/operations/${id}/children`)).body.data as Array<Record<string, any>>;
    expect(kids.filter((k) => k.operation_type === 'training')).toHaveLength(6);
    // 6 selection-window backtests and the chosen trial's one final-holdout backtest (issue 22.7).
    expect(kids.filter((k) => k.operation_type === 'backtesting')).toHaveLength(7);
    const used = new Set(kids.map((k) => k.metadata.worker));
    expect(used.size, [...used].join(', ')).toBe(2);
    for (const w of used) expect(workers.map((x) => `:${x.pid}`).some((p) => String(w).endsWith(p))).toBe(true);
    for (const k of kids.filter((c) => c.operation_type === 'training')) {
      const res = (await http('GET', `${server.api}/operations/${k.operation_id}/results`)).body.results;
      expect(res.artefacts.length).toBeGreaterThan(0);
      for (const a of res.artefacts) expect(sha(join(server.home, a.path))).toBe(a.sha256);
      const metrics = (await http('GET', `${server.api}/operations/${k.operation_id}/metrics?cursor=0`)).body;
      expect(metrics.metrics.map((m: { epoch: number }) => m.epoch)).toEqual([1, 2]);
    }
    // Every trial ships the same bar file: a worker fetches it once and serves later jobs from its cache.
    const cached = workers.flatMap((w) => w.output().match(/started \(\d+ input\(s\), [1-9]\d* from the local cache\)/g) ?? []);
    expect(cached.length).toBeGreaterThan(0);
  }, 300_000);

  it('SIGKILL of a worker mid-training: the other takes the job over; completed once, no duplicate epochs', async () => {
    await twoWorkers();
    const id = await train('slow');
    const running = await waitFor(async () => {
      const d = await op(id);
      return d.metadata.worker && d.metrics.count >= 2 ? d : null;
    }, 90_000, 100);
    const victim = workers.find((w) => String(running.metadata.worker).endsWith(`:${w.pid}`))!;
    const survivor = workers.find((w) => w !== victim)!;
    expect(victim).toBeDefined();
    expect((await op(id)).status).toBe('running');
    await victim.kill();
    workers.splice(workers.indexOf(victim), 1);

    const d = await waitTerminal(id, 180_000);
    expect(d.status, d.error_message).toBe('completed');
    expect(d.metadata.worker).toBe(String(d.metadata.worker).replace(/:\d+$/, `:${survivor.pid}`));
    const epochs = (await http('GET', `${server.api}/operations/${id}/metrics?cursor=0`)).body.metrics.map((m: { epoch: number }) => m.epoch);
    expect(epochs.length).toBeGreaterThan(0);
    expect(epochs).toEqual(Array.from({ length: epochs.length }, (_, i) => i + 1));
    expect(server.output().split(`Operation ${id} completed`).length - 1).toBe(1);
    expect(readdirSync(join(server.home, 'models', 'slow')).filter((n) => /_v\d+$/.test(n))).toHaveLength(1);
  }, 300_000);

  it('cancels a running job within 2 s and removes a queued one before it runs', async () => {
    await twoWorkers();
    const a = await dummy(600, 120);
    const b = await dummy(600, 120);
    await waitFor(async () => ((await op(a)).metadata.worker && (await op(b)).metadata.worker ? true : null), 30_000);
    const queued = await dummy(5, 1);
    await sleep(300);
    expect((await op(queued)).metadata.worker).toBeUndefined();

    const del = await http('DELETE', `${server.api}/operations/${queued}`);
    expect(del.status).toBe(200);
    expect((await op(queued)).status).toBe('cancelled');
    const redisClient = openRedis(redis.url);
    try {
      await waitFor(async () => (await redisClient.exists(`bull:${QUEUE_NAME}:${queued}`)) === 0, 2000).catch((err: Error) => {
        throw new Error(`${err.message}; server said:\n${server.output().split('\n').filter((l) => l.includes(queued)).join('\n')}`);
      });
    } finally {
      await redisClient.quit();
    }

    const t0 = Date.now();
    expect((await http('DELETE', `${server.api}/operations/${a}`)).status).toBe(200);
    // The job's process has stopped (the worker logs its exit) within 2 s of the DELETE.
    await waitFor(async () => workers.some((w) => w.output().includes(`job ${a} process exited (code 0, cancel requested)`)), 2000, 20);
    expect(Date.now() - t0).toBeLessThan(2000);
    expect((await http('DELETE', `${server.api}/operations/${b}`)).status).toBe(200);
    await waitFor(async () => workers.some((w) => w.output().includes(`job ${b} cancelled`)), 2000, 20);

    await sleep(500);
    expect(workers.some((w) => w.output().includes(`job ${queued} (dummy) started`))).toBe(false);
    expect((await op(a)).status).toBe('cancelled');
  }, 120_000);

  it('a worker refuses a job whose input blob does not match its checksum', async () => {
    await twoWorkers();
    const q = new Queue(QUEUE_NAME, { connection: bullConnection(redis.url) });
    const c = openRedis(redis.url);
    try {
      const claimed = 'a'.repeat(64);
      await c.set(blobKey(claimed), Buffer.from('tampered bytes'));
      const job = await q.add('dummy', {
        v: 1,
        operationId: 'op_dummy_tampered',
        jobType: 'dummy',
        params: { iterations: 1, duration_seconds: 0 },
        logLevel: 'info',
        inputs: [{ path: 'data/EURUSD/1d.bars', sha256: claimed, size: 14 }],
      }, { jobId: 'op_dummy_tampered', attempts: 1 });
      const state = await waitFor(async () => {
        const s = await job.getState();
        return s === 'failed' || s === 'completed' ? s : null;
      }, 10_000);
      expect(state).toBe('failed');
      const failed = await q.getJob('op_dummy_tampered');
      expect(failed?.failedReason).toMatch(/Checksum mismatch for data\/EURUSD\/1d\.bars/);

      const bad = await q.add('training', { v: 1, operationId: 'op_bad', jobType: 'training', params: { strategy_name: '' }, logLevel: 'info', inputs: [] }, { jobId: 'op_bad' });
      await waitFor(async () => (await bad.getState()) === 'failed', 10_000);
      expect((await q.getJob('op_bad'))?.failedReason).toMatch(/Invalid job payload: params\.strategy_name/);
    } finally {
      await c.quit();
      await q.close();
    }
  }, 60_000);

  it('Redis stopped: reads keep working, starts answer 503; Redis back: jobs run again without a server restart', async () => {
    await twoWorkers();
    const inFlight = await dummy(40, 8);
    await waitFor(async () => ((await op(inFlight)).metadata.worker ? true : null), 20_000);
    const before = (await http('GET', `${server.api}/operations?limit=5`)).body;
    await redis.stop();
    const list = await http('GET', `${server.api}/operations?limit=5`);
    expect(list.status).toBe(200);
    expect(list.body.total_count).toBe(before.total_count);
    const one = await http('GET', `${server.api}/operations/${before.data[0].operation_id}`);
    expect(one.status).toBe(200);

    // Starts are refused while Redis is away (503 with the reason and Retry-After), and /health says so.
    const refused = await waitFor(async () => {
      const r = await http('POST', `${server.api}/dummy/start`, { iterations: 3, duration_seconds: 0.3 });
      return r.status === 503 ? r : null;
    }, 10_000, 200);
    expect(refused.body.detail).toMatch(/^Redis at redis:\/\/127\.0\.0\.1:\d+ is unreachable/);
    const health = (await http('GET', `${server.api}/health`)).body;
    expect(health).toMatchObject({ status: 'degraded', job_host: { redis: 'unreachable' } });

    await redis.start();
    const recovered = await waitFor(
      async () => {
        const r = await http('POST', `${server.api}/dummy/start`, { iterations: 3, duration_seconds: 0.3 });
        if (r.status !== 200) return null; // 503 until the server has heard from Redis again
        const d = await waitTerminal(r.body.operation_id, 15_000);
        return d.status === 'completed' ? d : null;
      },
      60_000,
      1000,
    );
    expect(recovered.metadata.worker).toMatch(/:\d+$/);
    // The job that was running when Redis lost its data does not stay `running` forever.
    const lost = await waitTerminal(inFlight, 30_000);
    expect(lost.status).toBe('failed');
    expect(lost.error_message).toMatch(/Job lost|Redis/);
  }, 120_000);
});
