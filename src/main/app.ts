import { existsSync } from 'node:fs';
import { join } from 'node:path';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance } from 'fastify';
import { cpus } from 'node:os';
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
import { barStoreForHome, ensureSampleData, findSamplesDir } from '../infra/bars';
import { ModelRegistry } from '../infra/models/registry';
import { StrategyCatalog } from '../infra/strategies';
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
  /** Electron passes its utilityProcess host; headless uses child_process.fork. */
  jobHost?: JobHost;
  /** Serve the built renderer at `/` (headless mode). */
  serveRenderer?: boolean;
}

/** The composition root: one place where the store, services and API are built and wired. */
export async function createApp(opts: CreateAppOptions = {}): Promise<App> {
  const config = opts.config ?? loadConfig();
  const log = opts.log ?? createLogger(config.logLevel);
  const lock: HomeLock = acquireHomeLock(config.home, { port: config.port });
  try {
    const db = openDatabase(config.home);
    const repo = new OperationsRepository(db);
    const host: JobHost = opts.jobHost ?? (config.redisUrl ? await scaleOutHost(config, log) : new ChildProcessJobHost());
    const operations = new OperationsService({
      repo,
      host,
      log: log.child({ component: 'operations' }),
      home: config.home,
      logLevel: config.logLevel,
      cacheTtlMs: config.cacheTtlMs,
      cancelGraceMs: config.cancelGraceMs,
      // Scale-out: BullMQ queues the jobs and the workers' concurrency limits them.
      maxWorkers: Number(process.env.KTRDR_MAX_WORKERS) || (config.redisUrl && !opts.jobHost ? 100_000 : Math.max(4, cpus().length)),
    });
    const recovered = operations.recoverInterrupted();
    if (recovered) log.warn(`${recovered} operation(s) were interrupted by the last shutdown and are now failed`);

    const bars = barStoreForHome(config.home);
    if (process.env.KTRDR_SEED_SAMPLES !== '0') {
      // First start: the bundled real bars, so a new user can train and backtest at once.
      const dataLog = log.child({ component: 'data' });
      try {
        ensureSampleData(bars, findSamplesDir(__dirname), { info: (m) => dataLog.info(m), warn: (m) => dataLog.warn(m) });
      } catch (err) {
        dataLog.warn({ err }, 'Could not seed the sample bars');
      }
    }
    const strategies = new StrategyCatalog({ userDir: join(config.home, 'strategies'), indicators: DEFAULT_CATALOG });
    const models = ModelRegistry.forHome(config.home);
    const ctx: AppContext = { config, log, db, operations, bars, strategies, models };
    const api = await buildApi(ctx);
    if (opts.serveRenderer) await serveRenderer(api, config.rendererDir);

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
        await operations.shutdown();
        await host.close?.();
        await api.close();
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
