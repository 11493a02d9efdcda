// Issue 25's core promise: a run interrupted at any batch and resumed from its checkpoint ends with the
// same weights and metrics as the uninterrupted run, bit for bit, for the fused and the tfjs trainers,
// MLP and LSTM, with dropout, class weights, validation and early stopping in play.
import type * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { decodeCheckpoint, encodeCheckpoint } from '../../../src/infra/checkpoints/format';
import type { TrainingCheckpointMeta } from '../../../src/infra/checkpoints/meta';
import { rowSamples, windowSamples } from '../../../src/infra/models/samples';
import { selectBackend } from '../../../src/worker/training/backend';
import { checkpointContent, snapshotFromCheckpoint, type CheckpointIdentity } from '../../../src/worker/training/checkpoint';
import { fusedTrainer } from '../../../src/worker/training/fused/trainer';
import { runTrainingLoop, type CheckpointKind, type LoopSnapshot, type StepTrainer } from '../../../src/worker/training/loop';
import { buildModel, modelSpecFrom, type ModelSpec } from '../../../src/worker/training/model';
import { TfjsStepTrainer } from '../../../src/worker/training/tfjs-step';
import { classWeightsFrom, DEFAULT_TRAINER_CONFIG, type LabelledSamples, type TrainerConfig, type TrainingOutcome } from '../../../src/worker/training/trainer';
import { syntheticMatrix } from './helpers';

beforeAll(async () => {
  await selectBackend({ force: 'cpu' });
});

type Kind = 'fused' | 'tfjs';
const ROWS = 260;
const COLS = 5;

function dataFor(T: number): { train: LabelledSamples; val: LabelledSamples } {
  const m = syntheticMatrix(ROWS, COLS, 11, 0.25);
  const ends = Int32Array.from({ length: ROWS - T + 1 }, (_, i) => i + T - 1);
  const cut = (e: Int32Array): LabelledSamples => ({
    samples: T > 1 ? windowSamples(m.values, COLS, e, T) : rowSamples(m.values, COLS, e),
    labels: Int32Array.from(e, (i) => m.labels[i]),
  });
  return { train: cut(ends.slice(0, 200)), val: cut(ends.slice(200)) };
}

const specFor = (type: 'mlp' | 'lstm', T: number): ModelSpec =>
  modelSpecFrom({ type, architecture: { hidden_layers: [12, 6], hidden_size: 6, num_layers: 2, dropout: 0.2, sequence_length: T } }, COLS, 9).spec;

function trainerFor(kind: Kind, spec: ModelSpec, train: LabelledSamples, val: LabelledSamples, cfg: TrainerConfig): StepTrainer {
  const model = buildModel(spec);
  return kind === 'fused' ? fusedTrainer(model, spec, train, val, cfg) : new TfjsStepTrainer(model, train, val, cfg);
}

const identity: CheckpointIdentity = {
  kind: 'training',
  operation_id: 'op_training_test',
  total_epochs: 6,
  strategy: { name: 's', sha256: 'a'.repeat(64) },
  data: { sha256: 'b'.repeat(64), series: [] },
  backend: 'cpu',
  model_type: 'mlp',
  seed: 4,
};

/** Through the file format and back, as a resume reads it. */
function viaFile(s: LoopSnapshot, type: CheckpointKind): LoopSnapshot {
  const bytes = encodeCheckpoint(checkpointContent(s, identity, type, 0.01));
  return snapshotFromCheckpoint(decodeCheckpoint<TrainingCheckpointMeta>(bytes));
}

interface Run {
  outcome: TrainingOutcome;
  weights: number[][];
  state: Record<string, Float64Array | Float32Array>;
}

function finish(trainer: StepTrainer, outcome: TrainingOutcome): Run {
  const run = { outcome, weights: trainer.model.getWeights().map((w: tf.Tensor) => Array.from(w.dataSync())), state: trainer.saveState().arrays };
  trainer.model.dispose();
  trainer.dispose();
  return run;
}

const metricsOf = (o: TrainingOutcome) => o.history.map((r) => [r.epoch, r.train_loss, r.train_accuracy, r.val_loss, r.val_accuracy]);

function expectSame(a: Run, b: Run): void {
  expect(metricsOf(b.outcome)).toEqual(metricsOf(a.outcome)); // toEqual on numbers is Object.is: exact
  expect([b.outcome.bestEpoch, b.outcome.earlyStopped, b.outcome.restoredBest, b.outcome.epochsTrained]).toEqual([a.outcome.bestEpoch, a.outcome.earlyStopped, a.outcome.restoredBest, a.outcome.epochsTrained]);
  expect(b.weights).toEqual(a.weights);
  // The trainer's own state too (float64 parameters and Adam moments of the fused nets).
  expect(Object.keys(b.state).sort()).toEqual(Object.keys(a.state).sort());
  for (const k of Object.keys(a.state)) expect(Buffer.from(b.state[k].buffer).equals(Buffer.from(a.state[k].buffer)), k).toBe(true);
}

const cases: [Kind, 'mlp' | 'lstm', number][] = [
  ['fused', 'mlp', 1],
  ['tfjs', 'mlp', 1],
  ['fused', 'lstm', 4],
  ['tfjs', 'lstm', 4],
];

describe('a resumed run equals the uninterrupted run, bit for bit', () => {
  for (const [kind, type, T] of cases) {
    it(`${kind} ${type}: cancelled before the first batch, mid-epoch, at an epoch boundary, at the last batch; and from a periodic checkpoint`, async () => {
      const { train, val } = dataFor(T);
      const spec = specFor(type, T);
      // 13 batches per epoch (the last one short); early stopping may end the run before epoch 6.
      const cfg: TrainerConfig = { ...DEFAULT_TRAINER_CONFIG, numClasses: 3, epochs: 6, batchSize: 16, learningRate: 0.02, seed: 4, classWeights: classWeightsFrom(train.labels, 3), earlyStopping: { patience: 2, minDelta: 0 } };

      const periodic: LoopSnapshot[] = [];
      const refTrainer = trainerFor(kind, spec, train, val, cfg);
      const ref = finish(refTrainer, await runTrainingLoop(refTrainer, train.samples.size, cfg, {}, { checkpoints: { everyEpochs: 2, everySeconds: 0, onCancel: true, write: (s) => void periodic.push(s) } }));
      expect(ref.outcome.epochsTrained).toBeGreaterThanOrEqual(3);
      expect(periodic.length).toBe(Math.floor(ref.outcome.epochsTrained / 2));
      const totalBatches = ref.outcome.epochsTrained * 13;

      for (const stopAt of [0, 7, 13, 30, totalBatches - 1]) {
        let done = 0;
        const snaps: LoopSnapshot[] = [];
        const first = trainerFor(kind, spec, train, val, cfg);
        const cut = await runTrainingLoop(first, train.samples.size, cfg, { onBatch: () => void done++, shouldStop: () => done >= stopAt }, { checkpoints: { everyEpochs: 0, everySeconds: 0, onCancel: true, write: (s, k) => void snaps.push(viaFile(s, k)) } });
        expect(cut.cancelled, `stop at batch ${stopAt}`).toBe(true);
        expect(snaps).toHaveLength(1);
        expect(snaps[0].loop.epoch * 13 + snaps[0].loop.batch).toBe(stopAt);
        finish(first, cut);

        const second = trainerFor(kind, spec, train, val, cfg);
        const resumed = finish(second, await runTrainingLoop(second, train.samples.size, cfg, {}, { resume: snaps[0] }));
        expectSame(ref, resumed);
      }

      const fromPeriodic = trainerFor(kind, spec, train, val, cfg);
      expectSame(ref, finish(fromPeriodic, await runTrainingLoop(fromPeriodic, train.samples.size, cfg, {}, { resume: viaFile(periodic[0], 'periodic') })));
    }, 120_000);
  }

  it('refuses a snapshot of another trainer or another data size, naming what differs', async () => {
    const { train, val } = dataFor(1);
    const spec = specFor('mlp', 1);
    const cfg: TrainerConfig = { ...DEFAULT_TRAINER_CONFIG, numClasses: 3, epochs: 2, batchSize: 16, seed: 4, earlyStopping: null };
    const snaps: LoopSnapshot[] = [];
    const a = trainerFor('fused', spec, train, val, cfg);
    finish(a, await runTrainingLoop(a, train.samples.size, cfg, {}, { checkpoints: { everyEpochs: 1, everySeconds: 0, onCancel: false, write: (s) => void snaps.push(s) } }));
    const b = trainerFor('tfjs', spec, train, val, cfg);
    await expect(runTrainingLoop(b, train.samples.size, cfg, {}, { resume: snaps[0] })).rejects.toThrow(/written by the fused-js trainer; this run uses the tfjs trainer/);
    const c = trainerFor('fused', spec, train, val, cfg);
    await expect(runTrainingLoop(c, train.samples.size, { ...cfg, batchSize: 32 }, {}, { resume: snaps[0] })).rejects.toThrow(/13 batches per epoch; this run has 7/);
    finish(b, { history: [] } as unknown as TrainingOutcome);
    finish(c, { history: [] } as unknown as TrainingOutcome);
  });
});
