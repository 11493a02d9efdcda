import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { selectBackend } from '../../../src/worker/training/backend';
import { Alea } from '../../../src/worker/training/fused/alea';
import { FusedAdam } from '../../../src/worker/training/fused/adam';
import { FusedMlp, type MlpShape, type MlpWorkspace } from '../../../src/worker/training/fused/mlp';
import { glorotInit, loadTfjsWeights } from '../../../src/worker/training/fused/weights';
import { buildModel, modelSpecFrom, type Activation } from '../../../src/worker/training/model';
import { Rng } from '../../../src/worker/training/random';

beforeAll(async () => {
  await selectBackend({ force: 'cpu' });
});

describe('Alea (tfjs’s seeded generator)', () => {
  it('reproduces tf.randomUniform for integer and string seeds', () => {
    for (const seed of [0, 1, 42, 2147483646]) {
      const expected = tf.tidy(() => tf.randomUniform([500], 0, 1, 'float32', seed).dataSync());
      const a = new Alea(seed);
      const got = Float32Array.from({ length: 500 }, () => a.next());
      expect(got).toEqual(expected);
      const b = new Alea(String(seed));
      expect(Float32Array.from({ length: 500 }, () => b.next())).toEqual(expected);
    }
  });

  it('reseeds in place to the same stream as a fresh generator', () => {
    const a = new Alea(5);
    a.next();
    a.reseedInt(77);
    const b = new Alea('77');
    for (let i = 0; i < 20; i++) expect(a.next()).toBe(b.next());
  });
});

describe('FusedMlp initialisation and dropout match tfjs', () => {
  it('glorotInit(seed) gives buildModel(spec)’s initial weights bit for bit', () => {
    for (const [hidden, seed] of [[[64, 32], 1], [[7], 12345], [[5, 4, 3], 99]] as [number[], number][]) {
      const spec = modelSpecFrom({ architecture: { hidden_layers: hidden, dropout: 0.2 } }, 9, seed).spec;
      const model = buildModel(spec);
      const fromTfjs = new FusedMlp({ sizes: [9, ...hidden, 3], activation: 'relu', dropout: 0.2 });
      loadTfjsWeights(fromTfjs, model);
      const seeded = new FusedMlp(fromTfjs.shape);
      glorotInit(seeded, seed);
      expect(Array.from(seeded.params)).toEqual(Array.from(fromTfjs.params));
      expect(fromTfjs.params.some((v) => v !== 0)).toBe(true);
      model.dispose();
    }
  });

  it('drawMask gives tf.dropout’s mask for the same seed', () => {
    const mlp = new FusedMlp({ sizes: [4, 10, 3], activation: 'relu', dropout: 0.3 });
    const ws = mlp.workspace(8);
    for (const seed of [3, 1234567]) {
      mlp.drawMask(ws, 1, 7, seed);
      const expected = tf.tidy(() => tf.dropout(tf.ones([7, 10]), 0.3, undefined, seed).dataSync());
      expect(Float32Array.from(ws.mask[1]!.subarray(0, 70))).toEqual(expected);
      const kept = expected.filter((v) => v !== 0).length;
      expect(kept).toBeGreaterThan(20);
      expect(kept).toBeLessThan(70);
    }
  });
});

/** Loss of the current params with the workspace's fixed inputs and masks. */
function lossAt(mlp: FusedMlp, ws: MlpWorkspace, rows: number): number {
  mlp.forward(ws, rows, true);
  return mlp.lossAndGradient(ws, rows);
}

function gradientCheck(shape: MlpShape, seed: number): number {
  const rows = 5;
  const mlp = new FusedMlp(shape);
  glorotInit(mlp, seed);
  const rng = new Rng(seed);
  // Non-zero biases so every parameter's gradient is exercised; inputs away from activation kinks.
  for (let i = 0; i < mlp.params.length; i++) mlp.params[i] += (rng.next() - 0.5) * 0.2;
  const ws = mlp.workspace(rows);
  for (let i = 0; i < rows * shape.sizes[0]; i++) ws.x[i] = rng.next() * 2 - 1;
  const classWeights = [0.5, 1.7, 0.8];
  for (let i = 0; i < rows; i++) {
    ws.labels[i] = i % 3;
    ws.rowWeights[i] = classWeights[i % 3];
  }
  for (let l = 1; l < mlp.depth; l++) mlp.drawMask(ws, l, rows, 100 + l);
  lossAt(mlp, ws, rows);
  mlp.backward(ws, rows, true);
  const analytic = Float64Array.from(mlp.grads);
  let worst = 0;
  const h = 1e-6;
  for (let i = 0; i < mlp.params.length; i++) {
    const keep = mlp.params[i];
    mlp.params[i] = keep + h;
    const up = lossAt(mlp, ws, rows);
    mlp.params[i] = keep - h;
    const down = lossAt(mlp, ws, rows);
    mlp.params[i] = keep;
    const numeric = (up - down) / (2 * h);
    worst = Math.max(worst, Math.abs(numeric - analytic[i]) / Math.max(1e-3, Math.abs(numeric) + Math.abs(analytic[i])));
  }
  return worst;
}

describe('FusedMlp backward pass', () => {
  for (const activation of ['relu', 'tanh', 'sigmoid', 'leaky_relu'] as Activation[]) {
    it(`matches finite differences (${activation}, dropout 0.25, class weights)`, () => {
      expect(gradientCheck({ sizes: [4, 6, 5, 3], activation, dropout: 0.25 }, 7)).toBeLessThan(1e-6);
    });
  }

  it('matches finite differences without hidden layers and without dropout', () => {
    expect(gradientCheck({ sizes: [5, 3], activation: 'relu', dropout: 0 }, 3)).toBeLessThan(1e-6);
    expect(gradientCheck({ sizes: [3, 9, 3], activation: 'tanh', dropout: 0 }, 4)).toBeLessThan(1e-6);
  });

  it('gives the same gradients for odd and even batch sizes as row-by-row sums', () => {
    // The kernels tile 2 rows × 4 outputs; a batch of 1 exercises only the remainder paths.
    const shape: MlpShape = { sizes: [5, 7, 3], activation: 'relu', dropout: 0 };
    const mlp = new FusedMlp(shape);
    glorotInit(mlp, 5);
    const rows = 3;
    const ws = mlp.workspace(rows);
    const one = mlp.workspace(1);
    const rng = new Rng(1);
    for (let i = 0; i < ws.x.length; i++) ws.x[i] = rng.next();
    for (let i = 0; i < rows; i++) {
      ws.labels[i] = i;
      ws.rowWeights[i] = 1;
    }
    lossAt(mlp, ws, rows);
    mlp.backward(ws, rows, true);
    const batch = Float64Array.from(mlp.grads);
    const summed = new Float64Array(batch.length);
    for (let i = 0; i < rows; i++) {
      one.x.set(ws.x.subarray(i * 5, i * 5 + 5));
      one.labels[0] = i;
      one.rowWeights[0] = 1;
      lossAt(mlp, one, 1);
      mlp.backward(one, 1, true);
      for (let k = 0; k < summed.length; k++) summed[k] += mlp.grads[k] / rows;
    }
    for (let k = 0; k < summed.length; k++) expect(batch[k]).toBeCloseTo(summed[k], 12);
  });
});

describe('FusedAdam', () => {
  it('follows tf.train.adam step for step', () => {
    const start = [0.5, -0.25, 1.5, 0];
    const steps = [
      [0.1, -0.2, 0.003, 0],
      [-0.05, 0.4, 0.002, 1e-3],
      [0.2, 0.1, -0.5, -2],
    ];
    const v = tf.variable(tf.tensor1d(start));
    const opt = tf.train.adam(0.01);
    const fused = new FusedAdam(4, 0.01);
    const params = Float64Array.from(start);
    for (const g of steps) {
      const grad = tf.tensor1d(g);
      opt.applyGradients([{ name: v.name, tensor: grad }]);
      grad.dispose();
      fused.step(params, Float64Array.from(g), 0, 0);
    }
    const expected = v.dataSync();
    for (let i = 0; i < 4; i++) expect(Math.abs(params[i] - expected[i])).toBeLessThan(1e-6 * Math.max(1, Math.abs(expected[i])));
    opt.dispose();
    v.dispose();
  });

  it('clips the global norm, then adds weight decay, and leaves the gradients untouched', () => {
    const params = Float64Array.from([1, -2]);
    const grads = Float64Array.from([3, 4]); // norm 5 → scaled to norm 1 by clipNorm 1
    const adam = new FusedAdam(2, 0.1);
    adam.step(params, grads, 1, 0.01);
    const scale = 1 / (5 + 1e-6);
    const g = [3 * scale + 0.01 * 1, 4 * scale + 0.01 * -2];
    // First step: m̂ ≈ g, v̂ ≈ g² (bias corrections in float32 as tfjs) ⇒ Δ ≈ −lr·sign(g)
    expect(params[0]).toBeCloseTo(1 - (0.1 * g[0]) / (Math.abs(g[0]) + 1e-7), 5);
    expect(params[1]).toBeCloseTo(-2 - (0.1 * g[1]) / (Math.abs(g[1]) + 1e-7), 5);
    expect(Array.from(grads)).toEqual([3, 4]);
    // Without clipping a small gradient is used as is: the norm only ever scales down.
    const p2 = Float64Array.from([0]);
    new FusedAdam(1, 0.1).step(p2, Float64Array.from([0.5]), 1, 0);
    expect(p2[0]).toBeCloseTo(-0.1, 5);
  });
});
