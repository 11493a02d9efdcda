// The tfjs layers as a StepTrainer for the training loop (loop.ts): a batch is a tf.variableGrads over
// forwardLogits (dropout masks from the loop's seeds), weighted cross-entropy as torch's
// CrossEntropyLoss(weight), global-norm clipping, L2 weight decay added after clipping, tfjs's Adam.
// Runs on whatever tfjs backend is active (native TensorFlow, WebGPU, wasm, cpu).
import * as tf from '@tensorflow/tfjs';
import { sampleLength } from '../../infra/models/samples';
import { validationPass, type BatchOutcome, type EvalPass, type StepTrainer, type TrainerState } from './loop';
import { dropoutLayerCount, forwardLogits } from './model';
import type { LabelledSamples, TrainerConfig } from './trainer';

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
export function evaluateLoss(model: tf.LayersModel, data: LabelledSamples, weights: Float32Array, numClasses: number, batchSize: number): EvalPass {
  return validationPass(data.samples.size, batchSize, (positions, from, count) => {
    const { xs, ys, ws } = batchTensors(data, positions, from, count, weights);
    const [l, c] = tf.tidy(() => {
      const logits = forwardLogits(model, xs, null);
      return [tf.sum(weightedNll(logits, ys, ws, numClasses)), correctCount(logits, ys)];
    });
    const sums = { lossSum: l.dataSync()[0], correct: c.dataSync()[0], weightSum: tf.tidy(() => ws.sum().dataSync()[0]) };
    tf.dispose([xs, ys, ws, l, c]);
    return sums;
  });
}

/** The fields of tfjs 4's AdamOptimizer that hold its state (it has no exact save/restore of its own). */
interface AdamInternals {
  accBeta1: tf.Variable;
  accBeta2: tf.Variable;
  accumulatedFirstMoment: { originalName: string; variable: tf.Variable }[];
  accumulatedSecondMoment: { originalName: string; variable: tf.Variable }[];
  iterations_: number;
}

/** tfjs's Adam internals, checked: its setWeights recomputes β^t with pow(), which differs in the last bits. */
function adamInternals(optimizer: tf.AdamOptimizer): AdamInternals {
  const a = optimizer as unknown as Partial<AdamInternals>;
  if (!(a.accBeta1 instanceof tf.Variable) || !(a.accBeta2 instanceof tf.Variable) || !Array.isArray(a.accumulatedFirstMoment) || !Array.isArray(a.accumulatedSecondMoment))
    throw new Error('This tfjs version keeps Adam’s state in other fields: checkpoints of the tfjs trainer need tfjs 4');
  return a as AdamInternals;
}

export class TfjsStepTrainer implements StepTrainer {
  readonly kind = 'tfjs' as const;
  readonly dropoutLayers: number;
  readonly hasValidation: boolean;
  private readonly vars: tf.Variable[];
  private readonly byName: Map<string, tf.Variable>;
  private readonly optimizer: tf.AdamOptimizer;
  private readonly classWeights: Float32Array;
  private best: tf.Tensor[] | null = null;
  private readonly result: BatchOutcome = { loss: 0, correct: 0 };

  constructor(
    readonly model: tf.LayersModel,
    private readonly train: LabelledSamples,
    private readonly val: LabelledSamples | null,
    private readonly cfg: TrainerConfig,
  ) {
    this.dropoutLayers = dropoutLayerCount(model);
    this.hasValidation = val !== null && val.samples.size > 0;
    this.classWeights = new Float32Array(cfg.classWeights ?? new Array<number>(cfg.numClasses).fill(1));
    this.vars = model.trainableWeights.map((w) => w.read() as tf.Variable);
    this.byName = new Map(this.vars.map((v) => [v.name, v]));
    this.optimizer = tf.train.adam(cfg.learningRate);
  }

  trainBatch(positions: Int32Array, from: number, count: number, dropoutSeeds: readonly number[]): BatchOutcome {
    const cfg = this.cfg;
    const { xs, ys, ws } = batchTensors(this.train, positions, from, count, this.classWeights);
    let next = 0;
    const seeds = { seed: () => dropoutSeeds[next++] };
    let batchCorrect: tf.Scalar | null = null;
    const { value, grads } = tf.variableGrads(() => {
      const logits = forwardLogits(this.model, xs, seeds);
      batchCorrect = tf.keep(correctCount(logits, ys));
      const wnll = weightedNll(logits, ys, ws, cfg.numClasses);
      return tf.div(tf.sum(wnll), tf.sum(ws)) as tf.Scalar;
    }, this.vars);
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
        if (cfg.weightDecay > 0) g = tf.add(g, tf.mul(this.byName.get(k)!, cfg.weightDecay));
        applied[k] = g;
      }
      this.optimizer.applyGradients(applied as Parameters<typeof this.optimizer.applyGradients>[0]);
    });
    // One read per batch: trivial on CPU backends, and it keeps the loop's memory flat on GPU ones.
    this.result.loss = value.dataSync()[0];
    this.result.correct = (batchCorrect as tf.Scalar | null)?.dataSync()[0] ?? 0;
    tf.dispose([xs, ys, ws, value, batchCorrect as tf.Scalar | null].filter((t): t is tf.Tensor => t !== null));
    tf.dispose(Object.values(grads));
    return this.result;
  }

  evaluate(): EvalPass | null {
    return this.hasValidation ? evaluateLoss(this.model, this.val!, this.classWeights, this.cfg.numClasses, this.cfg.evalBatchSize) : null;
  }

  keepBest(): void {
    if (this.best) tf.dispose(this.best);
    this.best = this.model.getWeights().map((w) => w.clone());
  }

  restoreBest(): void {
    if (this.best) this.model.setWeights(this.best);
  }

  syncModel(): void {
    // The model's own variables are what trains.
  }

  saveState(): TrainerState {
    const arrays: Record<string, Float32Array> = {};
    this.model.getWeights().forEach((w, i) => (arrays[`weights.${i}`] = w.dataSync() as Float32Array));
    this.best?.forEach((w, i) => (arrays[`best.${i}`] = w.dataSync() as Float32Array));
    const adam = adamInternals(this.optimizer);
    // The moments exist once the first step ran (tfjs creates them lazily).
    adam.accumulatedFirstMoment.forEach((m, i) => (arrays[`adam.m.${i}`] = m.variable.dataSync() as Float32Array));
    adam.accumulatedSecondMoment.forEach((v, i) => (arrays[`adam.v.${i}`] = v.variable.dataSync() as Float32Array));
    return {
      kind: this.kind,
      arrays: Object.fromEntries(Object.entries(arrays).map(([k, a]) => [k, a.slice()])),
      scalars: { accBeta1: adam.accBeta1.dataSync()[0], accBeta2: adam.accBeta2.dataSync()[0], iterations: adam.iterations_ ?? 0, moments: adam.accumulatedFirstMoment.length },
    };
  }

  loadState(state: TrainerState): void {
    const current = this.model.getWeights();
    const take = (name: string, shape: number[]): tf.Tensor => {
      const a = state.arrays[name];
      const size = shape.reduce((x, y) => x * y, 1);
      if (!(a instanceof Float32Array) || a.length !== size) throw new Error(`Checkpoint array ${name} does not fit this model (${a?.length ?? 'missing'} values for shape [${shape.join(', ')}])`);
      return tf.tensor(a.slice(), shape, 'float32');
    };
    const variable = (name: string, shape: number[]): tf.Variable => {
      const t = take(name, shape);
      const v = t.variable(false);
      t.dispose();
      return v;
    };
    const weights = current.map((w, i) => take(`weights.${i}`, w.shape));
    this.model.setWeights(weights);
    tf.dispose(weights);
    if (this.best) tf.dispose(this.best);
    this.best = `best.0` in state.arrays ? current.map((w, i) => take(`best.${i}`, w.shape)) : null;
    const adam = adamInternals(this.optimizer);
    const moments = state.scalars.moments ?? 0;
    if (moments !== 0 && moments !== this.vars.length) throw new Error(`The checkpoint has Adam moments for ${moments} variables; this model has ${this.vars.length}`);
    tf.dispose([...adam.accumulatedFirstMoment.map((m) => m.variable), ...adam.accumulatedSecondMoment.map((v) => v.variable)]);
    adam.accumulatedFirstMoment = [];
    adam.accumulatedSecondMoment = [];
    for (let i = 0; i < moments; i++) {
      const v = this.vars[i];
      adam.accumulatedFirstMoment.push({ originalName: `${v.name}/m`, variable: variable(`adam.m.${i}`, v.shape) });
      adam.accumulatedSecondMoment.push({ originalName: `${v.name}/v`, variable: variable(`adam.v.${i}`, v.shape) });
    }
    tf.tidy(() => {
      adam.accBeta1.assign(tf.scalar(state.scalars.accBeta1, 'float32'));
      adam.accBeta2.assign(tf.scalar(state.scalars.accBeta2, 'float32'));
    });
    adam.iterations_ = state.scalars.iterations;
  }

  dispose(): void {
    if (this.best) tf.dispose(this.best);
    this.best = null;
    this.optimizer.dispose();
  }
}
