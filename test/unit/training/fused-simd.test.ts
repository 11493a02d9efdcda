import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { selectBackend } from '../../../src/worker/training/backend';
import { FusedAdam } from '../../../src/worker/training/fused/adam';
import { chooseFusedKernels } from '../../../src/worker/training/fused/choice';
import { FusedMlp, type MlpShape } from '../../../src/worker/training/fused/mlp';
import { SimdEngine, simdSupported } from '../../../src/worker/training/fused/simd/engine';
import { trainFusedMlp } from '../../../src/worker/training/fused/trainer';
import { glorotInit } from '../../../src/worker/training/fused/weights';
import { buildModel, modelSpecFrom, type ModelSpec } from '../../../src/worker/training/model';
import { Rng } from '../../../src/worker/training/random';
import { classWeightsFrom, DEFAULT_TRAINER_CONFIG, trainModel, type TrainerConfig } from '../../../src/worker/training/trainer';
import { labelled, relativeDiff, syntheticMatrix, weightsOf } from './helpers';

beforeAll(async () => {
  await selectBackend({ force: 'cpu' });
});

const cfg = (over: Partial<TrainerConfig> = {}): TrainerConfig => ({ ...DEFAULT_TRAINER_CONFIG, numClasses: 3, epochs: 3, batchSize: 32, learningRate: 0.01, seed: 7, ...over });

function specFor(cols: number, hidden: number[], dropout: number, seed: number, activation = 'relu'): ModelSpec {
  return modelSpecFrom({ architecture: { hidden_layers: hidden, dropout, activation } }, cols, seed).spec;
}

describe('SIMD kernels module', () => {
  it('module.ts is what scripts/build-simd.mjs compiles from kernels.as today (no stale binary)', async () => {
    const build = (await import(join(process.cwd(), 'scripts/build-simd.mjs'))) as { compile(): Buffer; render(b: Buffer): string };
    const committed = readFileSync(join(process.cwd(), 'src/worker/training/fused/simd/module.ts'), 'utf8');
    expect(build.render(build.compile())).toBe(committed);
  }, 60_000);

  it('loads here (Node has WebAssembly SIMD) and KTRDR_FUSED_KERNELS picks the kernels', () => {
    expect(simdSupported()).toBe(true);
    expect(chooseFusedKernels(true, {})).toBe('simd');
    expect(chooseFusedKernels(false, {})).toBe('js');
    expect(chooseFusedKernels(true, { KTRDR_FUSED_KERNELS: 'js' })).toBe('js');
    expect(() => chooseFusedKernels(false, { KTRDR_FUSED_KERNELS: 'simd' })).toThrow(/no WebAssembly SIMD/);
    expect(() => chooseFusedKernels(true, { KTRDR_FUSED_KERNELS: 'gpu' })).toThrow(/KTRDR_FUSED_KERNELS/);
  });

  it('refuses to allocate past its arena instead of growing (growing would detach every view)', () => {
    const e = SimdEngine.create(100)!;
    e.alloc(100);
    expect(() => e.alloc(1_000_000)).toThrow(/arena full/);
  });
});

describe('SIMD kernels ≡ JS kernels, bit for bit', () => {
  /** One forward/loss/backward/Adam step on both engines from the same weights, batch and masks. */
  function step(shape: MlpShape, rows: number, seed: number) {
    const results = [null, 'simd'].map((kind) => {
      const engine = kind ? SimdEngine.create(200_000) : null;
      const mlp = new FusedMlp(shape, engine);
      glorotInit(mlp, seed);
      for (let i = 0; i < mlp.params.length; i++) mlp.params[i] += 0.01 * Math.sin(i); // non-zero biases
      const ws = mlp.workspace(rows);
      const rng = new Rng(seed);
      for (let i = 0; i < rows * shape.sizes[0]; i++) ws.x[i] = rng.next() * 2 - 1;
      for (let i = 0; i < rows; i++) {
        ws.labels[i] = rng.int(shape.sizes[shape.sizes.length - 1]);
        ws.rowWeights[i] = 0.5 + rng.next();
      }
      for (let l = 1; l < mlp.depth; l++) mlp.drawMask(ws, l, rows, 1000 + l);
      mlp.forward(ws, rows, true);
      const loss = mlp.lossAndGradient(ws, rows);
      mlp.backward(ws, rows, true);
      const adam = new FusedAdam(mlp.params.length, 0.01, engine);
      adam.step(mlp.params, mlp.grads, 0.5, 1e-4);
      adam.step(mlp.params, mlp.grads, 0, 1e-4);
      return { loss, logits: Array.from(ws.logits.subarray(0, rows * shape.sizes[mlp.depth])), grads: Array.from(mlp.grads), params: Array.from(mlp.params), m: Array.from(adam.m) };
    });
    return results;
  }

  // Shapes and batch sizes that reach every tail of the 4×4 tiles (odd widths, 1–3 leftover rows/columns).
  const shapes: [number[], string, number][] = [
    [[36, 64, 32, 3], 'relu', 0.2],
    [[7, 5, 3], 'leaky_relu', 0.3],
    [[9, 6, 10, 2], 'tanh', 0],
    [[4, 3], 'relu', 0],
    [[5, 11, 3], 'sigmoid', 0.25],
  ];
  for (const [sizes, activation, dropout] of shapes) {
    it(`${sizes.join('→')} ${activation} dropout ${dropout}: logits, loss, gradients, Adam at batches 1, 2, 3, 5, 32, 33`, () => {
      for (const rows of [1, 2, 3, 5, 32, 33]) {
        const [js, simd] = step({ sizes, activation: activation as MlpShape['activation'], dropout }, rows, rows * 7 + 3);
        expect(simd.logits).toEqual(js.logits);
        expect(simd.loss).toBe(js.loss);
        expect(simd.grads).toEqual(js.grads);
        expect(simd.m).toEqual(js.m);
        expect(simd.params).toEqual(js.params);
        expect(js.grads.some((g) => g !== 0)).toBe(true);
      }
    });
  }

  it('whole runs: SIMD and JS trainers give identical metrics and weights (dropout, class weights, validation)', async () => {
    const m = syntheticMatrix(500, 9, 4);
    const train = labelled(m.values, 9, m.labels, 0, 350);
    const val = labelled(m.values, 9, m.labels, 350, 500);
    const spec = specFor(9, [13, 6], 0.2, 5);
    const c = cfg({ epochs: 3, batchSize: 27, classWeights: classWeightsFrom(train.labels, 3) });
    const run = async (kernels: 'js' | 'simd') => {
      const model = buildModel(spec);
      const out = await trainFusedMlp(model, spec, train, val, c, { kernels });
      const w = weightsOf(model);
      model.dispose();
      return { h: out.history.map((r) => [r.train_loss, r.train_accuracy, r.val_loss, r.val_accuracy]), w };
    };
    const js = await run('js');
    const simd = await run('simd');
    expect(simd.h).toEqual(js.h);
    expect(simd.w).toEqual(js.w);
  });
});

describe('SIMD trainer vs tfjs over 20 epochs', () => {
  it('weights within 1e-5 relative of the tfjs loop after 20 epochs; two seeded runs give identical weights', async () => {
    const m = syntheticMatrix(400, 6, 2);
    const train = labelled(m.values, 6, m.labels, 0, 280);
    const val = labelled(m.values, 6, m.labels, 280, 400);
    const spec = specFor(6, [16, 8], 0.2, 3);
    const c = cfg({ epochs: 20, seed: 21, learningRate: 0.001, earlyStopping: null, classWeights: classWeightsFrom(train.labels, 3) });
    const tfModel = buildModel(spec);
    await trainModel(tfModel, train, val, c);
    const runs: number[][][] = [];
    for (let r = 0; r < 2; r++) {
      const model = buildModel(spec);
      await trainFusedMlp(model, spec, train, val, c, { kernels: 'simd' });
      runs.push(weightsOf(model));
      model.dispose();
    }
    expect(runs[1]).toEqual(runs[0]);
    const ref = weightsOf(tfModel);
    for (let i = 0; i < ref.length; i++) expect(relativeDiff(ref[i], runs[0][i]), `weights ${i}`).toBeLessThan(1e-5);
    const init = weightsOf(buildModel(spec));
    expect(relativeDiff(init[0], runs[0][0])).toBeGreaterThan(1e-2); // 20 epochs really moved the weights
    tfModel.dispose();
  }, 60_000);
});
