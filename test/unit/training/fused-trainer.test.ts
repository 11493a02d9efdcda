import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { selectBackend } from '../../../src/worker/training/backend';
import { FusedMlp, mlpShapeOf } from '../../../src/worker/training/fused/mlp';
import { trainFusedMlp } from '../../../src/worker/training/fused/trainer';
import { loadTfjsWeights } from '../../../src/worker/training/fused/weights';
import { buildModel, modelSpecFrom, type ModelSpec } from '../../../src/worker/training/model';
import { classWeightsFrom, DEFAULT_TRAINER_CONFIG, trainModel, type TrainerConfig } from '../../../src/worker/training/trainer';
import { labelled, relativeDiff, syntheticMatrix, weightsOf } from './helpers';

beforeAll(async () => {
  await selectBackend({ force: 'cpu' });
});

const cfg = (over: Partial<TrainerConfig> = {}): TrainerConfig => ({ ...DEFAULT_TRAINER_CONFIG, numClasses: 3, epochs: 5, batchSize: 32, learningRate: 0.01, seed: 7, ...over });

function setup(seed = 1, rows = 600, cols = 6) {
  const m = syntheticMatrix(rows, cols, seed);
  const trainEnd = Math.floor(rows * 0.7);
  return { train: labelled(m.values, m.cols, m.labels, 0, trainEnd), val: labelled(m.values, m.cols, m.labels, trainEnd, rows), cols, m };
}

function specFor(cols: number, hidden: number[], dropout: number, seed: number, activation = 'relu'): ModelSpec {
  return modelSpecFrom({ architecture: { hidden_layers: hidden, dropout, activation } }, cols, seed).spec;
}

const rel = (a: number, b: number) => Math.abs(a - b) / Math.max(Math.abs(a), Math.abs(b));

describe('trainFusedMlp ≡ trainModel (tfjs cpu backend)', () => {
  // tfjs computes in float32 (relative rounding ~6e-8 per operation, matMul sums in another order than
  // ours) while the fused loop works in float64. Measured after one epoch (14 Adam steps): losses agree to
  // ~3e-8 and weights to ~3e-7 relative (max |Δ| over max |w| per tensor), ~1.5e-6 after 20 epochs.
  // 1e-4 leaves room for other data and hardware without hiding a real mismatch: a wrong mask, shuffle,
  // loss normalisation or Adam detail moves the results by 1e-2 or more.
  for (const [dropout, activation] of [[0, 'relu'], [0, 'tanh'], [0.2, 'relu'], [0.3, 'leaky_relu']] as [number, string][]) {
    it(`gives the same first epoch: losses, accuracies and weights (dropout ${dropout}, ${activation})`, async () => {
      const { train, val, cols } = setup(2);
      const spec = specFor(cols, [16, 8], dropout, 3, activation);
      const c = cfg({ epochs: 1, seed: 21, classWeights: classWeightsFrom(train.labels, 3) });
      const tfModel = buildModel(spec);
      const fusedModel = buildModel(spec);
      const a = await trainModel(tfModel, train, val, c);
      const b = await trainFusedMlp(fusedModel, spec, train, val, c);
      const ha = a.history[0];
      const hb = b.history[0];
      expect(rel(hb.train_loss, ha.train_loss)).toBeLessThan(1e-4);
      expect(rel(hb.val_loss!, ha.val_loss!)).toBeLessThan(1e-4);
      expect(hb.train_accuracy).toBe(ha.train_accuracy);
      expect(hb.val_accuracy).toBe(ha.val_accuracy);
      const wa = weightsOf(tfModel);
      const wb = weightsOf(fusedModel);
      expect(wb.map((w) => w.length)).toEqual(wa.map((w) => w.length));
      for (let i = 0; i < wa.length; i++) expect(relativeDiff(wa[i], wb[i]), `weights ${i}`).toBeLessThan(1e-4);
      // and training actually moved the weights away from the initial ones
      const init = weightsOf(buildModel(spec));
      expect(relativeDiff(init[0], wb[0])).toBeGreaterThan(1e-3);
      tfModel.dispose();
      fusedModel.dispose();
    });
  }
});

describe('trainFusedMlp', () => {
  it('learns a learnable problem and fills the records like trainModel', async () => {
    const { train, val, cols } = setup();
    const spec = specFor(cols, [16, 8], 0.1, 3);
    const model = buildModel(spec);
    const out = await trainFusedMlp(model, spec, train, val, cfg({ epochs: 15, classWeights: classWeightsFrom(train.labels, 3), earlyStopping: null }));
    expect(out.history.map((h) => h.epoch)).toEqual(Array.from({ length: 15 }, (_, i) => i + 1));
    expect(out.history[14].train_loss).toBeLessThan(out.history[0].train_loss);
    expect(Math.max(...out.history.map((h) => h.val_accuracy ?? 0))).toBeGreaterThan(0.6);
    for (const h of out.history) {
      expect(Object.keys(h).sort()).toEqual(['duration', 'epoch', 'learning_rate', 'timestamp', 'train_accuracy', 'train_loss', 'val_accuracy', 'val_loss']);
      expect(h.learning_rate).toBe(0.01);
    }
    model.dispose();
  });

  it('leaves in the tfjs model weights that predict what the fused forward pass computes', async () => {
    const { train, val, cols, m } = setup(4);
    const spec = specFor(cols, [12, 6], 0.2, 5, 'sigmoid');
    const model = buildModel(spec);
    await trainFusedMlp(model, spec, train, val, cfg({ epochs: 3 }));
    const mlp = new FusedMlp(mlpShapeOf(spec));
    loadTfjsWeights(mlp, model);
    const rows = 50;
    const ws = mlp.workspace(rows);
    for (let i = 0; i < rows * cols; i++) ws.x[i] = m.values[i];
    mlp.forward(ws, rows, false);
    const fused = mlp.probabilities(ws, rows);
    const probs = tf.tidy(() => (model.predict(tf.tensor2d(m.values.subarray(0, rows * cols), [rows, cols])) as tf.Tensor).dataSync());
    let worst = 0;
    for (let i = 0; i < probs.length; i++) worst = Math.max(worst, Math.abs(probs[i] - fused[i]));
    expect(worst).toBeLessThan(1e-5);
    expect(new Set(Array.from(probs).map((p) => p.toFixed(3))).size).toBeGreaterThan(10); // not a constant model
    model.dispose();
  });

  it('is reproducible: same seed and data give bit-identical metrics and weights', async () => {
    const run = async (seed: number) => {
      const { train, val, cols } = setup(3);
      const spec = specFor(cols, [12, 6], 0.3, 11);
      const model = buildModel(spec);
      const out = await trainFusedMlp(model, spec, train, val, cfg({ epochs: 4, seed }));
      const w = weightsOf(model);
      model.dispose();
      return { metrics: out.history.map((h) => [h.train_loss, h.train_accuracy, h.val_loss, h.val_accuracy]), w };
    };
    const a = await run(99);
    const b = await run(99);
    expect(b.metrics).toEqual(a.metrics);
    expect(b.w).toEqual(a.w);
    const c = await run(100);
    expect(c.metrics[0][0]).not.toBe(a.metrics[0][0]);
  });

  it('early stopping really stops and the model holds the BEST epoch’s weights, not the last', async () => {
    const m = syntheticMatrix(300, 8, 5, 1.0);
    const train = labelled(m.values, 8, m.labels, 0, 150);
    const val = labelled(m.values, 8, m.labels, 150, 300);
    const spec = specFor(8, [128, 64], 0, 2);
    const model = buildModel(spec);
    const snapshots = new Map<number, number[][]>();
    const out = await trainFusedMlp(model, spec, train, val, cfg({ epochs: 60, learningRate: 0.02, batchSize: 16, earlyStopping: { patience: 3, minDelta: 0 } }), {
      onEpoch: (rec, mdl) => snapshots.set(rec.epoch, weightsOf(mdl)),
    });
    expect(out.earlyStopped).toBe(true);
    expect(out.epochsTrained).toBeLessThan(60);
    expect(out.epochsTrained).toBe(out.bestEpoch + 3);
    const losses = out.history.map((h) => h.val_loss as number);
    expect(losses[out.bestEpoch - 1]).toBe(Math.min(...losses));
    expect(out.bestValLoss).toBe(losses[out.bestEpoch - 1]);
    expect(out.restoredBest).toBe(true);
    expect(weightsOf(model)).toEqual(snapshots.get(out.bestEpoch));
    expect(weightsOf(model)).not.toEqual(snapshots.get(out.epochsTrained));
    model.dispose();
  });

  it('stops between batches when shouldStop() turns true, yielding to the host on the way', async () => {
    const { train, val, cols } = setup(6);
    const spec = specFor(cols, [64, 32], 0.2, 1);
    const model = buildModel(spec);
    let batches = 0;
    let yields = 0;
    const out = await trainFusedMlp(model, spec, train, val, cfg({ epochs: 50, yieldEvery: 4 }), {
      onBatch: () => void batches++,
      shouldStop: () => batches >= 20,
      yieldToHost: async () => void yields++,
    });
    expect(out.cancelled).toBe(true);
    expect(batches).toBe(20);
    expect(out.epochsTrained).toBeLessThan(2);
    expect(yields).toBeGreaterThanOrEqual(5);
    model.dispose();
  });

  it('calls onBatch with (epoch, batch, batches), the last batch being partial, and works without validation', async () => {
    const { train, cols } = setup(8, 100);
    const spec = specFor(cols, [64, 32], 0.2, 1);
    const model = buildModel(spec);
    const calls: [number, number, number][] = [];
    const out = await trainFusedMlp(model, spec, train, null, cfg({ epochs: 2, batchSize: 32 }), { onBatch: (e, b, n) => void calls.push([e, b, n]) });
    expect(calls).toEqual([[1, 1, 3], [1, 2, 3], [1, 3, 3], [2, 1, 3], [2, 2, 3], [2, 3, 3]]);
    expect(out.history[0].val_loss).toBeNull();
    expect(out.bestEpoch).toBe(2);
    expect(out.bestValLoss).toBeNull();
    model.dispose();
  });

  it('refuses models it cannot train and labels outside the classes', async () => {
    const { train, cols } = setup(9, 100);
    const lstm = modelSpecFrom({ type: 'lstm', architecture: { sequence_length: 2 } }, cols, 1).spec;
    await expect(trainFusedMlp(buildModel(specFor(cols, [4], 0, 1)), lstm, train, null, cfg())).rejects.toThrow(/MLPs only/);
    const spec = specFor(cols, [4], 0, 1);
    const other = buildModel(specFor(cols, [5], 0, 1));
    await expect(trainFusedMlp(other, spec, train, null, cfg())).rejects.toThrow(/do not match/);
    const bad = { samples: train.samples, labels: Int32Array.from(train.labels, (y, i) => (i === 3 ? 3 : y)) };
    await expect(trainFusedMlp(buildModel(spec), spec, bad, null, cfg())).rejects.toThrow(/label 3 at sample 3/);
    other.dispose();
  });
});
