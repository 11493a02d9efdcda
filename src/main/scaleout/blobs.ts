// Content-addressed file transfer through Redis: `ktrdr:blob:<sha256>` holds the bytes. A file is
// uploaded once (SET NX) and every reader checks the hash of what it got before using it.
import { createHash } from 'node:crypto';
import type { FileRef } from '../../shared/job-payload';
import type { Redis } from 'ioredis';
import { blobKey } from './connection';

export const BLOB_TTL_S = Number(process.env.KTRDR_BLOB_TTL_S) || 24 * 3600;

export class ChecksumMismatchError extends Error {}

export const sha256Of = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');

/**
 * Checks the bytes Redis holds under a blob key without fetching them: their length and SHA-1
 * (computed by Redis) against ours. 1: they match (lifetime renewed); 0: no such key; -1: other bytes.
 */
const VERIFY_BLOB = `
local v = redis.call('GET', KEYS[1])
if not v then return 0 end
if string.len(v) ~= tonumber(ARGV[2]) or redis.sha1hex(v) ~= ARGV[1] then return -1 end
redis.call('EXPIRE', KEYS[1], ARGV[3])
return 1`;

/**
 * Stores `bytes` as a blob and returns its sha256. A blob already there (the same bar file for every
 * trial of a sweep) is verified in place and only has its lifetime renewed; one whose bytes no longer
 * match (corrupted or tampered with in Redis) is replaced, so it cannot fail every later job.
 */
export async function putBlob(redis: Redis, bytes: Buffer, onReplaced?: (sha256: string) => void): Promise<string> {
  const sha = sha256Of(bytes);
  const key = blobKey(sha);
  const held = Number(await redis.eval(VERIFY_BLOB, 1, key, createHash('sha1').update(bytes).digest('hex'), bytes.length, BLOB_TTL_S));
  if (held === 1) return sha;
  if (held === -1) {
    onReplaced?.(sha);
    await redis.set(key, bytes, 'EX', BLOB_TTL_S);
    return sha;
  }
  // NX: the same content is stored once; EX keeps Redis from filling up with old artefacts.
  const set = await redis.set(key, bytes, 'EX', BLOB_TTL_S, 'NX');
  if (set === null) await redis.expire(key, BLOB_TTL_S);
  return sha;
}

/** The bytes of `ref`, verified: a missing blob or a checksum mismatch throws and nothing is used. */
export async function getVerifiedBlob(redis: Redis, ref: FileRef): Promise<Buffer> {
  const bytes = await redis.getBuffer(blobKey(ref.sha256));
  if (!bytes) throw new Error(`Blob for ${ref.path} (sha256 ${ref.sha256}) is not in Redis (expired or never uploaded)`);
  const got = sha256Of(bytes);
  if (got !== ref.sha256 || bytes.length !== ref.size) {
    throw new ChecksumMismatchError(`Checksum mismatch for ${ref.path}: expected sha256 ${ref.sha256} (${ref.size} bytes), got ${got} (${bytes.length} bytes); refused`);
  }
  return bytes;
}
