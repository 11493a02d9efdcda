// Checkpoint files: one self-checking blob (exact arrays and numbers), written atomically, pruned,
// and never read when damaged.
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CorruptCheckpointError, decodeCheckpoint, encodeCheckpoint, fromExactJson, toExactJson } from '../../../src/infra/checkpoints/format';
import { sha256Hex } from '../../../src/infra/hash';
import type { TrainingCheckpointMeta } from '../../../src/infra/checkpoints/meta';
import { testCheckpointMeta } from '../../helpers/checkpoints';
import { checkpointDir, deleteCheckpoints, latestValidCheckpoint, listCheckpoints, readCheckpointFile, storeCheckpointFile, writeCheckpoint } from '../../../src/infra/checkpoints/store';

const meta = (epoch: number, batch = 0, operationId = 'op_training_20250101_000000_abcd1234') =>
  testCheckpointMeta(operationId, epoch, batch, { loop: { epoch, lossSum: -0, best: Infinity, odd: NaN } });

const arrays = () => ({ positions: Int32Array.from([3, 1, 2, 0]), 'trainer.params': Float64Array.from([Math.PI, -0, 1e-310, NaN]), 'trainer.w': Float32Array.from([0.1, 2.5]) });

describe('checkpoint format', () => {
  it('round-trips arrays bit for bit and numbers JSON cannot hold (NaN, ±Infinity, −0)', () => {
    const bytes = encodeCheckpoint({ meta: meta(3), arrays: arrays() });
    const back = decodeCheckpoint<TrainingCheckpointMeta>(bytes);
    for (const [k, a] of Object.entries(arrays())) {
      expect(back.arrays[k].constructor).toBe(a.constructor);
      expect(Buffer.from(back.arrays[k].buffer).equals(Buffer.from(a.buffer)), k).toBe(true);
    }
    expect(Object.is(back.meta.loop.lossSum, -0)).toBe(true);
    expect(back.meta.loop.best).toBe(Infinity);
    expect(back.meta.loop.odd).toBeNaN();
    expect(back.meta.epoch).toBe(3);
    expect(fromExactJson(toExactJson({ x: [-Infinity, 1.5] }))).toEqual({ x: [-Infinity, 1.5] });
    // Arrays sit at 8-byte aligned offsets; the file ends in the sha256 of everything before it.
    expect(bytes.length % 8).toBe(0);
  });

  it('refuses a file with any byte changed, a truncated file and a foreign file', () => {
    const bytes = encodeCheckpoint({ meta: meta(3), arrays: arrays() });
    for (const at of [0, 9, 20, Math.floor(bytes.length / 2), bytes.length - 40, bytes.length - 1]) {
      const bad = bytes.slice();
      bad[at] ^= 0x01;
      expect(() => decodeCheckpoint(bad), `byte ${at}`).toThrow(CorruptCheckpointError);
    }
    expect(() => decodeCheckpoint(bytes.subarray(0, bytes.length - 1))).toThrow(/checksum mismatch/);
    expect(() => decodeCheckpoint(new TextEncoder().encode('{"not":"a checkpoint"} plus enough bytes to pass the length check'))).toThrow(/wrong magic/);
  });
});

describe('checkpoint store', () => {
  const home = () => mkdtempSync(join(tmpdir(), 'ktrdr-ckpt-'));
  const id = 'op_training_20250101_000000_abcd1234';

  it('writes atomically, keeps the newest `keep`, and lists newest first', () => {
    const h = home();
    for (const e of [1, 2, 3, 4]) writeCheckpoint(h, id, { meta: meta(e), arrays: arrays() }, 2);
    const refs = listCheckpoints(h, id);
    expect(refs.map((r) => r.meta.epoch)).toEqual([4, 3]);
    expect(readdirSync(checkpointDir(h, id)).sort()).toEqual(['e000003-b000000.ckpt', 'e000004-b000000.ckpt']);
    const latest = latestValidCheckpoint(h, id)!;
    expect(latest.relPath).toBe(`checkpoints/${id}/e000004-b000000.ckpt`);
    expect(latest.sha256).toBe(sha256Hex(readFileSync(latest.path)));
    const read = readCheckpointFile(latest.path, latest.sha256); // read as a Buffer, whose slices share memory
    expect(read.meta.epoch).toBe(4);
    for (const [k, a] of Object.entries(arrays())) expect(Buffer.from(read.arrays[k].buffer, read.arrays[k].byteOffset, read.arrays[k].byteLength).equals(Buffer.from(a.buffer)), k).toBe(true);
    expect(() => readCheckpointFile(latest.path, 'f'.repeat(64))).toThrow(/expected f{64}/);
  });

  it('a checkpoint written from an older position removes the abandoned later ones', () => {
    const h = home();
    for (const e of [5, 6]) writeCheckpoint(h, id, { meta: meta(e), arrays: arrays() }, 3);
    writeCheckpoint(h, id, { meta: meta(5, 4), arrays: arrays() }, 3); // resumed from epoch 5, cancelled at batch 4
    expect(listCheckpoints(h, id).map((r) => [r.meta.epoch, r.meta.batch])).toEqual([
      [5, 4],
      [5, 0],
    ]);
  });

  it('skips a damaged newest file, temp leftovers and files of another operation; null when none is valid', () => {
    const h = home();
    writeCheckpoint(h, id, { meta: meta(1), arrays: arrays() }, 5);
    const newest = writeCheckpoint(h, id, { meta: meta(2), arrays: arrays() }, 5);
    const bytes = readFileSync(newest.path);
    bytes[100] ^= 0xff;
    writeFileSync(newest.path, bytes);
    writeFileSync(join(checkpointDir(h, id), 'e000009-b000000.ckpt.tmp-999999-x-y'), 'partial');
    expect(latestValidCheckpoint(h, id)!.meta.epoch).toBe(1);
    writeFileSync(join(checkpointDir(h, id), 'e000003-b000000.ckpt'), encodeCheckpoint({ meta: meta(3, 0, 'op_training_other'), arrays: {} }));
    expect(latestValidCheckpoint(h, id)!.meta.epoch).toBe(1);
    expect(latestValidCheckpoint(h, 'op_training_none')).toBeNull();
    expect(deleteCheckpoints(h, id)).toBe(3);
    expect(latestValidCheckpoint(h, id)).toBeNull();
  });

  it('stores a checkpoint that arrived as bytes (a scale-out upload) as writeCheckpoint would; refuses damaged bytes, another operation\'s and a non-training file, writing nothing', () => {
    const h = home();
    writeCheckpoint(h, id, { meta: meta(2), arrays: arrays() }, 2);
    const bytes = encodeCheckpoint({ meta: meta(4), arrays: arrays() });
    const ref = storeCheckpointFile(h, id, bytes, 2);
    expect(ref).toMatchObject({ relPath: `checkpoints/${id}/e000004-b000000.ckpt`, size: bytes.length, sha256: sha256Hex(bytes) });
    expect(readFileSync(ref.path).equals(Buffer.from(bytes))).toBe(true);
    expect(latestValidCheckpoint(h, id)!.sha256).toBe(ref.sha256);
    const before = readdirSync(checkpointDir(h, id)).sort();
    const bad = bytes.slice();
    bad[200] ^= 0x01;
    expect(() => storeCheckpointFile(h, id, bad, 2)).toThrow(/checksum mismatch/);
    expect(() => storeCheckpointFile(h, id, encodeCheckpoint({ meta: meta(5, 0, 'op_training_other'), arrays: {} }), 2)).toThrow(/of operation op_training_other, not/);
    expect(() => storeCheckpointFile(h, id, encodeCheckpoint({ meta: { ...meta(5), kind: 'backtest' }, arrays: {} }), 2)).toThrow(/Not a training checkpoint/);
    expect(readdirSync(checkpointDir(h, id)).sort()).toEqual(before);
  });

  it('refuses operation ids that could leave the folder', () => {
    expect(() => checkpointDir('/tmp/h', '../etc')).toThrow(/Invalid operation id/);
    expect(() => checkpointDir('/tmp/h', 'a/b')).toThrow(/Invalid operation id/);
  });
});
