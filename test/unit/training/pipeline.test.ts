import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { loadModel } from '../../../src/infra/models/inference';
import { ModelRegistry } from '../../../src/infra/models/registry';
import { selectBackend, type BackendChoice } from '../../../src/worker/training/backend';
import { runTrainingPipeline, TrainingCancelledError, type PipelineInput, type SymbolDataset } from '../../../src/worker/training/pipeline';
import { syntheticMatrix } from './helpers';

let backend: BackendChoice;
beforeAll(async () => {
  backend = await selectBackend({ force: 'cpu' });
});
let home: string;
beforeEach(() => (home = mkdtempSync(join(tmpdir(), 'ktrdr-pipe-'))));
afterEach(() => rmSync(home, { recursive: true, force: true }));

function symbol(name: string, rows: number, seed: number, horizon: number): SymbolDataset {
  const m = syntheticMatrix(rows, 4, seed, 0.2);
  const labels = Int8Array.from(m.labels);
  for (let i = rows - horizon; i < rows; i++) labels[i] = -1; // the last rows have no label
  const time = Float64Array.from({ length: rows }, (_, i) => Date.UTC(2020, 0, 1) + i * 86_400_000);
  return { symbol: name, rows, values: m.values, labels, time };
}

function input(over: Partial<PipelineInput> = {}): PipelineInput {
  return {
    strategyName: 'synth',
    strategyYaml: 'name: synth\n',
    symbols: ['AAA', 'BBB'],
    timeframes: ['1d'],
    startDate: '2020-01-01',
    endDate: '2021-12-31',
    featureNames: ['1d_a', '1d_b', '1d_c', '1d_d'],
    model: { type: 'mlp', architecture: { hidden_layers: [16, 8], dropout: 0.1 } },
    training: { epochs: 6, batch_size: 32, learning_rate: 0.01, seed: 5, labels: { source: 'zigzag', zigzag_threshold: 0.02 }, early_stopping: { enabled: true, patience: 3, min_delta: 0 } },
    horizon: 3,
    dataHash: 'hash',
    data: [symbol('AAA', 300, 1, 3), symbol('BBB', 200, 2, 3)],
    ...over,
  };
}

describe('runTrainingPipeline', () => {
  it('trains, evaluates and saves a version; results have KTRDR’s shape plus the baseline', async () => {
    const registry = ModelRegistry.forHome(home);
    const epochs: number[] = [];
    const phases: string[] = [];
    const { results, summary } = await runTrainingPipeline(registry, input(), backend, {
      onEpoch: (r) => epochs.push(r.epoch),
      phase: (p) => phases.push(p),
    });
    expect(phases).toEqual(['training', 'evaluating', 'saving']);
    expect(results.model_path).toBe('models/synth/1d_v1');
    const tm = results.training_metrics as Record<string, any>;
    expect(tm.epochs_trained).toBe(epochs.length);
    expect(tm.history.train_loss).toHaveLength(epochs.length);
    for (const k of ['final_train_loss', 'final_train_accuracy', 'best_train_accuracy', 'training_time', 'final_val_loss', 'final_val_accuracy', 'best_val_accuracy', 'early_stopped', 'best_epoch'])
      expect(tm, k).toHaveProperty(k);
    const test = results.test_metrics as Record<string, any>;
    expect(test.test_accuracy).toBeGreaterThan(0.5);
    expect(test.confusion_matrix).toHaveLength(3);
    const ds = results.data_summary as Record<string, any>;
    // Split by time, shared by both symbols: 494 labelled rows (AAA days 0..296, BBB days 0..196);
    // the 346th pooled time (int(494·0.7)) is day 172, the 420th (int(494·0.85)) day 222. A label
    // looks 3 rows ahead, so rows 169..171 and AAA's 219..221 are purged.
    // AAA: train [0,169) val [172,219) test [222,297); BBB: train [0,169) val [172,197), no test rows.
    expect(ds.samples).toEqual({ train: 169 + 169, validation: 47 + 25, test: 75 });
    expect(ds.splits.boundaries).toEqual({ validation_start: new Date(Date.UTC(2020, 0, 1) + 172 * 86_400_000).toISOString(), test_start: new Date(Date.UTC(2020, 0, 1) + 222 * 86_400_000).toISOString() });
    expect(ds.splits.embargoed).toEqual({ train: 6, validation: 3 });
    expect(ds.embargo_rows).toBe(9);
    expect(ds.splits.per_symbol).toEqual({ AAA: { train: 169, validation: 47, test: 75 }, BBB: { train: 169, validation: 25, test: 0 } });
    expect(ds.splits.label_counts.train.BUY + ds.splits.label_counts.train.HOLD + ds.splits.label_counts.train.SELL).toBe(338);
    expect(ds.feature_count).toBe(4);
    expect(Object.keys(ds.label_distribution.train)).toEqual(['BUY', 'HOLD', 'SELL']);
    const info = results.model_info as Record<string, any>;
    expect(info.parameters_count).toBe(4 * 16 + 16 + 16 * 8 + 8 + 8 * 3 + 3);
    expect(info.backend).toBe('cpu');
    const bl = results.baseline as any;
    for (const split of ['validation', 'test'] as const) {
      expect(bl[split]).toEqual(
        expect.objectContaining({
          best_constant_class: expect.stringMatching(/^(BUY|HOLD|SELL)$/),
          best_constant_accuracy: expect.any(Number),
          model_accuracy: expect.any(Number),
          balanced_accuracy: expect.any(Number),
          macro_f1: expect.any(Number),
          p_value: expect.any(Number),
          beats: expect.any(Boolean),
        }),
      );
    }
    // The model accuracy on test is the one test_metrics reports; the verdict is the test split's.
    expect(bl.test.model_accuracy).toBeCloseTo((results.test_metrics as any).test_accuracy, 12);
    expect(results.beats_baseline).toBe(bl.test.beats);
    // Validation is judged with the saved model: its accuracy is the best epoch's validation accuracy.
    expect(bl.validation.model_accuracy).toBeCloseTo(tm.best_val_accuracy, 5);
    expect(summary.model_path).toBe('models/synth/1d_v1');
    const loaded = await loadModel(join(home, 'models', 'synth', '1d_v1'));
    expect(loaded.manifest.features).toEqual(['1d_a', '1d_b', '1d_c', '1d_d']);
    expect(loaded.manifest.strategy_hash).toMatch(/^[0-9a-f]{64}$/);
    expect(loaded.manifest.data.first_row_time).toBe('2020-01-01T00:00:00.000Z');
    expect(loaded.manifest.seed).toBe(5);
    expect(loaded.manifest.baseline).toEqual(results.baseline);
    expect(loaded.manifest.beats_baseline).toBe(results.beats_baseline);
    expect(loaded.manifest.backend.name).toBe('cpu');
    loaded.model.dispose();
  });

  it('warns when one class fills the validation split (one trend under zigzag labels)', async () => {
    const one = symbol('AAA', 300, 1, 3);
    for (let i = 200; i < 297; i++) one.labels[i] = 2; // everything after training is SELL
    const warnings: string[] = [];
    const { results } = await runTrainingPipeline(ModelRegistry.forHome(home), input({ symbols: ['AAA'], data: [one] }), backend, { warn: (m) => warnings.push(m) });
    expect((results.baseline as any).validation).toMatchObject({ best_constant_class: 'SELL', best_constant_accuracy: 1, beats: false });
    expect(warnings.some((w) => /Every validation label is SELL/.test(w))).toBe(true);
    // Every split is checked, not only the one used for early stopping.
    expect(warnings.some((w) => /Every test label is SELL/.test(w))).toBe(true);
    expect((results.data_summary as any).splits.warnings.map((w: any) => [w.split, w.kind])).toEqual([
      ['validation', 'tiny'],
      ['validation', 'one_class'],
      ['test', 'tiny'],
      ['test', 'one_class'],
    ]);
    const balanced: string[] = [];
    await runTrainingPipeline(ModelRegistry.forHome(home), input(), backend, { warn: (m) => balanced.push(m) });
    expect(balanced.some((w) => /of the validation labels are|Every validation label/.test(w))).toBe(false);
  });

  it('fits the normaliser on training rows only and stores its statistics', async () => {
    let fittedOn: Int32Array | null = null;
    const normalizer = {
      fit: (_v: Float32Array, _r: number, _c: number, rows: Int32Array) => {
        fittedOn = rows;
        return { method: 'test', rows: rows.length };
      },
      apply: (v: Float32Array) => v,
    };
    const { results } = await runTrainingPipeline(ModelRegistry.forHome(home), input({ normalizer, training: { ...input().training, epochs: 1 } }), backend);
    expect(fittedOn!.length).toBe((results.data_summary as any).samples.train);
    // AAA's train rows end at row 168 (the purge before day 172), BBB's start at 300
    expect(Math.max(...Array.from(fittedOn!).filter((r) => r < 300))).toBe(168);
    const { manifest } = await loadModel(join(home, 'models', 'synth', '1d_v1'));
    expect(manifest.normalization).toEqual({ method: 'test', rows: fittedOn!.length });
  });

  it('a cancelled run leaves no model version and no temp folder behind', async () => {
    let batches = 0;
    await expect(
      runTrainingPipeline(ModelRegistry.forHome(home), input({ training: { ...input().training, epochs: 50 } }), backend, {
        onBatch: () => void batches++,
        shouldStop: () => batches >= 5,
      }),
    ).rejects.toBeInstanceOf(TrainingCancelledError);
    const dir = join(home, 'models', 'synth');
    expect(existsSync(dir) ? readdirSync(dir) : []).toEqual([]);
  });

  it('trains an LSTM whose windows never cross symbols', async () => {
    const { results } = await runTrainingPipeline(
      ModelRegistry.forHome(home),
      input({ model: { type: 'lstm', architecture: { sequence_length: 5, hidden_size: 8, num_layers: 1 } }, training: { ...input().training, epochs: 1 } }),
      backend,
    );
    // rows 0..3 of each symbol cannot end a window of 5: 486 samples, the validation split starts
    // at the 341st pooled time (day 4 + 170 = 174), so each symbol trains on rows 4..170
    expect((results.data_summary as any).samples.train).toBe(2 * 167);
  });

  it('trains without a test split when the strategy asks for none (legacy validation_split files)', async () => {
    const warnings: string[] = [];
    const base = input();
    const { results } = await runTrainingPipeline(
      ModelRegistry.forHome(home),
      { ...base, training: { ...base.training, data_split: { train: 0.8, validation: 0.2, test: 0 } } },
      backend,
      { warn: (m) => warnings.push(m) },
    );
    expect(results.test_metrics).toBeNull();
    expect((results.data_summary as any).samples.test).toBe(0);
    expect(results.model_path).toBe('models/synth/1d_v1');
    expect(warnings.some((w) => /No test split/.test(w))).toBe(true);
    expect((results.baseline as any).test).toBeNull();
    expect((results.baseline as any).validation.best_constant_class).toMatch(/^(BUY|HOLD|SELL)$/);
    expect(results.beats_baseline).toBeNull();
  });

  it('a 100 % test accuracy on a one-class test split carries the warning (on the run and in its results)', async () => {
    // Every label is HOLD (a range with no 2 % move), so the model answers HOLD and is "always right".
    const one = symbol('AAA', 400, 1, 3);
    for (let i = 0; i < 397; i++) one.labels[i] = 1;
    const warnings: string[] = [];
    const { results } = await runTrainingPipeline(ModelRegistry.forHome(home), input({ symbols: ['AAA'], data: [one] }), backend, { warn: (m) => warnings.push(m) });
    expect((results.test_metrics as any).test_accuracy).toBe(1);
    expect(warnings.some((w) => /Every test label is HOLD .*accuracy on it is the share of that class, not skill/.test(w))).toBe(true);
    expect((results.warnings as string[]).some((w) => /Every test label is HOLD/.test(w))).toBe(true);
    expect((results.data_summary as any).splits.warnings).toContainEqual(expect.objectContaining({ split: 'test', kind: 'one_class' }));
  });

  it('an empty training split is an error that says what to do', async () => {
    await expect(runTrainingPipeline(ModelRegistry.forHome(home), input({ data: [symbol('AAA', 5, 1, 3)] }), backend)).rejects.toThrow(/training split is empty \(\d+ rows embargoed\): widen the date range/);
  });
});
