// A private redis-server on 127.0.0.1 for scale-out tests: its own port and temp dir, no
// persistence. `hasRedis` is false when redis-server is not installed (tests skip and say so).
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { REPO, sleep } from './server';

const REDIS_BIN = process.env.REDIS_SERVER_BIN || '/usr/bin/redis-server';
export const hasRedis = spawnSync(REDIS_BIN, ['--version']).status === 0;
export const noRedisReason = `redis-server not found at ${REDIS_BIN}: scale-out tests skipped (install redis-server or set REDIS_SERVER_BIN)`;

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const port = (srv.address() as { port: number }).port;
      srv.close(() => resolve(port));
    });
  });
}

export interface TestRedis {
  url: string;
  port: number;
  /** The redis-server process id (tests SIGSTOP/SIGCONT it to pause Redis). */
  pid(): number;
  /** Stops it (data is lost: no persistence). */
  stop(): Promise<void>;
  /** Starts it again on the same port (after stop). */
  start(): Promise<void>;
  output(): string;
}

/** `tls`: PEM files; Redis then listens with TLS only (clients need no certificate of their own). */
export async function startRedis(opts: { password?: string; tls?: { cert: string; key: string } } = {}): Promise<TestRedis> {
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'ktrdr-redis-'));
  let proc: ChildProcess | null = null;
  let out = '';
  const start = async () => {
    const listen = opts.tls
      ? ['--port', '0', '--tls-port', String(port), '--tls-cert-file', opts.tls.cert, '--tls-key-file', opts.tls.key, '--tls-ca-cert-file', opts.tls.cert, '--tls-auth-clients', 'no']
      : ['--port', String(port)];
    const args = [...listen, '--bind', '127.0.0.1', '--dir', dir, '--save', '', '--appendonly', 'no'];
    if (opts.password) args.push('--requirepass', opts.password);
    proc = spawn(REDIS_BIN, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    proc.stdout!.on('data', (d) => (out += d));
    proc.stderr!.on('data', (d) => (out += d));
    const end = Date.now() + 10_000;
    while (!/Ready to accept connections/.test(out)) {
      if (Date.now() > end || proc.exitCode !== null) throw new Error(`redis-server did not start:\n${out}`);
      await sleep(50);
    }
  };
  const stop = async () => {
    const p = proc;
    proc = null;
    if (!p || p.exitCode !== null || p.signalCode !== null) return;
    const exited = new Promise<void>((r) => p.once('exit', () => r()));
    p.kill('SIGKILL');
    await exited;
  };
  await start();
  const auth = opts.password ? `:${encodeURIComponent(opts.password)}@` : '';
  return {
    url: `${opts.tls ? 'rediss' : 'redis'}://${auth}127.0.0.1:${port}`,
    port,
    pid: () => (proc as ChildProcess | null)?.pid ?? 0,
    start,
    async stop() {
      await stop();
    },
    output: () => out,
  };
}

export function removeDir(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
}

export interface TestWorker {
  proc: ChildProcess;
  pid: number;
  home: string;
  output(): string;
  stop(): Promise<void>;
  kill(): Promise<void>;
}

/**
 * Starts `ktrdr worker --redis URL --home <own temp dir>` from the sources (or the built bundle).
 * `home`: use this folder instead, and leave it in place when the worker ends.
 */
export async function startWorker(url: string, opts: { concurrency?: number; env?: Record<string, string>; built?: boolean; home?: string } = {}): Promise<TestWorker> {
  const home = opts.home ?? mkdtempSync(join(tmpdir(), 'ktrdr-worker-'));
  const entry = opts.built ? [join(REPO, 'out', 'main', 'cli.js')] : ['--import', 'tsx', join(REPO, 'src', 'cli', 'index.ts')];
  const proc = spawn(process.execPath, [...entry, 'worker', '--redis', url, '--home', home, '--concurrency', String(opts.concurrency ?? 1)], {
    cwd: REPO,
    env: { ...process.env, ...opts.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  proc.stdout!.on('data', (d) => (out += d));
  proc.stderr!.on('data', (d) => (out += d));
  const end = Date.now() + 60_000;
  while (!/ ready\n/.test(out)) {
    if (Date.now() > end || proc.exitCode !== null) throw new Error(`ktrdr worker did not start:\n${out}`);
    await sleep(50);
  }
  const exited = new Promise<void>((r) => proc.once('exit', () => r()));
  const finish = async (signal: NodeJS.Signals) => {
    if (proc.exitCode === null && proc.signalCode === null) proc.kill(signal);
    // A worker drains its running jobs on SIGTERM; tests do not wait for long ones.
    const force = setTimeout(() => proc.kill('SIGKILL'), 5000);
    await exited;
    clearTimeout(force);
    if (!opts.home) rmSync(home, { recursive: true, force: true });
  };
  return { proc, pid: proc.pid!, home, output: () => out, stop: () => finish('SIGTERM'), kill: () => finish('SIGKILL') };
}
