import { homedir } from 'node:os';
import { join, resolve } from 'node:path';

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
  /** Scale-out mode: jobs go to BullMQ on this Redis (`ktrdr worker`s run them); null = embedded. */
  redisUrl: string | null;
}

export class ConfigError extends Error {}

function numberFromEnv(env: NodeJS.ProcessEnv, name: string, fallback: number, check: (n: number) => boolean): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isFinite(n) || !check(n)) throw new ConfigError(`${name}=${raw} is not valid`);
  return n;
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env, overrides: Partial<AppConfig> = {}): AppConfig {
  const port = numberFromEnv(env, 'KTRDR_API_PORT', 8000, (n) => Number.isInteger(n) && n >= 0 && n < 65536);
  const ttlSeconds = numberFromEnv(env, 'OPERATIONS_CACHE_TTL', 1.0, (n) => n >= 0 && n <= 60);
  const graceSeconds = numberFromEnv(env, 'KTRDR_CANCEL_GRACE', 5, (n) => n >= 0 && n <= 600);
  return {
    home: resolve(env.KTRDR_HOME || join(homedir(), '.ktrdr')),
    port,
    host: '127.0.0.1',
    logLevel: env.LOG_LEVEL?.toLowerCase() || 'info',
    cacheTtlMs: Math.round(ttlSeconds * 1000),
    cancelGraceMs: Math.round(graceSeconds * 1000),
    bodyLimit: numberFromEnv(env, 'KTRDR_BODY_LIMIT', 64 * 1024 * 1024, (n) => n > 0),
    rendererDir: resolve(env.KTRDR_RENDERER_DIR || join(__dirname, '..', 'renderer')),
    redisUrl: env.KTRDR_REDIS_URL || null,
    ...overrides,
  };
}
