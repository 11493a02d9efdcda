// From prepared per-symbol feature matrices and labels to a saved model version and KTRDR-shaped
// results: split (per symbol, chronological, with an embargo) → normalisation fitted on train rows →
// class weights → train → evaluate on test → save atomically. Independent of how the matrices were
// built, so it is tested on synthetic data; the training job feeds it the real feature pipeline.
import type * as tf from '@tensorflow/tfjs';
import type { EpochMetric } from '../../shared/operations';
import { sha256Hex } from '../../infra/hash';
import { predictSamples } from '../../infra/models/inference';
import type { NewModelManifest } from '../../infra/models/manifest';
import type { ModelRegistry } from '../../infra/models/registry';
import { rowSamples, windowSamples } from '../../infra/models/samples';
import { saveModelVersion } from '../../infra/models/store';
import type { BackendChoice } from './backend';
import { constantBaseline, type SplitBaseline } from '../../core/stats/baseline';
import { describeBaseline } from '../../shared/evaluation-text';
import { argmaxClasses, evaluatePredictions, majorityBaseline } from './evaluate';
import { trainingCheckpoints, type CheckpointPlan } from './checkpoint';
import { chooseTrainer } from './fused/choice';
import { trainingShards } from './fused/parallel';
import { trainingThreads } from './fused/threads/config';
import { buildModel, CLASS_NAMES, countParameters, describeArchitecture, modelSpecFrom, NUM_CLASSES } from './model';
import { normaliseRatios, splitByTime, type SplitSource } from './split';
import { stepTrainer } from './step-trainer';
import { runTrainingLoop } from './loop';
import { classWeightsFrom, DEFAULT_TRAINER_CONFIG, type LabelledSamples, type TrainerConfig, type TrainingOutcome } from './trainer';

/** One symbol's rows: features (row-major) and a label per row (0 BUY, 1 HOLD, 2 SELL, −1 unknown). */
export interface SymbolDataset {
  symbol: string;
  rows: number;
  values: Float32Array;
  labels: Int8Array;
  /** Row times (UTC ms), for the data range in the manifest. */
  time?: Float64Array | null;
  /** 0 marks rows whose features are not usable (e.g. missing higher-timeframe bar). */
  valid?: Uint8Array | null;
  /** Per row: the last row its label depends on (the split purges on it); absent: row + horizon. */
  knownAt?: Int32Array | null;
  /**
   * Rows THIS symbol's labels look ahead: its embargo, in its own rows (input.horizon when absent).
   * Pooled symbols on different calendars (FX 24/5 beside a 7-bar equity session) must not share
   * one row count: the largest would wipe out the sparser symbol's training rows.
   */
  horizon?: number | null;
}

/** Normalisation of raw-indicator columns, fitted on training rows only and stored with the model. */
export interface Normalizer {
  fit(values: Float32Array, rows: number, cols: number, trainRows: Int32Array): unknown;
  /** Returns the normalised values (may be the same array, changed in place). */
  apply(values: Float32Array, rows: number, cols: number, stats: unknown): Float32Array;
}

export interface TrainingSettings {
  epochs: number;
  batch_size: number;
  learning_rate: number;
  data_split?: { train?: number; validation?: number; test?: number };
  early_stopping?: { enabled: boolean; patience: number; min_delta: number } | null;
  seed: number;
  /** Threads of the fused trainer (null/absent: KTRDR_THREADS, else one per core). */
  threads?: number | null;
  labels: Record<string, unknown>;
}

export interface PipelineInput {
  strategyName: string;
  strategyYaml: string;
  strategyVersion?: string | null;
  symbols: string[];
  /** Base timeframe first: the model folder is named after it. */
  timeframes: string[];
  startDate: string | null;
  endDate: string | null;
  featureNames: string[];
  /** The strategy's `model` section. */
  model: Record<string, unknown>;
  training: TrainingSettings;
  /** Most rows a label looks ahead: the purge bound for datasets without per-row `knownAt`. */
  horizon: number;
  /** sha256 of the input bars. */
  dataHash: string;
  data: SymbolDataset[];
  normalizer?: Normalizer | null;
  operationId?: string | null;
  /** When to write checkpoints and where, and the checkpoint to resume from; null: none (tests, benches). */
  checkpoints?: CheckpointPlan | null;
}

export type Phase = 'loading' | 'features' | 'labels' | 'training' | 'evaluating' | 'saving';

export interface PipelineHooks {
  phase?(phase: Phase, message: string): void;
  onBatch?(epoch: number, batch: number, batches: number, totalEpochs: number): void;
  onEpoch?(record: EpochMetric, totalEpochs: number): void;
  /** A resumed run: the epochs its checkpoint had finished (their metrics, as first reported). */
  onResume?(history: EpochMetric[], batchesPerEpoch: number, totalEpochs: number): void;
  shouldStop?(): boolean;
  yieldToHost?(): Promise<void>;
  warn?(message: string): void;
}

export class TrainingCancelledError extends Error {}

function distribution(labels: ArrayLike<number>): Record<string, number> {
  const d: Record<string, number> = { BUY: 0, HOLD: 0, SELL: 0 };
  for (let i = 0; i < labels.length; i++) d[CLASS_NAMES[labels[i]]]++;
  return d;
}

function isoDay(ms: number | undefined): string | null {
  return ms === undefined || !Number.isFinite(ms) ? null : new Date(ms).toISOString();
}

/** The strategy hash recorded in manifests and checkpoints (the server compares with the same function). */
export const sha256 = sha256Hex;

export async function runTrainingPipeline(
  registry: ModelRegistry,
  input: PipelineInput,
  backend: BackendChoice,
  hooks: PipelineHooks = {},
): Promise<{ results: Record<string, unknown>; summary: Record<string, unknown> }> {
  const warnings: string[] = [];
  const warn = (m: string) => {
    warnings.push(m);
    hooks.warn?.(m);
  };
  const cols = input.featureNames.length;
  if (cols === 0) throw new Error('The strategy resolves to no features');
  if (!input.data.length) throw new Error('No data to train on');

  const { spec, warnings: specWarnings } = modelSpecFrom(input.model, cols, input.training.seed);
  specWarnings.forEach(warn);
  const L = spec.sequenceLength;

  // Combine the symbols' matrices; each keeps its own rows and labels (no cross-symbol windows); the
  // split boundaries are instants shared by all symbols, and rows whose label looks into the next
  // split are purged (split.ts).
  const totalRows = input.data.reduce((n, d) => n + d.rows, 0);
  let values: Float32Array = new Float32Array(totalRows * cols);
  const labels = new Int32Array(totalRows).fill(-1);
  const ratios = normaliseRatios(input.training.data_split);
  const sources: SplitSource[] = [];
  let offset = 0;
  for (const d of input.data) {
    if (d.values.length !== d.rows * cols) throw new Error(`${d.symbol}: feature matrix has ${d.values.length / Math.max(1, d.rows)} columns, expected ${cols}`);
    if (d.labels.length !== d.rows) throw new Error(`${d.symbol}: ${d.labels.length} labels for ${d.rows} feature rows`);
    if (d.knownAt && d.knownAt.length !== d.rows) throw new Error(`${d.symbol}: ${d.knownAt.length} label horizons for ${d.rows} feature rows`);
    values.set(d.values, offset * cols);
    for (let i = 0; i < d.rows; i++) labels[offset + i] = d.labels[i];
    const knownAt = d.knownAt;
    sources.push({
      symbol: d.symbol,
      rows: d.rows,
      time: d.time ?? null,
      labels: d.labels,
      usable: (i) => d.labels[i] >= 0 && d.labels[i] < NUM_CLASSES && (!d.valid || d.valid[i] === 1) && i >= L - 1,
      knownAt: knownAt ? (i) => knownAt[i] : (i) => i + (d.horizon ?? input.horizon),
      offset,
    });
    offset += d.rows;
  }
  const { rows: split, report: splits } = splitByTime(sources, ratios, CLASS_NAMES);
  const trainRows = Int32Array.from(split.train);
  const valRows = Int32Array.from(split.validation);
  const testRows = Int32Array.from(split.test);
  if (trainRows.length === 0) throw new Error(`The training split is empty${splits.embargoed.train ? ` (${splits.embargoed.train} rows embargoed)` : ''}: widen the date range or load more data`);
  // A strategy may ask for no test split (KTRDR's legacy `validation_split` files do): then there are
  // no test metrics, and the backtest is the out-of-sample check. Empty, tiny and one-class splits
  // are warnings on the run (and on its experiment), with their cause.
  if (ratios.test === 0) warn('No test split (data_split.test = 0): test metrics are not computed; backtest on later dates to judge the model out of sample');
  splits.warnings.forEach((w) => warn(w.message));

  // Normalise with statistics from the training rows only; then NaN (warm-up) → 0 as KTRDR does.
  let normalization: unknown = null;
  if (input.normalizer) {
    normalization = input.normalizer.fit(values, totalRows, cols, trainRows);
    values = input.normalizer.apply(values, totalRows, cols, normalization);
  }
  for (let i = 0; i < values.length; i++) if (!Number.isFinite(values[i])) values[i] = 0;

  const samplesOf = (rows: Int32Array): LabelledSamples => ({
    samples: L > 1 ? windowSamples(values, cols, rows, L) : rowSamples(values, cols, rows),
    labels: Int32Array.from(rows, (r) => labels[r]),
  });
  const train = samplesOf(trainRows);
  const val = samplesOf(valRows);
  const test = samplesOf(testRows);
  const classWeights = classWeightsFrom(train.labels, NUM_CLASSES);
  const labelDistribution = { train: distribution(train.labels), validation: distribution(val.labels), test: distribution(test.labels) };
  for (const c of CLASS_NAMES) if (labelDistribution.train[c] === 0) warn(`No ${c} labels in the training split: the model cannot learn that class`);

  const t = input.training;
  const es = t.early_stopping;
  const cfg: TrainerConfig = {
    ...DEFAULT_TRAINER_CONFIG,
    numClasses: NUM_CLASSES,
    epochs: t.epochs,
    batchSize: t.batch_size,
    learningRate: t.learning_rate,
    seed: t.seed,
    classWeights,
    earlyStopping: es && es.enabled ? { patience: es.patience, minDelta: es.min_delta } : null,
  };

  // The fused JS loop for MLPs on wasm/cpu (see fused/choice.ts); either way the tfjs model holds the result.
  // A resumed run keeps the trainer its checkpoint was written by (another would not continue it exactly).
  const resume = input.checkpoints?.resume ?? null;
  const trainer = resume ? resume.trainerKind(backend.name, warn) : chooseTrainer(spec.type, backend.name);
  // The fused trainer's batches are split into this many shards, one a thread (trainingShards: as many as
  // allowed where each pays). The result depends on the count, so a resumed run uses its checkpoint's
  // exactly, whatever this machine or this version's heuristic would choose; it is recorded either way.
  const wanted = trainer === 'fused-js' ? trainingShards(spec, trainingThreads(t.threads), t.batch_size) : 1;
  const threads = resume ? (resume.meta.threads ?? 1) : wanted;
  if (resume && threads !== wanted) warn(`Resumed on ${threads} thread(s) as the checkpoint was written (a new run here would use ${wanted}): the run continues exactly`);
  hooks.phase?.('training', `Training ${describeArchitecture(spec)} on ${train.labels.length} samples (${backend.name}, ${trainer} trainer${threads > 1 ? `, ${threads} threads` : ''})${resume ? `, resumed from ${resume.describe()}` : ''}`);
  const model: tf.Sequential = buildModel(spec);
  try {
    const trainerHooks = {
      onBatch: (e: number, b: number, n: number) => hooks.onBatch?.(e, b, n, cfg.epochs),
      onEpoch: (rec: EpochMetric) => hooks.onEpoch?.(rec, cfg.epochs),
      shouldStop: hooks.shouldStop,
      yieldToHost: hooks.yieldToHost,
      threads,
    };
    const step = stepTrainer(trainer, model, spec, train, val, cfg);
    const checkpoints = trainingCheckpoints(input.checkpoints ?? null, {
      kind: 'training',
      operation_id: input.operationId ?? 'local',
      total_epochs: cfg.epochs,
      strategy: { name: input.strategyName, sha256: sha256(input.strategyYaml) },
      data: input.checkpoints?.data ?? { sha256: input.dataHash, series: [] },
      backend: backend.name,
      model_type: spec.type,
      seed: t.seed,
      threads,
    }, cfg.learningRate);
    if (resume) hooks.onResume?.(resume.snapshot.loop.history, resume.snapshot.loop.batches, cfg.epochs);
    let outcome: TrainingOutcome;
    try {
      // The recorded count must be the one that computes (a resume depends on it).
      const computing = step.useShards ? await step.useShards(threads) : 1;
      if (computing !== threads) throw new Error(`Training computes on ${computing} shard(s) where ${threads} were planned and recorded`);
      outcome = await runTrainingLoop(step, train.labels.length, cfg, trainerHooks, { resume: resume?.snapshot ?? null, checkpoints });
    } finally {
      await step.close?.();
      step.dispose();
    }
    if (outcome.cancelled) {
      const saved = checkpoints?.lastWritten();
      throw new TrainingCancelledError(
        `Training cancelled during epoch ${outcome.epochsTrained + 1}; no model version was saved` +
          (saved ? `; a checkpoint was saved (${saved}): POST /operations/{id}/resume continues from it` : ''),
      );
    }

    hooks.phase?.('evaluating', `Evaluating on ${test.labels.length} test samples`);
    const testProbs = test.labels.length ? predictSamples(model, test.samples, 2048) : null;
    const testMetrics = testProbs ? evaluatePredictions(test.labels, testProbs, NUM_CLASSES) : null;
    // The validation split judged with the model as saved (best weights restored), like the test split.
    const valPreds = val.labels.length ? argmaxClasses(predictSamples(model, val.samples, 2048), val.labels.length, NUM_CLASSES) : null;

    const h = outcome.history;
    const last = h[h.length - 1];
    const bestRec = h[outcome.bestEpoch - 1] ?? last;
    const valAccs = h.map((r) => r.val_accuracy).filter((v): v is number => v !== null);
    const trainingMetrics = {
      epochs_trained: outcome.epochsTrained,
      final_train_loss: last.train_loss,
      final_train_accuracy: last.train_accuracy,
      best_train_accuracy: Math.max(...h.map((r) => r.train_accuracy)),
      training_time: outcome.trainingTime,
      final_val_loss: last.val_loss,
      final_val_accuracy: last.val_accuracy,
      // KTRDR's best_val_accuracy: the validation accuracy at the best-validation-loss epoch.
      best_val_accuracy: bestRec.val_accuracy,
      max_val_accuracy: valAccs.length ? Math.max(...valAccs) : null,
      best_val_loss: outcome.bestValLoss,
      best_epoch: outcome.bestEpoch,
      early_stopped: outcome.earlyStopped,
      restored_best_weights: outcome.restoredBest,
      history: {
        train_loss: h.map((r) => r.train_loss),
        train_accuracy: h.map((r) => r.train_accuracy),
        val_loss: h.map((r) => r.val_loss),
        val_accuracy: h.map((r) => r.val_accuracy),
      },
    };
    // Each evaluated split against the best constant predictor on that same split (core/stats/baseline).
    const judge = (labelsOf: Int32Array, preds: ArrayLike<number> | null): SplitBaseline | null =>
      preds && labelsOf.length ? constantBaseline(labelsOf, preds, CLASS_NAMES) : null;
    const baseline = {
      validation: judge(val.labels, valPreds),
      test: judge(test.labels, testProbs ? argmaxClasses(testProbs, test.labels.length, NUM_CLASSES) : null),
    };
    // The verdict is the test split's (out of sample); null when there is no test split.
    const beatsBaseline = baseline.test ? baseline.test.beats : null;
    // When one class fills a split (a single trend under zigzag labels), accuracy on it says little.
    // (A split of exactly one class is already a degenerate-split warning.)
    for (const [name, split] of [['training', train], ['validation', val], ['test', test]] as const) {
      if (!split.labels.length) continue;
      const top = majorityBaseline(split.labels, split.labels, NUM_CLASSES);
      if (top.accuracy >= 0.9 && top.accuracy < 1)
        warn(
          `${(top.accuracy * 100).toFixed(0)} % of the ${name} labels are ${CLASS_NAMES[top.majority_class]}: that split covers little more than one move, ` +
            `so accuracy on it says little; widen the date range or change the split`,
        );
    }
    for (const [name, b] of [['validation', baseline.validation], ['test', baseline.test]] as const) {
      if (b && !b.beats) warn(`The model does not beat a constant predictor on the ${name} split: ${describeBaseline(name, b)}`);
    }

    const parameters = countParameters(model);
    const firstTimes = input.data.map((d) => d.time?.[0]).filter((x): x is number => x !== undefined);
    const lastTimes = input.data.map((d) => d.time?.[d.rows - 1]).filter((x): x is number => x !== undefined);
    const timeframe = input.timeframes[0];
    const manifest: NewModelManifest = {
      strategy_name: input.strategyName,
      strategy_hash: sha256(input.strategyYaml),
      strategy_version: input.strategyVersion ?? null,
      symbols: input.symbols,
      timeframes: input.timeframes,
      timeframe,
      output_type: 'classification',
      class_names: [...CLASS_NAMES],
      model: {
        type: spec.type,
        input_size: cols,
        num_classes: NUM_CLASSES,
        sequence_length: L,
        hidden_layers: spec.hiddenLayers,
        hidden_size: spec.hiddenSize,
        num_layers: spec.numLayers,
        dropout: spec.dropout,
        activation: spec.activation,
        parameters_count: parameters,
        architecture: describeArchitecture(spec),
      },
      features: input.featureNames,
      normalization,
      labels: { ...t.labels, horizon: input.horizon },
      data: {
        start_date: input.startDate,
        end_date: input.endDate,
        first_row_time: isoDay(firstTimes.length ? Math.min(...firstTimes) : undefined),
        last_row_time: isoDay(lastTimes.length ? Math.max(...lastTimes) : undefined),
        content_hash: input.dataHash,
        samples: { train: train.labels.length, validation: val.labels.length, test: test.labels.length },
        embargo_rows: splits.embargoed.train + splits.embargoed.validation,
        label_distribution: labelDistribution,
        splits,
      },
      seed: t.seed,
      training: { epochs: t.epochs, batch_size: t.batch_size, learning_rate: t.learning_rate, class_weights: classWeights, clip_norm: cfg.clipNorm, weight_decay: cfg.weightDecay, early_stopping: cfg.earlyStopping, data_split: ratios, optimizer: 'adam', threads },
      backend: { name: backend.name, versions: backend.versions, details: { ...backend.details, trainer } },
      library_versions: { ...backend.versions, node: process.versions.node },
      training_metrics: trainingMetrics,
      test_metrics: testMetrics as unknown as Record<string, unknown>,
      baseline: baseline as unknown as { validation: Record<string, unknown> | null; test: Record<string, unknown> | null },
      beats_baseline: beatsBaseline,
    };

    if (hooks.shouldStop?.()) throw new TrainingCancelledError('Training cancelled before saving; no model version was saved');
    hooks.phase?.('saving', `Saving model ${input.strategyName}/${timeframe}`);
    const saved = await saveModelVersion(registry, {
      model,
      manifest,
      strategyYaml: input.strategyYaml,
      features: {
        feature_names: input.featureNames,
        feature_count: cols,
        sequence_length: L,
        normalization,
        scaling_info: { requires_scaling: normalization !== null, fitted_on: 'train split' },
      },
      shouldAbort: hooks.shouldStop,
    }).catch((err) => {
      if (hooks.shouldStop?.()) throw new TrainingCancelledError('Training cancelled while saving; no model version was saved');
      throw err;
    });

    const modelInfo = {
      parameters_count: parameters,
      trainable_parameters: parameters,
      architecture: describeArchitecture(spec),
      model_type: spec.type,
      backend: backend.name,
      trainer,
      backend_versions: backend.versions,
      backend_details: backend.details,
      backend_skipped: backend.skipped,
    };
    const dataSummary = {
      symbols: input.symbols,
      timeframes: input.timeframes,
      start_date: input.startDate,
      end_date: input.endDate,
      total_samples: train.labels.length + val.labels.length + test.labels.length,
      feature_count: cols,
      samples: manifest.data.samples,
      embargo_rows: manifest.data.embargo_rows,
      label_distribution: labelDistribution,
      // Split sizes, boundaries, embargoed rows, label counts per class and degenerate-split warnings.
      splits,
    };
    const results = {
      model_path: saved.model_path,
      model_version: saved.version,
      training_metrics: trainingMetrics,
      test_metrics: testMetrics,
      baseline,
      beats_baseline: beatsBaseline,
      artifacts: { feature_importance: null, per_symbol_metrics: null },
      model_info: modelInfo,
      data_summary: dataSummary,
      session_info: {
        operation_id: input.operationId ?? null,
        strategy_name: input.strategyName,
        symbols: input.symbols,
        timeframes: input.timeframes,
        training_mode: 'local',
        use_host_service: false,
        start_date: input.startDate,
        end_date: input.endDate,
      },
      resource_usage: { training_mode: 'local', backend: backend.name, trainer },
      warnings,
    };
    const summary = {
      model_path: saved.model_path,
      training_metrics: { ...trainingMetrics, history: undefined },
      test_metrics: testMetrics && { test_accuracy: testMetrics.test_accuracy, test_loss: testMetrics.test_loss, precision: testMetrics.precision, recall: testMetrics.recall, f1_score: testMetrics.f1_score },
      baseline,
      beats_baseline: beatsBaseline,
      model_info: { parameters_count: parameters, architecture: modelInfo.architecture, backend: backend.name, trainer },
      data_summary: dataSummary,
    };
    return { results, summary };
  } finally {
    model.dispose();
  }
}
