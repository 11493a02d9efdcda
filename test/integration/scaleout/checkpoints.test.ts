// Training checkpoints carried through a real redis-server: a worker's carrier uploads the file a job
// reported and records it (the latest position wins, whichever attempt reports last), the server
// stores it in its home verified, and nothing that does not match what was reported is used.
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeCheckpoint } from '../../../src/infra/checkpoints/format';
import { latestValidCheckpoint } from '../../../src/infra/checkpoints/store';
import { sha256Of } from '../../../src/main/scaleout/blobs';
import { CheckpointCarrier, checkpointInProgress, importCheckpoint, recordCheckpoint, recordedCheckpoint } from '../../../src/main/scaleout/checkpoints';
import { blobKey, openRedis, queueKeys } from '../../../src/main/scaleout/connection';
import { emptyProgress, type OperationProgress } from '../../../src/shared/operations';
import { testCheckpointMeta } from '../../helpers/checkpoints';
import { hasRedis, noRedisReason, startRedis, type TestRedis } from '../../helpers/redis';

if (!hasRedis) console.log(noRedisReason);

const ID = 'op_training_20250101_000000_carry001';
let redis: TestRedis;
beforeAll(async () => {
  if (hasRedis) redis = await startRedis();
});
afterAll(async () => {
  await redis?.stop();
});

/** Writes a checkpoint at (epoch, batch) into `home` as the job does, and the progress that reports it. */
function jobWrites(home: string, epoch: number, batch = 0, operationId = ID): { progress: OperationProgress; bytes: Uint8Array } {
  const bytes = encodeCheckpoint({ meta: testCheckpointMeta(operationId, epoch, batch), arrays: { w: Float64Array.from([epoch, batch, Math.PI]) } });
  const path = `checkpoints/${operationId}/e${String(epoch).padStart(6, '0')}-b${String(batch).padStart(6, '0')}.ckpt`;
  mkdirSync(dirname(join(home, path)), { recursive: true });
  writeFileSync(join(home, path), bytes);
  const context = { checkpoint_path: path, checkpoint_sha256: sha256Of(Buffer.from(bytes)), checkpoint_size: bytes.length, checkpoint_epoch: epoch, checkpoint_batch: batch, checkpoint_type: batch ? 'cancellation' : 'periodic' };
  return { progress: { ...emptyProgress(), context }, bytes };
}

describe('checkpoint notes in progress', () => {
  it('reads the six context fields; anything that does not add up is no checkpoint', () => {
    const stage = mkdtempSync(join(tmpdir(), 'ktrdr-carry-'));
    const { progress } = jobWrites(stage, 3);
    expect(checkpointInProgress(progress)).toMatchObject({ epoch: 3, batch: 0, type: 'periodic', ref: { path: `checkpoints/${ID}/e000003-b000000.ckpt` } });
    const bad = (over: Record<string, unknown>) => checkpointInProgress({ ...progress, context: { ...progress.context, ...over } });
    expect(bad({ checkpoint_path: '../etc/passwd' })).toBeNull();
    expect(bad({ checkpoint_path: `models/${ID}/e000003-b000000.ckpt` })).toBeNull();
    expect(bad({ checkpoint_sha256: 'abc' })).toBeNull();
    expect(bad({ checkpoint_epoch: -1 })).toBeNull();
    expect(bad({ checkpoint_path: null })).toBeNull(); // the job clears it once the model is saved
    expect(checkpointInProgress(emptyProgress())).toBeNull();
    rmSync(stage, { recursive: true, force: true });
  });
});

describe.skipIf(!hasRedis)('checkpoints through Redis', () => {
  it('the carrier uploads each new checkpoint and records the latest position; the server stores it verified; a takeover reads the record', async () => {
    const c = openRedis(redis.url);
    const stage = mkdtempSync(join(tmpdir(), 'ktrdr-carry-'));
    const home = mkdtempSync(join(tmpdir(), 'ktrdr-carry-home-'));
    const key = queueKeys('carry-test').checkpoint(ID);
    const logged: string[] = [];
    try {
      const first = new CheckpointCarrier(c, key, stage, { attempt: 1, worker: 'a:1' }, (l) => logged.push(l));
      const e2 = jobWrites(stage, 2);
      await first.carry(e2.progress);
      await first.carry(e2.progress); // the same report again (every later snapshot carries it): nothing new
      const rec = await recordedCheckpoint(c, key);
      expect(rec).toMatchObject({ epoch: 2, batch: 0, attempt: 1, worker: 'a:1', ref: checkpointInProgress(e2.progress)!.ref });
      expect((await c.getBuffer(blobKey(rec!.ref.sha256)))!.equals(Buffer.from(e2.bytes))).toBe(true);

      // The server's copy: fetched by hash, verified, stored under its position.
      const stored = await importCheckpoint(c, home, ID, checkpointInProgress(e2.progress)!);
      expect(stored.relPath).toBe(`checkpoints/${ID}/e000002-b000000.ckpt`);
      expect(readFileSync(stored.path).equals(Buffer.from(e2.bytes))).toBe(true);
      expect(latestValidCheckpoint(home, ID)!.sha256).toBe(rec!.ref.sha256);

      // A later position replaces the record; an older one (a lost attempt still reporting) does not.
      const e4 = jobWrites(stage, 4);
      await new CheckpointCarrier(c, key, stage, { attempt: 2, worker: 'b:2' }, (l) => logged.push(l)).carry(e4.progress);
      const e3 = jobWrites(stage, 3, 7);
      await first.carry(e3.progress);
      expect(await recordedCheckpoint(c, key)).toMatchObject({ epoch: 4, attempt: 2, worker: 'b:2' });
      expect(await recordCheckpoint(c, key, { ...checkpointInProgress(e4.progress)!, batch: 5, attempt: 2, worker: 'b:2' })).toBe(true);

      // A file that no longer matches its report is not carried (the job pruned or rewrote it).
      const e5 = jobWrites(stage, 5);
      writeFileSync(join(stage, checkpointInProgress(e5.progress)!.ref.path), 'other bytes');
      await first.carry(e5.progress);
      expect(logged.some((l) => /e000005-b000000\.ckpt not carried to Redis \(the file no longer has the reported sha256\)/.test(l))).toBe(true);
      expect(await recordedCheckpoint(c, key)).toMatchObject({ epoch: 4, batch: 5 });

      // Bytes in Redis that are not the reported ones are refused by the server, which stores nothing.
      const e6 = jobWrites(stage, 6);
      const note6 = checkpointInProgress(e6.progress)!;
      await c.set(blobKey(note6.ref.sha256), Buffer.from('corrupted'), 'EX', 60);
      await expect(importCheckpoint(c, home, ID, note6)).rejects.toThrow(/Checksum mismatch/);
      expect(latestValidCheckpoint(home, ID)!.meta.epoch).toBe(2);
      // A record this version cannot read is no record (a takeover then starts from what it was given).
      await c.set(key, '{"ref":{"path":"../x"}}');
      expect(await recordedCheckpoint(c, key)).toBeNull();
    } finally {
      await c.quit();
      rmSync(stage, { recursive: true, force: true });
      rmSync(home, { recursive: true, force: true });
    }
  });
});
