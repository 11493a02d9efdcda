// Batched float32 recurrent inference (fused/rnn-windows.ts, the backtest path for LSTM/GRU models)
// against the float64 path it replaced (FusedRnn.forward per window batch): within 1e-6 on the weights
// of the bundled neuro_mean_reversion strategy's features with the default recurrent model (2 × 64
// over 20 rows) trained on real EURUSD bars, and on shapes that reach every kernel tail; the threaded
// prediction gives the very same numbers as the one-thread one.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import type { BarSeries } from '../../../src/core/bars/types';
import { buildFeatureMatrix } from '../../../src/core/features/matrix';
import { computeLabels } from '../../../src/core/labels';
import { parseStrategyWith } from '../../../src/core/strategy/parse';
import { windowSamples } from '../../../src/infra/models/samples';
import { indicatorCatalog } from '../../../src/infra/models/training-inputs';
import { selectBackend } from '../../../src/worker/training/backend';
import { fusedInferenceFor } from '../../../src/worker/training/fused/infer';
import { fusedRnnPredictorFrom, rnnPrecisionFromEnv } from '../../../src/worker/training/fused/infer-rnn';
import { FusedRnn, RnnWorkspace, type RnnShape } from '../../../src/worker/training/fused/rnn';
import { CONSTANT_FLOATS, RnnWindowsF32 } from '../../../src/worker/training/fused/rnn-windows';
import { SimdEngine } from '../../../src/worker/training/fused/simd/engine';
import { trainFused } from '../../../src/worker/training/fused/trainer';
import { buildModel, modelSpecFrom, type ModelSpec } from '../../../src/worker/training/model';
import { Rng } from '../../../src/worker/training/random';
import { classWeightsFrom, DEFAULT_TRAINER_CONFIG } from '../../../src/worker/training/trainer';

const REPO = join(__dirname, '../../..');

beforeAll(async () => {
  await selectBackend({ force: 'cpu' });
});

/** The bundled EURUSD daily bars (data/samples). */
function eurusdDaily(): BarSeries {
  const lines = gunzipSync(readFileSync(join(REPO, 'data/samples/EURUSD_D1_dukascopy_2007-2023.csv.gz'))).toString('utf8').trim().split('\n').slice(1);
  const col = (k: number) => Float64Array.from(lines, (l) => (k === 0 ? Date.parse(l.split(',')[0]) : Number(l.split(',')[k])));
  return { symbol: 'EURUSD', timeframe: '1d', time: col(0), open: col(1), high: col(2), low: col(3), close: col(4), volume: col(5) };
}

/** Largest |a − b| over values that are numbers in both; NaN positions must match. */
function maxDiff(a: Float32Array, b: Float32Array): number {
  expect(a.length).toBe(b.length);
  let worst = 0;
  for (let i = 0; i < a.length; i++) {
    expect(Number.isNaN(a[i]), `NaN-ness of value ${i}`).toBe(Number.isNaN(b[i]));
    if (!Number.isNaN(a[i])) worst = Math.max(worst, Math.abs(a[i] - b[i]));
  }
  return worst;
}

function rnnSpec(type: 'lstm' | 'gru', cols: number, T: number, units: number, layers: number, seed = 3): ModelSpec {
  return modelSpecFrom({ type, architecture: { hidden_size: units, num_layers: layers, dropout: 0.2, sequence_length: T } }, cols, seed).spec;
}

describe('batched float32 recurrent inference ≡ the float64 path (1e-6)', () => {
  for (const type of ['lstm', 'gru'] as const) {
    it(`${type} 2×64 over 20 rows trained on real EURUSD features (neuro_mean_reversion's inputs): every bar within 1e-6`, async () => {
      const yaml = readFileSync(join(REPO, 'strategies/neuro_mean_reversion.yaml'), 'utf8').replace(
        /model:\n {2}type: mlp\n {2}architecture:\n(?: {4}.*\n)+/,
        `model:\n  type: ${type}\n  architecture:\n    hidden_size: 64\n    num_layers: 2\n    sequence_length: 20\n    dropout: 0.2\n`,
      );
      const parsed = parseStrategyWith(yaml, { catalog: indicatorCatalog() });
      expect(parsed.valid, JSON.stringify(parsed.issues)).toBe(true);
      const strategy = parsed.strategy!;
      const bars = eurusdDaily();
      const m = buildFeatureMatrix(strategy, { '1d': bars }, { catalog: indicatorCatalog() });
      for (let i = 0; i < m.values.length; i++) if (!Number.isFinite(m.values[i])) m.values[i] = 0; // warm-up rows, as training does
      const labels = computeLabels(strategy.training.labels, bars).labels;
      const T = 20;
      const spec = modelSpecFrom(strategy.model, m.cols, 42).spec;
      expect([spec.type, spec.hiddenSize, spec.numLayers, spec.sequenceLength]).toEqual([type, 64, 2, T]);
      const ends = Int32Array.from({ length: 800 }, (_, i) => 400 + i).filter((e) => labels[e] >= 0);
      const train = { samples: windowSamples(m.values, m.cols, ends, T), labels: Int32Array.from(ends, (e) => labels[e]) };
      const model = buildModel(spec);
      const cfg = { ...DEFAULT_TRAINER_CONFIG, numClasses: 3, epochs: 2, batchSize: 32, learningRate: 0.01, classWeights: classWeightsFrom(train.labels, 3), earlyStopping: null };
      await trainFused(model, spec, train, null, cfg, { threads: 1 });

      const matrix = { rows: m.rows, cols: m.cols, values: m.values };
      const want = fusedRnnPredictorFrom(model, { precision: 'f64' })!.predict(matrix);
      const got = await fusedRnnPredictorFrom(model, { threads: 1 })!.predictAsync(matrix);
      const diff = maxDiff(got, want);
      if (process.env.KTRDR_TEST_VERBOSE) console.log(`${type}: max |f32 − f64| = ${diff}`);
      expect(diff).toBeLessThan(1e-6);
      // The trained model says different things on different bars (the comparison is not of constants).
      let lo = 1;
      let hi = 0;
      for (let r = T - 1; r < m.rows; r++) {
        lo = Math.min(lo, want[r * 3]);
        hi = Math.max(hi, want[r * 3]);
      }
      expect(hi - lo).toBeGreaterThan(0.05);
      for (let r = 0; r < T - 1; r++) expect(got[r * 3]).toBeNaN();
      model.dispose();
    }, 120_000);
  }

  /** A FusedRnn with every weight drawn from ±scale (biases included). */
  function randomRnn(shape: RnnShape, seed: number, scale = 0.9): FusedRnn {
    const rnn = new FusedRnn(shape, SimdEngine.create(FusedRnn.values(shape) + RnnWorkspace.values(shape, 300))!);
    const rng = new Rng(seed);
    for (let i = 0; i < rnn.params.length; i++) rnn.params[i] = Math.fround((rng.next() * 2 - 1) * scale);
    return rnn;
  }

  /** The float64 path's probabilities of every window: FusedRnn.forward over the windows, softmax. */
  function f64Windows(rnn: FusedRnn, values: Float32Array, rows: number): Float32Array {
    const { seq: T, inputSize: F, classes: C } = rnn.shape;
    const n = rows - T + 1;
    const ws = rnn.workspace(n);
    windowSamples(values, F, Int32Array.from({ length: n }, (_, i) => i + T - 1), T).fill(Int32Array.from({ length: n }, (_, i) => i), 0, n, ws.x32);
    rnn.loadInputs(ws, n);
    const z = rnn.forward(ws, n, false);
    const out = new Float32Array(rows * C).fill(NaN);
    for (let w = 0; w < n; w++) {
      const o = w * C;
      let max = -Infinity;
      for (let c = 0; c < C; c++) max = Math.max(max, z[o + c]);
      let sum = 0;
      for (let c = 0; c < C; c++) sum += Math.exp(z[o + c] - max);
      for (let c = 0; c < C; c++) out[(w + T - 1) * C + c] = Math.exp(z[o + c] - max) / sum;
    }
    return out;
  }

  // Widths that are not multiples of 4 or 8 (the GEMM's and cells' tails; LSTMs of width 4k take the
  // fused lstmStep), one to three layers, T = 1, and window batches / blocks that leave remainders. Weights of ±0.9 drive small nets' gates through
  // every regime; the wide one gets ±0.25 (about twice its initialisation's scale): with ±0.9 over 100
  // inputs its pre-activations reach tens and float32 rounding grows to ~2e-6 after 20 steps.
  const shapes: [RnnShape, number, number, number][] = [
    [{ cell: 'lstm', inputSize: 7, units: 6, layers: 3, seq: 5, classes: 3, dropout: 0 }, 3, 7, 0.9],
    [{ cell: 'gru', inputSize: 7, units: 6, layers: 3, seq: 5, classes: 3, dropout: 0 }, 3, 7, 0.9],
    [{ cell: 'lstm', inputSize: 3, units: 9, layers: 1, seq: 1, classes: 2, dropout: 0 }, 5, 11, 0.9],
    [{ cell: 'lstm', inputSize: 5, units: 8, layers: 3, seq: 4, classes: 3, dropout: 0 }, 3, 7, 0.9],
    [{ cell: 'lstm', inputSize: 5, units: 12, layers: 1, seq: 1, classes: 3, dropout: 0 }, 5, 11, 0.9],
    [{ cell: 'gru', inputSize: 5, units: 13, layers: 2, seq: 4, classes: 3, dropout: 0 }, 64, 256, 0.9],
    [{ cell: 'lstm', inputSize: 36, units: 64, layers: 2, seq: 20, classes: 3, dropout: 0 }, 64, 256, 0.25],
    [{ cell: 'gru', inputSize: 36, units: 64, layers: 2, seq: 20, classes: 3, dropout: 0 }, 64, 256, 0.25],
  ];
  for (const [shape, batch, span, scale] of shapes) {
    it(`${shape.cell} ${shape.layers}×${shape.units} over ${shape.seq}×${shape.inputSize}, batches of ${batch} in blocks of ${span}: within 1e-6, NaN features give NaN windows`, () => {
      const rows = 300;
      const rng = new Rng(shape.units);
      const values = Float32Array.from({ length: rows * shape.inputSize }, () => rng.next() * 4 - 2);
      values[150 * shape.inputSize + 1] = NaN;
      const rnn = randomRnn(shape, shape.units * 7, scale);
      const want = f64Windows(rnn, values, rows);
      const got = new Float32Array(rows * shape.classes).fill(NaN);
      new RnnWindowsF32(shape, rnn.params, batch, span).run(values, 0, rows - shape.seq + 1, got);
      expect(maxDiff(got, want)).toBeLessThan(1e-6);
      for (let r = 150; r < 150 + shape.seq; r++) expect(got[r * shape.classes]).toBeNaN();
      expect(got[(150 + shape.seq) * shape.classes]).not.toBeNaN();
    });
  }

  it('refuses parameters of the wrong count and batch/span it cannot use', () => {
    const shape: RnnShape = { cell: 'lstm', inputSize: 3, units: 4, layers: 1, seq: 2, classes: 3, dropout: 0 };
    const rnn = randomRnn(shape, 1);
    expect(() => new RnnWindowsF32(shape, rnn.params.subarray(1))).toThrow(/parameters/);
    expect(() => new RnnWindowsF32(shape, rnn.params, 8, 4)).toThrow(/batch/);
  });

  it('tanh kernel: within 3e-7 of Math.tanh over ±20 and at ±Infinity, NaN stays NaN', () => {
    const e = SimdEngine.create(4096)!;
    const k = e.alloc32(CONSTANT_FLOATS);
    e.k.initConstants(k.byteOffset);
    const x = e.alloc32(4003);
    for (let i = 0; i < 4000; i++) x[i] = Math.fround(-20 + (40 * i) / 3999);
    x[4000] = Infinity;
    x[4001] = -Infinity;
    x[4002] = NaN;
    const input = Float64Array.from(x);
    e.k.tanhF32(x.byteOffset, x.length, k.byteOffset);
    let worst = 0;
    for (let i = 0; i < 4000; i++) worst = Math.max(worst, Math.abs(x[i] - Math.tanh(input[i])));
    expect(worst).toBeLessThan(3e-7);
    expect(Math.abs(x[4000] - 1)).toBeLessThan(3e-7);
    expect(Math.abs(x[4001] + 1)).toBeLessThan(3e-7);
    expect(x[4002]).toBeNaN();
  });
});

describe('KTRDR_RNN_INFERENCE', () => {
  it('f64 gives the float64 path (the backtest job reads it through fusedInferenceFor); f32 is the default; anything else is an error', () => {
    const spec = rnnSpec('lstm', 3, 4, 8, 1);
    const model = buildModel(spec);
    const rng = new Rng(9);
    const m = { rows: 60, cols: 3, values: Float32Array.from({ length: 180 }, () => rng.next() * 2 - 1) };
    const f64 = fusedRnnPredictorFrom(model, { precision: 'f64' })!.predict(m);
    const f32 = fusedRnnPredictorFrom(model)!.predict(m);
    const info = { type: 'lstm', sequence_length: 4 };
    expect(fusedInferenceFor(model, info, 'cpu', { KTRDR_RNN_INFERENCE: 'f64' })!.predict(m)).toEqual(f64);
    expect(fusedInferenceFor(model, info, 'cpu', {})!.predict(m)).toEqual(f32);
    expect(f32).not.toEqual(f64);
    expect(maxDiff(f32, f64)).toBeLessThan(1e-6);
    expect(rnnPrecisionFromEnv({ KTRDR_RNN_INFERENCE: 'F32' })).toBe('f32');
    expect(() => rnnPrecisionFromEnv({ KTRDR_RNN_INFERENCE: 'half' })).toThrow(/KTRDR_RNN_INFERENCE=half is not valid: use f32 or f64/);
    model.dispose();
  });
});

describe('recurrent prediction on compute threads', () => {
  it('gives exactly the one-thread numbers, reports progress to the total, and stops when onProgress throws', async () => {
    const spec = rnnSpec('gru', 4, 6, 8, 2);
    const model = buildModel(spec);
    const rng = new Rng(5);
    const weights = model.getWeights().map((w) => tf.tensor(Float32Array.from({ length: w.size }, () => (rng.next() * 2 - 1) * 0.9), w.shape));
    model.setWeights(weights);
    tf.dispose(weights);
    const rows = 9_000;
    const values = Float32Array.from({ length: rows * 4 }, () => rng.next() * 2 - 1);
    const matrix = { rows, cols: 4, values };
    const one = fusedRnnPredictorFrom(model, { threads: 1 })!.predict(matrix);
    const threaded = fusedRnnPredictorFrom(model, { threads: 2, chunkRows: 1000, threadedMinWindows: 2000 })!;
    const progress: number[] = [];
    const got = await threaded.predictAsync(matrix, (done, total) => {
      expect(total).toBe(rows - 5);
      progress.push(done);
    });
    expect(got).toEqual(one);
    expect(progress.length).toBe(9);
    expect(progress[progress.length - 1]).toBe(rows - 5);
    for (let i = 1; i < progress.length; i++) expect(progress[i]).toBeGreaterThan(progress[i - 1]);
    let calls = 0;
    await expect(
      threaded.predictAsync(matrix, () => {
        if (++calls === 2) throw new Error('cancelled by the test');
      }),
    ).rejects.toThrow('cancelled by the test');
    expect(calls).toBe(2);
    expect(await threaded.predictAsync(matrix)).toEqual(one); // the predictor still works after a stop
    // Threads that cannot start cost speed, not results: the calling thread predicts instead.
    const noThreads = fusedRnnPredictorFrom(model, { threads: 2, chunkRows: 1000, threadedMinWindows: 2000, entry: { file: join(__dirname, 'no-such-thread.js') } })!;
    expect(await noThreads.predictAsync(matrix)).toEqual(one);
    model.dispose();
  }, 60_000);
});
