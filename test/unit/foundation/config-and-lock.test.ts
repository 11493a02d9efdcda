import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../../src/main/config';
import { acquireHomeLock, HomeLockedError } from '../../../src/main/home-lock';
import { isAllowedOrigin, isLoopbackHost, isOwnHost } from '../../../src/main/api/security';
import { migrate, openDatabase } from '../../../src/main/store/database';
import { MIGRATIONS } from '../../../src/main/store/migrations';
import { newOperationId, OPERATION_ID_PATTERN } from '../../../src/main/operations/ids';

const dirs: string[] = [];
const tmp = () => {
  const d = mkdtempSync(join(tmpdir(), 'ktrdr-f-'));
  dirs.push(d);
  return d;
};
afterEach(() => dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true })));

describe('configuration', () => {
  it('has the documented defaults', () => {
    const c = loadConfig({});
    expect(c).toMatchObject({ port: 8000, host: '127.0.0.1', cacheTtlMs: 1000, logLevel: 'info' });
    expect(c.home).toMatch(/\.ktrdr$/);
  });
  it('reads the environment and rejects bad values by name', () => {
    expect(loadConfig({ KTRDR_API_PORT: '9001', OPERATIONS_CACHE_TTL: '0.25', LOG_LEVEL: 'DEBUG' })).toMatchObject({ port: 9001, cacheTtlMs: 250, logLevel: 'debug' });
    expect(() => loadConfig({ KTRDR_API_PORT: 'eighty' })).toThrow(ConfigError);
    expect(() => loadConfig({ KTRDR_API_PORT: '70000' })).toThrow(/KTRDR_API_PORT=70000/);
    // Read by job workers (threads per job, LSTM/GRU inference precision): a typo fails the start, not a job.
    expect(() => loadConfig({ KTRDR_THREADS: '0' })).toThrow(/KTRDR_THREADS=0 is not valid: an integer 1–256/);
    expect(() => loadConfig({ KTRDR_RNN_INFERENCE: 'f16' })).toThrow(/KTRDR_RNN_INFERENCE=f16 is not valid/);
    expect(() => loadConfig({ KTRDR_THREADS: '3', KTRDR_RNN_INFERENCE: 'F64' })).not.toThrow();
  });
});

describe('one server per data directory', () => {
  it('refuses a second lock while the first holder lives, and takes over a dead holder’s lock', async () => {
    const home = tmp();
    const first = await acquireHomeLock(home, { port: 8000 });
    await expect(acquireHomeLock(home, { port: 8001 })).rejects.toThrow(/pid \d+, port 8000/);
    await expect(acquireHomeLock(home, { port: 8001 })).rejects.toBeInstanceOf(HomeLockedError);
    first.release();
    (await acquireHomeLock(home, { port: 8001 })).release();
    writeFileSync(join(home, 'server.lock'), JSON.stringify({ pid: 2 ** 22 + 12345, port: 1 }));
    const taken = await acquireHomeLock(home, { port: 8002 });
    taken.release();
  });

  it('is released by the OS: a lock file naming a live but unrelated pid (a recycled pid) does not refuse the start', async () => {
    const home = tmp();
    // pid 1 is always alive; the old pid-file lock refused here.
    writeFileSync(join(home, 'server.lock'), JSON.stringify({ pid: 1, port: 1 }));
    const lock = await acquireHomeLock(home, { port: 8003 });
    expect(JSON.parse(readFileSync(join(home, 'server.lock'), 'utf8')).pid).toBe(process.pid);
    lock.release();
  });

  it('a SIGKILLed holder frees the home at once (the kernel closes its socket at death, reaped or not)', async () => {
    const home = tmp();
    const script = `import('${join(__dirname, '../../../src/main/home-lock.ts')}').then(async (m) => { const f = m.acquireHomeLock ?? m.default.acquireHomeLock; await f(process.argv[1], { port: 9 }); console.log('locked'); setInterval(() => {}, 1000); });`;
    const child = spawn(process.execPath, ['--import', 'tsx', '-e', script, home], { stdio: ['ignore', 'pipe', 'inherit'] });
    try {
      await new Promise<void>((resolve, reject) => {
        child.stdout!.on('data', (d) => String(d).includes('locked') && resolve());
        child.on('exit', (code) => reject(new Error(`lock holder exited ${code}`)));
      });
      await expect(acquireHomeLock(home, { port: 8004 })).rejects.toThrow(new RegExp(`pid ${child.pid}, port 9`));
      process.kill(child.pid!, 'SIGKILL');
      // Not waited for: the lock must be free as soon as the kernel closed its socket.
      let lock = null;
      for (let i = 0; i < 100 && !lock; i++) {
        lock = await acquireHomeLock(home, { port: 8004 }).catch(() => null);
        if (!lock) await new Promise((r) => setTimeout(r, 20));
      }
      expect(lock).not.toBeNull();
      lock!.release();
    } finally {
      child.kill('SIGKILL');
    }
  });
});

describe('database', () => {
  it('opens in WAL mode and applies migrations once', () => {
    const home = tmp();
    const db = openDatabase(home);
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    const v = db.pragma('user_version', { simple: true });
    expect(v).toBe(MIGRATIONS[MIGRATIONS.length - 1].version);
    expect(migrate(db, MIGRATIONS)).toBe(v);
    db.close();
  });
});

describe('local-port checks', () => {
  it('accepts only loopback hosts and origins', () => {
    expect(['localhost', 'localhost:8000', '127.0.0.1:8000', '[::1]:8000'].every(isLoopbackHost)).toBe(true);
    expect(['evil.example', 'localhost.evil.example', '127.0.0.1.nip.io', undefined].some((h) => isLoopbackHost(h as string))).toBe(false);
    expect(isAllowedOrigin(undefined)).toBe(true);
    expect(isAllowedOrigin('http://127.0.0.1:8000', 8000)).toBe(true);
    expect(isAllowedOrigin('http://localhost:8000', 8000)).toBe(true);
    expect(isAllowedOrigin('http://localhost:5173', 8000)).toBe(false);
    expect(isAllowedOrigin('http://127.0.0.1:8000', null)).toBe(false);
    expect(isAllowedOrigin('null', 8000)).toBe(false);
    expect(isOwnHost('127.0.0.1:8000', 8000)).toBe(true);
    expect(isOwnHost('[::1]:8000', 8000)).toBe(true);
    expect(isOwnHost('localhost:8001', 8000)).toBe(false);
    expect(isOwnHost('localhost', 8000)).toBe(false);
    expect(isOwnHost('localhost', null)).toBe(true);
    expect(isAllowedOrigin('https://localhost.evil.example')).toBe(false);
  });
});

describe('operation ids', () => {
  it('follow op_{type}_{YYYYmmdd_HHMMSS}_{8 hex} in UTC', () => {
    const id = newOperationId('data_load', new Date('2025-01-23T10:04:05.678Z'));
    expect(id).toMatch(/^op_data_load_20250123_100405_[0-9a-f]{8}$/);
    expect(id).toMatch(OPERATION_ID_PATTERN);
  });
});
