// The training job's checkpoint decisions: settings (strategy, overridden by the request), the
// checkpoint to resume from (checked against this operation, its strategy and file checksum), and the
// writer that stores each checkpoint and reports it in progress.context (checkpoint_path, _sha256,
// _size, _epoch, _batch, _type: what a scale-out host needs to carry it as a blob).
import { resolve } from 'node:path';
import type { StrategyConfig } from '../../core/strategy/types';
import { checkpointOverrideSchema, type CheckpointSettings } from '../../shared/checkpoints';
import { resumeFromSchema } from '../../shared/job-payload';
import { readCheckpointFile, writeCheckpoint } from '../../infra/checkpoints/store';
import type { TrainingCheckpointMeta } from '../../infra/checkpoints/meta';
import type { ProgressBridge } from '../bridge';
import { resumePoint, type CheckpointPlan, type ResumePoint } from '../training/checkpoint';
import { sha256 } from '../training/pipeline';

/** The strategy's `training.checkpoints` with the request's override applied. */
export function checkpointSettings(strategy: StrategyConfig, override: unknown): CheckpointSettings {
  if (override === undefined || override === null) return strategy.training.checkpoints;
  const o = checkpointOverrideSchema.safeParse(override);
  if (!o.success) throw new Error(`checkpoints: ${o.error.issues.map((i) => `${i.path.join('.') || '(object)'}: ${i.message}`).join('; ')}`);
  return { ...strategy.training.checkpoints, ...o.data };
}


/**
 * The checkpoint a resumed job continues from, or null for a fresh run. Refuses one of another
 * operation, a damaged file, and one whose strategy text differs from this run's.
 */
export function readResumeCheckpoint(raw: unknown, home: string, operationId: string, strategyName: string, strategyYaml: string): ResumePoint | null {
  if (raw === undefined || raw === null) return null;
  const r = resumeFromSchema.safeParse(raw);
  if (!r.success) throw new Error(`resume_from: ${r.error.issues.map((i) => `${i.path.join('.') || '(object)'}: ${i.message}`).join('; ')}`);
  const content = readCheckpointFile(resolve(home, r.data.path), r.data.sha256);
  const meta = content.meta;
  if (meta.kind !== 'training') throw new Error(`${r.data.path} is not a training checkpoint`);
  if (meta.operation_id !== operationId) throw new Error(`${r.data.path} belongs to operation ${meta.operation_id}, not ${operationId}`);
  const now = sha256(strategyYaml);
  if (meta.strategy.sha256 !== now) throw new Error(`Strategy ${strategyName} changed since the checkpoint (sha256 ${meta.strategy.sha256.slice(0, 12)}… then, ${now.slice(0, 12)}… now); start a new training instead of resuming`);
  return resumePoint(content);
}

export function checkpointPlan(
  settings: CheckpointSettings,
  home: string,
  operationId: string,
  bridge: ProgressBridge,
  data: TrainingCheckpointMeta['data'],
  resume: ResumePoint | null,
): CheckpointPlan {
  const on = settings.enabled;
  return {
    everyEpochs: on ? settings.every_epochs : 0,
    everySeconds: on ? settings.every_seconds : 0,
    onCancel: on,
    data,
    resume,
    write(content) {
      // A stop asked because the server shuts down is KTRDR's `shutdown` checkpoint, not a user's cancel.
      if (content.meta.checkpoint_type === 'cancellation' && bridge.shutdown) content.meta.checkpoint_type = 'shutdown';
      const ref = writeCheckpoint(home, operationId, content, settings.keep);
      const m = content.meta;
      bridge.update(0, undefined, {
        context: { checkpoint_path: ref.relPath, checkpoint_sha256: ref.sha256, checkpoint_size: ref.size, checkpoint_epoch: m.epoch, checkpoint_batch: m.batch, checkpoint_type: m.checkpoint_type },
      });
      bridge.flush();
      return `${m.checkpoint_type}, epoch ${m.epoch}${m.batch ? ` batch ${m.batch}` : ''}, ${ref.relPath}`;
    },
  };
}
