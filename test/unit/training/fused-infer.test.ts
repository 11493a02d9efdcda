import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadModel, predictProbabilities } from '../../../src/infra/models/inference';
import type { NewModelManifest } from '../../../src/infra/models/manifest';
import { ModelRegistry } from '../../../src/infra/models/registry';
import { saveModelVersion } from '../../../src/infra/models/store';
import { defaultDeps, type FeatureMatrixLike } from '../../../src/worker/jobs/backtest';
import { loadLayersModel, saveLayersModel } from '../../../src/infra/models/tfjs-files';
import { selectBackend } from '../../../src/worker/training/backend';
import { fusedInferenceFor, fusedPredictorFrom } from '../../../src/worker/training/fused/infer';
import { buildModel, countParameters, describeArchitecture, modelSpecFrom, type Activation, type ModelSpec } from '../../../src/worker/training/model';
import { Rng } from '../../../src/worker/training/random';

beforeAll(async () => {
  await selectBackend({ force: 'cpu' });
});

const tmp = mkdtempSync(join(tmpdir(), 'ktrdr-fused-infer-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** buildModel(spec) with every weight (biases included) redrawn so all parameters matter. */
function randomMlp(cols: number, hidden: number[], activation: Activation, dropout: number, seed: number): tf.LayersModel {
  const model = buildModel(modelSpecFrom({ architecture: { hidden_layers: hidden, activation, dropout } }, cols, seed).spec);
  const rng = new Rng(seed);
  const weights = model.getWeights().map((w) => tf.tensor(Float32Array.from({ length: w.size }, () => (rng.next() * 2 - 1) * 0.8), w.shape));
  model.setWeights(weights);
  tf.dispose(weights);
  return model;
}

/** Rows of uniform(−2, 2) features; `bad` rows get a NaN or ±Infinity in one column. */
function randomMatrix(rows: number, cols: number, seed: number, bad: { row: number; value: number }[] = []) {
  const rng = new Rng(seed);
  const values = Float32Array.from({ length: rows * cols }, () => rng.next() * 4 - 2);
  for (const b of bad) values[b.row * cols + (b.row % cols)] = b.value;
  return { rows, cols, values };
}

function expectSameProbabilities(got: Float32Array, want: Float32Array): void {
  expect(got.length).toBe(want.length);
  let maxDiff = 0;
  for (let i = 0; i < want.length; i++) {
    expect(Number.isNaN(got[i]), `NaN-ness of value ${i}`).toBe(Number.isNaN(want[i]));
    if (!Number.isNaN(want[i])) maxDiff = Math.max(maxDiff, Math.abs(got[i] - want[i]));
  }
  expect(maxDiff).toBeLessThan(1e-5);
}

const ARCHITECTURES: { hidden: number[]; activation: Activation; dropout: number; cols: number }[] = [
  { hidden: [50, 25], activation: 'relu', dropout: 0.2, cols: 7 },
  { hidden: [9], activation: 'tanh', dropout: 0, cols: 13 },
  { hidden: [16, 8, 5], activation: 'sigmoid', dropout: 0.3, cols: 4 },
  { hidden: [12, 7], activation: 'leaky_relu', dropout: 0.1, cols: 6 },
  { hidden: [], activation: 'relu', dropout: 0, cols: 5 },
];

describe('fused MLP inference matches tfjs predictProbabilities', () => {
  it.each(ARCHITECTURES)('hidden $hidden, $activation, dropout $dropout: same probabilities within 1e-5', async ({ hidden, activation, dropout, cols }) => {
    const model = randomMlp(cols, hidden, activation, dropout, 11 + hidden.length);
    const fused = fusedPredictorFrom(model, { type: 'mlp', sequence_length: 1 }, { chunkRows: 97, batchRows: 10 });
    expect(fused).not.toBeNull();
    expect(fused!.sizes).toEqual([cols, ...hidden, 3]);
    // 301 rows: the last batch and chunk are partial, and the 4-row tiles leave a remainder.
    const m = randomMatrix(301, cols, 5);
    const want = predictProbabilities(model, m);
    const got = await fused!.predictAsync(m);
    expectSameProbabilities(got, want);
    expectSameProbabilities(fused!.predict(m), want);
    // Real probabilities, not zeros: each row sums to 1.
    for (let r = 0; r < m.rows; r++) expect(got[r * 3] + got[r * 3 + 1] + got[r * 3 + 2]).toBeCloseTo(1, 5);
    model.dispose();
  });

  it.each(['relu', 'tanh', 'leaky_relu'] as Activation[])('%s: rows with NaN features give NaN rows in both; ±Infinity rows as tfjs; other rows unaffected', async (activation) => {
    const model = randomMlp(6, [10, 6], activation, 0.2, 3);
    const fused = fusedPredictorFrom(model, {}, { batchRows: 8 })!;
    const nanRows = [0, 5, 6, 31, 63];
    const infRows = [12, 40];
    const bad = [...nanRows.map((row) => ({ row, value: NaN })), { row: infRows[0], value: Infinity }, { row: infRows[1], value: -Infinity }];
    const m = randomMatrix(64, 6, 9, bad);
    const want = predictProbabilities(model, m);
    const got = await fused.predictAsync(m);
    expectSameProbabilities(got, want);
    for (const r of nanRows) expect(Array.from(got.subarray(r * 3, r * 3 + 3)).every(Number.isNaN)).toBe(true);
    // Clean rows in the same batches as bad ones are finite.
    const clean = [1, 4, 7, 30, 62];
    for (const r of clean) expect(Array.from(got.subarray(r * 3, r * 3 + 3)).every(Number.isFinite)).toBe(true);
    model.dispose();
  });

  it('relu(−Infinity) is 0 as in tfjs: a −Infinity feature into positive weights gives a finite row', async () => {
    const model = randomMlp(3, [5, 4], 'relu', 0, 17);
    const weights = model.getWeights().map((w, i) => (i === 0 ? tf.abs(w) : w.clone()));
    model.setWeights(weights);
    tf.dispose(weights);
    const m = randomMatrix(9, 3, 4);
    m.values[4 * 3 + 1] = -Infinity;
    const want = predictProbabilities(model, m);
    expect(Array.from(want.subarray(12, 15)).every(Number.isFinite)).toBe(true);
    expectSameProbabilities(await fusedPredictorFrom(model)!.predictAsync(m), want);
    model.dispose();
  });

  it('accepts a model saved and loaded through the model files, Dense layers with their own activation, and ReLU/Softmax layers', async () => {
    const saved = randomMlp(5, [8, 4], 'relu', 0.25, 21);
    const dir = join(tmp, 'saved');
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(dir);
    await saveLayersModel(saved, dir);
    const loaded = await loadLayersModel(dir);
    const m = randomMatrix(50, 5, 2);
    expectSameProbabilities(await fusedPredictorFrom(loaded, { type: 'mlp' })!.predictAsync(m), predictProbabilities(saved, m));

    const inline = tf.sequential({
      layers: [
        tf.layers.dense({ units: 6, inputShape: [5], activation: 'tanh' }),
        tf.layers.dropout({ rate: 0.5 }),
        tf.layers.dense({ units: 4 }),
        tf.layers.activation({ activation: 'tanh' }),
        tf.layers.dense({ units: 3, activation: 'softmax' }),
      ],
    });
    expectSameProbabilities(fusedPredictorFrom(inline)!.predict(m), predictProbabilities(inline, m));
    const layered = tf.sequential({ layers: [tf.layers.dense({ units: 7, inputShape: [5] }), tf.layers.reLU(), tf.layers.dense({ units: 3 }), tf.layers.softmax()] });
    expectSameProbabilities(fusedPredictorFrom(layered)!.predict(m), predictProbabilities(layered, m));
    for (const model of [saved, loaded, inline, layered]) model.dispose();
  });
});

describe('fused inference in chunks', () => {
  it('reports progress after each chunk, lets the event loop run between chunks, and gives the same numbers as one call', async () => {
    const model = randomMlp(4, [6], 'relu', 0, 8);
    const fused = fusedPredictorFrom(model, {}, { chunkRows: 100, batchRows: 16 })!;
    const m = randomMatrix(1050, 4, 4);
    const calls: [number, number][] = [];
    const turns: number[] = [];
    const got = await fused.predictAsync(m, (done, total) => {
      // The callback scheduled at the previous report has run by now: the loop yielded in between.
      expect(turns.length).toBe(calls.length);
      calls.push([done, total]);
      setImmediate(() => turns.push(done));
    });
    expect(calls).toEqual([100, 200, 300, 400, 500, 600, 700, 800, 900, 1000, 1050].map((d) => [d, 1050]));
    expect(Array.from(got)).toEqual(Array.from(fused.predict(m)));
    expectSameProbabilities(got, predictProbabilities(model, m));
    model.dispose();
  });

  it('stops when onProgress throws (cancellation): the error propagates and no further chunk runs', async () => {
    const model = randomMlp(4, [6], 'relu', 0, 8);
    const fused = fusedPredictorFrom(model, {}, { chunkRows: 100 })!;
    let calls = 0;
    const cancelled = new Error('cancelled by the user');
    await expect(
      fused.predictAsync(randomMatrix(1000, 4, 1), () => {
        calls++;
        if (calls === 3) throw cancelled;
      }),
    ).rejects.toBe(cancelled);
    expect(calls).toBe(3);
    model.dispose();
  });

  it('handles an empty matrix without progress calls and refuses a matrix of the wrong width', async () => {
    const model = randomMlp(4, [6], 'relu', 0, 8);
    const fused = fusedPredictorFrom(model)!;
    let calls = 0;
    expect((await fused.predictAsync({ rows: 0, cols: 4, values: new Float32Array(0) }, () => calls++)).length).toBe(0);
    expect(calls).toBe(0);
    await expect(fused.predictAsync(randomMatrix(3, 5, 1))).rejects.toThrow(/4 features per row, the matrix has 5/);
    model.dispose();
  });
});

describe('models the fused net does not represent are refused', () => {
  it('refuses manifests that contradict the model, and recurrent stacks the fused net does not compute', () => {
    for (const type of ['lstm', 'gru'] as const) {
      const model = buildModel(modelSpecFrom({ type, architecture: { sequence_length: 5, hidden_size: 4, num_layers: 1 } }, 3, 1).spec);
      expect(fusedPredictorFrom(model)?.model).toBe(type);
      expect(fusedPredictorFrom(model, { type, sequence_length: 5 })?.model).toBe(type);
      expect(fusedPredictorFrom(model, { type, sequence_length: 6 })).toBeNull();
      expect(fusedPredictorFrom(model, { type: type === 'lstm' ? 'gru' : 'lstm', sequence_length: 5 })).toBeNull();
      expect(fusedPredictorFrom(model, { type: 'mlp' })).toBeNull();
      model.dispose();
    }
    const rnn = (layer: tf.layers.Layer) => tf.sequential({ layers: [layer, tf.layers.dense({ units: 3, activation: 'softmax' })] });
    const odd = [
      rnn(tf.layers.lstm({ units: 4, inputShape: [5, 3], recurrentActivation: 'sigmoid' })),
      rnn(tf.layers.gru({ units: 4, inputShape: [5, 3], activation: 'relu' })),
      rnn(tf.layers.lstm({ units: 4, inputShape: [5, 3], goBackwards: true })),
      rnn(tf.layers.simpleRNN({ units: 4, inputShape: [5, 3] })),
    ];
    for (const [i, model] of odd.entries()) expect(fusedPredictorFrom(model), `recurrent model #${i}`).toBeNull();
    for (const model of odd) model.dispose();
    const mlp = randomMlp(3, [4], 'relu', 0, 1);
    expect(fusedPredictorFrom(mlp, { type: 'lstm' })).toBeNull();
    expect(fusedPredictorFrom(mlp, { type: 'mlp', sequence_length: 10 })).toBeNull();
    expect(fusedPredictorFrom(mlp, { type: 'mlp', sequence_length: 1 })).not.toBeNull();
    mlp.dispose();
  });

  for (const type of ['lstm', 'gru'] as const) {
    it(`${type}: the fused recurrent predictor gives tfjs's probabilities (NaN before the first full window and around a NaN feature)`, async () => {
      const model = buildModel(modelSpecFrom({ type, architecture: { sequence_length: 4, hidden_size: 6, num_layers: 2, dropout: 0.2 } }, 5, 9).spec);
      const rng = new Rng(4);
      const weights = model.getWeights().map((w) => tf.tensor(Float32Array.from({ length: w.size }, () => (rng.next() * 2 - 1) * 0.9), w.shape));
      model.setWeights(weights);
      tf.dispose(weights);
      const m = randomMatrix(300, 5, 2, [{ row: 100, value: NaN }]);
      const fused = fusedPredictorFrom(model, { type, sequence_length: 4 })!;
      const progress: number[] = [];
      const got = await fused.predictAsync(m, (done) => progress.push(done));
      const want = predictProbabilities(model, m);
      expect(progress[progress.length - 1]).toBe(297);
      let worst = 0;
      for (let i = 0; i < want.length; i++) {
        if (Number.isNaN(want[i])) expect(got[i], `value ${i}`).toBeNaN();
        else worst = Math.max(worst, Math.abs(got[i] - want[i]));
      }
      expect(worst).toBeLessThan(1e-5);
      for (let r = 0; r < 3; r++) expect(got[r * 3]).toBeNaN(); // no full window yet
      for (let r = 100; r < 104; r++) expect(got[r * 3]).toBeNaN(); // windows holding the NaN row
      expect(got[104 * 3]).not.toBeNaN();
      expect(fused.predict(m)).toEqual(got);
      model.dispose();
    });
  }

  it('refuses layer stacks it cannot compute exactly', () => {
    const seq = (layers: tf.layers.Layer[]) => tf.sequential({ layers });
    const models = [
      // no softmax at the end
      seq([tf.layers.dense({ units: 4, inputShape: [3], activation: 'relu' }), tf.layers.dense({ units: 3 })]),
      // an activation the fused kernels do not have
      seq([tf.layers.dense({ units: 4, inputShape: [3], activation: 'elu' }), tf.layers.dense({ units: 3, activation: 'softmax' })]),
      // a linear hidden layer
      seq([tf.layers.dense({ units: 4, inputShape: [3] }), tf.layers.dense({ units: 3, activation: 'softmax' })]),
      // different activations per layer
      seq([tf.layers.dense({ units: 4, inputShape: [3], activation: 'relu' }), tf.layers.dense({ units: 4, activation: 'tanh' }), tf.layers.dense({ units: 3, activation: 'softmax' })]),
      // no bias
      seq([tf.layers.dense({ units: 4, inputShape: [3], activation: 'relu', useBias: false }), tf.layers.dense({ units: 3, activation: 'softmax' })]),
      // two activations on one layer
      seq([tf.layers.dense({ units: 4, inputShape: [3], activation: 'relu' }), tf.layers.activation({ activation: 'tanh' }), tf.layers.dense({ units: 3, activation: 'softmax' })]),
      // leaky relu with another slope
      seq([tf.layers.dense({ units: 4, inputShape: [3] }), tf.layers.leakyReLU({ alpha: 0.2 }), tf.layers.dense({ units: 3, activation: 'softmax' })]),
      // other layer kinds
      seq([tf.layers.dense({ units: 4, inputShape: [3], activation: 'relu' }), tf.layers.batchNormalization(), tf.layers.dense({ units: 3, activation: 'softmax' })]),
    ];
    for (const [i, model] of models.entries()) expect(fusedPredictorFrom(model), `model #${i}`).toBeNull();
    for (const model of models) model.dispose();
  });
});

describe('fusedInferenceFor: which backtests use the fused path', () => {
  it('wasm and cpu use it unless KTRDR_TRAINER=tfjs; native TensorFlow and WebGPU keep tfjs', () => {
    const mlp = randomMlp(3, [4], 'relu', 0, 1);
    const info = { type: 'mlp', sequence_length: 1 };
    expect(fusedInferenceFor(mlp, info, 'wasm', {})?.kind).toBe('fused-js');
    expect(fusedInferenceFor(mlp, info, 'cpu', { KTRDR_TRAINER: 'auto' })?.kind).toBe('fused-js');
    expect(fusedInferenceFor(mlp, info, 'wasm', { KTRDR_TRAINER: 'tfjs' })).toBeNull();
    expect(fusedInferenceFor(mlp, info, 'webgpu', {})).toBeNull();
    expect(fusedInferenceFor(mlp, info, 'tensorflow-cpu', {})).toBeNull();
    expect(fusedInferenceFor(mlp, info, 'webgpu', { KTRDR_TRAINER: 'fused' })?.kind).toBe('fused-js');
    expect(fusedInferenceFor(mlp, { type: 'lstm', sequence_length: 5 }, 'wasm', {})).toBeNull();
    mlp.dispose();
  });
});

describe('backtest wiring: defaultDeps(home).loadModel', () => {
  function manifestFor(spec: ModelSpec, model: tf.LayersModel): NewModelManifest {
    return {
      strategy_name: spec.type,
      strategy_hash: 'abc',
      strategy_version: null,
      symbols: ['EURUSD'],
      timeframes: ['1h'],
      timeframe: '1h',
      output_type: 'classification',
      class_names: ['BUY', 'HOLD', 'SELL'],
      model: {
        type: spec.type,
        input_size: spec.inputSize,
        num_classes: 3,
        sequence_length: spec.sequenceLength,
        hidden_layers: spec.hiddenLayers,
        hidden_size: spec.hiddenSize,
        num_layers: spec.numLayers,
        dropout: spec.dropout,
        activation: spec.activation,
        parameters_count: countParameters(model),
        architecture: describeArchitecture(spec),
      },
      features: Array.from({ length: spec.inputSize }, (_, i) => `1h_f${i}`),
      normalization: null,
      labels: {},
      data: { start_date: null, end_date: null, content_hash: 'def', samples: { train: 1, validation: 1, test: 1 } },
      seed: 1,
      training: {},
      backend: { name: 'cpu', versions: {}, details: {} },
      library_versions: {},
      training_metrics: {},
      test_metrics: {},
    };
  }

  async function saved(spec: ModelSpec): Promise<string> {
    const model = buildModel(spec);
    const { dir } = await saveModelVersion(ModelRegistry.forHome(tmp), { model, manifest: manifestFor(spec, model), strategyYaml: 'name: x\n', features: {} });
    model.dispose();
    return dir;
  }

  const matrixOf = (m: { rows: number; cols: number; values: Float32Array }): FeatureMatrixLike => ({
    ...m,
    names: [],
    time: new Float64Array(m.rows),
    valid: new Uint8Array(m.rows).fill(1),
  });

  it('runs MLPs and LSTMs through the fused path on cpu (same probabilities as tfjs) unless KTRDR_TRAINER=tfjs', async () => {
    const saveEnv = { backend: process.env.KTRDR_TF_BACKEND, trainer: process.env.KTRDR_TRAINER };
    // The backend these tests forced: loadModel's selectBackend() then keeps it instead of picking wasm.
    process.env.KTRDR_TF_BACKEND = 'cpu';
    delete process.env.KTRDR_TRAINER;
    try {
      const mlpDir = await saved(modelSpecFrom({ architecture: { hidden_layers: [8, 4], dropout: 0.2 } }, 5, 7).spec);
      const lstmDir = await saved(modelSpecFrom({ type: 'lstm', architecture: { sequence_length: 3, hidden_size: 4, num_layers: 1 } }, 5, 7).spec);
      const m = randomMatrix(40, 5, 3, [{ row: 2, value: NaN }]);
      const deps = defaultDeps(tmp);

      const fused = await deps.loadModel(mlpDir);
      expect(fused.inference).toEqual({ engine: 'fused-js', backend: 'cpu' });
      const reference = await loadModel(mlpDir);
      const progress: number[] = [];
      expectSameProbabilities(await fused.predict(matrixOf(m), (done) => progress.push(done)), predictProbabilities(reference.model, m));
      expect(progress).toEqual([40]);

      process.env.KTRDR_TRAINER = 'tfjs';
      const forced = await deps.loadModel(mlpDir);
      expect(forced.inference).toEqual({ engine: 'tfjs', backend: 'cpu' });
      expectSameProbabilities(await forced.predict(matrixOf(m)), predictProbabilities(reference.model, m));
      delete process.env.KTRDR_TRAINER;

      const lstm = await deps.loadModel(lstmDir);
      expect(lstm.inference).toEqual({ engine: 'fused-js', backend: 'cpu' });
      const lstmProbs = await lstm.predict(matrixOf(m));
      expect(Number.isNaN(lstmProbs[0])).toBe(true); // no full window yet
      const lstmRef = await loadModel(lstmDir);
      const lstmWant = predictProbabilities(lstmRef.model, m);
      for (let i = 0; i < lstmWant.length; i++) if (!Number.isNaN(lstmWant[i])) expect(Math.abs(lstmProbs[i] - lstmWant[i])).toBeLessThan(1e-5);
      lstmRef.model.dispose();
      process.env.KTRDR_TRAINER = 'tfjs';
      expect((await deps.loadModel(lstmDir)).inference).toEqual({ engine: 'tfjs', backend: 'cpu' });
      delete process.env.KTRDR_TRAINER;
      reference.model.dispose();
    } finally {
      for (const [key, value] of [['KTRDR_TF_BACKEND', saveEnv.backend], ['KTRDR_TRAINER', saveEnv.trainer]] as const) {
        if (value === undefined) delete process.env[key];
        else process.env[key] = value;
      }
    }
  });
});
