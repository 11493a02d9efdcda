import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { loadModel } from '../../../src/infra/models/inference';
import { ModelRegistry } from '../../../src/infra/models/registry';
import { selectBackend, type BackendChoice } from '../../../src/worker/training/backend';
import { chooseTrainer } from '../../../src/worker/training/fused/choice';
import type { CheckpointContent } from '../../../src/infra/checkpoints/format';
import type { TrainingCheckpointMeta } from '../../../src/infra/checkpoints/meta';
import { resumePoint, type CheckpointPlan, type ResumePoint } from '../../../src/worker/training/checkpoint';
import { runTrainingPipeline, type PipelineHooks, type PipelineInput, type SymbolDataset } from '../../../src/worker/training/pipeline';
import { syntheticMatrix } from './helpers';

describe('chooseTrainer', () => {
  it('uses the fused loop for MLPs on wasm and cpu only, unless KTRDR_TRAINER says otherwise; LSTM/GRU only with SIMD kernels', () => {
    expect(chooseTrainer('mlp', 'wasm', {})).toBe('fused-js');
    expect(chooseTrainer('mlp', 'cpu', {})).toBe('fused-js');
    for (const b of ['tensorflow-gpu', 'webgpu', 'tensorflow-cpu'] as const) expect(chooseTrainer('mlp', b, {})).toBe('tfjs');
    expect(chooseTrainer('lstm', 'wasm', {}, true)).toBe('fused-js');
    expect(chooseTrainer('gru', 'cpu', {}, true)).toBe('fused-js');
    expect(chooseTrainer('lstm', 'webgpu', {}, true)).toBe('tfjs');
    expect(chooseTrainer('lstm', 'wasm', {}, false)).toBe('tfjs');
    expect(chooseTrainer('gru', 'cpu', { KTRDR_FUSED_KERNELS: 'js' }, true)).toBe('tfjs');
    expect(chooseTrainer('mlp', 'cpu', { KTRDR_FUSED_KERNELS: 'js' }, false)).toBe('fused-js');
    expect(chooseTrainer('mlp', 'wasm', { KTRDR_TRAINER: 'tfjs' })).toBe('tfjs');
    expect(chooseTrainer('mlp', 'wasm', { KTRDR_TRAINER: 'auto' })).toBe('fused-js');
    expect(chooseTrainer('mlp', 'webgpu', { KTRDR_TRAINER: 'fused' })).toBe('fused-js');
    expect(chooseTrainer('lstm', 'cpu', { KTRDR_TRAINER: 'fused' }, false)).toBe('tfjs');
    expect(chooseTrainer('lstm', 'tensorflow-cpu', { KTRDR_TRAINER: 'fused' }, true)).toBe('fused-js');
    expect(() => chooseTrainer('mlp', 'cpu', { KTRDR_TRAINER: 'fast' })).toThrow(/Unknown KTRDR_TRAINER 'fast'/);
  });
});

let backend: BackendChoice;
beforeAll(async () => {
  backend = await selectBackend({ force: 'cpu' });
});
let home: string;
beforeEach(() => (home = mkdtempSync(join(tmpdir(), 'ktrdr-fused-pipe-'))));
afterEach(() => rmSync(home, { recursive: true, force: true }));

function symbol(name: string, rows: number, seed: number): SymbolDataset {
  const m = syntheticMatrix(rows, 4, seed, 0.2);
  const labels = Int8Array.from(m.labels);
  for (let i = rows - 3; i < rows; i++) labels[i] = -1;
  return { symbol: name, rows, values: m.values, labels };
}

function input(): PipelineInput {
  return {
    strategyName: 'synth',
    strategyYaml: 'name: synth\n',
    symbols: ['AAA', 'BBB'],
    timeframes: ['1d'],
    startDate: null,
    endDate: null,
    featureNames: ['1d_a', '1d_b', '1d_c', '1d_d'],
    model: { type: 'mlp', architecture: { hidden_layers: [16, 8], dropout: 0.1 } },
    training: { epochs: 4, batch_size: 32, learning_rate: 0.01, seed: 5, labels: {}, early_stopping: { enabled: true, patience: 3, min_delta: 0 } },
    horizon: 3,
    dataHash: 'hash',
    data: [symbol('AAA', 300, 1), symbol('BBB', 200, 2)],
  };
}

async function withTrainerEnv<T>(value: string | undefined, fn: () => Promise<T>): Promise<T> {
  const before = process.env.KTRDR_TRAINER;
  if (value === undefined) delete process.env.KTRDR_TRAINER;
  else process.env.KTRDR_TRAINER = value;
  try {
    return await fn();
  } finally {
    if (before === undefined) delete process.env.KTRDR_TRAINER;
    else process.env.KTRDR_TRAINER = before;
  }
}

describe('runTrainingPipeline with the fused trainer', () => {
  it('records the trainer next to the backend, and KTRDR_TRAINER=tfjs gives (nearly) the same run on the tfjs loop', async () => {
    const phases: string[] = [];
    // training.threads caps the fused trainer's thread count (its result depends on the count): recorded with
    // the model. Batch 64 of this MLP (4→256→128→3, 34k multiply-adds a sample) splits into 2 shards.
    const pinned = { ...input(), model: { type: 'mlp', architecture: { hidden_layers: [256, 128], dropout: 0.1 } }, training: { ...input().training, batch_size: 64, threads: 2 } };
    const fused = await withTrainerEnv(undefined, () =>
      runTrainingPipeline(ModelRegistry.forHome(home), pinned, backend, { phase: (_p, m) => phases.push(m) }),
    );
    const tfjs = await withTrainerEnv('tfjs', () => runTrainingPipeline(ModelRegistry.forHome(home), pinned, backend));
    const info = fused.results.model_info as Record<string, unknown>;
    expect(info).toMatchObject({ backend: 'cpu', trainer: 'fused-js' });
    expect((fused.summary.model_info as Record<string, unknown>).trainer).toBe('fused-js');
    expect((tfjs.results.model_info as Record<string, unknown>).trainer).toBe('tfjs');
    expect(phases[0]).toMatch(/\(cpu, fused-js trainer, 2 threads\)$/);

    const saved = await loadModel(join(home, 'models', 'synth', '1d_v1'));
    expect(saved.manifest.backend.details.trainer).toBe('fused-js');
    expect(saved.manifest.training.threads).toBe(2);
    saved.model.dispose();
    const savedTfjs = await loadModel(join(home, 'models', 'synth', '1d_v2'));
    expect(savedTfjs.manifest.training.threads).toBe(1);
    savedTfjs.model.dispose();

    // Same seed, data, masks and math: the two loops agree to float32 rounding.
    const a = fused.results.training_metrics as { history: { train_loss: number[]; val_loss: number[] } };
    const b = tfjs.results.training_metrics as { history: { train_loss: number[]; val_loss: number[] } };
    expect(a.history.train_loss).toHaveLength(b.history.train_loss.length);
    a.history.train_loss.forEach((v, i) => expect(Math.abs(v - b.history.train_loss[i]) / v).toBeLessThan(1e-4));
    a.history.val_loss.forEach((v, i) => expect(Math.abs(v - b.history.val_loss[i]) / v).toBeLessThan(1e-4));
    expect((fused.results.test_metrics as { test_accuracy: number }).test_accuracy).toBeCloseTo((tfjs.results.test_metrics as { test_accuracy: number }).test_accuracy, 6);
  });

  it('a resumed run splits its batches as its checkpoint recorded, even where a new run would use fewer shards, and records that count', async () => {
    // 4→16→8→3 at batch 32: far below a shard's worth (MIN_SHARD_MACS), so a new run uses one shard even with
    // threads: 2; a checkpoint that says 2 (as the lower threshold before issue 28 wrote) resumes on 2.
    const written: CheckpointContent<TrainingCheckpointMeta>[] = [];
    const plan = (resume: ResumePoint | null): CheckpointPlan => ({
      everyEpochs: 1,
      everySeconds: 0,
      onCancel: false,
      data: { sha256: 'c'.repeat(64), series: [] },
      write: (c) => `#${written.push(c)}`,
      resume,
    });
    const run = (resume: ResumePoint | null, hooks: PipelineHooks = {}) =>
      runTrainingPipeline(ModelRegistry.forHome(home), { ...input(), training: { ...input().training, threads: 2, early_stopping: { enabled: false, patience: 3, min_delta: 0 } }, checkpoints: plan(resume) }, backend, hooks);
    await run(null);
    expect(written.map((c) => c.meta.threads)).toEqual([1, 1, 1, 1]);
    const older = { ...written[0], meta: { ...written[0].meta, threads: 2 } };
    written.length = 0;
    const warnings: string[] = [];
    const phases: string[] = [];
    const resumed = await run(resumePoint(older), { warn: (m) => warnings.push(m), phase: (_p, m) => phases.push(m) });
    expect(warnings).toContain('Resumed on 2 thread(s) as the checkpoint was written (a new run here would use 1): the run continues exactly');
    expect(phases.find((m) => m.startsWith('Training'))).toMatch(/fused-js trainer, 2 threads\), resumed from/);
    expect(written.map((c) => c.meta.threads)).toEqual([2, 2, 2]);
    const saved = await loadModel(join(home, resumed.results.model_path as string));
    expect(saved.manifest.training.threads).toBe(2);
    saved.model.dispose();
    // Resuming the resumed run's checkpoint continues it exactly (on 2 shards again).
    const again = await run(resumePoint(written[0]));
    const historyOf = (r: typeof resumed) => (r.results.training_metrics as { history: unknown }).history;
    expect(historyOf(again)).toEqual(historyOf(resumed));
    expect(again.results.test_metrics).toEqual(resumed.results.test_metrics);
  }, 60_000);

  it('trains an LSTM strategy with the fused recurrent trainer automatically, and (nearly) as the tfjs loop does', async () => {
    const lstm = (): PipelineInput => ({ ...input(), model: { type: 'lstm', architecture: { sequence_length: 5, hidden_size: 6, num_layers: 2, dropout: 0.2 } }, training: { ...input().training, epochs: 2 } });
    const fused = await withTrainerEnv(undefined, () => runTrainingPipeline(ModelRegistry.forHome(home), lstm(), backend));
    const tfjs = await withTrainerEnv('tfjs', () => runTrainingPipeline(ModelRegistry.forHome(home), lstm(), backend));
    expect(fused.results.model_info as Record<string, unknown>).toMatchObject({ backend: 'cpu', trainer: 'fused-js' });
    expect((tfjs.results.model_info as Record<string, unknown>).trainer).toBe('tfjs');
    const a = fused.results.training_metrics as { history: { train_loss: number[]; val_loss: number[] } };
    const b = tfjs.results.training_metrics as { history: { train_loss: number[]; val_loss: number[] } };
    expect(a.history.train_loss).toHaveLength(2);
    a.history.train_loss.forEach((v, i) => expect(Math.abs(v - b.history.train_loss[i]) / v).toBeLessThan(1e-5));
    a.history.val_loss.forEach((v, i) => expect(Math.abs(v - b.history.val_loss[i]) / v).toBeLessThan(1e-5));
  }, 60_000);
});
