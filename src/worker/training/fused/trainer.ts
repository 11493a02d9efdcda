// trainModel (../trainer.ts) for MLPs, LSTMs and GRUs without tfjs in the loop: same config, hooks and outcome, same
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
import { FusedRnn, rnnShapeOf, RnnWorkspace } from './rnn';
import { SimdEngine, simdSupported } from './simd/engine';
import { startBatchRunner } from './parallel';
import type { ShardableNet } from './shard-net';
import { threadsFromEnv } from './threads/config';
import { loadWeights, storeWeights, tfjsWeightShapes } from './weights';

/** What the fused training loop needs of a net (FusedMlp, FusedRnn). */
export interface FusedWorkspace {
  readonly capacity: number;
  readonly x32: Float32Array;
  readonly labels: Int32Array;
  readonly rowWeights: Vec;
  correct: number;
}

export interface FusedNet<W extends FusedWorkspace> {
  readonly params: Vec;
  readonly grads: Vec;
  /** Values per sample. */
  readonly inputLength: number;
  /** Dropout layers in model order (one mask seed each per batch). */
  readonly dropoutLayers: number;
  workspace(capacity: number): W;
  loadInputs(ws: W, count: number): void;
  drawMask(ws: W, l: number, rows: number, seed: number): void;
  forward(ws: W, rows: number, training: boolean): Vec;
  lossAndGradient(ws: W, rows: number): number;
  backward(ws: W, rows: number, training: boolean): void;
  evaluateRows(ws: W, rows: number): { lossSum: number; weightSum: number; correct: number };
}

/** Recurrent validation rows per pass (each holds T·G·H activations). */
const RNN_EVAL_CHUNK = 128;

/** Validation rows per forward pass: big enough to amortise calls, small enough to stay in cache. */
const EVAL_CHUNK = 512;

const setImmediateYield = () => new Promise<void>((r) => setImmediate(r));

function checkLabels(data: LabelledSamples, numClasses: number, what: string): void {
  if (data.labels.length !== data.samples.size) throw new Error(`${what}: ${data.labels.length} labels for ${data.samples.size} samples`);
  for (let i = 0; i < data.labels.length; i++) {
    const y = data.labels[i];
    if (!(y >= 0 && y < numClasses)) throw new Error(`${what}: label ${y} at sample ${i} is outside 0..${numClasses - 1}`);
  }
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

/** Trainer hooks plus the fused engine's kernel choice (tests compare the two) and its thread count. */
export interface FusedTrainerHooks extends TrainerHooks {
  kernels?: FusedKernels;
  /** Threads computing each batch (default threads/config.ts: KTRDR_THREADS, else one per core). */
  threads?: number;
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
  return runFused(mlp, tfjsWeightShapes(mlp), evalCapacity, engine, model, train, val, cfg, hooks, started);
}

/** The fused LSTM/GRU trainer (needs WebAssembly SIMD): trainFusedMlp's contract for recurrent models. */
export async function trainFusedRnn(
  model: tf.LayersModel,
  spec: ModelSpec,
  train: LabelledSamples,
  val: LabelledSamples | null,
  cfg: TrainerConfig,
  hooks: FusedTrainerHooks = {},
): Promise<TrainingOutcome> {
  const started = performance.now();
  const shape = rnnShapeOf(spec);
  if (train.samples.size === 0) throw new Error('No training samples');
  if (cfg.numClasses !== spec.numClasses) throw new Error(`numClasses ${cfg.numClasses} does not match the model's ${spec.numClasses} outputs`);
  const want = spec.sequenceLength * spec.inputSize;
  if (sampleLength(train.samples) !== want) throw new Error(`Samples have ${sampleLength(train.samples)} values, the model expects ${spec.sequenceLength}×${spec.inputSize}`);
  const hasVal = val !== null && val.samples.size > 0;
  checkLabels(train, cfg.numClasses, 'training set');
  if (hasVal) checkLabels(val!, cfg.numClasses, 'validation set');
  if (hooks.kernels === 'js') throw new Error('The fused recurrent trainer has SIMD kernels only');
  const evalCapacity = Math.max(1, Math.min(cfg.evalBatchSize, RNN_EVAL_CHUNK));
  let values = 2 * FusedRnn.values(shape) + RnnWorkspace.values(shape, cfg.batchSize);
  if (hasVal) values += RnnWorkspace.values(shape, evalCapacity);
  const engine = SimdEngine.create(values);
  if (!engine) throw new Error('The fused recurrent trainer needs WebAssembly SIMD, which this runtime lacks');
  const rnn = new FusedRnn(shape, engine);
  return runFused(rnn, rnn.weightShapes(), evalCapacity, engine, model, train, val, cfg, hooks, started);
}

async function runFused<W extends FusedWorkspace>(
  net: ShardableNet<W>,
  shapes: number[][],
  evalCapacity: number,
  engine: SimdEngine | null,
  model: tf.LayersModel,
  train: LabelledSamples,
  val: LabelledSamples | null,
  cfg: TrainerConfig,
  hooks: FusedTrainerHooks,
  started: number,
): Promise<TrainingOutcome> {
  const n = train.samples.size;
  const hasVal = val !== null && val.samples.size > 0;
  loadWeights(net.params, shapes, model);
  const params = net.params;
  const rng = new Rng(cfg.seed);
  const classWeights = new Float32Array(cfg.classWeights ?? new Array<number>(cfg.numClasses).fill(1));
  const optimizer = new FusedAdam(params.length, cfg.learningRate, engine);
  const ws = net.workspace(cfg.batchSize);
  const evalWs = hasVal ? net.workspace(evalCapacity) : null;
  const runner = await startBatchRunner(net, ws, evalWs, { threads: hooks.threads ?? threadsFromEnv(), batchSize: cfg.batchSize, evalRows: evalCapacity });
  const seeds = new Array<number>(net.dropoutLayers);
  const batches = Math.ceil(n / cfg.batchSize);
  const positions = identityPositions(n);
  const early = hasVal ? cfg.earlyStopping : null;
  const yieldNow = hooks.yieldToHost ?? setImmediateYield;
  const yieldEvery = Math.max(1, cfg.yieldEvery);
  const dropoutLayers = net.dropoutLayers;

  const history: EpochMetric[] = [];
  const best = new Vec(params.length);
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
        // Same draw order as forwardLogits: one seed per Dropout layer, first to last.
        for (let l = 0; l < dropoutLayers; l++) seeds[l] = rng.seed();
        const r = runner.gradient(train, positions, from, count, classWeights, seeds);
        optimizer.step(params, net.grads, cfg.clipNorm, cfg.weightDecay);
        lossSum += r.loss * count;
        correct += r.correct;
        hooks.onBatch?.(epoch, b + 1, batches);
        if ((b + 1) % yieldEvery === 0) await yieldNow();
      }
      if (cancelled) break;
      const valPass = hasVal ? runner.evaluate(val!, classWeights) : null;
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
        storeWeights(params, shapes, model);
        hooks.onEpoch(record, model);
      }
      await yieldNow();
    }
  } finally {
    await runner.close();
  }

  let restoredBest = false;
  if (tracker.bestEpoch > 0 && !cancelled && tracker.bestEpoch !== history.length) {
    params.set(best);
    restoredBest = true;
  }
  storeWeights(params, shapes, model);
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

/** The fused trainer for any model it covers (chooseTrainer decides which do): MLP, LSTM, GRU. */
export function trainFused(
  model: tf.LayersModel,
  spec: ModelSpec,
  train: LabelledSamples,
  val: LabelledSamples | null,
  cfg: TrainerConfig,
  hooks: FusedTrainerHooks = {},
): Promise<TrainingOutcome> {
  if (spec.type === 'mlp') return trainFusedMlp(model, spec, train, val, cfg, hooks);
  return trainFusedRnn(model, spec, train, val, cfg, hooks);
}
