import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance } from 'fastify';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { buildApi } from './api/server';
import { loadConfig, type AppConfig } from './config';
import type { AppContext } from './context';
import { acquireHomeLock, type HomeLock } from './home-lock';
import { createLogger, type Logger } from './logger';
import { ChildProcessJobHost, type JobHost } from './operations/job-host';
import { OperationsRepository } from './operations/repository';
import { OperationsService } from './operations/service';
import { BullMqJobHost } from './scaleout/bullmq-job-host';
import { checkRedisUrl, redactRedisUrl } from './scaleout/connection';
import { openDatabase } from './store/database';
import { createExperimentScheduler } from './experiments';
import { barStoreForHome, ensureSampleData, findSamplesDir } from '../infra/bars';
import { sweepLeftovers } from '../infra/bars/atomic';
import { ModelRegistry } from '../infra/models/registry';
import { sweepTempDirs } from '../infra/models/store';
import { StrategyCatalog } from '../infra/strategies';
import { ParsePool, parseThreadHeapMb } from '../infra/threads/parse-pool';
import { DEFAULT_CATALOG } from '../core/strategy/default-catalog';

export interface App {
  ctx: AppContext;
  api: FastifyInstance;
  /** Starts listening on 127.0.0.1:port; resolves to the base URL. */
  listen(): Promise<string>;
  close(): Promise<void>;
}

export interface CreateAppOptions {
  config?: AppConfig;
  log?: Logger;
  /** A host for every job, whatever the settings (tests). */
  jobHost?: JobHost;
  /** The host for embedded mode (Electron's utilityProcess host); headless uses child_process.fork. KTRDR_REDIS_URL wins over it. */
  embeddedJobHost?: () => JobHost;
  /** Serve the built renderer at `/` (headless mode). */
  serveRenderer?: boolean;
}

/** The composition root: one place where the store, services and API are built and wired. */
export async function createApp(opts: CreateAppOptions = {}): Promise<App> {
  const config = opts.config ?? loadConfig();
  const log = opts.log ?? createLogger(config.logLevel);
  const lock: HomeLock = await acquireHomeLock(config.home, { port: config.port });
  try {
    const db = openDatabase(config.home);
    const repo = new OperationsRepository(db);
    const host: JobHost = opts.jobHost ?? (config.redisUrl ? await scaleOutHost(config, log) : (opts.embeddedJobHost?.() ?? new ChildProcessJobHost()));
    const operations = new OperationsService({
      repo,
      host,
      log: log.child({ component: 'operations' }),
      home: config.home,
      logLevel: config.logLevel,
      cacheTtlMs: config.cacheTtlMs,
      cancelGraceMs: config.cancelGraceMs,
      // Scale-out: BullMQ queues the jobs and the workers' concurrency limits them (unless a limit is set).
      maxWorkers: config.redisUrl && !opts.jobHost && !process.env.KTRDR_MAX_WORKERS ? 100_000 : config.maxWorkers,
      maxActive: config.maxActive,
    });
    // Scale-out: jobs a previous server process left on the queue are taken back, not failed.
    const reattached = operations.reattachJobs();
    if (reattached) log.warn(`${reattached} operation(s) left on the job queue by the last server are taken back`);
    const recovered = operations.recoverInterrupted();
    if (recovered) log.warn(`${recovered} operation(s) were interrupted by the last shutdown and are now failed`);
    const experiments = createExperimentScheduler({ operations, repo, db, home: config.home, log: log.child({ component: 'experiments' }) });

    const bars = barStoreForHome(config.home);
    // Temp files and locks of writers killed mid-write (this server's or its workers') go first.
    const swept = sweepLeftovers(bars.dataDir);
    if (swept.length) log.warn(`Removed ${swept.length} leftover temp/lock file(s) of interrupted writers`);
    const models = ModelRegistry.forHome(config.home);
    // Half-written model versions (a save killed before its rename) are temp folders: removed too.
    for (const strategy of existsSync(models.modelsDir) ? readdirSync(models.modelsDir) : []) {
      try {
        // At start no save can be in flight: every temp folder is a leftover, whatever its age.
        sweepTempDirs(models, strategy, Number.POSITIVE_INFINITY);
      } catch {
        // not a strategy folder
      }
    }
    if (process.env.KTRDR_SEED_SAMPLES !== '0') {
      // First start: the bundled real bars, so a new user can train and backtest at once.
      const dataLog = log.child({ component: 'data' });
      try {
        ensureSampleData(bars, findSamplesDir(__dirname), { info: (m) => dataLog.info(m), warn: (m) => dataLog.warn(m) });
      } catch (err) {
        dataLog.warn({ err }, 'Could not seed the sample bars');
      }
    }
    // User YAML, CSV imports and large JSON bodies are parsed on threads (started on first need), never on the event loop.
    const parsePool = new ParsePool({ heapMb: parseThreadHeapMb(config.importLimit) });
    const strategies = new StrategyCatalog({ userDir: join(config.home, 'strategies'), indicators: DEFAULT_CATALOG, parsePool });
    const ctx: AppContext = { config, log, db, operations, bars, strategies, models, experiments, parsePool };
    // Worst event-loop stall, for the reliability suites (GET /debug/event-loop in test mode).
    const loopDelay = monitorEventLoopDelay({ resolution: 10 });
    loopDelay.enable();
    const api = await buildApi(ctx, { loopDelay });
    if (opts.serveRenderer) await serveRenderer(api, config.rendererDir);
    // Experiments left running by the last server resume now (finished children kept, the rest rerun).
    const resumed = experiments.resumeAll();
    if (resumed) log.warn(`${resumed} experiment(s) resumed after a restart`);

    let closed = false;
    return {
      ctx,
      api,
      async listen() {
        await api.listen({ host: config.host, port: config.port });
        const addr = api.server.address();
        const port = typeof addr === 'object' && addr ? addr.port : config.port;
        return `http://${config.host}:${port}`;
      },
      async close() {
        if (closed) return;
        closed = true;
        experiments.stop();
        loopDelay.disable();
        await operations.shutdown();
        await host.close?.();
        await api.close();
        await parsePool.close();
        db.close();
        lock.release();
      },
    };
  } catch (err) {
    lock.release();
    throw err;
  }
}

/** The BullMQ host; the server starts even when Redis is not up yet (starts fail until it is). */
async function scaleOutHost(config: AppConfig, log: Logger): Promise<BullMqJobHost> {
  checkRedisUrl(config.redisUrl!);
  const host = new BullMqJobHost({ url: config.redisUrl!, log: log.child({ component: 'scaleout' }) });
  host.setHome(config.home);
  const url = redactRedisUrl(config.redisUrl!);
  if (await host.ready()) log.info(`Scale-out mode: jobs run on ktrdr workers through ${url}`);
  else log.warn(`Scale-out mode: Redis at ${url} does not answer yet; operations started meanwhile fail`);
  return host;
}

async function serveRenderer(api: FastifyInstance, dir: string): Promise<void> {
  if (!existsSync(join(dir, 'index.html'))) {
    api.get('/', async (_req, reply) =>
      reply
        .type('text/html')
        .send('<!doctype html><title>KTRDR</title><p>The desktop UI is not built. Run <code>npm run build</code>, then reload. The API is at <a href="/api/v1/docs">/api/v1/docs</a>.</p>'),
    );
    return;
  }
  // wildcard: files are looked up per request, so a rebuilt renderer is served without a restart.
  await api.register(fastifyStatic, { root: dir, prefix: '/', index: ['index.html'], wildcard: true });
}
