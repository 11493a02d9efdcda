// The training result contract: what src/worker/jobs/training.ts writes (built by
// src/worker/training/pipeline.ts) and every reader parses. Conventions: common.ts.
//
// Versions:
//   1  schema_version added; validation fields null with a reason when the validation split is
//      empty; test_metrics null with a reason when there is no test split.
//   (none)  results written before the contract: upgraded on read.
import { z } from 'zod';
import { perSplit, splitReportSchema } from './splits';
import { everyNullExplained, maybeNumber, NOT_RECORDED, nullReasons, parseWith, storedArtefacts, validateProduced, type NullReasons } from './common';

export const TRAINING_RESULT_VERSION = 1 as const;

const count = z.number().int().min(0);
const fraction = z.number().min(0).max(1);

export const trainingMetricsSchema = z
  .object({
    epochs_trained: count,
    final_train_loss: z.number(),
    final_train_accuracy: fraction,
    best_train_accuracy: fraction,
    /** Seconds in the training loop. */
    training_time: z.number().min(0),
    /** null when the validation split is empty (reason in null_reasons). */
    final_val_loss: maybeNumber,
    final_val_accuracy: maybeNumber,
    /** Validation accuracy at the best-validation-loss epoch (KTRDR's best_val_accuracy). */
    best_val_accuracy: maybeNumber,
    max_val_accuracy: maybeNumber,
    best_val_loss: maybeNumber,
    best_epoch: count,
    early_stopped: z.boolean(),
    restored_best_weights: z.boolean(),
    history: z.object({
      train_loss: z.array(z.number()),
      train_accuracy: z.array(z.number()),
      val_loss: z.array(z.number().nullable()),
      val_accuracy: z.array(z.number().nullable()),
    }),
    null_reasons: nullReasons,
  })
  .superRefine(everyNullExplained);
export type TrainingMetrics = z.output<typeof trainingMetricsSchema>;

export const classMetricsSchema = z.object({ precision: fraction, recall: fraction, f1_score: fraction, support: count });

/** The saved model on the test split (src/worker/training/evaluate.ts). */
export const testMetricsSchema = z.object({
  test_accuracy: fraction,
  test_loss: z.number(),
  precision: fraction,
  recall: fraction,
  f1_score: fraction,
  macro_f1: fraction,
  per_class: z.record(z.string(), classMetricsSchema),
  confusion_matrix: z.array(z.array(count)),
  samples: count,
});
export type TestMetrics = z.output<typeof testMetricsSchema>;

/** The model against the best constant predictor on one split (src/core/stats/baseline.ts). */
export const splitBaselineSchema = z.object({
  best_constant_class: z.string(),
  best_constant_accuracy: fraction,
  model_accuracy: fraction,
  balanced_accuracy: fraction,
  macro_f1: fraction,
  best_constant_balanced_accuracy: fraction,
  best_constant_macro_f1: fraction,
  p_value: z.number().min(0).max(1),
  beats: z.boolean(),
  samples: count,
  model_only_correct: count,
  constant_only_correct: count,
});
export type SplitBaselineResult = z.output<typeof splitBaselineSchema>;

export const trainingResultSchema = z
  .object({
    schema_version: z.literal(TRAINING_RESULT_VERSION),
    model_path: z.string().min(1),
    model_version: z.number().int().min(1),
    training_metrics: trainingMetricsSchema,
    test_metrics: testMetricsSchema.nullable(),
    baseline: z.object({ validation: splitBaselineSchema.nullable(), test: splitBaselineSchema.nullable() }),
    /** The test split's verdict: the model beats the best constant (p < 0.05); null without a test split. */
    beats_baseline: z.boolean().nullable(),
    artifacts: z.looseObject({}),
    model_info: z.looseObject({ parameters_count: count, architecture: z.string(), model_type: z.string().optional(), backend: z.string().optional() }),
    /** Sizes and dates of the data, and how the rows were split. */
    data_summary: z.looseObject({
      symbols: z.array(z.string()),
      timeframes: z.array(z.string()),
      start_date: z.string().nullable(),
      end_date: z.string().nullable(),
      total_samples: count,
      feature_count: count,
      /** The split report (src/worker/training/split.ts); absent only in results made before split reporting. */
      splits: splitReportSchema.optional(),
      /** What results before the split report recorded: rows per split, embargo length, labels per class per split. */
      samples: perSplit(count).optional(),
      embargo_rows: count.optional(),
      label_distribution: perSplit(z.record(z.string(), count)).optional(),
    }),
    session_info: z.looseObject({}),
    resource_usage: z.looseObject({}),
    warnings: z.array(z.string()),
    artefacts: storedArtefacts,
    null_reasons: nullReasons,
  })
  .superRefine(everyNullExplained);
export type TrainingResult = z.output<typeof trainingResultSchema>;

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => !!v && typeof v === 'object' && !Array.isArray(v);

/** A result without schema_version in today's shape: nulls get their reasons, missing parts are null. */
export function upgradeLegacyTraining(r: Obj): Obj {
  const reasons: NullReasons = {};
  const tm = isObj(r.training_metrics) ? { ...r.training_metrics } : {};
  const tmReasons: NullReasons = {};
  for (const [k, v] of Object.entries(tm)) if (v === null) tmReasons[k] = 'no validation split';
  const test = isObj(r.test_metrics) ? r.test_metrics : null;
  if (!test) reasons.test_metrics = 'no test split';
  if (r.beats_baseline === null || r.beats_baseline === undefined) reasons.beats_baseline = test ? NOT_RECORDED : 'no test split';
  const baseline = isObj(r.baseline) ? r.baseline : {};
  const split = (v: unknown) => (isObj(v) && typeof v.best_constant_class === 'string' ? v : null);
  return {
    ...r,
    schema_version: TRAINING_RESULT_VERSION,
    model_version: typeof r.model_version === 'number' ? r.model_version : Number(/_v(\d+)$/.exec(String(r.model_path ?? ''))?.[1] ?? 1),
    training_metrics: { ...tm, null_reasons: tmReasons },
    test_metrics: test,
    baseline: { validation: split(baseline.validation), test: split(baseline.test) },
    beats_baseline: typeof r.beats_baseline === 'boolean' ? r.beats_baseline : null,
    artifacts: isObj(r.artifacts) ? r.artifacts : {},
    session_info: isObj(r.session_info) ? r.session_info : {},
    resource_usage: isObj(r.resource_usage) ? r.resource_usage : {},
    warnings: Array.isArray(r.warnings) ? r.warnings.map(String) : [],
    null_reasons: reasons,
  };
}

export function parseTrainingResult(raw: unknown): TrainingResult {
  const upgraded = isObj(raw) && raw.schema_version === undefined ? upgradeLegacyTraining(raw) : raw;
  return parseWith('training', trainingResultSchema, upgraded);
}

export function validateTrainingResult(value: unknown): TrainingResult {
  return validateProduced('training', trainingResultSchema, value);
}
