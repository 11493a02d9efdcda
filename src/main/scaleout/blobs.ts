// Content-addressed file transfer through Redis: `ktrdr:blob:<sha256>` holds the bytes. A file is
// uploaded once (SET NX) and every reader checks the hash of what it got before using it.
import { createHash } from 'node:crypto';
import type { FileRef } from '../../shared/job-payload';
import type { Redis } from 'ioredis';
import { blobKey } from './connection';

export const BLOB_TTL_S = Number(process.env.KTRDR_BLOB_TTL_S) || 24 * 3600;

export class ChecksumMismatchError extends Error {}

export const sha256Of = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');

/** Redis hashes what it holds in slices this big, so no single script blocks it for long. */
const VERIFY_SLICE = 4 * 1024 * 1024;
const SLICE_SHA1 = `return redis.sha1hex(redis.call('GETRANGE', KEYS[1], ARGV[1], ARGV[2]))`;
/** A blob this process verified is trusted again for this long (a sweep puts the same bar file for every trial). */
const REVERIFY_MS = 5 * 60_000;
const verifiedAt = new Map<string, number>();

const sha1 = (bytes: Buffer) => createHash('sha1').update(bytes).digest('hex');

/**
 * Whether Redis holds exactly `bytes` under `key`, checked where they are (nothing is fetched): the
 * length, then the SHA-1 Redis computes of each slice against ours. 0: no such key; -1: other bytes.
 */
async function held(redis: Redis, key: string, bytes: Buffer): Promise<0 | 1 | -1> {
  const [[, exists], [, length]] = (await redis.multi().exists(key).strlen(key).exec()) as [[unknown, number], [unknown, number]];
  if (!exists) return 0;
  if (length !== bytes.length) return -1;
  for (let from = 0; from < bytes.length; from += VERIFY_SLICE) {
    const to = Math.min(bytes.length, from + VERIFY_SLICE);
    if ((await redis.eval(SLICE_SHA1, 1, key, from, to - 1)) !== sha1(bytes.subarray(from, to))) return -1;
  }
  return 1;
}

/**
 * Stores `bytes` as a blob and returns its sha256. A blob already there is verified in place and
 * only has its lifetime renewed; one whose bytes no longer match (corrupted or tampered with in
 * Redis) is replaced, so it cannot fail every later job. The full checksum runs at most every
 * REVERIFY_MS per blob and process (its length on every put); bad bytes that appear in between are
 * caught by the reader, which drops them (getVerifiedBlob), so at most that one job fails.
 */
export async function putBlob(redis: Redis, bytes: Buffer, onReplaced?: (sha256: string) => void): Promise<string> {
  const sha = sha256Of(bytes);
  const key = blobKey(sha);
  const now = Date.now();
  if (now - (verifiedAt.get(sha) ?? Number.NEGATIVE_INFINITY) < REVERIFY_MS) {
    // Verified lately: renewed when still there at its length; else checked in full below (a
    // reader that found bad bytes dropped them, and they are stored again).
    const [[, renewed], [, length]] = (await redis.multi().expire(key, BLOB_TTL_S).strlen(key).exec()) as [[unknown, number], [unknown, number]];
    if (renewed === 1 && length === bytes.length) return sha;
  }
  const state = await held(redis, key, bytes);
  if (state === -1) onReplaced?.(sha);
  if (state === 1) await redis.expire(key, BLOB_TTL_S);
  // NX when absent: the same content is stored once; EX keeps Redis from filling up with old artefacts.
  else if (state === -1) await redis.set(key, bytes, 'EX', BLOB_TTL_S);
  else if ((await redis.set(key, bytes, 'EX', BLOB_TTL_S, 'NX')) === null) await redis.expire(key, BLOB_TTL_S);
  if (verifiedAt.size > 10_000) verifiedAt.clear();
  verifiedAt.set(sha, now);
  return sha;
}

/** Removes a blob whose bytes are `bad` (what a reader got and refused), unless it was replaced meanwhile. */
const DROP_IF_SAME = `
local v = redis.call('GET', KEYS[1])
if v and redis.sha1hex(v) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0`;

/** The bytes of `ref`, verified: a missing blob or a checksum mismatch throws and nothing is used. */
export async function getVerifiedBlob(redis: Redis, ref: FileRef): Promise<Buffer> {
  const bytes = await redis.getBuffer(blobKey(ref.sha256));
  if (!bytes) throw new Error(`Blob for ${ref.path} (sha256 ${ref.sha256}) is not in Redis (expired or never uploaded)`);
  const got = sha256Of(bytes);
  if (got !== ref.sha256 || bytes.length !== ref.size) {
    // Bad bytes must not fail every later job too: they go, and the next put stores good ones.
    await redis.eval(DROP_IF_SAME, 1, blobKey(ref.sha256), sha1(bytes)).catch(() => undefined);
    throw new ChecksumMismatchError(`Checksum mismatch for ${ref.path}: expected sha256 ${ref.sha256} (${ref.size} bytes), got ${got} (${bytes.length} bytes); refused`);
  }
  return bytes;
}
