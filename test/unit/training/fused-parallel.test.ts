// Data-parallel training (fused/parallel.ts): for a given thread count a seeded run is reproducible
// bit for bit, and it equals the one-thread run to rounding (the only difference is the order in which
// the shards' gradients are added); a failing thread stops the training with its message.
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { windowSamples } from '../../../src/infra/models/samples';
import { selectBackend } from '../../../src/worker/training/backend';
import { SerialBatches } from '../../../src/worker/training/fused/batches';
import { FusedMlp } from '../../../src/worker/training/fused/mlp';
import { MIN_SHARD_MACS, shardCount, startBatchRunner, trainingShards } from '../../../src/worker/training/fused/parallel';
import { forwardMacs, netSpecOf } from '../../../src/worker/training/fused/shard-net';
import { SimdEngine } from '../../../src/worker/training/fused/simd/engine';
import { threadsFromEnv, trainingThreads } from '../../../src/worker/training/fused/threads/config';
import { shardRows } from '../../../src/worker/training/fused/threads/shared';
import { trainFused, type FusedTrainerHooks } from '../../../src/worker/training/fused/trainer';
import { glorotInit } from '../../../src/worker/training/fused/weights';
import { buildModel, modelSpecFrom, type ModelSpec } from '../../../src/worker/training/model';
import { Rng } from '../../../src/worker/training/random';
import { classWeightsFrom, DEFAULT_TRAINER_CONFIG, type LabelledSamples, type TrainerConfig } from '../../../src/worker/training/trainer';
import { labelled, relativeDiff, syntheticMatrix, weightsOf } from './helpers';

beforeAll(async () => {
  await selectBackend({ force: 'cpu' });
});

const cfg = (over: Partial<TrainerConfig> = {}): TrainerConfig => ({ ...DEFAULT_TRAINER_CONFIG, numClasses: 3, epochs: 3, batchSize: 32, learningRate: 0.01, seed: 9, ...over });

const rel = (a: number, b: number) => Math.abs(a - b) / Math.max(Math.abs(a), Math.abs(b), 1e-300);

function windows(rows: number, cols: number, T: number, seed: number, from: number, to: number): LabelledSamples {
  const m = syntheticMatrix(rows, cols, seed);
  const ends = Int32Array.from({ length: to - from }, (_, i) => from + i + T - 1);
  return { samples: windowSamples(m.values, cols, ends, T), labels: Int32Array.from(ends, (e) => m.labels[e]) };
}

interface Case {
  name: string;
  spec: ModelSpec;
  train: LabelledSamples;
  val: LabelledSamples;
  c: TrainerConfig;
}

// Models big enough that a batch really splits into 2 and 3 shards (shardCount: ≥ MIN_SHARD_MACS forward
// multiply-adds a shard; each case asserts it does): the MLP 36→256→128→3 needs 24 rows a shard, the
// 2×32 LSTM over 10 rows 8, the GRU 11.
function cases(): Case[] {
  const m = syntheticMatrix(350, 36, 3);
  const train = labelled(m.values, 36, m.labels, 0, 242);
  const val = labelled(m.values, 36, m.labels, 242, 350);
  const mlp = modelSpecFrom({ architecture: { hidden_layers: [256, 128], dropout: 0.2 } }, 36, 4).spec;
  // 110 windows in batches of 36: the last batch has 2 rows (an empty shard 0 again with 3 shards).
  const rnnTrain = windows(170, 5, 10, 5, 0, 110);
  const rnnVal = windows(170, 5, 10, 5, 110, 161);
  const rnn = (type: 'lstm' | 'gru') => modelSpecFrom({ type, architecture: { hidden_size: 32, num_layers: 2, dropout: 0.25, sequence_length: 10 } }, 5, 6).spec;
  return [
    // 242 rows in batches of 80: the last batch has 2 rows, so with 3 shards the main thread's own shard is empty.
    { name: 'mlp 36→256→128→3, dropout 0.2, batch 80', spec: mlp, train, val, c: cfg({ batchSize: 80, classWeights: classWeightsFrom(train.labels, 3) }) },
    { name: 'lstm 2×32 over 10 rows, dropout 0.25, batch 36', spec: rnn('lstm'), train: rnnTrain, val: rnnVal, c: cfg({ batchSize: 36, classWeights: classWeightsFrom(rnnTrain.labels, 3) }) },
    { name: 'gru 2×32 over 10 rows, dropout 0.25, batch 36', spec: rnn('gru'), train: rnnTrain, val: rnnVal, c: cfg({ batchSize: 36, classWeights: classWeightsFrom(rnnTrain.labels, 3) }) },
  ];
}

async function run(k: Case, hooks: FusedTrainerHooks) {
  const model = buildModel(k.spec);
  const out = await trainFused(model, k.spec, k.train, k.val, k.c, hooks);
  const w = weightsOf(model);
  model.dispose();
  return { h: out.history.map((r) => [r.train_loss, r.train_accuracy, r.val_loss!, r.val_accuracy!]), w };
}

describe('data-parallel fused training', () => {
  for (const k of cases()) {
    it(`${k.name}: 2 and 3 threads are reproducible bit for bit and equal 1 thread to rounding (losses 1e-9, weights 1e-6)`, async () => {
      const one = await run(k, { threads: 1 });
      for (const threads of [2, 3]) {
        expect(trainingShards(k.spec, threads, k.c.batchSize)).toBe(threads);
        const a = await run(k, { threads });
        const b = await run(k, { threads });
        expect(b.h).toEqual(a.h);
        expect(b.w).toEqual(a.w);
        for (let e = 0; e < one.h.length; e++) {
          for (const i of [0, 2]) expect(rel(a.h[e][i], one.h[e][i]), `threads ${threads} epoch ${e + 1} loss ${i}`).toBeLessThan(1e-9);
          for (const i of [1, 3]) expect(a.h[e][i]).toBe(one.h[e][i]);
        }
        for (let i = 0; i < one.w.length; i++) expect(relativeDiff(a.w[i], one.w[i]), `threads ${threads} weights ${i}`).toBeLessThan(1e-6);
      }
      // The runs trained: the weights moved from their initial values.
      const init = weightsOf(buildModel(k.spec));
      expect(relativeDiff(init[0], one.w[0])).toBeGreaterThan(1e-3);
    }, 120_000);
  }

  it('one batch on 2 shards: the same loss, correct count and gradient as one thread (to 1e-12), and 2 threads really ran (exactly the shards asked for, as a resume needs)', async () => {
    const shape = { sizes: [6, 600, 50, 3], activation: 'relu' as const, dropout: 0.3 };
    const make = () => {
      const mlp = new FusedMlp(shape, SimdEngine.create(400_000));
      glorotInit(mlp, 3);
      return { mlp, ws: mlp.workspace(40), evalWs: mlp.workspace(40) };
    };
    const m = syntheticMatrix(40, 6, 8);
    const data = labelled(m.values, 6, m.labels, 0, 40);
    const positions = new Rng(2).shuffle(Int32Array.from({ length: 40 }, (_, i) => i));
    const weights = new Float32Array([0.7, 1.3, 1.1]);
    const a = make();
    const serial = new SerialBatches(a.mlp, a.ws, a.evalWs);
    const ra = serial.gradient(data, positions, 0, 37, weights, [11, 12]);
    const b = make();
    // 40 rows of 33,750 multiply-adds: trainingShards would keep one shard; asked for 2, the runner splits in 2.
    expect(shardCount(2, 40, forwardMacs(b.mlp.spec()))).toBe(1);
    await expect(startBatchRunner(b.mlp, b.ws, b.evalWs, { shards: 0, batchSize: 40, evalRows: 40 })).rejects.toThrow(/Cannot split batches into 0 shards/);
    const runner = await startBatchRunner(b.mlp, b.ws, b.evalWs, { shards: 2, batchSize: 40, evalRows: 40 });
    try {
      expect(runner.threads).toBe(2);
      const rb = runner.gradient(data, positions, 0, 37, weights, [11, 12]);
      expect(rel(rb.loss, ra.loss)).toBeLessThan(1e-12);
      expect(rb.correct).toBe(ra.correct);
      expect(relativeDiff(Array.from(b.mlp.grads), Array.from(a.mlp.grads))).toBeLessThan(1e-12);
      expect(a.mlp.grads.some((g) => g !== 0)).toBe(true);
      const ea = serial.evaluate(data, weights);
      const eb = runner.evaluate(data, weights);
      expect(rel(eb.loss, ea.loss)).toBeLessThan(1e-12);
      expect(eb.accuracy).toBe(ea.accuracy);
    } finally {
      await runner.close();
    }
  });

  it('threads that cannot start fail the training with what to do (never silently fewer threads: results depend on the count)', async () => {
    const mlp = new FusedMlp({ sizes: [4, 5000, 3], activation: 'relu', dropout: 0 }, null);
    await expect(startBatchRunner(mlp, mlp.workspace(16), null, { shards: 2, batchSize: 16, evalRows: 16, entry: { file: join(__dirname, 'no-such-thread.js') } })).rejects.toThrow(
      /Could not start 1 compute thread\(s\) for training .*set KTRDR_THREADS=1/,
    );
  });

  it('a thread that fails stops the training with its message', async () => {
    const tsx = createRequire(__filename).resolve('tsx/cjs');
    const entry = { file: join(__dirname, 'fixtures/failing-compute-thread.ts'), tsx };
    const mlp = new FusedMlp({ sizes: [4, 5000, 3], activation: 'relu', dropout: 0 }, null);
    const runner = await startBatchRunner(mlp, mlp.workspace(16), null, { shards: 2, batchSize: 16, evalRows: 16, entry });
    try {
      const m = syntheticMatrix(16, 4, 1);
      expect(() => runner.gradient(labelled(m.values, 4, m.labels, 0, 16), Int32Array.from({ length: 16 }, (_, i) => i), 0, 16, new Float32Array([1, 1, 1]), [])).toThrow(
        /A training thread failed: the fixture thread refuses every batch/,
      );
    } finally {
      await runner.close();
    }
  });
});

describe('thread counts', () => {
  it('splits rows in order, as evenly as possible; a shard holds ≥ MIN_SHARD_MACS forward multiply-adds (issue 28: the MLP 36→64→32→3 trains on one thread below batch 450, the 2×64 LSTM on every thread)', () => {
    expect([0, 1, 2].map((k) => shardRows(10, 3, k))).toEqual([
      [0, 3],
      [3, 6],
      [6, 10],
    ]);
    expect([0, 1, 2].map((k) => shardRows(2, 3, k))).toEqual([
      [0, 0],
      [0, 1],
      [1, 2],
    ]);
    const perRow = (rows: number) => Math.ceil(MIN_SHARD_MACS / rows); // a sample's multiply-adds when `rows` rows make a shard
    expect(shardCount(4, 32, perRow(8))).toBe(4);
    expect(shardCount(8, 32, perRow(6))).toBe(5);
    expect(shardCount(8, 32, perRow(6) - 1)).toBe(4); // 6 rows would fall short: 7 a shard
    expect(shardCount(2, 11, perRow(6))).toBe(1);
    expect(shardCount(2, 12, perRow(6))).toBe(2);
    expect(shardCount(1, 256, 1e9)).toBe(1);
    expect(shardCount(16, 3, 1e9)).toBe(3);
    const mlp = modelSpecFrom({ architecture: { hidden_layers: [64, 32] } }, 36, 1).spec;
    const lstm = modelSpecFrom({ type: 'lstm', architecture: { hidden_size: 64, num_layers: 2, sequence_length: 20 } }, 36, 1).spec;
    const gru = modelSpecFrom({ type: 'gru', architecture: { hidden_size: 64, num_layers: 2, sequence_length: 20 } }, 36, 1).spec;
    expect(forwardMacs(netSpecOf(mlp))).toBe(36 * 64 + 64 * 32 + 32 * 3);
    expect(forwardMacs(netSpecOf(lstm))).toBe(20 * (36 * 256 + 64 * 256 + 2 * 64 * 256) + 64 * 3);
    // The benchmark's cases (bench/training.ts): sharding the MLP at batch 32 or 256 made it slower, the recurrent nets 1.5× faster on 2 cores.
    expect([trainingShards(mlp, 16, 32), trainingShards(mlp, 16, 256), trainingShards(mlp, 2, 512), trainingShards(lstm, 16, 32), trainingShards(lstm, 2, 32), trainingShards(gru, 2, 32)]).toEqual([1, 1, 2, 16, 2, 2]);
  });

  it('KTRDR_THREADS, else one per core; training.threads wins; bad values are errors naming the setting', () => {
    expect(threadsFromEnv({}, 6)).toBe(6);
    expect(threadsFromEnv({ KTRDR_THREADS: '' }, 3)).toBe(3);
    expect(threadsFromEnv({ KTRDR_THREADS: '2' }, 8)).toBe(2);
    for (const bad of ['0', '1.5', 'all', '257', '-1']) expect(() => threadsFromEnv({ KTRDR_THREADS: bad }, 4)).toThrow(`KTRDR_THREADS=${bad} is not valid`);
    expect(trainingThreads(3, { KTRDR_THREADS: '1' })).toBe(3);
    expect(trainingThreads(null, { KTRDR_THREADS: '5' })).toBe(5);
    expect(() => trainingThreads(0, {})).toThrow(/training.threads 0 is not valid/);
  });
});
