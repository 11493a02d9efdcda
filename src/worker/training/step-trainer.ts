// The StepTrainer for a trainer kind (fused/choice.ts decides which one runs a model).
import type * as tf from '@tensorflow/tfjs';
import { fusedTrainer } from './fused/trainer';
import type { StepTrainer, TrainerKind } from './loop';
import type { ModelSpec } from './model';
import { TfjsStepTrainer } from './tfjs-step';
import type { LabelledSamples, TrainerConfig } from './trainer';

export function stepTrainer(kind: TrainerKind, model: tf.LayersModel, spec: ModelSpec, train: LabelledSamples, val: LabelledSamples | null, cfg: TrainerConfig): StepTrainer {
  return kind === 'fused-js' ? fusedTrainer(model, spec, train, val, cfg) : new TfjsStepTrainer(model, train, val, cfg);
}
