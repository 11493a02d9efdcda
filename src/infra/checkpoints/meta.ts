// What a training checkpoint's header says (format.ts `meta`): enough for the server to list it, show
// it to KTRDR's clients and refuse a resume whose strategy or data changed, without the worker's types.

/** KTRDR's checkpoint types (ktrdr-api.md §5.8). */
export type CheckpointType = 'periodic' | 'cancellation' | 'failure' | 'shutdown';

/** One (symbol, timeframe) of the training data: the bars the run read and their content hash. */
export interface SeriesHash {
  symbol: string;
  timeframe: string;
  bars: number;
  sha256: string;
}

export interface TrainingCheckpointMeta {
  kind: 'training';
  operation_id: string;
  checkpoint_type: CheckpointType;
  created_at: string;
  /** Epochs finished (KTRDR's `epoch`: a resume continues after it). */
  epoch: number;
  /** Batches finished of the next epoch (0 at an epoch boundary; a cancel stops between batches). */
  batch: number;
  batches_per_epoch: number;
  total_epochs: number;
  strategy: { name: string; sha256: string };
  /** sha256 over every series (in order), and each series' own. */
  data: { sha256: string; series: SeriesHash[] };
  trainer: string;
  backend: string;
  model_type: string;
  seed: number;
  /** Threads each batch was split over (the fused trainer's numbers depend on the count; absent: 1). */
  threads?: number;
  /** The training loop's state without its arrays (src/worker/training/checkpoint.ts reads it). */
  loop: Record<string, unknown>;
  trainer_state: { kind: string; scalars: Record<string, number> };
  /** What `ktrdr checkpoints show` prints: the last finished epoch's losses and the best so far (null: none yet). */
  summary: { train_loss: number | null; val_loss: number | null; best_val_loss: number | null; best_epoch: number | null; learning_rate: number };
}

/** The KTRDR-shaped `state` of GET /checkpoints/{id}: numbers only where they exist (its CLI formats them with :.4f). */
export function ktrdrCheckpointState(meta: TrainingCheckpointMeta, extra: Record<string, unknown> = {}): Record<string, unknown> {
  const s = meta.summary;
  const state: Record<string, unknown> = {
    epoch: meta.epoch,
    total_epochs: meta.total_epochs,
    batch: meta.batch,
    batches_per_epoch: meta.batches_per_epoch,
    learning_rate: s.learning_rate,
  };
  if (s.train_loss !== null && Number.isFinite(s.train_loss)) state.train_loss = s.train_loss;
  if (s.val_loss !== null && Number.isFinite(s.val_loss)) state.val_loss = s.val_loss;
  if (s.best_val_loss !== null && Number.isFinite(s.best_val_loss)) state.best_val_loss = s.best_val_loss;
  if (s.best_epoch !== null) state.best_epoch = s.best_epoch;
  return {
    ...state,
    strategy_name: meta.strategy.name,
    strategy_sha256: meta.strategy.sha256,
    data_sha256: meta.data.sha256,
    model_type: meta.model_type,
    trainer: meta.trainer,
    backend: meta.backend,
    seed: meta.seed,
    ...extra,
  };
}
