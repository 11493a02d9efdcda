// The fused nets (MLP, LSTM, GRU) as StepTrainers for the one training loop (../loop.ts): no tfjs in a
// batch step. Same loss, clipping, weight decay and Adam as the tfjs trainer, dropout masks drawn from
// the loop's seeds exactly as tfjs draws them, so the two trainers agree (to float32 rounding). Starts
// from the tfjs model's weights and writes the result back into it.
import type * as tf from '@tensorflow/tfjs';
import { sampleLength } from '../../../infra/models/samples';
import { runTrainingLoop, type BatchOutcome, type EvalPass, type LoopOptions, type StepTrainer, type TrainerState } from '../loop';
import type { ModelSpec } from '../model';
import { modelTypeDef, type FusedNetKind } from '../model-types';
import type { LabelledSamples, TrainerConfig, TrainerHooks, TrainingOutcome } from '../trainer';
import { FusedAdam } from './adam';
import { Vec } from './kernels';
import { chooseFusedKernels, type FusedKernels } from './choice';
import { FusedMlp, mlpShapeOf, mlpValues, MlpWorkspace, type MlpShape } from './mlp';
import { FusedRnn, rnnShapeOf, RnnWorkspace } from './rnn';
import { SimdEngine, simdSupported } from './simd/engine';
import { SerialBatches, type BatchRunner } from './batches';
import { startBatchRunner, trainingShards } from './parallel';
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
  /** Threads allowed to compute each batch (default threads/config.ts: KTRDR_THREADS, else one per core); trainingShards takes fewer where a shard would not pay. */
  threads?: number;
}

/**
 * A fused net under the training loop: owns the net, Adam's state, the workspaces and the best weights.
 * Each batch's gradient comes from a BatchRunner: the calling thread until useShards() starts compute
 * threads (parallel.ts); weights, Adam and the seeds stay here either way.
 */
class FusedStepTrainer<W extends FusedWorkspace> implements StepTrainer {
  readonly kind = 'fused-js' as const;
  readonly dropoutLayers: number;
  readonly hasValidation: boolean;
  private readonly optimizer: FusedAdam;
  private readonly classWeights: Float32Array;
  private readonly ws: W;
  private readonly evalWs: W | null;
  private readonly best: Vec;
  private hasBest = false;
  private readonly result: BatchOutcome = { loss: 0, correct: 0 };
  private runner: BatchRunner;

  constructor(
    readonly model: tf.LayersModel,
    private readonly net: ShardableNet<W>,
    private readonly shapes: number[][],
    engine: SimdEngine | null,
    evalCapacity: number,
    private readonly train: LabelledSamples,
    private readonly val: LabelledSamples | null,
    private readonly cfg: TrainerConfig,
  ) {
    this.hasValidation = val !== null && val.samples.size > 0;
    loadWeights(net.params, shapes, model);
    this.dropoutLayers = net.dropoutLayers;
    this.classWeights = new Float32Array(cfg.classWeights ?? new Array<number>(cfg.numClasses).fill(1));
    this.optimizer = new FusedAdam(net.params.length, cfg.learningRate, engine);
    this.ws = net.workspace(cfg.batchSize);
    this.evalWs = this.hasValidation ? net.workspace(evalCapacity) : null;
    this.best = new Vec(net.params.length);
    this.runner = new SerialBatches(net, this.ws, this.evalWs);
  }

  /** Splits each batch into exactly `shards` shards (trainingShards chooses the count); returns the count that computes. */
  async useShards(shards: number): Promise<number> {
    if (shards > 1 && this.runner.threads === 1) {
      this.runner = await startBatchRunner(this.net, this.ws, this.evalWs, { shards, batchSize: this.cfg.batchSize, evalRows: this.evalWs?.capacity ?? 1 });
    }
    return this.runner.threads;
  }

  trainBatch(positions: Int32Array, from: number, count: number, dropoutSeeds: readonly number[]): BatchOutcome {
    // Dropout layer l (from 1) takes seed l − 1: the order forwardLogits draws them in.
    const r = this.runner.gradient(this.train, positions, from, count, this.classWeights, dropoutSeeds);
    this.optimizer.step(this.net.params, this.net.grads, this.cfg.clipNorm, this.cfg.weightDecay);
    this.result.loss = r.loss;
    this.result.correct = r.correct;
    return this.result;
  }

  evaluate(): EvalPass | null {
    return this.hasValidation ? this.runner.evaluate(this.val!, this.classWeights) : null;
  }

  keepBest(): void {
    this.best.set(this.net.params);
    this.hasBest = true;
  }

  restoreBest(): void {
    if (this.hasBest) this.net.params.set(this.best);
  }

  syncModel(): void {
    storeWeights(this.net.params, this.shapes, this.model);
  }

  saveState(): TrainerState {
    const { steps, accBeta1, accBeta2 } = this.optimizer.counters;
    const arrays: Record<string, Float64Array> = { params: this.net.params.slice(), 'adam.m': this.optimizer.m.slice(), 'adam.v': this.optimizer.v.slice() };
    if (this.hasBest) arrays.best = this.best.slice();
    return { kind: this.kind, arrays, scalars: { steps, accBeta1, accBeta2 } };
  }

  loadState(state: TrainerState): void {
    const size = this.net.params.length;
    const take = (name: string): Float64Array => {
      const a = state.arrays[name];
      if (!(a instanceof Float64Array) || a.length !== size) throw new Error(`Checkpoint array ${name} does not fit this net (${a?.length ?? 'missing'} values, expected ${size})`);
      return a;
    };
    this.net.params.set(take('params'));
    this.optimizer.m.set(take('adam.m'));
    this.optimizer.v.set(take('adam.v'));
    this.hasBest = 'best' in state.arrays;
    if (this.hasBest) this.best.set(take('best'));
    const { steps, accBeta1, accBeta2 } = state.scalars;
    this.optimizer.restoreCounters({ steps, accBeta1, accBeta2 });
  }

  /** Ends the compute threads (if any). */
  close(): Promise<void> {
    return this.runner.close();
  }

  dispose(): void {
    // Buffers live in the engine's memory or plain arrays; threads end in close().
  }
}

function checkSets(spec: ModelSpec, train: LabelledSamples, val: LabelledSamples | null, cfg: TrainerConfig): void {
  if (train.samples.size === 0) throw new Error('No training samples');
  if (cfg.numClasses !== spec.numClasses) throw new Error(`numClasses ${cfg.numClasses} does not match the model's ${spec.numClasses} outputs`);
  checkLabels(train, cfg.numClasses, 'training set');
  if (val !== null && val.samples.size > 0) checkLabels(val, cfg.numClasses, 'validation set');
}

/** The fused MLP trainer for `model` (built by buildModel(spec)). */
export function fusedMlpTrainer(model: tf.LayersModel, spec: ModelSpec, train: LabelledSamples, val: LabelledSamples | null, cfg: TrainerConfig, kernels?: FusedKernels): StepTrainer {
  const shape = mlpShapeOf(spec);
  if (train.samples.size > 0 && sampleLength(train.samples) !== spec.inputSize) throw new Error(`Samples have ${sampleLength(train.samples)} values, the model expects ${spec.inputSize}`);
  checkSets(spec, train, val, cfg);
  const hasVal = val !== null && val.samples.size > 0;
  const evalCapacity = Math.max(1, Math.min(cfg.evalBatchSize, EVAL_CHUNK));
  const engine = fusedEngine(shape, [cfg.batchSize, hasVal ? evalCapacity : 0], kernels);
  const mlp = new FusedMlp(shape, engine);
  return new FusedStepTrainer(model, mlp, tfjsWeightShapes(mlp), engine, evalCapacity, train, val, cfg);
}

/** The fused LSTM/GRU trainer (needs WebAssembly SIMD). */
export function fusedRnnTrainer(model: tf.LayersModel, spec: ModelSpec, train: LabelledSamples, val: LabelledSamples | null, cfg: TrainerConfig, kernels?: FusedKernels): StepTrainer {
  const shape = rnnShapeOf(spec);
  const want = spec.sequenceLength * spec.inputSize;
  if (train.samples.size > 0 && sampleLength(train.samples) !== want) throw new Error(`Samples have ${sampleLength(train.samples)} values, the model expects ${spec.sequenceLength}×${spec.inputSize}`);
  checkSets(spec, train, val, cfg);
  if (kernels === 'js') throw new Error('The fused recurrent trainer has SIMD kernels only');
  const hasVal = val !== null && val.samples.size > 0;
  const evalCapacity = Math.max(1, Math.min(cfg.evalBatchSize, RNN_EVAL_CHUNK));
  let values = 2 * FusedRnn.values(shape) + RnnWorkspace.values(shape, cfg.batchSize);
  if (hasVal) values += RnnWorkspace.values(shape, evalCapacity);
  const engine = SimdEngine.create(values);
  if (!engine) throw new Error('The fused recurrent trainer needs WebAssembly SIMD, which this runtime lacks');
  const rnn = new FusedRnn(shape, engine);
  return new FusedStepTrainer(model, rnn, rnn.weightShapes(), engine, evalCapacity, train, val, cfg);
}

const FUSED_NETS: { readonly [K in FusedNetKind]: typeof fusedMlpTrainer } = { mlp: fusedMlpTrainer, rnn: fusedRnnTrainer };

/** The fused trainer of the net registered for spec.type (model-types.ts); an error for a type that has none. */
export function fusedTrainer(model: tf.LayersModel, spec: ModelSpec, train: LabelledSamples, val: LabelledSamples | null, cfg: TrainerConfig, kernels?: FusedKernels): StepTrainer {
  const fused = modelTypeDef(spec.type).fused;
  if (!fused) throw new Error(`Model type ${spec.type} has no fused trainer; it trains on the tfjs loop`);
  return FUSED_NETS[fused.net](model, spec, train, val, cfg, kernels);
}

async function runFused(trainer: StepTrainer, spec: ModelSpec, train: LabelledSamples, cfg: TrainerConfig, hooks: FusedTrainerHooks, opts: LoopOptions): Promise<TrainingOutcome> {
  try {
    await trainer.useShards?.(trainingShards(spec, hooks.threads ?? threadsFromEnv(), cfg.batchSize));
    return await runTrainingLoop(trainer, train.samples.size, cfg, hooks, opts);
  } finally {
    await trainer.close?.();
    trainer.dispose();
  }
}

/** Trains the MLP `model` in place with the fused net: trainModel's contract (best epoch restored, early stopping, cancellation). */
export async function trainFusedMlp(model: tf.LayersModel, spec: ModelSpec, train: LabelledSamples, val: LabelledSamples | null, cfg: TrainerConfig, hooks: FusedTrainerHooks = {}, opts: LoopOptions = {}): Promise<TrainingOutcome> {
  return runFused(fusedMlpTrainer(model, spec, train, val, cfg, hooks.kernels), spec, train, cfg, hooks, opts);
}

/** The fused LSTM/GRU trainer (needs WebAssembly SIMD): trainFusedMlp's contract for recurrent models. */
export async function trainFusedRnn(model: tf.LayersModel, spec: ModelSpec, train: LabelledSamples, val: LabelledSamples | null, cfg: TrainerConfig, hooks: FusedTrainerHooks = {}, opts: LoopOptions = {}): Promise<TrainingOutcome> {
  return runFused(fusedRnnTrainer(model, spec, train, val, cfg, hooks.kernels), spec, train, cfg, hooks, opts);
}

/** The fused trainer for any model type that has one (chooseTrainer decides which do). */
export async function trainFused(model: tf.LayersModel, spec: ModelSpec, train: LabelledSamples, val: LabelledSamples | null, cfg: TrainerConfig, hooks: FusedTrainerHooks = {}, opts: LoopOptions = {}): Promise<TrainingOutcome> {
  return runFused(fusedTrainer(model, spec, train, val, cfg, hooks.kernels), spec, train, cfg, hooks, opts);
}
