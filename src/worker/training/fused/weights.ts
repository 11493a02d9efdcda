// Moving weights between the fused MLP and the tfjs model built by buildModel(spec): the fused net
// starts from the tfjs model's weights and hands its trained weights back, so saving (src/infra/models)
// and inference stay on the tfjs path. Also the seeded glorot-uniform initialisation, reproduced
// bit for bit so the fused net can be initialised without tfjs.
import * as tf from '@tensorflow/tfjs';
import { Alea } from './alea';
import type { Vec } from './kernels';
import type { FusedMlp } from './mlp';

/**
 * glorot-uniform kernels and zero biases from `seed`, exactly as buildModel(spec) draws them:
 * buildModel advances its seed with the same LCG per kernel, and tfjs's initialiser draws
 * float32(−limit + 2·limit·alea()) with limit = √(3 / ((fanIn + fanOut) / 2)).
 */
export function glorotInit(mlp: FusedMlp, seed: number): void {
  let s = seed;
  const alea = new Alea(0);
  for (let l = 0; l < mlp.depth; l++) {
    s = (s * 1103515245 + 12345) % 2147483647;
    const fanIn = mlp.sizes[l];
    const fanOut = mlp.sizes[l + 1];
    const limit = Math.sqrt(3 * (1 / Math.max(1, (fanIn + fanOut) / 2)));
    const range = limit - -limit;
    alea.reseed(String(s));
    const w = mlp.wOff[l];
    for (let i = 0; i < fanIn * fanOut; i++) mlp.params[w + i] = Math.fround(-limit + range * alea.next());
    mlp.params.fill(0, mlp.bOff[l], mlp.bOff[l] + fanOut);
  }
}

/** The tfjs shapes of the fused net's weights, in model.getWeights() order: [in,out] kernel, [out] bias per layer. */
export function tfjsWeightShapes(mlp: FusedMlp): number[][] {
  const shapes: number[][] = [];
  for (let l = 0; l < mlp.depth; l++) shapes.push([mlp.sizes[l], mlp.sizes[l + 1]], [mlp.sizes[l + 1]]);
  return shapes;
}

function checkShapes(want: number[][], actual: number[][]): void {
  if (JSON.stringify(actual) !== JSON.stringify(want)) throw new Error(`The tfjs model's weights ${JSON.stringify(actual)} do not match the fused net's ${JSON.stringify(want)}`);
}

/** params ← the tfjs model's current weights, which must have exactly `shapes` (getWeights order). */
export function loadWeights(params: Vec, shapes: number[][], model: tf.LayersModel): void {
  const weights = model.getWeights();
  checkShapes(shapes, weights.map((w) => w.shape));
  let o = 0;
  for (const w of weights) {
    const values = w.dataSync();
    for (let i = 0; i < values.length; i++) params[o + i] = values[i];
    o += values.length;
  }
}

/** The tfjs model's weights (of `shapes`) ← params, as float32. */
export function storeWeights(params: Vec, shapes: number[][], model: tf.LayersModel): void {
  checkShapes(shapes, model.getWeights().map((w) => w.shape));
  let o = 0;
  const tensors = shapes.map((shape) => {
    const size = shape.reduce((a, b) => a * b, 1);
    const t = tf.tensor(Float32Array.from(params.subarray(o, o + size)), shape, 'float32');
    o += size;
    return t;
  });
  try {
    model.setWeights(tensors);
  } finally {
    tf.dispose(tensors);
  }
}

/** params ← the tfjs model's current weights. */
export function loadTfjsWeights(mlp: FusedMlp, model: tf.LayersModel): void {
  loadWeights(mlp.params, tfjsWeightShapes(mlp), model);
}

/** The tfjs model's weights ← `params` (default: the net's current parameters), as float32. */
export function storeTfjsWeights(mlp: FusedMlp, model: tf.LayersModel, params: Vec = mlp.params): void {
  storeWeights(params, tfjsWeightShapes(mlp), model);
}
