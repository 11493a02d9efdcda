import { beforeAll, describe, expect, it } from 'vitest';
import { windowSamples } from '../../../src/infra/models/samples';
import { selectBackend } from '../../../src/worker/training/backend';
import { trainFused, trainFusedRnn } from '../../../src/worker/training/fused/trainer';
import { buildModel, modelSpecFrom, type ModelSpec } from '../../../src/worker/training/model';
import { classWeightsFrom, DEFAULT_TRAINER_CONFIG, trainModel, type LabelledSamples, type TrainerConfig } from '../../../src/worker/training/trainer';
import { relativeDiff, syntheticMatrix, weightsOf } from './helpers';

beforeAll(async () => {
  await selectBackend({ force: 'cpu' });
});

const cfg = (over: Partial<TrainerConfig> = {}): TrainerConfig => ({ ...DEFAULT_TRAINER_CONFIG, numClasses: 3, epochs: 4, batchSize: 16, learningRate: 0.01, seed: 5, earlyStopping: null, ...over });

function windows(rows: number, cols: number, T: number, seed: number, from = 0, to = rows - T + 1): LabelledSamples {
  const m = syntheticMatrix(rows, cols, seed);
  const ends = Int32Array.from({ length: to - from }, (_, i) => from + i + T - 1);
  return { samples: windowSamples(m.values, cols, ends, T), labels: Int32Array.from(ends, (e) => m.labels[e]) };
}

function rnnSpec(type: 'lstm' | 'gru', cols: number, T: number, units: number, layers: number, dropout: number, seed = 3): ModelSpec {
  return modelSpecFrom({ type, architecture: { hidden_size: units, num_layers: layers, dropout, sequence_length: T } }, cols, seed).spec;
}

const rel = (a: number, b: number) => Math.abs(a - b) / Math.max(Math.abs(a), Math.abs(b));

describe('fused LSTM/GRU ≡ the tfjs layers (trainModel on the cpu backend)', () => {
  // tfjs runs in float32 (hardSigmoid gates, its own gate order, GRU with the reset before the recurrent
  // product); the fused net in float64. Measured: weights agree to ~5e-7 relative after 5 epochs. A wrong
  // gate order, activation, BPTT term or mask moves them by 1e-3 or more.
  const cases: ['lstm' | 'gru', number, number, number, number][] = [
    ['lstm', 4, 6, 2, 0.2],
    ['gru', 4, 6, 2, 0.2],
    ['lstm', 1, 5, 1, 0],
    ['gru', 3, 5, 3, 0],
  ];
  for (const [type, T, units, layers, dropout] of cases) {
    it(`${type} ${layers}×${units} over ${T} rows, dropout ${dropout}: losses and weights within 1e-5 after 4 epochs (validation, class weights)`, async () => {
      const train = windows(160, 5, T, 3, 0, 110);
      const val = windows(160, 5, T, 3, 110, 160 - T + 1);
      const spec = rnnSpec(type, 5, T, units, layers, dropout);
      const c = cfg({ classWeights: classWeightsFrom(train.labels, 3) });
      const a = buildModel(spec);
      const b = buildModel(spec);
      const ra = await trainModel(a, train, val, c);
      const rb = await trainFused(b, spec, train, val, c);
      expect(rb.history.length).toBe(4);
      for (let e = 0; e < 4; e++) {
        expect(rel(rb.history[e].train_loss, ra.history[e].train_loss)).toBeLessThan(1e-5);
        expect(rel(rb.history[e].val_loss!, ra.history[e].val_loss!)).toBeLessThan(1e-5);
        expect(rb.history[e].val_accuracy).toBe(ra.history[e].val_accuracy);
      }
      const wa = weightsOf(a);
      const wb = weightsOf(b);
      expect(wb.map((w) => w.length)).toEqual(wa.map((w) => w.length));
      for (let i = 0; i < wa.length; i++) expect(relativeDiff(wa[i], wb[i]), `weights ${i}`).toBeLessThan(1e-5);
      const init = weightsOf(buildModel(spec));
      expect(relativeDiff(init[0], wb[0])).toBeGreaterThan(1e-3); // training moved them
      a.dispose();
      b.dispose();
    }, 60_000);
  }

  it('is reproducible: two seeded runs give identical weights and metrics; another seed differs', async () => {
    const train = windows(120, 4, 5, 8);
    const spec = rnnSpec('lstm', 4, 5, 8, 2, 0.3);
    const run = async (seed: number) => {
      const model = buildModel(spec);
      const out = await trainFusedRnn(model, spec, train, null, cfg({ epochs: 2, seed }));
      const w = weightsOf(model);
      model.dispose();
      return { h: out.history.map((r) => [r.train_loss, r.train_accuracy]), w };
    };
    const a = await run(11);
    const b = await run(11);
    expect(b.w).toEqual(a.w);
    expect(b.h).toEqual(a.h);
    expect((await run(12)).h[0][0]).not.toBe(a.h[0][0]);
  });

  it('refuses samples of the wrong shape and the JS kernels (no JS recurrent path)', async () => {
    const spec = rnnSpec('gru', 4, 5, 6, 1, 0);
    const model = buildModel(spec);
    await expect(trainFusedRnn(model, spec, windows(40, 4, 3, 1), null, cfg())).rejects.toThrow(/expects 5×4/);
    await expect(trainFusedRnn(model, spec, windows(40, 4, 5, 1), null, cfg(), { kernels: 'js' })).rejects.toThrow(/SIMD kernels only/);
    model.dispose();
  });
});
