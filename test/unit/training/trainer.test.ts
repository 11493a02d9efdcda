import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { selectBackend } from '../../../src/worker/training/backend';
import { buildModel, countParameters, modelSpecFrom } from '../../../src/worker/training/model';
import { classWeightsFrom, DEFAULT_TRAINER_CONFIG, trainModel, type TrainerConfig } from '../../../src/worker/training/trainer';
import { windowSamples } from '../../../src/infra/models/samples';
import { labelled, syntheticMatrix } from './helpers';

beforeAll(async () => {
  await selectBackend({ force: 'cpu' });
});

const cfg = (over: Partial<TrainerConfig> = {}): TrainerConfig => ({ ...DEFAULT_TRAINER_CONFIG, numClasses: 3, epochs: 5, batchSize: 32, learningRate: 0.01, seed: 7, ...over });

function setup(seed = 1, rows = 600, cols = 6) {
  const m = syntheticMatrix(rows, cols, seed);
  const trainEnd = Math.floor(rows * 0.7);
  return {
    train: labelled(m.values, m.cols, m.labels, 0, trainEnd),
    val: labelled(m.values, m.cols, m.labels, trainEnd, rows),
    cols,
  };
}

function weightsOf(model: tf.LayersModel): number[][] {
  return model.getWeights().map((w) => Array.from(w.dataSync()));
}

describe('class weights', () => {
  it('matches KTRDR on [0,0,0,1×6,2] ⇒ [0.6667, 0.3333, 2.0]', () => {
    const w = classWeightsFrom([0, 0, 0, 1, 1, 1, 1, 1, 1, 2], 3);
    expect(w[0]).toBeCloseTo(0.6667, 4);
    expect(w[1]).toBeCloseTo(0.3333, 4);
    expect(w[2]).toBeCloseTo(2.0, 6);
  });
  it('gives an absent class weight 0', () => {
    expect(classWeightsFrom([0, 1, 1], 3)[2]).toBe(0);
  });
});

describe('trainModel', () => {
  it('learns a learnable problem (val accuracy well above chance) and numbers epochs from 1', async () => {
    const { train, val, cols } = setup();
    const model = buildModel(modelSpecFrom({ architecture: { hidden_layers: [16, 8], dropout: 0.1 } }, cols, 3).spec);
    const out = await trainModel(model, train, val, cfg({ epochs: 15, classWeights: classWeightsFrom(train.labels, 3), earlyStopping: null }));
    expect(out.history.map((h) => h.epoch)).toEqual(Array.from({ length: 15 }, (_, i) => i + 1));
    expect(out.history[14].train_loss).toBeLessThan(out.history[0].train_loss);
    const bestAcc = Math.max(...out.history.map((h) => h.val_accuracy ?? 0));
    expect(bestAcc).toBeGreaterThan(0.6);
    for (const h of out.history) {
      expect(Object.keys(h).sort()).toEqual(['duration', 'epoch', 'learning_rate', 'timestamp', 'train_accuracy', 'train_loss', 'val_accuracy', 'val_loss']);
      expect(h.learning_rate).toBe(0.01);
    }
    model.dispose();
  });

  it('is reproducible: same seed and data give identical per-epoch metrics and weights', async () => {
    const run = async () => {
      const { train, val, cols } = setup(3);
      const model = buildModel(modelSpecFrom({ architecture: { hidden_layers: [12, 6], dropout: 0.3 } }, cols, 11).spec);
      const out = await trainModel(model, train, val, cfg({ epochs: 4, seed: 99 }));
      const w = weightsOf(model);
      model.dispose();
      return { metrics: out.history.map((h) => [h.train_loss, h.train_accuracy, h.val_loss, h.val_accuracy]), w };
    };
    const a = await run();
    const b = await run();
    expect(b.metrics).toEqual(a.metrics);
    expect(b.w).toEqual(a.w);
    // and a different seed really changes the run
    const { train, val, cols } = setup(3);
    const model = buildModel(modelSpecFrom({ architecture: { hidden_layers: [12, 6], dropout: 0.3 } }, cols, 11).spec);
    const c = await trainModel(model, train, val, cfg({ epochs: 4, seed: 100 }));
    expect(c.history[0].train_loss).not.toBe(a.metrics[0][0]);
    model.dispose();
  });

  it('early stopping really stops and the model holds the BEST epoch’s weights, not the last', async () => {
    // Pure-noise labels + a big net + a high learning rate: validation loss rises after a few epochs.
    const m = syntheticMatrix(300, 8, 5, 1.0);
    const train = labelled(m.values, 8, m.labels, 0, 150);
    const val = labelled(m.values, 8, m.labels, 150, 300);
    const model = buildModel(modelSpecFrom({ architecture: { hidden_layers: [128, 64], dropout: 0 } }, 8, 2).spec);
    const snapshots = new Map<number, number[][]>();
    const out = await trainModel(model, train, val, cfg({ epochs: 60, learningRate: 0.02, batchSize: 16, earlyStopping: { patience: 3, minDelta: 0 } }), {
      onEpoch: (rec, mdl) => snapshots.set(rec.epoch, weightsOf(mdl)),
    });
    expect(out.earlyStopped).toBe(true);
    expect(out.epochsTrained).toBeLessThan(60);
    expect(out.epochsTrained).toBe(out.bestEpoch + 3);
    const losses = out.history.map((h) => h.val_loss as number);
    expect(losses[out.bestEpoch - 1]).toBe(Math.min(...losses));
    expect(out.restoredBest).toBe(true);
    expect(weightsOf(model)).toEqual(snapshots.get(out.bestEpoch));
    expect(weightsOf(model)).not.toEqual(snapshots.get(out.epochsTrained));
    model.dispose();
  });

  it('keeps tensor count flat across epochs and leaves nothing behind', async () => {
    const { train, val, cols } = setup(4);
    const model = buildModel(modelSpecFrom({ architecture: { hidden_layers: [8], dropout: 0.2 } }, cols, 1).spec);
    const before = tf.memory().numTensors;
    const counts: number[] = [];
    await trainModel(model, train, val, cfg({ epochs: 5, earlyStopping: null }), { onEpoch: () => counts.push(tf.memory().numTensors) });
    expect(new Set(counts).size).toBe(1);
    expect(tf.memory().numTensors).toBe(before);
    model.dispose();
  });

  it('stops between batches when shouldStop() turns true and reports a cancelled run', async () => {
    const { train, val, cols } = setup(6);
    const model = buildModel(modelSpecFrom({}, cols, 1).spec);
    let batches = 0;
    const out = await trainModel(model, train, val, cfg({ epochs: 50 }), {
      onBatch: () => void batches++,
      shouldStop: () => batches >= 20,
    });
    expect(out.cancelled).toBe(true);
    expect(batches).toBe(20);
    expect(out.epochsTrained).toBeLessThan(2);
    model.dispose();
  });

  it('calls onBatch with (epoch, batch, batches), the last batch being partial', async () => {
    const { train, cols } = setup(8, 100);
    const model = buildModel(modelSpecFrom({}, cols, 1).spec);
    const calls: [number, number, number][] = [];
    const out = await trainModel(model, train, null, cfg({ epochs: 2, batchSize: 32 }), { onBatch: (e, b, n) => void calls.push([e, b, n]) });
    // 70 training rows / 32 ⇒ 3 batches per epoch
    expect(calls).toEqual([[1, 1, 3], [1, 2, 3], [1, 3, 3], [2, 1, 3], [2, 2, 3], [2, 3, 3]]);
    expect(out.history[0].val_loss).toBeNull();
    expect(out.bestEpoch).toBe(2);
    model.dispose();
  });
});

describe('buildModel', () => {
  it('counts parameters like KTRDR’s MLP (36→64→32→3 = 4611)', () => {
    const model = buildModel(modelSpecFrom({ architecture: { hidden_layers: [64, 32] } }, 36, 1).spec);
    expect(countParameters(model)).toBe(36 * 64 + 64 + 64 * 32 + 32 + 32 * 3 + 3);
    const probs = model.predict(tf.ones([2, 36])) as tf.Tensor;
    const rows = probs.arraySync() as number[][];
    for (const r of rows) expect(r.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 5);
    probs.dispose();
    model.dispose();
  });

  it('builds LSTM and GRU models over windows and trains them', async () => {
    for (const type of ['lstm', 'gru']) {
      const { spec, warnings } = modelSpecFrom({ type, architecture: { sequence_length: 5, hidden_size: 8, num_layers: 2 } }, 4, 1);
      expect(warnings).toEqual([]);
      const model = buildModel(spec);
      expect(model.outputs[0].shape).toEqual([null, 3]);
      expect(model.inputs[0].shape).toEqual([null, 5, 4]);
      const m = syntheticMatrix(120, 4, 3);
      const ends = Int32Array.from({ length: 116 }, (_, i) => i + 4);
      const train = { samples: windowSamples(m.values, 4, ends, 5), labels: Int32Array.from(ends, (e) => m.labels[e]) };
      const before = tf.memory().numTensors;
      const out = await trainModel(model, train, train, cfg({ epochs: 2, seed: 1 }));
      expect(out.history).toHaveLength(2);
      expect(Number.isFinite(out.history[1].val_loss)).toBe(true);
      expect(tf.memory().numTensors).toBe(before);
      model.dispose();
    }
  });

  it('warns about unknown values instead of ignoring them silently', () => {
    const { spec, warnings } = modelSpecFrom({ type: 'transformer', architecture: { activation: 'swish', dropout: 2 } }, 4, 1);
    expect(spec.type).toBe('mlp');
    expect(spec.activation).toBe('relu');
    expect(spec.dropout).toBe(0.2);
    expect(warnings).toHaveLength(3);
  });
});
