// An attempt's journal against a real redis-server: records written by index and read back by
// index, nothing lost or repeated across a Redis pause (SIGSTOP) and a restart; blobs verified on
// put and replaced when Redis holds other bytes.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AttemptJournal, readJournal, type ProgressEnvelope } from '../../../src/main/scaleout/attempt-journal';
import { getVerifiedBlob, putBlob, sha256Of } from '../../../src/main/scaleout/blobs';
import { blobKey, openRedis } from '../../../src/main/scaleout/connection';
import { emptyProgress } from '../../../src/shared/operations';
import type { SnapshotMessage } from '../../../src/shared/worker-protocol';
import { hasRedis, noRedisReason, startRedis, type TestRedis } from '../../helpers/redis';
import { sleep, waitFor } from '../../helpers/server';

if (!hasRedis) console.log(noRedisReason);

let redis: TestRedis;
beforeAll(async () => {
  if (hasRedis) redis = await startRedis();
});
afterAll(async () => {
  await redis?.stop();
});

const snap = (from: number, n: number, warnings: string[] = []): SnapshotMessage => ({
  type: 'snapshot',
  progress: { ...emptyProgress(), percentage: from + n },
  metricsFrom: from,
  metrics: Array.from({ length: n }, (_, i) => ({ epoch: from + i + 1 })),
  warnings,
});

describe.skipIf(!hasRedis)('attempt journal', () => {
  it('keeps every record through a Redis pause; the reader gets them by index, once, in order', async () => {
    const c = openRedis(redis.url);
    const reader = openRedis(redis.url);
    const sent: ProgressEnvelope[] = [];
    try {
      const j = new AttemptJournal(c, 'ktrdr:test:journal:op1:1', { worker: 'w:1', attempt: 1 }, async (env) => void sent.push(env));
      await j.announce();
      expect(sent[0]).toMatchObject({ worker: 'w:1', attempt: 1, progress: null, metrics: 0 });
      j.add(snap(0, 3, ['low memory']));
      process.kill(redis.pid(), 'SIGSTOP');
      j.add(snap(3, 2)); // written while Redis is paused: waits, then goes through
      await sleep(300);
      process.kill(redis.pid(), 'SIGCONT');
      j.add(snap(5, 1));
      await j.drain();
      const last = sent[sent.length - 1];
      expect(last).toMatchObject({ metrics: 6, warnings: 1 });
      const got = await readJournal(reader, 'ktrdr:test:journal:op1:1', [0, last.metrics], [0, last.warnings]);
      expect(got.metrics.map((m) => m.epoch)).toEqual([1, 2, 3, 4, 5, 6]);
      expect(got.warnings).toEqual(['low memory']);
      // From a later index only what follows; a missing record stops the read (never a hole).
      expect((await readJournal(reader, 'ktrdr:test:journal:op1:1', [4, 9], [1, 1])).metrics.map((m) => m.epoch)).toEqual([5, 6]);
    } finally {
      await c.quit();
      await reader.quit();
    }
  });

  it('a write that fails (Redis down) is written again once Redis is back', async () => {
    const c = openRedis(redis.url, { maxRetriesPerRequest: 1 });
    try {
      const j = new AttemptJournal(c, 'ktrdr:test:journal:op2:1', { worker: 'w:1', attempt: 1 }, async () => undefined);
      j.add(snap(0, 2));
      await j.drain();
      await redis.stop();
      j.add(snap(2, 2));
      await waitFor(async () => j.behind, 10_000, 50);
      await redis.start();
      await j.drain();
      // Redis restarted empty: what the journal re-writes is what it had not written yet.
      const got = await readJournal(c, 'ktrdr:test:journal:op2:1', [2, 4], [0, 0]);
      expect(got.metrics.map((m) => m.epoch)).toEqual([3, 4]);
    } finally {
      await c.quit();
    }
  }, 30_000);
});

describe.skipIf(!hasRedis)('putBlob', () => {
  it('verifies what Redis holds and replaces other bytes, of another length or the same; a sound blob is only renewed', async () => {
    const c = openRedis(redis.url);
    try {
      const replaced: string[] = [];
      const onReplaced = (h: string) => void replaced.push(h);
      // Slices of 4 MiB are hashed in Redis: a 9 MiB blob has three.
      const bytes = Buffer.alloc(9 * 1024 * 1024, 7);
      const sha = sha256Of(bytes);
      const flipped = Buffer.from(bytes);
      flipped[bytes.length - 5] ^= 1; // same length, one bit off, in the last slice
      await c.set(blobKey(sha), flipped);
      expect(await putBlob(c, bytes, onReplaced)).toBe(sha);
      expect(replaced).toEqual([sha]);
      expect(sha256Of((await c.getBuffer(blobKey(sha)))!)).toBe(sha);
      expect(await c.ttl(blobKey(sha))).toBeGreaterThan(0);

      const small = Buffer.from('bars '.repeat(1000));
      const smallSha = sha256Of(small);
      await putBlob(c, small, onReplaced);
      expect(replaced).toHaveLength(1); // stored, nothing replaced
      // Verified a moment ago: another length is caught on the next put at once…
      await c.set(blobKey(smallSha), Buffer.from('corrupted'));
      await putBlob(c, small, onReplaced);
      expect(replaced).toEqual([sha, smallSha]);
      // …same-length damage within the re-verify interval is caught by the reader, who drops it;
      // the next put stores the file again.
      const damaged = Buffer.from(small);
      damaged[3] ^= 1;
      await c.set(blobKey(smallSha), damaged);
      await putBlob(c, small, onReplaced);
      await expect(getVerifiedBlob(c, { path: 'data/X/1d.bars', sha256: smallSha, size: small.length })).rejects.toThrow(/Checksum mismatch for data\/X\/1d\.bars/);
      expect(await c.exists(blobKey(smallSha))).toBe(0);
      await putBlob(c, small, onReplaced);
      expect(await getVerifiedBlob(c, { path: 'data/X/1d.bars', sha256: smallSha, size: small.length })).toEqual(small);
    } finally {
      await c.quit();
    }
  });
});
