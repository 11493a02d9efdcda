import { closeSync, mkdirSync, openSync, readFileSync, rmSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { isProcessAlive } from '../infra/process-alive';

export class HomeLockedError extends Error {}

export interface HomeLock {
  release(): void;
}


/**
 * One server per data directory: a second one would race the first on the bar store and the
 * operations table. The lock file is created atomically ('wx'); a lock left by a dead process is taken
 * over, and a zombie (killed, never reaped: no init in the container) counts as dead (issue #17.11).
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
      if (holder.pid && isProcessAlive(holder.pid)) {
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
