import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { createConnection, createServer, type Server } from 'node:net';
import { join } from 'node:path';

export class HomeLockedError extends Error {}

export interface HomeLock {
  release(): void;
}

/**
 * Where the lock's socket lives. Linux: the abstract namespace (no file; gone the moment the process's
 * descriptors close, which a killed, never-reaped zombie has already done). Windows: a named pipe
 * (also gone with the process). Elsewhere a socket file in the home, whose staleness is tested by
 * connecting to it.
 */
function lockAddress(home: string): { path: string; file: boolean } {
  const id = createHash('sha256').update(realpathSync(home)).digest('hex').slice(0, 32);
  if (process.platform === 'linux') return { path: `\0ktrdr-home-${id}`, file: false };
  if (process.platform === 'win32') return { path: `\\\\?\\pipe\\ktrdr-home-${id}`, file: false };
  return { path: join(home, 'server.sock'), file: true };
}

function listen(server: Server, path: string): Promise<NodeJS.ErrnoException | null> {
  return new Promise((resolve) => {
    const onError = (err: NodeJS.ErrnoException) => resolve(err);
    server.once('error', onError);
    server.listen({ path, exclusive: true }, () => {
      server.off('error', onError);
      resolve(null);
    });
  });
}

/** True when something answers on a socket file (a live holder); false when nobody listens there. */
function answers(path: string): Promise<boolean> {
  return new Promise((resolve) => {
    const c = createConnection({ path }, () => {
      c.destroy();
      resolve(true);
    });
    c.on('error', () => resolve(false));
  });
}

function readHolder(path: string): { pid?: number; port?: number } {
  try {
    return JSON.parse(readFileSync(path, 'utf8'));
  } catch {
    return {};
  }
}

/**
 * One server per data directory: a second one would race the first on the bar store and the
 * operations table. The lock is a listening local socket, which the OS releases with the process
 * however it ends (SIGKILL, a zombie nobody reaps, a recycled pid): no stale lock can refuse a start
 * (issue #17.11). `server.lock` beside it only names the holder (pid, port) for the refusal message.
 */
export async function acquireHomeLock(home: string, info: { port: number }): Promise<HomeLock> {
  mkdirSync(home, { recursive: true });
  const infoPath = join(home, 'server.lock');
  const address = lockAddress(home);
  const server = createServer((socket) => socket.destroy());
  let err = await listen(server, address.path);
  if (err?.code === 'EADDRINUSE' && address.file && !(await answers(address.path))) {
    // A socket file left by a process that is gone: nobody listens, so it is stale.
    rmSync(address.path, { force: true });
    err = await listen(server, address.path);
  }
  if (err) {
    server.close();
    if (err.code !== 'EADDRINUSE') throw err;
    const holder = readHolder(infoPath);
    throw new HomeLockedError(
      `Another KTRDR server (pid ${holder.pid ?? '?'}, port ${holder.port ?? '?'}) is using ${home}. ` +
        `Stop it, or set KTRDR_HOME to another directory.`,
    );
  }
  // The lock must never keep the process alive on its own.
  server.unref();
  writeFileSync(infoPath, JSON.stringify({ pid: process.pid, port: info.port, started_at: new Date().toISOString() }));
  let released = false;
  return {
    release() {
      if (released) return;
      released = true;
      if (readHolder(infoPath).pid === process.pid) rmSync(infoPath, { force: true });
      server.close();
    },
  };
}
