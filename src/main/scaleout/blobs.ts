// Content-addressed file transfer through Redis: `ktrdr:blob:<sha256>` holds the bytes. A file is
// uploaded once (SET NX) and every reader checks the hash of what it got before using it.
import { createHash } from 'node:crypto';
import type { FileRef } from '../../shared/job-payload';
import type { Redis } from 'ioredis';
import { blobKey } from './connection';

export const BLOB_TTL_S = Number(process.env.KTRDR_BLOB_TTL_S) || 24 * 3600;

export class ChecksumMismatchError extends Error {}

export const sha256Of = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');

export async function putBlob(redis: Redis, bytes: Buffer): Promise<string> {
  const sha = sha256Of(bytes);
  // Already there (the same bar file for every trial of a sweep): renew its lifetime, send nothing.
  if ((await redis.expire(blobKey(sha), BLOB_TTL_S)) === 1) return sha;
  // NX: the same content is stored once; EX keeps Redis from filling up with old artefacts.
  const set = await redis.set(blobKey(sha), bytes, 'EX', BLOB_TTL_S, 'NX');
  if (set === null) await redis.expire(blobKey(sha), BLOB_TTL_S);
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
