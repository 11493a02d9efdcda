// Checkpoints on disk: <KTRDR_HOME>/checkpoints/<operation_id>/e<epoch>-b<batch>.ckpt, one file each
// (format.ts), written atomically (temp + fsync + rename), the newest `keep` kept. Used by the training
// worker (writes), the server (lists, resumes, deletes) and the scale-out host (stores the files
// workers upload: storeCheckpointFile).
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { sweepLeftovers, writeFileAtomic } from '../bars/atomic';
import { sha256Hex } from '../hash';
import { CorruptCheckpointError, decodeCheckpoint, encodeCheckpoint, type CheckpointArray, type CheckpointContent } from './format';
import type { TrainingCheckpointMeta } from './meta';

export const CHECKPOINTS_DIR = 'checkpoints';
const EXT = '.ckpt';
const OPERATION_ID = /^[A-Za-z0-9_-]{1,200}$/;
const FILE = /^e(\d{6,})-b(\d{6,})\.ckpt$/;

/** A verified checkpoint file. */
export interface CheckpointRef {
  operationId: string;
  path: string;
  /** Relative to the home, with forward slashes: what a job's `resume_from.path` names. */
  relPath: string;
  size: number;
  /** sha256 of the whole file. */
  sha256: string;
  meta: TrainingCheckpointMeta;
}

export class InvalidOperationIdError extends Error {}

export function checkpointDir(home: string, operationId: string): string {
  if (!OPERATION_ID.test(operationId)) throw new InvalidOperationIdError(`Invalid operation id '${operationId}'`);
  return join(home, CHECKPOINTS_DIR, operationId);
}

const fileName = (epoch: number, batch: number) => `e${String(epoch).padStart(6, '0')}-b${String(batch).padStart(6, '0')}${EXT}`;

/** (epoch, batch) of a checkpoint file name, or null for anything else (temp files included). */
function positionOf(name: string): [number, number] | null {
  const m = FILE.exec(name);
  return m ? [Number(m[1]), Number(m[2])] : null;
}

const later = (a: [number, number], b: [number, number]) => a[0] - b[0] || a[1] - b[1];

/** The operation's checkpoint files, newest (highest epoch, then batch) first, unverified. */
function files(dir: string): { name: string; at: [number, number] }[] {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return [];
  }
  return names
    .map((name) => ({ name, at: positionOf(name) }))
    .filter((f): f is { name: string; at: [number, number] } => f.at !== null)
    .sort((a, b) => later(b.at, a.at));
}

// Verified headers by path + size + mtime: listings (ktrdr ops asks once per operation) hash each file once.
const verified = new Map<string, { key: string; ref: CheckpointRef }>();

function verify(home: string, operationId: string, path: string): CheckpointRef | null {
  let st;
  try {
    st = statSync(path);
  } catch {
    return null;
  }
  const key = `${st.size}:${st.mtimeMs}`;
  const hit = verified.get(path);
  if (hit?.key === key) return hit.ref;
  try {
    const bytes = readFileSync(path);
    const { meta } = decodeCheckpoint<TrainingCheckpointMeta>(bytes);
    if (meta.operation_id !== operationId) return null;
    const ref: CheckpointRef = { operationId, path, relPath: relative(home, path).split(sep).join('/'), size: bytes.length, sha256: sha256Hex(bytes), meta };
    if (verified.size > 1000) verified.clear();
    verified.set(path, { key, ref });
    return ref;
  } catch {
    return null;
  }
}

/**
 * Writes one checkpoint of `operationId` atomically and prunes: files of a later position (an
 * abandoned future: a run resumed from an older checkpoint) go, then all but the newest `keep`.
 */
export function writeCheckpoint(home: string, operationId: string, content: CheckpointContent<TrainingCheckpointMeta>, keep: number): CheckpointRef {
  return storeBytes(home, operationId, encodeCheckpoint(content), content.meta, keep);
}

/**
 * Stores a checkpoint file that arrived as bytes (a scale-out worker's upload) as writeCheckpoint
 * would have written it: verified first (a damaged file, another operation's or not a training's is
 * refused with CorruptCheckpointError and nothing is written), named by its own epoch and batch.
 */
export function storeCheckpointFile(home: string, operationId: string, bytes: Uint8Array, keep: number): CheckpointRef {
  const { meta } = decodeCheckpoint<TrainingCheckpointMeta>(bytes);
  if (meta.kind !== 'training') throw new CorruptCheckpointError(`Not a training checkpoint (kind ${String(meta.kind)})`);
  if (meta.operation_id !== operationId) throw new CorruptCheckpointError(`Checkpoint of operation ${meta.operation_id}, not ${operationId}`);
  if (!Number.isInteger(meta.epoch) || !Number.isInteger(meta.batch) || meta.epoch < 0 || meta.batch < 0) throw new CorruptCheckpointError(`Checkpoint position epoch ${meta.epoch}, batch ${meta.batch} is not valid`);
  return storeBytes(home, operationId, bytes, meta, keep);
}

function storeBytes(home: string, operationId: string, bytes: Uint8Array, meta: TrainingCheckpointMeta, keep: number): CheckpointRef {
  const dir = checkpointDir(home, operationId);
  mkdirSync(dir, { recursive: true });
  sweepLeftovers(dir); // temp files of a writer that was killed mid-write
  const at: [number, number] = [meta.epoch, meta.batch];
  const path = join(dir, fileName(at[0], at[1]));
  writeFileAtomic(path, bytes);
  const kept = Math.max(1, keep);
  let seen = 0;
  for (const f of files(dir)) {
    const p = join(dir, f.name);
    if (later(f.at, at) > 0 || (f.name !== fileName(at[0], at[1]) && ++seen >= kept)) rmSync(p, { force: true });
  }
  return { operationId, path, relPath: relative(home, path).split(sep).join('/'), size: bytes.length, sha256: sha256Hex(bytes), meta };
}

/** Every valid checkpoint of the operation, newest first (files that fail verification are skipped). */
export function listCheckpoints(home: string, operationId: string): CheckpointRef[] {
  const dir = checkpointDir(home, operationId);
  const out: CheckpointRef[] = [];
  for (const f of files(dir)) {
    const ref = verify(home, operationId, join(dir, f.name));
    if (ref) out.push(ref);
  }
  return out;
}

/**
 * The newest checkpoint of `operationId` that passes every check (magic, version, checksum, its own
 * operation id), or null. This is what a resume starts from, and what the scale-out coordinator hands
 * a takeover worker: pass it as the training job's `resume_from: {path: relPath, sha256}`.
 */
export function latestValidCheckpoint(home: string, operationId: string): CheckpointRef | null {
  const dir = checkpointDir(home, operationId);
  for (const f of files(dir)) {
    const ref = verify(home, operationId, join(dir, f.name));
    if (ref) return ref;
  }
  return null;
}

/** Reads and verifies one checkpoint file; `sha256` (when given) must match the whole file. */
export function readCheckpointFile(path: string, sha256?: string | null): CheckpointContent<TrainingCheckpointMeta> & { sha256: string } {
  const bytes = readFileSync(path);
  const sum = sha256Hex(bytes);
  if (sha256 && sum !== sha256) throw new Error(`Checkpoint ${path} has sha256 ${sum}, expected ${sha256}`);
  return { ...decodeCheckpoint<TrainingCheckpointMeta>(bytes), sha256: sum };
}

/** Removes every checkpoint of the operation; returns how many files were removed. */
export function deleteCheckpoints(home: string, operationId: string): number {
  const dir = checkpointDir(home, operationId);
  if (!existsSync(dir)) return 0;
  const n = files(dir).length;
  rmSync(dir, { recursive: true, force: true });
  for (const k of verified.keys()) if (k.startsWith(dir + sep)) verified.delete(k);
  return n;
}

/** Operation ids that have a checkpoint folder (valid or not). */
export function operationsWithCheckpoints(home: string): string[] {
  try {
    return readdirSync(join(home, CHECKPOINTS_DIR), { withFileTypes: true })
      .filter((e) => e.isDirectory() && OPERATION_ID.test(e.name))
      .map((e) => e.name);
  } catch {
    return [];
  }
}

export type { CheckpointArray };
