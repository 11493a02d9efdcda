// A worker's local copy of the blobs it has fetched, by content hash. A sweep's trials and a
// walk-forward's folds ship the same bar files again and again; each worker fetches a file once and
// reuses it while its bytes still hash to the name. Bounded in size, least recently used out first.
import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { FileRef } from '../../shared/job-payload';
import { sha256Of } from './blobs';

export const DEFAULT_BLOB_CACHE_BYTES = 2 * 1024 ** 3;

export interface BlobCacheStats {
  hits: number;
  misses: number;
}

export class BlobCache {
  readonly stats: BlobCacheStats = { hits: 0, misses: 0 };

  constructor(
    private readonly dir: string,
    private readonly maxBytes: number = DEFAULT_BLOB_CACHE_BYTES,
  ) {
    mkdirSync(dir, { recursive: true });
    // Temp files of a worker killed mid-write.
    for (const name of readdirSync(dir)) if (name.includes('.tmp-')) rmSync(join(dir, name), { force: true });
  }

  /** The verified bytes of `ref`: from the cache when its copy still matches, else from `fetch` (kept). */
  async get(ref: FileRef, fetch: (ref: FileRef) => Promise<Buffer>): Promise<Buffer> {
    if (!/^[0-9a-f]{64}$/.test(ref.sha256)) return fetch(ref);
    const path = join(this.dir, ref.sha256);
    const cached = this.read(path, ref);
    if (cached) {
      this.stats.hits++;
      return cached;
    }
    this.stats.misses++;
    const bytes = await fetch(ref);
    if (this.maxBytes > 0 && bytes.length <= this.maxBytes) this.keep(path, bytes);
    return bytes;
  }

  private read(path: string, ref: FileRef): Buffer | null {
    let bytes: Buffer;
    try {
      bytes = readFileSync(path);
    } catch {
      return null;
    }
    // A copy that no longer hashes to its name (disk fault, tampering) is dropped and fetched again.
    if (bytes.length !== ref.size || sha256Of(bytes) !== ref.sha256) {
      rmSync(path, { force: true });
      return null;
    }
    const now = new Date();
    try {
      utimesSync(path, now, now);
    } catch {
      // Removed meanwhile by another job's pruning: the bytes are already read.
    }
    return bytes;
  }

  private keep(path: string, bytes: Buffer): void {
    const tmp = `${path}.tmp-${process.pid}-${Math.random().toString(36).slice(2)}`;
    try {
      writeFileSync(tmp, bytes);
      renameSync(tmp, path);
      this.prune();
    } catch {
      // A full disk only costs the cache, never the job.
      rmSync(tmp, { force: true });
    }
  }

  /** Oldest-used files out until the folder fits its bound. */
  private prune(): void {
    const files = readdirSync(this.dir)
      .filter((n) => /^[0-9a-f]{64}$/.test(n))
      .map((n) => {
        const st = statSync(join(this.dir, n));
        return { path: join(this.dir, n), size: st.size, used: st.mtimeMs };
      })
      .sort((a, b) => a.used - b.used);
    let total = files.reduce((s, f) => s + f.size, 0);
    for (const f of files) {
      if (total <= this.maxBytes) break;
      rmSync(f.path, { force: true });
      total -= f.size;
    }
  }
}
