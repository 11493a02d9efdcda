// Between the training loop's snapshots (loop.ts) and checkpoint files (src/infra/checkpoints): the
// loop's state and the trainer's go into the header (scalars, history) and arrays (sample order,
// weights, optimiser moments, best weights), exactly, and come back the same way.
import type { CheckpointArray, CheckpointContent } from '../../infra/checkpoints/format';
import type { CheckpointType, TrainingCheckpointMeta } from '../../infra/checkpoints/meta';
import type { EpochMetric } from '../../shared/operations';
import type { Checkpointing, LoopSnapshot, LoopState, TrainerKind } from './loop';

/** The header fields that do not come from the snapshot: who, what data, which strategy, which trainer. */
export type CheckpointIdentity = Omit<TrainingCheckpointMeta, 'checkpoint_type' | 'created_at' | 'epoch' | 'batch' | 'batches_per_epoch' | 'loop' | 'trainer_state' | 'summary' | 'trainer'>;

const TRAINER_PREFIX = 'trainer.';

function summaryOf(loop: LoopState, learningRate: number): TrainingCheckpointMeta['summary'] {
  const last = loop.history[loop.history.length - 1];
  const best = loop.tracker.bestEpoch > 0 ? loop.history[loop.tracker.bestEpoch - 1] : undefined;
  return {
    train_loss: last?.train_loss ?? null,
    val_loss: last?.val_loss ?? null,
    best_val_loss: best?.val_loss ?? null,
    best_epoch: best ? loop.tracker.bestEpoch : null,
    learning_rate: learningRate,
  };
}

export function checkpointContent(snapshot: LoopSnapshot, identity: CheckpointIdentity, type: CheckpointType, learningRate: number): CheckpointContent<TrainingCheckpointMeta> {
  const { positions, ...loop } = snapshot.loop;
  const arrays: Record<string, CheckpointArray> = { positions };
  for (const [k, a] of Object.entries(snapshot.trainer.arrays)) arrays[TRAINER_PREFIX + k] = a;
  return {
    meta: {
      ...identity,
      checkpoint_type: type,
      created_at: new Date().toISOString(),
      epoch: loop.epoch,
      batch: loop.batch,
      batches_per_epoch: loop.batches,
      trainer: snapshot.trainer.kind,
      loop: loop as unknown as Record<string, unknown>,
      trainer_state: { kind: snapshot.trainer.kind, scalars: snapshot.trainer.scalars },
      summary: summaryOf(snapshot.loop, learningRate),
    },
    arrays,
  };
}

const isNum = (v: unknown): v is number => typeof v === 'number';

/** The loop snapshot a checkpoint holds; throws naming the first field that is missing or malformed. */
export function snapshotFromCheckpoint(content: CheckpointContent<TrainingCheckpointMeta>): LoopSnapshot {
  const meta = content.meta;
  const l = meta.loop as Partial<LoopState>;
  const bad = (what: string): never => {
    throw new Error(`Checkpoint of ${meta.operation_id} is unusable: ${what}`);
  };
  for (const k of ['epoch', 'batch', 'batches', 'samples', 'rng', 'lossSum', 'correct', 'epochSeconds', 'trainingSeconds'] as const) if (!isNum(l[k])) bad(`loop.${k} is missing`);
  if (typeof l.shuffled !== 'boolean') bad('loop.shuffled is missing');
  if (!Array.isArray(l.history)) bad('loop.history is missing');
  const t = l.tracker;
  if (!t || !isNum(t.bestEpoch) || !isNum(t.bestLoss) || !isNum(t.sinceBest) || typeof t.stopped !== 'boolean') bad('loop.tracker is malformed');
  const positions = content.arrays.positions;
  if (!(positions instanceof Int32Array)) bad('the sample order is missing');
  const arrays: Record<string, Float64Array | Float32Array> = {};
  for (const [k, a] of Object.entries(content.arrays)) {
    if (!k.startsWith(TRAINER_PREFIX)) continue;
    if (!(a instanceof Float64Array) && !(a instanceof Float32Array)) bad(`${k} is not a float array`);
    arrays[k.slice(TRAINER_PREFIX.length)] = a as Float64Array | Float32Array;
  }
  const kind = meta.trainer_state?.kind;
  if (kind !== 'fused-js' && kind !== 'tfjs') bad(`unknown trainer '${String(kind)}'`);
  return {
    loop: { ...(l as Omit<LoopState, 'positions' | 'history'>), history: (l.history as EpochMetric[]).map((r) => ({ ...r })), positions: positions as Int32Array },
    trainer: { kind: kind as TrainerKind, arrays, scalars: { ...meta.trainer_state.scalars } },
  };
}

/** A checkpoint to resume from, read and checked by the job. */
export interface ResumePoint {
  snapshot: LoopSnapshot;
  meta: TrainingCheckpointMeta;
  /** The trainer to continue with: the checkpoint's own (throws when this worker cannot run it exactly). */
  trainerKind(backend: string, warn: (m: string) => void): TrainerKind;
  describe(): string;
}

export function resumePoint(content: CheckpointContent<TrainingCheckpointMeta>): ResumePoint {
  const meta = content.meta;
  const snapshot = snapshotFromCheckpoint(content);
  const where = `epoch ${meta.epoch}${meta.batch ? `, batch ${meta.batch}/${meta.batches_per_epoch}` : ''}`;
  return {
    snapshot,
    meta,
    describe: () => `the ${meta.checkpoint_type} checkpoint after ${where} (${meta.created_at})`,
    trainerKind(backend, warn) {
      const kind = snapshot.trainer.kind;
      // The tfjs trainer's numbers depend on the backend's kernels; the fused nets' do not.
      if (kind === 'tfjs' && meta.backend !== backend)
        throw new Error(`The checkpoint was trained on the ${meta.backend} backend and this worker selected ${backend}: the run would not continue exactly; set KTRDR_TF_BACKEND=${meta.backend}`);
      if (meta.backend !== backend) warn(`Resumed on the ${backend} backend (the run started on ${meta.backend}): training continues exactly; test predictions may differ in the last digits`);
      return kind;
    },
  };
}

/** What the job decides about checkpoints: when, where they go, and what to resume from. */
export interface CheckpointPlan {
  /** 0: not by epochs. */
  everyEpochs: number;
  /** 0: not by time. */
  everySeconds: number;
  onCancel: boolean;
  /** Hashes of the training data, per series (a resume is refused when they change). */
  data: TrainingCheckpointMeta['data'];
  /** Stores one checkpoint and reports it; returns a short description (e.g. its path). */
  write(content: CheckpointContent<TrainingCheckpointMeta>): string;
  resume: ResumePoint | null;
}

/** The loop's Checkpointing for a plan (null: write none), remembering what it wrote last. */
export function trainingCheckpoints(
  plan: CheckpointPlan | null,
  identity: CheckpointIdentity,
  learningRate: number,
): (Checkpointing & { lastWritten(): string | null }) | null {
  if (!plan || (plan.everyEpochs === 0 && plan.everySeconds === 0 && !plan.onCancel)) return null;
  let last: string | null = null;
  return {
    everyEpochs: plan.everyEpochs,
    everySeconds: plan.everySeconds,
    onCancel: plan.onCancel,
    write(snapshot, kind) {
      last = plan.write(checkpointContent(snapshot, identity, kind, learningRate));
    },
    lastWritten: () => last,
  };
}
