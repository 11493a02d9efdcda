// The one training loop, for every model and trainer: per epoch a Fisher–Yates shuffle from the run's
// generator, batches (one dropout seed per Dropout layer per batch, drawn here in layer order), a
// validation pass, the best epoch and early stopping; cancellation between batches; checkpoints every
// N epochs / seconds and on cancel, and resuming from one. What a batch step computes lives below it,
// in a StepTrainer (the tfjs layers in tfjs-step.ts, the fused nets in fused/trainer.ts), so a faster
// step (e.g. data-parallel kernels) changes nothing here.
//
// Everything that decides later epochs is in the loop's state (generator, sample order, tracker, the
// unfinished epoch's sums) or the trainer's (weights, optimiser moments and step, best weights):
// a run resumed from a snapshot continues exactly as the uninterrupted run, bit for bit.
import type * as tf from '@tensorflow/tfjs';
import type { EpochMetric } from '../../shared/operations';
import { BestEpochTracker, type BestEpochState } from './best-epoch';
import { Rng } from './random';
import type { TrainerConfig, TrainerHooks, TrainingOutcome } from './trainer';

/** One batch's mean (class-weighted) loss and how many of its samples were classified right. */
export interface BatchOutcome {
  loss: number;
  correct: number;
}

/** A validation pass: Σ w·CE / Σ w over the set, and accuracy. */
export interface EvalPass {
  loss: number;
  accuracy: number;
}

/** One chunk of a validation pass: Σ w·CE, Σ w and Σ correct over its rows. */
export interface EvalSums {
  lossSum: number;
  weightSum: number;
  correct: number;
}

/**
 * A validation pass over n samples in order, `chunk` rows at a time (both trainers' criterion):
 * Σ w·CE / Σ w and accuracy; NaN for an empty set.
 */
export function validationPass(n: number, chunk: number, sums: (positions: Int32Array, from: number, count: number) => EvalSums): EvalPass {
  if (n === 0) return { loss: NaN, accuracy: NaN };
  const positions = new Int32Array(n);
  for (let i = 0; i < n; i++) positions[i] = i;
  let lossSum = 0;
  let weightSum = 0;
  let correct = 0;
  for (let from = 0; from < n; from += chunk) {
    const r = sums(positions, from, Math.min(chunk, n - from));
    lossSum += r.lossSum;
    weightSum += r.weightSum;
    correct += r.correct;
  }
  return { loss: weightSum > 0 ? lossSum / weightSum : NaN, accuracy: correct / n };
}

/** Which trainer ran: a checkpoint of one can only be continued bit for bit by the same one. */
export type TrainerKind = 'fused-js' | 'tfjs';

/** A trainer's own state: named arrays (weights, optimiser moments, best weights) and scalars. */
export interface TrainerState {
  kind: TrainerKind;
  arrays: Record<string, Float64Array | Float32Array>;
  scalars: Record<string, number>;
}

/** What the loop needs of a model's trainer. Training data and settings are bound when it is made. */
export interface StepTrainer {
  readonly kind: TrainerKind;
  /** The tfjs model: onEpoch receives it, and it holds the result at the end. */
  readonly model: tf.LayersModel;
  /** Dropout layers drawing masks, in model order: the loop passes one seed each per batch. */
  readonly dropoutLayers: number;
  readonly hasValidation: boolean;
  /** One optimiser step on samples positions[from, from + count) of the training set. */
  trainBatch(positions: Int32Array, from: number, count: number, dropoutSeeds: readonly number[]): BatchOutcome | Promise<BatchOutcome>;
  /** The validation pass with the current weights (no dropout); null without a validation set. */
  evaluate(): EvalPass | null;
  /** Remembers the current weights as the best epoch's. */
  keepBest(): void;
  /** Puts the best epoch's weights back. */
  restoreBest(): void;
  /** Writes the current weights into `model` (a no-op when the model is what trains). */
  syncModel(): void;
  saveState(): TrainerState;
  loadState(state: TrainerState): void;
  /** Splits each batch into exactly `shards` shards, one a thread (the fused nets); resolves to the count that computes. */
  useShards?(shards: number): Promise<number>;
  /** Ends what runs beside the trainer (compute threads); awaited before dispose. */
  close?(): Promise<void>;
  dispose(): void;
}

/** The loop's own state at a batch boundary. */
export interface LoopState {
  /** Epochs finished. */
  epoch: number;
  /** True when `positions` already holds epoch `epoch + 1`'s order (a snapshot taken inside an epoch). */
  shuffled: boolean;
  /** Batches finished of epoch `epoch + 1` (0 at an epoch boundary). */
  batch: number;
  batches: number;
  samples: number;
  /** The generator's state. */
  rng: number;
  positions: Int32Array;
  /** Σ loss·count and Σ correct over the unfinished epoch's finished batches. */
  lossSum: number;
  correct: number;
  /** Seconds already spent on the unfinished epoch (its metric's duration continues from it). */
  epochSeconds: number;
  /** Seconds of training so far, over every run that led here. */
  trainingSeconds: number;
  tracker: BestEpochState;
  history: EpochMetric[];
}

export interface LoopSnapshot {
  loop: LoopState;
  trainer: TrainerState;
}

export type CheckpointKind = 'periodic' | 'cancellation';

/** When to take snapshots and where they go (the pipeline writes them as checkpoint files). */
export interface Checkpointing {
  /** After every this many epochs; 0: not by epochs. */
  everyEpochs: number;
  /** After the first epoch that ends this many seconds after the previous snapshot; 0: not by time. */
  everySeconds: number;
  /** Also when training is cancelled (at the batch it stopped at). */
  onCancel: boolean;
  write(snapshot: LoopSnapshot, kind: CheckpointKind): void | Promise<void>;
}

export interface LoopOptions {
  /** Continue from this snapshot instead of starting at epoch 1. */
  resume?: LoopSnapshot | null;
  checkpoints?: Checkpointing | null;
}

const setImmediateYield = () => new Promise<void>((r) => setImmediate(r));

/** Refuses a snapshot that does not belong to this run (other data size, batch size or trainer). */
function checkResumable(s: LoopSnapshot, trainer: StepTrainer, samples: number, batches: number, epochs: number): void {
  const l = s.loop;
  if (s.trainer.kind !== trainer.kind) throw new Error(`The checkpoint was written by the ${s.trainer.kind} trainer; this run uses the ${trainer.kind} trainer, which would not continue it exactly`);
  if (l.samples !== samples || l.positions.length !== samples) throw new Error(`The checkpoint holds ${l.samples} training samples; this run has ${samples}`);
  if (l.batches !== batches) throw new Error(`The checkpoint has ${l.batches} batches per epoch; this run has ${batches}`);
  if (l.epoch > epochs) throw new Error(`The checkpoint is at epoch ${l.epoch}, past this run's ${epochs} epochs`);
  if (l.history.length !== l.epoch) throw new Error(`The checkpoint's history has ${l.history.length} epochs for epoch ${l.epoch}`);
}

/**
 * Trains with `trainer` for cfg.epochs epochs (fewer when early stopping ends the run or shouldStop()
 * cancels it). With a validation set the best-validation-loss epoch's weights are put back at the end.
 * The trainer's model holds the result.
 */
export async function runTrainingLoop(trainer: StepTrainer, samples: number, cfg: TrainerConfig, hooks: TrainerHooks = {}, opts: LoopOptions = {}): Promise<TrainingOutcome> {
  const n = samples;
  if (n === 0) throw new Error('No training samples');
  const started = performance.now();
  const batches = Math.ceil(n / cfg.batchSize);
  const yieldNow = hooks.yieldToHost ?? setImmediateYield;
  const yieldEvery = Math.max(1, cfg.yieldEvery);
  const hasVal = trainer.hasValidation;
  const tracker = new BestEpochTracker(hasVal ? cfg.earlyStopping : null);
  const rng = new Rng(cfg.seed);
  const positions = new Int32Array(n);
  for (let i = 0; i < n; i++) positions[i] = i;
  const seeds = new Array<number>(trainer.dropoutLayers).fill(0);
  let history: EpochMetric[] = [];
  let priorSeconds = 0;
  let startEpoch = 1;
  let resumeInside: LoopState | null = null;

  const resume = opts.resume ?? null;
  if (resume) {
    checkResumable(resume, trainer, n, batches, cfg.epochs);
    const l = resume.loop;
    trainer.loadState(resume.trainer);
    rng.restore(l.rng);
    positions.set(l.positions);
    tracker.restore(l.tracker);
    history = l.history.map((r) => ({ ...r }));
    priorSeconds = l.trainingSeconds;
    startEpoch = l.epoch + 1;
    if (l.shuffled) resumeInside = l;
  }

  const cp = opts.checkpoints ?? null;
  let lastSnapshotAt = performance.now();
  const snapshot = (epoch: number, shuffled: boolean, batch: number, lossSum: number, correct: number, epochStart: number): LoopSnapshot => {
    const now = performance.now();
    return {
      loop: {
        epoch,
        shuffled,
        batch,
        batches,
        samples: n,
        rng: rng.state,
        positions: positions.slice(),
        lossSum,
        correct,
        epochSeconds: shuffled ? (now - epochStart) / 1000 : 0,
        trainingSeconds: priorSeconds + (now - started) / 1000,
        tracker: tracker.state,
        history: history.map((r) => ({ ...r })),
      },
      trainer: trainer.saveState(),
    };
  };

  let cancelled = false;
  for (let epoch = startEpoch; epoch <= cfg.epochs && !tracker.stopped && !cancelled; epoch++) {
    const inside = epoch === startEpoch ? resumeInside : null;
    const t0 = performance.now() - (inside ? inside.epochSeconds * 1000 : 0);
    if (!inside) rng.shuffle(positions);
    let lossSum = inside ? inside.lossSum : 0;
    let correct = inside ? inside.correct : 0;
    for (let b = inside ? inside.batch : 0; b < batches; b++) {
      if (hooks.shouldStop?.()) {
        cancelled = true;
        if (cp?.onCancel) await cp.write(snapshot(epoch - 1, true, b, lossSum, correct, t0), 'cancellation');
        break;
      }
      const from = b * cfg.batchSize;
      const count = Math.min(cfg.batchSize, n - from);
      for (let l = 0; l < seeds.length; l++) seeds[l] = rng.seed();
      const step = trainer.trainBatch(positions, from, count, seeds);
      const out = step instanceof Promise ? await step : step;
      lossSum += out.loss * count;
      correct += out.correct;
      hooks.onBatch?.(epoch, b + 1, batches);
      if ((b + 1) % yieldEvery === 0) await yieldNow();
    }
    if (cancelled) break;
    const valPass = trainer.evaluate();
    const record: EpochMetric = {
      epoch,
      train_loss: lossSum / n,
      train_accuracy: correct / n,
      val_loss: valPass ? valPass.loss : null,
      val_accuracy: valPass ? valPass.accuracy : null,
      learning_rate: cfg.learningRate,
      duration: (performance.now() - t0) / 1000,
      timestamp: new Date().toISOString(),
    };
    history.push(record);
    if (valPass && tracker.observe(epoch, valPass.loss)) trainer.keepBest();
    if (hooks.onEpoch) {
      trainer.syncModel();
      hooks.onEpoch(record, trainer.model);
    }
    if (cp) {
      const now = performance.now();
      const byEpochs = cp.everyEpochs > 0 && epoch % cp.everyEpochs === 0;
      const byTime = cp.everySeconds > 0 && now - lastSnapshotAt >= cp.everySeconds * 1000;
      if (byEpochs || byTime) {
        await cp.write(snapshot(epoch, false, 0, 0, 0, t0), 'periodic');
        lastSnapshotAt = performance.now();
      }
    }
    await yieldNow();
  }

  let restoredBest = false;
  if (tracker.bestEpoch > 0 && !cancelled && tracker.bestEpoch !== history.length) {
    trainer.restoreBest();
    restoredBest = true;
  }
  trainer.syncModel();
  return {
    history,
    epochsTrained: history.length,
    bestEpoch: hasVal ? tracker.bestEpoch : history.length,
    bestValLoss: hasVal && tracker.bestEpoch > 0 ? history[tracker.bestEpoch - 1].val_loss : null,
    earlyStopped: tracker.stopped,
    cancelled,
    restoredBest,
    trainingTime: priorSeconds + (performance.now() - started) / 1000,
  };
}
