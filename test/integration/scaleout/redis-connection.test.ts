// The Redis connections KTRDR opens (ioredis, for BullMQ and its own keys) from one URL: password
// URLs, rediss:// with a private CA, binary blobs verified by checksum, and the artefact import
// that refuses a mismatch.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Queue } from 'bullmq';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { importArtefacts } from '../../../src/main/scaleout/artefacts';
import { ChecksumMismatchError, getVerifiedBlob, putBlob, sha256Of } from '../../../src/main/scaleout/blobs';
import { blobKey, bullConnection, checkRedisUrl, openRedis, parseRedisUrl, redactRedisUrl, redisOptions } from '../../../src/main/scaleout/connection';
import { hasRedis, noRedisReason, startRedis, type TestRedis } from '../../helpers/redis';

if (!hasRedis) console.log(noRedisReason);

describe('Redis URLs', () => {
  it('reads password, user, database and TLS from redis:// and rediss:// URLs', () => {
    expect(parseRedisUrl('redis://:s%40cret@10.0.0.5:6380/2')).toMatchObject({ host: '10.0.0.5', port: 6380, password: 's@cret', db: 2 });
    expect(parseRedisUrl('rediss://ktrdr:pw@redis.example')).toMatchObject({ host: 'redis.example', port: 6379, username: 'ktrdr', password: 'pw', tls: { servername: 'redis.example' } });
    expect(parseRedisUrl('redis://127.0.0.1:6379').tls).toBeUndefined();
    expect(() => parseRedisUrl('http://127.0.0.1:6379')).toThrow(/redis:\/\/ or rediss:\/\//);
    expect(() => checkRedisUrl('redis://:topsecret@host:6379/x')).toThrow(/^Invalid Redis URL redis:\/\/:\*\*\*@host:6379\/x: database/);
  });

  it('gives ioredis the same pieces (and TLS only for rediss://)', () => {
    expect(redisOptions('redis://:s%40cret@10.0.0.5:6380/2', { enableOfflineQueue: false })).toEqual({ host: '10.0.0.5', port: 6380, password: 's@cret', db: 2, enableOfflineQueue: false });
    expect(redisOptions('rediss://u:pw@redis.example').tls).toMatchObject({ servername: 'redis.example' });
  });

  it('never shows the password', () => {
    expect(redactRedisUrl('redis://:topsecret@host:6379')).toBe('redis://:***@host:6379');
    expect(redactRedisUrl('rediss://user:topsecret@host')).toBe('rediss://user:***@host');
    expect(redactRedisUrl('redis://host:6379')).toBe('redis://host:6379');
  });
});

describe.skipIf(!hasRedis)('against a password-protected redis-server', () => {
  let redis: TestRedis;
  let home: string;
  beforeAll(async () => {
    redis = await startRedis({ password: 'k t/r@dr' });
    home = mkdtempSync(join(tmpdir(), 'ktrdr-artefacts-'));
  });
  afterAll(async () => {
    await redis?.stop();
    if (home) rmSync(home, { recursive: true, force: true });
  });

  it('authenticates with the URL password and fails clearly without it', async () => {
    const ok = openRedis(redis.url);
    expect(await ok.ping()).toBe('PONG');
    await ok.quit();
    let err: Error | undefined;
    const bad = openRedis(`redis://:wrong@127.0.0.1:${redis.port}`, { retryStrategy: () => null }, (e) => (err ??= e));
    // A command on it fails with Redis's own reason, and so does the connection's error event.
    await expect(bad.ping()).rejects.toThrow(/WRONGPASS|invalid password/i);
    expect(err?.message).toMatch(/WRONGPASS|invalid password/i);
    bad.disconnect();
  });

  it('runs BullMQ through the same connection (pipelines, MULTI, Lua scripts)', async () => {
    const q = new Queue('auth-check', { connection: bullConnection(redis.url) });
    try {
      await q.add('x', { n: 1 }, { jobId: 'same' });
      await q.add('x', { n: 2 }, { jobId: 'same' }); // a job id is enqueued once
      expect(await q.getJobCounts('waiting')).toEqual({ waiting: 1 });
      expect((await q.getJob('same'))?.data).toEqual({ n: 1 });
    } finally {
      await q.obliterate({ force: true });
      await q.close();
    }
  });

  it('stores binary blobs by sha256 and refuses bytes that do not match', async () => {
    const c = openRedis(redis.url);
    try {
      const bytes = Buffer.from(Array.from({ length: 70_000 }, (_, i) => (i * 7) & 0xff));
      const sha = await putBlob(c, bytes);
      expect(sha).toBe(sha256Of(bytes));
      expect((await getVerifiedBlob(c, { path: 'models/s/1d_v1/model.bin', sha256: sha, size: bytes.length })).equals(bytes)).toBe(true);

      const fake = 'b'.repeat(64);
      await c.set(blobKey(fake), Buffer.from('not what was promised'));
      await expect(getVerifiedBlob(c, { path: 'models/s/1d_v1/model.bin', sha256: fake, size: 21 })).rejects.toBeInstanceOf(ChecksumMismatchError);
      // Refused bytes are removed, so they cannot fail the next job too (the next put stores good ones).
      expect(await c.exists(blobKey(fake))).toBe(0);

      // The import stores nothing when one artefact does not match.
      await c.set(blobKey(fake), Buffer.from('not what was promised'));
      await expect(
        importArtefacts(c, home, [
          { path: 'models/s/1d_v1/model.bin', sha256: sha, size: bytes.length },
          { path: 'models/s/1d_v1/metadata.json', sha256: fake, size: 21 },
        ]),
      ).rejects.toThrow(/Checksum mismatch for models\/s\/1d_v1\/metadata\.json/);
      expect(existsSync(join(home, 'models', 's', '1d_v1'))).toBe(false);
      await expect(importArtefacts(c, home, [{ path: 'strategies/evil.yaml', sha256: sha, size: bytes.length }])).rejects.toThrow(/outside/);
    } finally {
      await c.quit();
    }
  });
});

const hasOpenssl = spawnSync('openssl', ['version']).status === 0;
if (hasRedis && !hasOpenssl) console.log('openssl not found: the rediss:// (TLS) test is skipped');

describe.skipIf(!hasRedis || !hasOpenssl)('rediss:// against a TLS-only redis-server', () => {
  let redis: TestRedis;
  let dir: string;
  const savedCa = process.env.KTRDR_REDIS_TLS_CA;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'ktrdr-tls-'));
    const made = spawnSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem'), '-days', '1', '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1']);
    if (made.status !== 0) throw new Error(`openssl failed: ${made.stderr}`);
    redis = await startRedis({ password: 'pw', tls: { cert: join(dir, 'cert.pem'), key: join(dir, 'key.pem') } });
  });
  afterAll(async () => {
    if (savedCa === undefined) delete process.env.KTRDR_REDIS_TLS_CA;
    else process.env.KTRDR_REDIS_TLS_CA = savedCa;
    await redis?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('connects with the private CA and runs BullMQ over TLS; refuses a server it cannot verify', async () => {
    expect(redis.url.startsWith('rediss://:pw@')).toBe(true);
    delete process.env.KTRDR_REDIS_TLS_CA;
    let untrusted: ReturnType<typeof openRedis> | undefined;
    const err = await new Promise<Error>((resolve) => (untrusted = openRedis(redis.url, { retryStrategy: () => null }, resolve)));
    expect(err.message).toMatch(/self[- ]signed|certificate/i);
    untrusted!.disconnect();

    process.env.KTRDR_REDIS_TLS_CA = join(dir, 'cert.pem');
    const c = openRedis(redis.url);
    expect(await c.ping()).toBe('PONG');
    await c.quit();
    const q = new Queue('tls-check', { connection: bullConnection(redis.url) });
    try {
      await q.add('x', { n: 1 }, { jobId: 'one' });
      expect((await q.getJob('one'))?.data).toEqual({ n: 1 });
    } finally {
      await q.obliterate({ force: true });
      await q.close();
    }
  });
});
