// Redis URLs as KTRDR accepts them: redis:// or rediss:// (TLS), password URL-encoded, optional
// database number. Validation and redaction are ours; connecting is ioredis's (see connection.ts).
import { isIP } from 'node:net';

export interface RedisUrlParts {
  host: string;
  port: number;
  username?: string;
  password?: string;
  db: number;
  /** Present for rediss://; SNI needs a host name (an IP is verified against the certificate's IP entries). */
  tls?: { servername?: string };
}

/** Parses redis:// and rediss:// URLs; throws (never showing the password) on anything else. */
export function parseRedisUrl(url: string): RedisUrlParts {
  const u = new URL(url);
  if (u.protocol !== 'redis:' && u.protocol !== 'rediss:') throw new Error(`Not a Redis URL (redis:// or rediss://): ${redactRedisUrl(url)}`);
  const db = u.pathname && u.pathname !== '/' ? Number(u.pathname.slice(1)) : 0;
  const host = u.hostname.replace(/^\[|\]$/g, '') || '127.0.0.1';
  if (!Number.isInteger(db) || db < 0) throw new Error(`database must be a non-negative integer, got "${u.pathname.slice(1)}"`);
  return {
    host,
    port: u.port ? Number(u.port) : 6379,
    ...(u.username ? { username: decodeURIComponent(u.username) } : {}),
    ...(u.password ? { password: decodeURIComponent(u.password) } : {}),
    db,
    ...(u.protocol === 'rediss:' ? { tls: isIP(host) ? {} : { servername: host } } : {}),
  };
}

/** The URL with its password replaced, for logs and error messages. */
export function redactRedisUrl(url: string): string {
  return url.replace(/\/\/([^@/]*)@/, (_m, cred: string) => `//${cred.includes(':') ? `${cred.split(':')[0]}:***` : '***'}@`);
}

/** Validates the URL early (clear message naming the problem, never the password). */
export function checkRedisUrl(url: string): void {
  try {
    parseRedisUrl(url);
  } catch (err) {
    throw new Error(`Invalid Redis URL ${redactRedisUrl(url)}: ${(err as Error).message}`);
  }
}
