import { closeSync, mkdirSync, openSync, readFileSync, rmSync, writeSync } from 'node:fs';
import { join } from 'node:path';

export class HomeLockedError extends Error {}

export interface HomeLock {
  release(): void;
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * One server per data directory: a second one would race the first on the bar store and the
 * operations table. The lock file is created atomically ('wx'); a lock left by a dead process is taken over.
 */
export function acquireHomeLock(home: string, info: { port: number }): HomeLock {
  mkdirSync(home, { recursive: true });
  const path = join(home, 'server.lock');
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fd = openSync(path, 'wx');
      writeSync(fd, JSON.stringify({ pid: process.pid, port: info.port, started_at: new Date().toISOString() }));
      closeSync(fd);
      let released = false;
      return {
        release() {
          if (released) return;
          released = true;
          rmSync(path, { force: true });
        },
      };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      let holder: { pid?: number; port?: number } = {};
      try {
        holder = JSON.parse(readFileSync(path, 'utf8'));
      } catch {
        // A half-written lock: treat as stale.
      }
      if (holder.pid && processAlive(holder.pid)) {
        throw new HomeLockedError(
          `Another KTRDR server (pid ${holder.pid}, port ${holder.port ?? '?'}) is using ${home}. ` +
            `Stop it, or set KTRDR_HOME to another directory.`,
        );
      }
      rmSync(path, { force: true });
    }
  }
  throw new HomeLockedError(`Could not lock ${home}`);
}
