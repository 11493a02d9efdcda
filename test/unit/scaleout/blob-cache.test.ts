import { createHash } from 'node:crypto';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { BlobCache } from '../../../src/main/scaleout/blob-cache';
import type { FileRef } from '../../../src/shared/job-payload';

const dirs: string[] = [];
const tmp = () => {
  const d = mkdtempSync(join(tmpdir(), 'ktrdr-blobs-'));
  dirs.push(d);
  return d;
};
afterEach(() => dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true })));

function blob(text: string): { ref: FileRef; bytes: Buffer } {
  const bytes = Buffer.from(text);
  return { bytes, ref: { path: `data/X/${text.length}.bars`, sha256: createHash('sha256').update(bytes).digest('hex'), size: bytes.length } };
}

describe('worker blob cache', () => {
  it('fetches a blob once and serves the same bytes afterwards', async () => {
    const dir = tmp();
    const cache = new BlobCache(dir, 1024);
    const a = blob('bars of a whole timeframe file');
    let fetches = 0;
    const fetch = async () => {
      fetches++;
      return a.bytes;
    };
    expect((await cache.get(a.ref, fetch)).equals(a.bytes)).toBe(true);
    expect((await cache.get(a.ref, fetch)).equals(a.bytes)).toBe(true);
    expect(fetches).toBe(1);
    expect(cache.stats).toEqual({ hits: 1, misses: 1 });
    // A new worker on the same home starts with what the last one kept.
    const again = new BlobCache(dir, 1024);
    await again.get(a.ref, fetch);
    expect(fetches).toBe(1);
  });

  it('a copy that no longer matches its hash is dropped and fetched again', async () => {
    const dir = tmp();
    const cache = new BlobCache(dir, 1024);
    const a = blob('model weights');
    let fetches = 0;
    const fetch = async () => {
      fetches++;
      return a.bytes;
    };
    await cache.get(a.ref, fetch);
    writeFileSync(join(dir, a.ref.sha256), 'tampered bytes');
    expect((await cache.get(a.ref, fetch)).equals(a.bytes)).toBe(true);
    expect(fetches).toBe(2);
    // A fetch that fails leaves nothing behind and surfaces its error.
    const b = blob('never arrives');
    await expect(cache.get(b.ref, async () => Promise.reject(new Error('not in Redis')))).rejects.toThrow('not in Redis');
    expect(readdirSync(dir)).not.toContain(b.ref.sha256);
  });

  it('keeps within its bound, least recently used out first; 0 keeps nothing; stale temp files are swept', async () => {
    const dir = tmp();
    writeFileSync(join(dir, `${'a'.repeat(64)}.tmp-1-x`), 'half');
    const cache = new BlobCache(dir, 100);
    const [a, b, c] = ['a'.repeat(40), 'b'.repeat(41), 'c'.repeat(42)].map(blob);
    await cache.get(a.ref, async () => a.bytes);
    await new Promise((r) => setTimeout(r, 20));
    await cache.get(b.ref, async () => b.bytes);
    await new Promise((r) => setTimeout(r, 20));
    await cache.get(a.ref, async () => a.bytes); // a is now the most recently used
    await new Promise((r) => setTimeout(r, 20));
    await cache.get(c.ref, async () => c.bytes);
    expect(readdirSync(dir).sort()).toEqual([a.ref.sha256, c.ref.sha256].sort());

    const none = new BlobCache(tmp(), 0);
    let fetches = 0;
    for (let i = 0; i < 2; i++)
      await none.get(a.ref, async () => {
        fetches++;
        return a.bytes;
      });
    expect(fetches).toBe(2);
  });
});
