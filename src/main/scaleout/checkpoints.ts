// Training checkpoints in scale-out mode. A training job reports each checkpoint it writes in its
// progress context (checkpoint_path, _sha256, _size, _epoch, _batch, _type). The worker uploads that
// file as a verified blob and records it under `ktrdr:<queue>:checkpoint:<op>` (the latest position
// wins) before the progress that names it reaches the journal; the server then stores it in its own
// home (GET /checkpoints and POST …/resume read it there), and a worker that takes the job over
// resumes from the recorded one instead of epoch 1. Blobs are content-addressed, so the bytes a
// takeover fetches are checked against the sha256 the first worker computed.
import { readFileSync } from 'node:fs';
import { resolve, sep } from 'node:path';
import type { Redis } from 'ioredis';
import { storeCheckpointFile, type CheckpointRef } from '../../infra/checkpoints/store';
import { fileRefSchema, type FileRef } from '../../shared/job-payload';
import type { OperationProgress } from '../../shared/operations';
import type { ResumedFrom } from '../../shared/worker-protocol';
import { JOURNAL_TTL_S } from './attempt-journal';
import { getVerifiedBlob, putBlob, sha256Of } from './blobs';

/** A checkpoint a training job reported: where it is in the job's home, its checksum and position. */
export interface CheckpointNote {
  ref: FileRef;
  epoch: number;
  batch: number;
  type: string;
}

/** What the checkpoint record holds: the note plus who wrote it. */
export interface RecordedCheckpoint extends CheckpointNote {
  attempt: number;
  worker: string;
}

/** How many checkpoint files the server keeps per operation (the job's own `keep` is a worker setting). */
export const SERVER_CHECKPOINT_KEEP = 2;
/** A snapshot waits at most this long for its checkpoint to reach Redis (progress is held back meanwhile). */
const CARRY_TIMEOUT_MS = 30_000;
const CHECKPOINT_PATH = /^checkpoints\/[A-Za-z0-9_-]{1,200}\/e\d{6,}-b\d{6,}\.ckpt$/;

const int = (v: unknown): number | null => (typeof v === 'number' && Number.isInteger(v) && v >= 0 ? v : null);

/** The checkpoint named in a training's progress context, or null (none yet, or fields that do not add up). */
export function checkpointInProgress(progress: OperationProgress | null | undefined): CheckpointNote | null {
  const c = progress?.context;
  if (!c || typeof c.checkpoint_path !== 'string' || !CHECKPOINT_PATH.test(c.checkpoint_path)) return null;
  const ref = fileRefSchema.safeParse({ path: c.checkpoint_path, sha256: c.checkpoint_sha256, size: c.checkpoint_size });
  const epoch = int(c.checkpoint_epoch);
  const batch = int(c.checkpoint_batch);
  if (!ref.success || epoch === null || batch === null) return null;
  return { ref: ref.data, epoch, batch, type: typeof c.checkpoint_type === 'string' ? c.checkpoint_type : 'periodic' };
}

/** Stores the record unless the one there is at a later position (a lost attempt still running may report an older one). */
const RECORD_IF_LATER = `
local old = redis.call('GET', KEYS[1])
if old then
  local o = cjson.decode(old)
  local e, b = tonumber(ARGV[2]), tonumber(ARGV[3])
  if o.epoch > e or (o.epoch == e and o.batch > b) then return 0 end
end
redis.call('SET', KEYS[1], ARGV[1], 'EX', ARGV[4])
return 1`;

export async function recordCheckpoint(redis: Redis, key: string, rec: RecordedCheckpoint): Promise<boolean> {
  return (await redis.eval(RECORD_IF_LATER, 1, key, JSON.stringify(rec), rec.epoch, rec.batch, JOURNAL_TTL_S)) === 1;
}

/** The latest checkpoint recorded for the job, or null (none, or a record this version cannot read). */
export async function recordedCheckpoint(redis: Redis, key: string): Promise<RecordedCheckpoint | null> {
  const text = await redis.get(key);
  if (!text) return null;
  try {
    const r = JSON.parse(text) as RecordedCheckpoint;
    const ref = fileRefSchema.safeParse(r.ref);
    if (!ref.success || !CHECKPOINT_PATH.test(ref.data.path) || int(r.epoch) === null || int(r.batch) === null) return null;
    return { ...r, ref: ref.data };
  } catch {
    return null;
  }
}

/**
 * Worker side: carries each new checkpoint a job reports into Redis (blob, then record). Never
 * throws: a checkpoint that cannot be carried is logged and the next one is tried; the job goes on.
 */
export class CheckpointCarrier {
  private last: string | null = null;

  constructor(
    private readonly redis: Redis,
    private readonly key: string,
    /** The job's staging home (checkpoint paths are relative to it). */
    private readonly stage: string,
    private readonly who: { attempt: number; worker: string },
    private readonly log: (line: string) => void,
  ) {}

  /** Resolves once the checkpoint `progress` names (if new) is in Redis, or was given up on (at most CARRY_TIMEOUT_MS). */
  async carry(progress: OperationProgress): Promise<void> {
    const note = checkpointInProgress(progress);
    if (!note || note.ref.sha256 === this.last) return;
    this.last = note.ref.sha256;
    let timer: NodeJS.Timeout | undefined;
    const expire = new Promise<never>((_r, reject) => {
      timer = setTimeout(() => reject(new Error(`Redis did not take it within ${CARRY_TIMEOUT_MS / 1000} s`)), CARRY_TIMEOUT_MS);
    });
    try {
      await Promise.race([this.upload(note), expire]);
    } catch (err) {
      this.log(`checkpoint ${note.ref.path} not carried to Redis (${(err as Error).message}); a takeover would resume from an earlier one`);
    } finally {
      clearTimeout(timer);
    }
  }

  private async upload(note: CheckpointNote): Promise<void> {
    const abs = resolve(this.stage, note.ref.path);
    if (!abs.startsWith(this.stage + sep)) throw new Error('its path leaves the staging home');
    // A newer checkpoint may have pruned this one meanwhile; the next report carries that one.
    const bytes = readFileSync(abs);
    if (sha256Of(bytes) !== note.ref.sha256) throw new Error('the file no longer has the reported sha256');
    await putBlob(this.redis, bytes);
    await recordCheckpoint(this.redis, this.key, { ...note, ...this.who });
  }
}

/** Server side: fetches a reported checkpoint (verified against its sha256, then as a checkpoint) and stores it in the server's home. */
export async function importCheckpoint(redis: Redis, home: string, operationId: string, note: CheckpointNote): Promise<CheckpointRef> {
  const bytes = await getVerifiedBlob(redis, note.ref);
  return storeCheckpointFile(home, operationId, bytes, SERVER_CHECKPOINT_KEEP);
}

/** What an attempt announces about the checkpoint it resumed from (checkpoint header fields KTRDR's resume answer names). */
export function resumedFromMeta(meta: { checkpoint_type: string; created_at: string; epoch: number; batch: number }): ResumedFrom {
  return { checkpoint_type: meta.checkpoint_type, created_at: meta.created_at, epoch: meta.epoch, batch: meta.batch };
}
