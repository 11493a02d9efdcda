// Importing a worker's model folders into the server home: renumbering, references rewritten, and
// the same result imported twice (server killed between storing it and recording it) stored once.
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Redis } from 'ioredis';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { applyRenames, forgetImport, importArtefacts } from '../../../src/main/scaleout/artefacts';
import { sha256Of } from '../../../src/main/scaleout/blobs';
import { blobKey } from '../../../src/main/scaleout/connection';
import { LOCK_DEFAULTS, lockTimingFromEnv, pauseToleranceMs, takeoverBoundMs } from '../../../src/main/scaleout/lock-timing';

/** Just what importArtefacts reads: blobs by key. */
function fakeRedis(blobs: Map<string, Buffer>): Redis {
  return { getBuffer: async (key: string) => blobs.get(key) ?? null } as unknown as Redis;
}

function output(blobs: Map<string, Buffer>, path: string, text: string) {
  const bytes = Buffer.from(text);
  const sha256 = sha256Of(bytes);
  blobs.set(blobKey(sha256), bytes);
  return { path, sha256, size: bytes.length };
}

describe('applyRenames', () => {
  it('rewrites whole values, paths below the folder and mentions in text, never _v1 inside _v10', () => {
    const out = applyRenames(
      { model_path: 'models/s/1d_v1', step: 'Saved models/s/1d_v1', file: 'models/s/1d_v1/model.json', other: 'models/s/1d_v10', model_version: 1 },
      { 'models/s/1d_v1': 'models/s/1d_v3' },
    );
    expect(out).toEqual({ model_path: 'models/s/1d_v3', step: 'Saved models/s/1d_v3', file: 'models/s/1d_v3/model.json', other: 'models/s/1d_v10', model_version: 3 });
  });
});

describe('importArtefacts', () => {
  let home: string;
  beforeEach(() => {
    home = mkdtempSync(join(tmpdir(), 'ktrdr-import-'));
  });
  afterEach(() => rmSync(home, { recursive: true, force: true }));

  it('renumbers a taken version; importing the same result again (same claim) stores nothing twice', async () => {
    mkdirSync(join(home, 'models', 's', '1d_v1'), { recursive: true });
    const blobs = new Map<string, Buffer>();
    const outputs = [output(blobs, 'models/s/1d_v1/model.json', '{"w":[1,2]}'), output(blobs, 'models/s/1d_v1/metadata.json', '{"version":1}')];
    const first = await importArtefacts(fakeRedis(blobs), home, outputs, 'op_a');
    expect(first.renamed).toEqual({ 'models/s/1d_v1': 'models/s/1d_v2' });
    expect(JSON.parse(readFileSync(join(home, 'models/s/1d_v2/metadata.json'), 'utf8')).version).toBe(2);
    // The server died before recording it: the next import finds its claim and the stored folder.
    const again = await importArtefacts(fakeRedis(blobs), home, outputs, 'op_a');
    expect(again.renamed).toEqual(first.renamed);
    expect(again.stored.map((s) => s.path).sort()).toEqual(first.stored.map((s) => s.path).sort());
    expect(readdirSync(join(home, 'models', 's')).sort()).toEqual(['1d_v1', '1d_v2']);
    // Another operation's result is a new version.
    const other = await importArtefacts(fakeRedis(blobs), home, outputs, 'op_b');
    expect(other.renamed).toEqual({ 'models/s/1d_v1': 'models/s/1d_v3' });
    forgetImport(home, 'op_a');
    forgetImport(home, 'op_b');
    expect(readdirSync(join(home, 'scaleout', 'imports'))).toEqual([]);
  });

  it('a claimed version holding other bytes is not taken for ours', async () => {
    const blobs = new Map<string, Buffer>();
    const outputs = [output(blobs, 'models/s/1d_v1/model.json', '{"w":[1]}')];
    await importArtefacts(fakeRedis(blobs), home, outputs, 'op_a');
    expect(existsSync(join(home, 'models/s/1d_v1/model.json'))).toBe(true);
    // Same claim, different result bytes (not a re-import of the same result): stored as a new version.
    const changed = [output(blobs, 'models/s/1d_v1/model.json', '{"w":[2]}')];
    const r = await importArtefacts(fakeRedis(blobs), home, changed, 'op_a');
    expect(r.renamed).toEqual({ 'models/s/1d_v1': 'models/s/1d_v2' });
  });
});

describe('lock timing', () => {
  it('defaults: a 45 s Redis pause is survived and a dead worker\'s job moves within 60 s', () => {
    expect(pauseToleranceMs(LOCK_DEFAULTS)).toBeGreaterThan(45_000);
    expect(takeoverBoundMs(LOCK_DEFAULTS)).toBeLessThanOrEqual(60_000);
    expect(lockTimingFromEnv({})).toEqual(LOCK_DEFAULTS);
  });

  it('reads the environment; a shorter lock gets a shorter renewal; bad values name the variable', () => {
    expect(lockTimingFromEnv({ KTRDR_LOCK_DURATION_MS: '2000', KTRDR_STALLED_INTERVAL_MS: '1000', KTRDR_MAX_STALLED_COUNT: '2' })).toEqual({ lockDurationMs: 2000, lockRenewMs: 500, stalledIntervalMs: 1000, maxStalledCount: 2 });
    expect(() => lockTimingFromEnv({ KTRDR_LOCK_DURATION_MS: '2000', KTRDR_LOCK_RENEW_MS: '2000' })).toThrow(/KTRDR_LOCK_RENEW_MS=2000 is not valid: .*less than KTRDR_LOCK_DURATION_MS/);
    expect(() => lockTimingFromEnv({ KTRDR_MAX_STALLED_COUNT: '-1' })).toThrow(/KTRDR_MAX_STALLED_COUNT=-1 is not valid/);
  });
});
