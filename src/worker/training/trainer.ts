// Training settings, hooks and outcome shared by every trainer, and trainModel: the one loop
// (loop.ts) over the tfjs layers (tfjs-step.ts). A custom loop rather than model.fit: fit's shuffling
// cannot be seeded, its dropout reuses one mask, and it has no global-norm clipping. Same seed + data +
// backend ⇒ same metrics and weights.
import type * as tf from '@tensorflow/tfjs';
import type { EpochMetric } from '../../shared/operations';
import type { SampleSource } from '../../infra/models/samples';
import { runTrainingLoop, type LoopOptions } from './loop';
import { TfjsStepTrainer } from './tfjs-step';

export interface LabelledSamples {
  samples: SampleSource;
  /** Class per sample, 0..numClasses-1. */
  labels: Int32Array;
}

export interface EarlyStoppingConfig {
  patience: number;
  minDelta: number;
}

export interface TrainerConfig {
  epochs: number;
  batchSize: number;
  learningRate: number;
  seed: number;
  numClasses: number;
  /** Per-class loss weights (weighted cross-entropy); null = all 1. */
  classWeights: number[] | null;
  /** Clip the gradients' global L2 norm to this (KTRDR: 1.0 always). 0 = off. */
  clipNorm: number;
  /** L2 added to the gradients after clipping, as torch's Adam(weight_decay) (KTRDR: 1e-4). */
  weightDecay: number;
  /** Null = train every epoch. Needs a validation set. */
  earlyStopping: EarlyStoppingConfig | null;
  /** Let the host's messages in (a cancel request) every this many batches. */
  yieldEvery: number;
  /** Batch size used for validation passes (no gradients, so larger). */
  evalBatchSize: number;
}

export const DEFAULT_TRAINER_CONFIG: Omit<TrainerConfig, 'numClasses'> = {
  epochs: 100,
  batchSize: 32,
  learningRate: 0.001,
  seed: 42,
  classWeights: null,
  clipNorm: 1.0,
  weightDecay: 1e-4,
  earlyStopping: { patience: 10, minDelta: 0.001 },
  yieldEvery: 8,
  evalBatchSize: 4096,
};

export interface TrainerHooks {
  onBatch?(epoch: number, batch: number, batches: number): void;
  /** After each epoch; `model` holds that epoch's weights. */
  onEpoch?(record: EpochMetric, model: tf.LayersModel): void;
  /** Checked between batches: true ends training at once (cancellation). */
  shouldStop?(): boolean;
  /** Awaited every `yieldEvery` batches so a cancel message can arrive; default setImmediate. */
  yieldToHost?(): Promise<void>;
}

export interface TrainingOutcome {
  history: EpochMetric[];
  epochsTrained: number;
  /** Epoch (from 1) whose weights the model holds at the end: the lowest validation loss, else the last. */
  bestEpoch: number;
  bestValLoss: number | null;
  earlyStopped: boolean;
  /** shouldStop() ended the run: the model is partial and must not be saved. */
  cancelled: boolean;
  /** True when the best epoch's snapshot was put back into the model. */
  restoredBest: boolean;
  trainingTime: number;
}

/** KTRDR's class weights from the training labels: 1/count for present classes, 0 for absent, scaled to sum to C. */
export function classWeightsFrom(labels: ArrayLike<number>, numClasses: number): number[] {
  const counts = new Array<number>(numClasses).fill(0);
  for (let i = 0; i < labels.length; i++) {
    const y = labels[i];
    if (y >= 0 && y < numClasses) counts[y]++;
  }
  const raw = counts.map((c) => (c > 0 ? 1 / c : 0));
  const sum = raw.reduce((a, b) => a + b, 0);
  return sum > 0 ? raw.map((w) => (w / sum) * numClasses) : new Array<number>(numClasses).fill(1);
}

/**
 * Trains `model` in place on the tfjs loop. With a validation set, the weights of the epoch with the
 * lowest validation loss are put back at the end (KTRDR saves the last epoch's by mistake), and early
 * stopping (when configured) really ends the run after `patience` epochs without an improvement of
 * `minDelta`.
 */
export async function trainModel(
  model: tf.LayersModel,
  train: LabelledSamples,
  val: LabelledSamples | null,
  cfg: TrainerConfig,
  hooks: TrainerHooks = {},
  opts: LoopOptions = {},
): Promise<TrainingOutcome> {
  if (train.samples.size === 0) throw new Error('No training samples');
  const trainer = new TfjsStepTrainer(model, train, val, cfg);
  try {
    return await runTrainingLoop(trainer, train.samples.size, cfg, hooks, opts);
  } finally {
    trainer.dispose();
  }
}
