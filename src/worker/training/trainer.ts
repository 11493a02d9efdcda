// The training loop. A custom loop rather than model.fit: fit's shuffling cannot be seeded, its dropout
// reuses one mask, and it has no global-norm clipping. Same seed + data + backend ⇒ same metrics and weights.
import * as tf from '@tensorflow/tfjs';
import { BestEpochTracker } from './best-epoch';
import type { EpochMetric } from '../../shared/operations';
import { identityPositions, sampleLength, type SampleSource } from '../../infra/models/samples';
import { forwardLogits } from './model';
import { Rng } from './random';

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

interface Pass {
  loss: number;
  accuracy: number;
}

const setImmediateYield = () => new Promise<void>((r) => setImmediate(r));

function batchTensors(data: LabelledSamples, positions: Int32Array, from: number, count: number, weights: Float32Array) {
  const per = sampleLength(data.samples);
  const x = new Float32Array(count * per);
  data.samples.fill(positions, from, count, x);
  const y = new Int32Array(count);
  const w = new Float32Array(count);
  for (let k = 0; k < count; k++) {
    const label = data.labels[positions[from + k]];
    y[k] = label;
    w[k] = weights[label];
  }
  return { xs: tf.tensor(x, [count, ...data.samples.shape]), ys: tf.tensor1d(y, 'int32'), ws: tf.tensor1d(w) };
}

/** Σ w·nll and Σ correct for one batch (weighted cross-entropy as torch's CrossEntropyLoss(weight)). */
function weightedNll(logits: tf.Tensor2D, ys: tf.Tensor1D, ws: tf.Tensor1D, numClasses: number): tf.Tensor1D {
  const logp = tf.logSoftmax(logits);
  const nll = tf.neg(tf.sum(tf.mul(logp, tf.oneHot(ys, numClasses)), 1));
  return tf.mul(nll, ws) as tf.Tensor1D;
}

function correctCount(logits: tf.Tensor2D, ys: tf.Tensor1D): tf.Scalar {
  return tf.sum(tf.cast(tf.equal(tf.argMax(logits, 1), ys), 'float32'));
}

/** Validation pass: weighted loss over the whole set (same criterion as training), accuracy. */
export function evaluateLoss(model: tf.LayersModel, data: LabelledSamples, weights: Float32Array, numClasses: number, batchSize: number): Pass {
  const n = data.samples.size;
  if (n === 0) return { loss: NaN, accuracy: NaN };
  const positions = identityPositions(n);
  let lossSum = 0;
  let weightSum = 0;
  let correct = 0;
  for (let from = 0; from < n; from += batchSize) {
    const count = Math.min(batchSize, n - from);
    const { xs, ys, ws } = batchTensors(data, positions, from, count, weights);
    const [l, c] = tf.tidy(() => {
      const logits = forwardLogits(model, xs, null);
      return [tf.sum(weightedNll(logits, ys, ws, numClasses)), correctCount(logits, ys)];
    });
    lossSum += l.dataSync()[0];
    correct += c.dataSync()[0];
    weightSum += tf.tidy(() => ws.sum().dataSync()[0]);
    tf.dispose([xs, ys, ws, l, c]);
  }
  return { loss: weightSum > 0 ? lossSum / weightSum : NaN, accuracy: correct / n };
}

/**
 * Trains `model` in place. With a validation set, the weights of the epoch with the lowest validation
 * loss are put back at the end (KTRDR saves the last epoch's by mistake), and early stopping (when
 * configured) really ends the run after `patience` epochs without an improvement of `minDelta`.
 */
export async function trainModel(
  model: tf.LayersModel,
  train: LabelledSamples,
  val: LabelledSamples | null,
  cfg: TrainerConfig,
  hooks: TrainerHooks = {},
): Promise<TrainingOutcome> {
  const n = train.samples.size;
  if (n === 0) throw new Error('No training samples');
  const started = performance.now();
  const rng = new Rng(cfg.seed);
  const weights = new Float32Array(cfg.classWeights ?? new Array<number>(cfg.numClasses).fill(1));
  const vars = model.trainableWeights.map((w) => w.read() as tf.Variable);
  const byName = new Map(vars.map((v) => [v.name, v]));
  const optimizer = tf.train.adam(cfg.learningRate);
  const batches = Math.ceil(n / cfg.batchSize);
  const positions = identityPositions(n);
  const hasVal = val !== null && val.samples.size > 0;
  const early = hasVal ? cfg.earlyStopping : null;
  const yieldNow = hooks.yieldToHost ?? setImmediateYield;

  const history: EpochMetric[] = [];
  let best: tf.Tensor[] | null = null;
  const tracker = new BestEpochTracker(early);
  let cancelled = false;

  try {
    for (let epoch = 1; epoch <= cfg.epochs && !tracker.stopped && !cancelled; epoch++) {
      const t0 = performance.now();
      rng.shuffle(positions);
      let lossSum = 0;
      let correct = 0;
      for (let b = 0; b < batches; b++) {
        if (hooks.shouldStop?.()) {
          cancelled = true;
          break;
        }
        const from = b * cfg.batchSize;
        const count = Math.min(cfg.batchSize, n - from);
        const { xs, ys, ws } = batchTensors(train, positions, from, count, weights);
        let batchCorrect: tf.Scalar | null = null;
        const { value, grads } = tf.variableGrads(() => {
          const logits = forwardLogits(model, xs, rng);
          batchCorrect = tf.keep(correctCount(logits, ys));
          const wnll = weightedNll(logits, ys, ws, cfg.numClasses);
          return tf.div(tf.sum(wnll), tf.sum(ws)) as tf.Scalar;
        }, vars);
        tf.tidy(() => {
          const names = Object.keys(grads);
          let scale: tf.Scalar | null = null;
          if (cfg.clipNorm > 0) {
            const norm = tf.sqrt(tf.addN(names.map((k) => tf.sum(tf.square(grads[k])))));
            scale = tf.minimum(tf.scalar(1), tf.div(tf.scalar(cfg.clipNorm), tf.add(norm, 1e-6))) as tf.Scalar;
          }
          const applied: tf.NamedTensorMap = {};
          for (const k of names) {
            let g: tf.Tensor = scale ? tf.mul(grads[k], scale) : grads[k];
            if (cfg.weightDecay > 0) g = tf.add(g, tf.mul(byName.get(k)!, cfg.weightDecay));
            applied[k] = g;
          }
          optimizer.applyGradients(applied as Parameters<typeof optimizer.applyGradients>[0]);
        });
        // One read per batch: trivial on CPU backends, and it keeps the loop's memory flat on GPU ones.
        lossSum += value.dataSync()[0] * count;
        correct += (batchCorrect as tf.Scalar | null)?.dataSync()[0] ?? 0;
        tf.dispose([xs, ys, ws, value, batchCorrect as tf.Scalar | null].filter((t): t is tf.Tensor => t !== null));
        tf.dispose(Object.values(grads));
        hooks.onBatch?.(epoch, b + 1, batches);
        if ((b + 1) % cfg.yieldEvery === 0) await yieldNow();
      }
      if (cancelled) break;
      const valPass = hasVal ? evaluateLoss(model, val!, weights, cfg.numClasses, cfg.evalBatchSize) : null;
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
      if (valPass) {
        if (tracker.observe(epoch, valPass.loss)) {
          if (best) tf.dispose(best);
          best = model.getWeights().map((w) => w.clone());
        }
      }
      hooks.onEpoch?.(record, model);
      await yieldNow();
    }
    let restoredBest = false;
    if (best && !cancelled && tracker.bestEpoch !== history.length) {
      model.setWeights(best);
      restoredBest = true;
    }
    return {
      history,
      epochsTrained: history.length,
      bestEpoch: hasVal ? tracker.bestEpoch : history.length,
      bestValLoss: hasVal && tracker.bestEpoch > 0 ? history[tracker.bestEpoch - 1].val_loss : null,
      earlyStopped: tracker.stopped,
      cancelled,
      restoredBest,
      trainingTime: (performance.now() - started) / 1000,
    };
  } finally {
    if (best) tf.dispose(best);
    optimizer.dispose();
  }
}
