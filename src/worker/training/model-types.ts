// The one place model types are registered. Everything that depends on the type (how samples are
// cut, which layers buildModel stacks, how the architecture is described, whether a fused net trains
// it) reads its entry here; nothing branches on the type with an `else`. A new type (say a temporal
// conv net) is one more key in ModelType and one more entry below, and the compiler refuses the
// first without the second. A type without a fused net trains on the tfjs loop, never on another
// type's fused net.
import * as tf from '@tensorflow/tfjs';
import type { Activation, ModelSpec, ModelType } from './model';

/** Seeded initialisers in build order (each call advances the model's seed, as buildModel always did). */
type Initializer = ReturnType<typeof tf.initializers.glorotUniform>;

export interface Initialisers {
  glorot(): Initializer;
  orthogonal(): Initializer;
}

/** Which fused net trains the type (src/worker/training/fused): the nets, not model types. */
export type FusedNetKind = 'mlp' | 'rnn';

export interface ModelTypeDef {
  /** Samples are windows of `sequenceLength` rows; false: one row each (sequenceLength is 1). */
  readonly windowed: boolean;
  /** Stacks the type's layers, everything up to and including the logits Dense (buildModel adds the softmax). */
  addLayers(model: tf.Sequential, spec: ModelSpec, init: Initialisers): void;
  /** A short human description, e.g. "mlp 36→64→32→3 (relu, dropout 0.2)". */
  describe(spec: ModelSpec): string;
  /** The fused net that trains it on wasm/cpu, and whether it needs WebAssembly SIMD; null: tfjs only. */
  readonly fused: { readonly net: FusedNetKind; readonly needsSimd: boolean } | null;
}

function activationLayers(act: Activation): tf.layers.Layer[] {
  if (act === 'leaky_relu') return [tf.layers.leakyReLU({ alpha: 0.01 })];
  return [tf.layers.activation({ activation: act })];
}

const mlp: ModelTypeDef = {
  windowed: false,
  addLayers(model, spec, init) {
    let first = true;
    for (const units of spec.hiddenLayers) {
      model.add(tf.layers.dense({ units, kernelInitializer: init.glorot(), biasInitializer: 'zeros', ...(first ? { inputShape: [spec.inputSize] } : {}) }));
      first = false;
      for (const l of activationLayers(spec.activation)) model.add(l);
      if (spec.dropout > 0) model.add(tf.layers.dropout({ rate: spec.dropout }));
    }
    model.add(tf.layers.dense({ units: spec.numClasses, kernelInitializer: init.glorot(), biasInitializer: 'zeros', ...(first ? { inputShape: [spec.inputSize] } : {}) }));
  },
  describe: (spec) => `mlp ${[spec.inputSize, ...spec.hiddenLayers, spec.numClasses].join('→')} (${spec.activation}, dropout ${spec.dropout})`,
  fused: { net: 'mlp', needsSimd: false },
};

/** LSTM and GRU: stacked recurrent layers, dropout between them and after the last, a Dense head. */
function recurrent(type: 'lstm' | 'gru'): ModelTypeDef {
  const layer = type === 'lstm' ? tf.layers.lstm : tf.layers.gru;
  return {
    windowed: true,
    addLayers(model, spec, init) {
      for (let i = 0; i < spec.numLayers; i++) {
        model.add(
          layer({
            units: spec.hiddenSize,
            returnSequences: i < spec.numLayers - 1,
            kernelInitializer: init.glorot(),
            recurrentInitializer: init.orthogonal(),
            ...(i === 0 ? { inputShape: [spec.sequenceLength, spec.inputSize] } : {}),
          }),
        );
        // Between stacked layers (as torch's dropout= argument) and after the last (KTRDR's head dropout).
        if (spec.dropout > 0) model.add(tf.layers.dropout({ rate: spec.dropout }));
      }
      model.add(tf.layers.dense({ units: spec.numClasses, kernelInitializer: init.glorot(), biasInitializer: 'zeros' }));
    },
    describe: (spec) => `${type} ${spec.numLayers}×${spec.hiddenSize} over ${spec.sequenceLength} rows of ${spec.inputSize} → ${spec.numClasses} (dropout ${spec.dropout})`,
    // The recurrent net has SIMD kernels only (no JS-kernel variant).
    fused: { net: 'rnn', needsSimd: true },
  };
}

export const MODEL_TYPES: { readonly [K in ModelType]: ModelTypeDef } = {
  mlp,
  lstm: recurrent('lstm'),
  gru: recurrent('gru'),
};

export function isModelType(name: string): name is ModelType {
  return Object.prototype.hasOwnProperty.call(MODEL_TYPES, name);
}

/** The registered entry; an unregistered name is an error, never a fallback to another type. */
export function modelTypeDef(type: string): ModelTypeDef {
  if (!isModelType(type)) throw new Error(`Unknown model type '${type}': registered types are ${Object.keys(MODEL_TYPES).join(', ')}`);
  return MODEL_TYPES[type];
}
