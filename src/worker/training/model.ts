// The neural model of a strategy (ktrdr-domain.md §4.1): an MLP over one feature row, or an LSTM/GRU
// over a window of rows, ending in a softmax over the classes 0 BUY, 1 HOLD, 2 SELL. The types
// themselves are registered in model-types.ts.
// Built as a tfjs Sequential so it saves/loads in the standard layers format; the trainer runs its own
// forward pass (see forwardLogits) so dropout masks come from the run's seeded generator.
import * as tf from '@tensorflow/tfjs';
import { isModelType, MODEL_TYPES, modelTypeDef } from './model-types';

/** Where forwardLogits takes its dropout mask seeds from (the training loop's generator, in layer order). */
export interface DropoutSeeds {
  seed(): number;
}

export type ModelType = 'mlp' | 'lstm' | 'gru';
export type Activation = 'relu' | 'tanh' | 'sigmoid' | 'leaky_relu';

export const NUM_CLASSES = 3;
export const CLASS_NAMES = ['BUY', 'HOLD', 'SELL'] as const;

export interface ModelSpec {
  type: ModelType;
  inputSize: number;
  numClasses: number;
  /** MLP hidden widths, in order. */
  hiddenLayers: number[];
  dropout: number;
  activation: Activation;
  /** LSTM/GRU: rows per sample window (1 for the MLP). */
  sequenceLength: number;
  hiddenSize: number;
  numLayers: number;
  seed: number;
}

const ACTIVATIONS = new Set<Activation>(['relu', 'tanh', 'sigmoid', 'leaky_relu']);

function positiveInt(v: unknown, fallback: number): number {
  const n = Number(v);
  return Number.isInteger(n) && n > 0 ? n : fallback;
}

/**
 * Reads the strategy's free-form `model` section. Unknown values fall back to KTRDR's defaults and are
 * reported as warnings rather than silently ignored.
 */
export function modelSpecFrom(model: Record<string, unknown> | undefined, inputSize: number, seed: number): { spec: ModelSpec; warnings: string[] } {
  const warnings: string[] = [];
  const m = model ?? {};
  const arch = (m.architecture ?? {}) as Record<string, unknown>;
  const rawType = String(m.type ?? 'mlp').toLowerCase();
  let type: ModelType = 'mlp';
  if (isModelType(rawType)) type = rawType;
  else warnings.push(`model.type '${rawType}' is not supported; using mlp`);
  const windowed = MODEL_TYPES[type].windowed;
  const rawAct = String(arch.activation ?? 'relu').toLowerCase() as Activation;
  const activation: Activation = ACTIVATIONS.has(rawAct) ? rawAct : 'relu';
  if (activation !== rawAct) warnings.push(`model.architecture.activation '${rawAct}' is unknown; using relu`);
  let hiddenLayers = [64, 32];
  if (Array.isArray(arch.hidden_layers)) {
    const h = arch.hidden_layers.map(Number);
    if (h.every((x) => Number.isInteger(x) && x > 0)) hiddenLayers = h;
    else warnings.push(`model.architecture.hidden_layers ${JSON.stringify(arch.hidden_layers)} is not a list of positive integers; using [64, 32]`);
  }
  const d = arch.dropout === undefined ? 0.2 : Number(arch.dropout);
  const dropout = Number.isFinite(d) && d >= 0 && d < 1 ? d : 0.2;
  if (dropout !== d) warnings.push(`model.architecture.dropout ${String(arch.dropout)} is outside [0, 1); using 0.2`);
  const sequenceLength = windowed ? positiveInt(arch.sequence_length ?? m.sequence_length, 20) : 1;
  if (windowed && arch.sequence_length === undefined) warnings.push(`model.architecture.sequence_length is missing for ${type}; using 20`);
  if (m.output_activation !== undefined || arch.output_activation !== undefined)
    warnings.push('model.architecture.output_activation is ignored: the model always ends in a softmax over BUY/HOLD/SELL');
  return {
    spec: {
      type,
      inputSize,
      numClasses: NUM_CLASSES,
      hiddenLayers,
      dropout,
      activation,
      sequenceLength,
      hiddenSize: positiveInt(arch.hidden_size ?? m.hidden_size, 64),
      numLayers: positiveInt(arch.num_layers ?? m.num_layers ?? m.layers, 2),
      seed,
    },
    warnings,
  };
}

/** Builds the model with seeded initialisers: the same spec and seed give the same initial weights. */
export function buildModel(spec: ModelSpec): tf.Sequential {
  let seed = spec.seed;
  const nextSeed = () => (seed = (seed * 1103515245 + 12345) % 2147483647);
  const model = tf.sequential();
  modelTypeDef(spec.type).addLayers(model, spec, {
    glorot: () => tf.initializers.glorotUniform({ seed: nextSeed() }),
    orthogonal: () => tf.initializers.orthogonal({ seed: nextSeed() }),
  });
  // Kept as its own layer so the trainer can stop one layer short and work on logits.
  model.add(tf.layers.activation({ activation: 'softmax' }));
  return model;
}

/**
 * Logits for a batch. With `dropout` set, each Dropout layer draws its mask from a seed taken from the
 * run's generator (tfjs's own Dropout layer reuses one fixed seed, i.e. the same mask every batch).
 */
export function forwardLogits(model: tf.LayersModel, x: tf.Tensor, dropout: DropoutSeeds | null): tf.Tensor2D {
  const layers = model.layers;
  let h = x;
  for (let i = 0; i < layers.length - 1; i++) {
    const layer = layers[i];
    if (layer.getClassName() === 'Dropout') {
      const rate = Number((layer.getConfig() as { rate?: number }).rate ?? 0);
      if (dropout && rate > 0) h = tf.dropout(h, rate, undefined, dropout.seed());
      continue;
    }
    h = layer.apply(h) as tf.Tensor;
  }
  return h as tf.Tensor2D;
}

export function countParameters(model: tf.LayersModel): number {
  return model.trainableWeights.reduce((n, w) => n + w.shape.reduce((a: number, b) => a * (b ?? 1), 1), 0);
}

/** A short human description, e.g. "mlp 36→64→32→3 (relu, dropout 0.2)". */
export function describeArchitecture(spec: ModelSpec): string {
  return modelTypeDef(spec.type).describe(spec);
}

/** Dropout layers that draw masks while training (rate > 0), in model order: one seed each per batch. */
export function dropoutLayerCount(model: tf.LayersModel): number {
  return model.layers.filter((l) => l.getClassName() === 'Dropout' && Number((l.getConfig() as { rate?: number }).rate ?? 0) > 0).length;
}
