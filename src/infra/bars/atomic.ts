// Crash-safe file replacement and a small cross-process lock (the server and data-load workers share files).
import { closeSync, fsyncSync, openSync, readFileSync, readdirSync, renameSync, rmSync, statSync, unlinkSync, writeSync } from 'node:fs';
import { open, rename, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { isProcessAlive } from '../process-alive';

/** Temp files carry this marker so listings skip them and stale ones can be swept. */
export const TEMP_MARKER = '.tmp-';

/**
 * Writes `data` to `path` so that a reader sees either the old file or the new one, never a mix:
 * write a temp file beside it, fsync it, rename over the target, fsync the folder.
 */
export function writeFileAtomic(path: string, data: Uint8Array): void {
  const tmp = join(dirname(path), `${basename(path)}${TEMP_MARKER}${process.pid}-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}`);
  const fd = openSync(tmp, 'w', 0o644);
  try {
    let off = 0;
    while (off < data.length) off += writeSync(fd, data, off, data.length - off);
    fsyncSync(fd);
  } catch (err) {
    closeSync(fd);
    rmSync(tmp, { force: true });
    throw err;
  }
  closeSync(fd);
  try {
    renameSync(tmp, path);
  } catch (err) {
    rmSync(tmp, { force: true });
    throw err;
  }
  fsyncDir(dirname(path));
}

/** writeFileAtomic with every write and fsync on libuv's pool: a slow disk never stalls the event loop. */
export async function writeFileAtomicAsync(path: string, data: Uint8Array): Promise<void> {
  const tmp = join(dirname(path), `${basename(path)}${TEMP_MARKER}${process.pid}-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}`);
  const fh = await open(tmp, 'w', 0o644);
  try {
    await fh.writeFile(data);
    await fh.sync();
  } catch (err) {
    await fh.close();
    await rm(tmp, { force: true });
    throw err;
  }
  await fh.close();
  try {
    await rename(tmp, path);
  } catch (err) {
    await rm(tmp, { force: true });
    throw err;
  }
  try {
    const dh = await open(dirname(path), 'r');
    try {
      await dh.sync();
    } finally {
      await dh.close();
    }
  } catch {
    // Some platforms cannot fsync a directory; the rename is still atomic there.
  }
}

function fsyncDir(dir: string): void {
  try {
    const fd = openSync(dir, 'r');
    try {
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
  } catch {
    // Some platforms (Windows) cannot fsync a directory; the rename is still atomic there.
  }
}

const sleepBuffer = new Int32Array(new SharedArrayBuffer(4));
const sleepSync = (ms: number) => Atomics.wait(sleepBuffer, 0, 0, ms);

export class LockTimeoutError extends Error {}

/** The pid a lock or temp file names (lock: its content; temp: `<name>.tmp-<pid>-…`), or null. */
function lockOwner(lockPath: string): number | null {
  try {
    const pid = Number(readFileSync(lockPath, 'utf8').trim());
    return Number.isInteger(pid) && pid > 0 ? pid : null;
  } catch {
    return null;
  }
}

/**
 * A lock is stale when its owner is gone (dead or a zombie), or when it names no owner and is
 * older than a second (the owner writes its pid right after creating it), or is older than `staleMs`.
 */
export function isStaleLock(lockPath: string, staleMs = 60_000): boolean {
  let age: number;
  try {
    age = Date.now() - statSync(lockPath).mtimeMs;
  } catch {
    return false; // gone: not stale, just free
  }
  const owner = lockOwner(lockPath);
  if (owner === null) return age > 1_000;
  if (owner === process.pid) return false;
  return !isProcessAlive(owner) || age > staleMs;
}

function tryLock(lockPath: string, staleMs: number): number | null {
  try {
    const fd = openSync(lockPath, 'wx');
    writeSync(fd, String(process.pid));
    return fd;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    if (isStaleLock(lockPath, staleMs)) {
      try {
        unlinkSync(lockPath);
      } catch {
        // someone else took it over first
      }
    }
    return null;
  }
}

function unlock(fd: number, lockPath: string): void {
  closeSync(fd);
  rmSync(lockPath, { force: true });
}

/**
 * Runs `fn` holding an exclusive lock file (`O_EXCL` create, holding the owner's pid). Read-
 * modify-write of a series (merge) must not interleave between the server and a worker. A lock
 * whose owner died is taken over at once. Synchronous waiting: for workers and startup only; the
 * server uses withFileLockAsync.
 */
export function withFileLock<T>(lockPath: string, fn: () => T, timeoutMs = 10_000, staleMs = 60_000): T {
  const deadline = Date.now() + timeoutMs;
  let fd: number | null;
  while ((fd = tryLock(lockPath, staleMs)) === null) {
    if (Date.now() > deadline) throw new LockTimeoutError(`Timed out waiting for ${basename(lockPath)}: another writer holds it`);
    sleepSync(10);
  }
  try {
    return fn();
  } finally {
    unlock(fd, lockPath);
  }
}

/** withFileLock that waits with timers, never blocking the event loop; `fn` may be async. */
export async function withFileLockAsync<T>(lockPath: string, fn: () => T | Promise<T>, timeoutMs = 10_000, staleMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let fd: number | null;
  while ((fd = tryLock(lockPath, staleMs)) === null) {
    if (Date.now() > deadline) throw new LockTimeoutError(`Timed out waiting for ${basename(lockPath)}: another writer holds it`);
    await new Promise((r) => setTimeout(r, 20));
  }
  try {
    return await fn();
  } finally {
    unlock(fd, lockPath);
  }
}

/**
 * Removes what killed writers left in `dir` (recursively, one level of symbol folders): temp files
 * whose writer is gone and stale locks. Run at server start. Returns the paths removed.
 */
export function sweepLeftovers(dir: string): string[] {
  const removed: string[] = [];
  const visit = (d: string, depth: number) => {
    let entries;
    try {
      entries = readdirSync(d, { withFileTypes: true });
    } catch {
      return;
    }
    for (const e of entries) {
      const p = join(d, e.name);
      if (e.isDirectory()) {
        if (depth < 2) visit(p, depth + 1);
        continue;
      }
      const tmpAt = e.name.indexOf(TEMP_MARKER);
      let stale = false;
      if (tmpAt >= 0) {
        const pid = Number(e.name.slice(tmpAt + TEMP_MARKER.length).split('-')[0]);
        stale = !(Number.isInteger(pid) && pid > 0 && pid !== process.pid && isProcessAlive(pid)) && pid !== process.pid;
      } else if (e.name.endsWith('.lock')) stale = isStaleLock(p);
      if (stale) {
        try {
          unlinkSync(p);
          removed.push(p);
        } catch {
          // gone meanwhile
        }
      }
    }
  };
  visit(dir, 0);
  return removed;
}
