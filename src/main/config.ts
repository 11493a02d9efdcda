import { cpus, homedir } from 'node:os';
import { delimiter, join, resolve } from 'node:path';
import { DEFAULT_IMPORT_LIMIT } from '../infra/import-files';

export interface AppConfig {
  /** Data directory: database, bars, strategies, models. */
  home: string;
  port: number;
  /** Always loopback: the API is for this machine only. */
  host: '127.0.0.1';
  logLevel: string;
  /** How long a RUNNING operation's cached copy is served before the bridge is read again. */
  cacheTtlMs: number;
  /** How long a cancelled worker may take to exit before it is killed. */
  cancelGraceMs: number;
  /** Largest JSON body accepted, in bytes. */
  bodyLimit: number;
  /** Folder of the built renderer served at `/` in headless mode. */
  rendererDir: string;
  /** Operations running at once (KTRDR_MAX_WORKERS). */
  maxWorkers: number;
  /** Operations pending or running at once, all clients together; more are refused with 429 (KTRDR_MAX_ACTIVE_OPERATIONS). */
  maxActive: number;
  /** Largest CSV import: request body, file on disk, inflated .gz (KTRDR_IMPORT_LIMIT, bytes). */
  importLimit: number;
  /** Extra folders /data/import `path` and csv data loads may read from (KTRDR_IMPORT_DIRS). */
  importDirs: string[];
  /** Test mode (KTRDR_TEST_MODE=1): exposes GET /api/v1/debug/event-loop. */
  testMode: boolean;
  /** Scale-out mode: jobs go to BullMQ on this Redis (`ktrdr worker`s run them); null = embedded. */
  redisUrl: string | null;
}

const LOG_LEVELS = ['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'];
const TF_BACKENDS = ['tensorflow-gpu', 'webgpu', 'tensorflow-cpu', 'wasm', 'cpu'];
const DATA_SOURCES = ['csv', 'synthetic', 'dukascopy', 'ib'];

function oneOf(env: NodeJS.ProcessEnv, name: string, allowed: string[]): void {
  const raw = env[name];
  if (raw !== undefined && raw !== '' && !allowed.includes(raw.toLowerCase()))
    throw new ConfigError(`${name}=${raw} is not valid: use one of ${allowed.join(', ')}`);
}

export class ConfigError extends Error {}

/** A number setting, or `fallback` when unset; anything else than a number passing `check` is a ConfigError naming it. */
export function numberFromEnv(env: NodeJS.ProcessEnv, name: string, fallback: number, check: (n: number) => boolean, rule?: string): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (raw.trim() === '' || !Number.isFinite(n) || !check(n)) throw new ConfigError(`${name}=${raw} is not valid${rule ? `: ${rule}` : ''}`);
  return n;
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env, overrides: Partial<AppConfig> = {}): AppConfig {
  const port = numberFromEnv(env, 'KTRDR_API_PORT', 8000, (n) => Number.isInteger(n) && n >= 0 && n < 65536, 'an integer port 0–65535 (0 = any free port)');
  const ttlSeconds = numberFromEnv(env, 'OPERATIONS_CACHE_TTL', 1.0, (n) => n >= 0 && n <= 60, 'seconds, 0–60');
  const graceSeconds = numberFromEnv(env, 'KTRDR_CANCEL_GRACE', 5, (n) => n >= 0 && n <= 600, 'seconds, 0–600');
  const maxWorkers = numberFromEnv(env, 'KTRDR_MAX_WORKERS', Math.max(4, cpus().length), (n) => Number.isInteger(n) && n >= 1 && n <= 256, 'an integer 1–256');
  const maxActive = numberFromEnv(env, 'KTRDR_MAX_ACTIVE_OPERATIONS', 256, (n) => Number.isInteger(n) && n >= 1 && n <= 1_000_000, 'an integer 1–1000000');
  const importLimit = numberFromEnv(env, 'KTRDR_IMPORT_LIMIT', DEFAULT_IMPORT_LIMIT, (n) => Number.isInteger(n) && n >= 1024 && n <= 2 ** 31, 'bytes, 1024–2147483648');
  const bodyLimit = numberFromEnv(env, 'KTRDR_BODY_LIMIT', 64 * 1024 * 1024, (n) => Number.isInteger(n) && n >= 1 && n <= 2 ** 31, 'bytes, 1–2147483648');
  oneOf(env, 'LOG_LEVEL', LOG_LEVELS);
  // Job workers lower their own priority by this much (src/worker/priority.ts); validated here so a typo fails the start.
  numberFromEnv(env, 'KTRDR_WORKER_NICE', 10, (n) => Number.isInteger(n) && n >= 0 && n <= 19, 'an integer 0–19 (0 = same priority as the server)');
  // Threads per training/backtest and LSTM/GRU inference precision (src/worker/training/fused/threads/config.ts, infer-rnn.ts).
  numberFromEnv(env, 'KTRDR_THREADS', 1, (n) => Number.isInteger(n) && n >= 1 && n <= 256, 'an integer 1–256 (unset: one per core)');
  oneOf(env, 'KTRDR_RNN_INFERENCE', ['f32', 'f64']);
  oneOf(env, 'KTRDR_TF_BACKEND', TF_BACKENDS);
  oneOf(env, 'KTRDR_TRAINER', ['tfjs', 'fused']);
  oneOf(env, 'KTRDR_DEFAULT_DATA_SOURCE', DATA_SOURCES);
  oneOf(env, 'KTRDR_SEED_SAMPLES', ['0', '1']);
  oneOf(env, 'KTRDR_TEST_MODE', ['0', '1']);
  const importDirs = (env.KTRDR_IMPORT_DIRS ?? '').split(delimiter).map((d) => d.trim()).filter(Boolean);
  const relative = importDirs.find((d) => !d.startsWith('/') && !/^[A-Za-z]:[\\/]/.test(d));
  if (relative) throw new ConfigError(`KTRDR_IMPORT_DIRS lists '${relative}': give absolute folders separated by '${delimiter}'`);
  return {
    home: resolve(env.KTRDR_HOME || join(homedir(), '.ktrdr')),
    port,
    host: '127.0.0.1',
    logLevel: env.LOG_LEVEL?.toLowerCase() || 'info',
    cacheTtlMs: Math.round(ttlSeconds * 1000),
    cancelGraceMs: Math.round(graceSeconds * 1000),
    bodyLimit,
    rendererDir: resolve(env.KTRDR_RENDERER_DIR || join(__dirname, '..', 'renderer')),
    maxWorkers,
    maxActive,
    importLimit,
    importDirs,
    testMode: env.KTRDR_TEST_MODE === '1',
    redisUrl: env.KTRDR_REDIS_URL || null,
    ...overrides,
  };
}
