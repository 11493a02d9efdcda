// trainModel (../trainer.ts) for MLPs without tfjs in the loop: same config, hooks and outcome, same
// seeded run (per-epoch Fisher–Yates shuffle from the run's Rng, then one dropout seed per Dropout layer
// per batch from that Rng, turned into tfjs's very mask), same loss, clipping, weight decay, Adam,
// validation and early stopping. Starts from the tfjs model's weights and writes the result back into it.
import type * as tf from '@tensorflow/tfjs';
import { BestEpochTracker } from '../best-epoch';
import type { EpochMetric } from '../../../shared/operations';
import { identityPositions, sampleLength } from '../../../infra/models/samples';
import type { ModelSpec } from '../model';
import { Rng } from '../random';
import type { LabelledSamples, TrainerConfig, TrainerHooks, TrainingOutcome } from '../trainer';
import { FusedAdam } from './adam';
import { Vec } from './kernels';
import { chooseFusedKernels, type FusedKernels } from './choice';
import { FusedMlp, mlpShapeOf, mlpValues, MlpWorkspace, type MlpShape } from './mlp';
import { SimdEngine, simdSupported } from './simd/engine';
import { loadTfjsWeights, storeTfjsWeights } from './weights';

/** Validation rows per forward pass: big enough to amortise calls, small enough to stay in cache. */
const EVAL_CHUNK = 512;

const setImmediateYield = () => new Promise<void>((r) => setImmediate(r));

/** Copies samples positions[from..from+count) into the workspace: inputs, labels, row weights. */
function fillBatch(ws: MlpWorkspace, data: LabelledSamples, positions: Int32Array, from: number, count: number, classWeights: Float32Array, per: number): void {
  data.samples.fill(positions, from, count, ws.x32);
  const x = ws.x;
  const x32 = ws.x32;
  const m = count * per;
  for (let i = 0; i < m; i++) x[i] = x32[i];
  for (let k = 0; k < count; k++) {
    const label = data.labels[positions[from + k]];
    ws.labels[k] = label;
    ws.rowWeights[k] = classWeights[label];
  }
}

function checkLabels(data: LabelledSamples, numClasses: number, what: string): void {
  if (data.labels.length !== data.samples.size) throw new Error(`${what}: ${data.labels.length} labels for ${data.samples.size} samples`);
  for (let i = 0; i < data.labels.length; i++) {
    const y = data.labels[i];
    if (!(y >= 0 && y < numClasses)) throw new Error(`${what}: label ${y} at sample ${i} is outside 0..${numClasses - 1}`);
  }
}

/** Validation pass: Σ w·CE / Σ w over the whole set (the training criterion) and accuracy, no dropout. */
export function evaluateFused(mlp: FusedMlp, ws: MlpWorkspace, data: LabelledSamples, classWeights: Float32Array): { loss: number; accuracy: number } {
  const n = data.samples.size;
  if (n === 0) return { loss: NaN, accuracy: NaN };
  const positions = identityPositions(n);
  const per = mlp.sizes[0];
  let lossSum = 0;
  let weightSum = 0;
  let correct = 0;
  for (let from = 0; from < n; from += ws.capacity) {
    const count = Math.min(ws.capacity, n - from);
    fillBatch(ws, data, positions, from, count, classWeights, per);
    const r = mlp.evaluateRows(ws, count);
    lossSum += r.lossSum;
    weightSum += r.weightSum;
    correct += r.correct;
  }
  return { loss: weightSum > 0 ? lossSum / weightSum : NaN, accuracy: correct / n };
}

/**
 * A SIMD engine with room for the net, Adam's moments and workspaces of the given capacities, or null
 * when the JS kernels run (KTRDR_FUSED_KERNELS=js, no WebAssembly SIMD, or `kernels` = 'js').
 */
export function fusedEngine(shape: MlpShape, capacities: number[], kernels?: FusedKernels): SimdEngine | null {
  const which = kernels ?? chooseFusedKernels(simdSupported());
  if (which === 'js') return null;
  let values = mlpValues(shape);
  values += values; // Adam's m and v (each ≤ params + the transposed scratch)
  for (const c of capacities) if (c > 0) values += MlpWorkspace.values(shape, c);
  return SimdEngine.create(values);
}

/** Trainer hooks plus the fused engine's kernel choice (tests compare the two). */
export interface FusedTrainerHooks extends TrainerHooks {
  kernels?: FusedKernels;
}

/**
 * Trains the MLP `model` (built by buildModel(spec)) in place with the fused loop. Contract identical to
 * trainModel: with a validation set the best-validation-loss epoch's weights are put back at the end and
 * early stopping ends the run after `patience` epochs without a `minDelta` improvement; shouldStop() is
 * honoured between batches; onEpoch receives the model holding that epoch's weights.
 */
export async function trainFusedMlp(
  model: tf.LayersModel,
  spec: ModelSpec,
  train: LabelledSamples,
  val: LabelledSamples | null,
  cfg: TrainerConfig,
  hooks: FusedTrainerHooks = {},
): Promise<TrainingOutcome> {
  const n = train.samples.size;
  if (n === 0) throw new Error('No training samples');
  const started = performance.now();
  const shape = mlpShapeOf(spec);
  if (cfg.numClasses !== spec.numClasses) throw new Error(`numClasses ${cfg.numClasses} does not match the model's ${spec.numClasses} outputs`);
  if (sampleLength(train.samples) !== spec.inputSize) throw new Error(`Samples have ${sampleLength(train.samples)} values, the model expects ${spec.inputSize}`);
  const hasVal = val !== null && val.samples.size > 0;
  checkLabels(train, cfg.numClasses, 'training set');
  if (hasVal) checkLabels(val!, cfg.numClasses, 'validation set');

  const evalCapacity = Math.max(1, Math.min(cfg.evalBatchSize, EVAL_CHUNK));
  const engine = fusedEngine(shape, [cfg.batchSize, hasVal ? evalCapacity : 0], hooks.kernels);
  const mlp = new FusedMlp(shape, engine);
  loadTfjsWeights(mlp, model);
  const params = mlp.params;
  const rng = new Rng(cfg.seed);
  const classWeights = new Float32Array(cfg.classWeights ?? new Array<number>(cfg.numClasses).fill(1));
  const optimizer = new FusedAdam(params.length, cfg.learningRate, engine);
  const ws = mlp.workspace(cfg.batchSize);
  const evalWs = hasVal ? mlp.workspace(evalCapacity) : null;
  const per = spec.inputSize;
  const batches = Math.ceil(n / cfg.batchSize);
  const positions = identityPositions(n);
  const early = hasVal ? cfg.earlyStopping : null;
  const yieldNow = hooks.yieldToHost ?? setImmediateYield;
  const yieldEvery = Math.max(1, cfg.yieldEvery);
  const dropoutLayers = spec.dropout > 0 ? mlp.depth - 1 : 0;

  const history: EpochMetric[] = [];
  const best = new Vec(params.length);
  const tracker = new BestEpochTracker(early);
  let cancelled = false;

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
      fillBatch(ws, train, positions, from, count, classWeights, per);
      // Same draw order as forwardLogits: one seed per Dropout layer, first to last.
      for (let l = 1; l <= dropoutLayers; l++) mlp.drawMask(ws, l, count, rng.seed());
      mlp.forward(ws, count, true);
      const loss = mlp.lossAndGradient(ws, count);
      mlp.backward(ws, count, true);
      optimizer.step(params, mlp.grads, cfg.clipNorm, cfg.weightDecay);
      lossSum += loss * count;
      correct += ws.correct;
      hooks.onBatch?.(epoch, b + 1, batches);
      if ((b + 1) % yieldEvery === 0) await yieldNow();
    }
    if (cancelled) break;
    const valPass = hasVal ? evaluateFused(mlp, evalWs!, val!, classWeights) : null;
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
      if (tracker.observe(epoch, valPass.loss)) best.set(params);
    }
    if (hooks.onEpoch) {
      storeTfjsWeights(mlp, model);
      hooks.onEpoch(record, model);
    }
    await yieldNow();
  }

  let restoredBest = false;
  if (tracker.bestEpoch > 0 && !cancelled && tracker.bestEpoch !== history.length) {
    params.set(best);
    restoredBest = true;
  }
  storeTfjsWeights(mlp, model);
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
}

/** The fused trainer for any model it covers (chooseTrainer decides which do): MLPs today. */
export function trainFused(
  model: tf.LayersModel,
  spec: ModelSpec,
  train: LabelledSamples,
  val: LabelledSamples | null,
  cfg: TrainerConfig,
  hooks: FusedTrainerHooks = {},
): Promise<TrainingOutcome> {
  if (spec.type === 'mlp') return trainFusedMlp(model, spec, train, val, cfg, hooks);
  throw new Error(`The fused trainer does not cover ${spec.type} models`);
}
