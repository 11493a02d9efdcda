import type { TrainingCheckpointMeta } from '../../src/infra/checkpoints/meta';
import { writeCheckpoint, type CheckpointRef } from '../../src/infra/checkpoints/store';

/** The header of a training checkpoint of `operationId` at (epoch, batch), for tests. */
export function testCheckpointMeta(operationId: string, epoch: number, batch = 0, over: Partial<TrainingCheckpointMeta> = {}): TrainingCheckpointMeta {
  return {
    kind: 'training',
    operation_id: operationId,
    checkpoint_type: batch ? 'cancellation' : 'periodic',
    created_at: new Date().toISOString(),
    epoch,
    batch,
    batches_per_epoch: 10,
    total_epochs: 20,
    strategy: { name: 's', sha256: '0'.repeat(64) },
    data: { sha256: '1'.repeat(64), series: [] },
    trainer: 'fused-js',
    backend: 'wasm',
    model_type: 'mlp',
    seed: 42,
    loop: {},
    trainer_state: { kind: 'fused-js', scalars: {} },
    summary: { train_loss: 0.9, val_loss: 1.1, best_val_loss: 1.05, best_epoch: epoch, learning_rate: 0.001 },
    ...over,
  };
}

/** A valid training checkpoint file of `operationId` at (epoch, batch), for tests of what reads them. */
export function writeTestCheckpoint(home: string, operationId: string, epoch: number, batch = 0, over: Partial<TrainingCheckpointMeta> = {}): CheckpointRef {
  return writeCheckpoint(home, operationId, { meta: testCheckpointMeta(operationId, epoch, batch, over), arrays: { positions: new Int32Array(4) } }, 2);
}
