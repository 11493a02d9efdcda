// The `training` operation: bars → features → labels → split/normalise/train/evaluate → a saved model
// version. Progress goes through the bridge (phase in context.phase, percentage only forwards:
// 0–10 % preparation, 10–95 % batches, 95–100 % evaluation and saving), one metric per epoch.
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import type { BarSeries } from '../../core/bars/types';
import { applyNormalization, buildFeatureMatrix, featureNames, fitNormalization, normalizationSpecs, type FeatureMatrix, type NormalizationStats } from '../../core/features';
import { computeLabels } from '../../core/labels';
import type { StrategyConfig } from '../../core/strategy/types';
import { BarStore } from '../../infra/bars/bar-store';
import { ModelRegistry } from '../../infra/models/registry';
import { sweepTempDirs } from '../../infra/models/store';
import { indicatorCatalog, parseDateBound, parseForTraining } from '../../infra/models/training-inputs';
import { deleteCheckpoints } from '../../infra/checkpoints/store';
import type { SeriesHash } from '../../infra/checkpoints/meta';
import { addSeriesToHash, describeDataChange, seriesHash, trainingSeries } from '../../infra/models/training-data';
import { JobCancelledError, yieldToHost, type ProgressBridge } from '../bridge';
import { checkpointPlan, checkpointSettings, readResumeCheckpoint } from './training-checkpoints';
import { selectBackend } from '../training/backend';
import { runTrainingPipeline, TrainingCancelledError, type Normalizer, type Phase, type SymbolDataset } from '../training/pipeline';
import { TRAINING_RESULT_VERSION, validateTrainingResult, type TrainingResult } from '../../shared/results/training';
import type { Job } from './types';

function str(v: unknown): string | null {
  return typeof v === 'string' && v !== '' ? v : null;
}

function list(v: unknown): string[] | undefined {
  return Array.isArray(v) && v.length ? v.map(String) : undefined;
}

/** Normalisation over the combined matrix: statistics from the training rows only (gathered first). */
function normalizerFor(strategy: StrategyConfig, names: string[]): Normalizer | null {
  const specs = normalizationSpecs(strategy);
  if (!specs.some((s) => s.method !== 'none')) return null;
  const asMatrix = (values: Float32Array, rows: number, cols: number): FeatureMatrix => ({
    names,
    rows,
    cols,
    values,
    time: new Float64Array(rows),
    valid: new Uint8Array(rows),
    warmupRows: 0,
  });
  return {
    fit(values, _rows, cols, trainRows) {
      const gathered = new Float32Array(trainRows.length * cols);
      trainRows.forEach((r, k) => gathered.set(values.subarray(r * cols, (r + 1) * cols), k * cols));
      return fitNormalization(asMatrix(gathered, trainRows.length, cols), 0, trainRows.length, specs);
    },
    apply(values, rows, cols, stats) {
      return applyNormalization(asMatrix(values, rows, cols), stats as NormalizationStats).values;
    },
  };
}

class Progress {
  private phaseName: Phase = 'loading';
  constructor(private readonly bridge: ProgressBridge) {}

  phase(phase: Phase, pct: number, message: string): void {
    this.phaseName = phase;
    this.bridge.update(pct, message, { context: { phase } });
  }

  get current(): Phase {
    return this.phaseName;
  }
}

export const trainingJob: Job = async ({ params, bridge, home, spec }) => {
  const progress = new Progress(bridge);
  const name = str(params.strategy_name);
  const yaml = str(params.strategy_yaml);
  if (!name || !yaml) throw new Error('training needs strategy_name and strategy_yaml');
  const startDate = str(params.start_date);
  const endDate = str(params.end_date);
  const start = parseDateBound(startDate, false);
  const end = parseDateBound(endDate, true);
  if (start === 'invalid' || end === 'invalid') throw new Error(`Invalid date range ${startDate} – ${endDate}`);

  progress.phase('loading', 0, 'Selecting the compute backend');
  const backend = await selectBackend();
  bridge.update(1, `Backend: ${backend.name}`, { context: { backend: backend.name, backend_versions: backend.versions, backend_skipped: backend.skipped } });

  const parsed = parseForTraining(yaml, name, { symbols: list(params.symbols), timeframes: list(params.timeframes) });
  if (!('strategy' in parsed)) throw new Error(`Strategy ${name} is not valid:\n  ${parsed.errors.join('\n  ')}`);
  const strategy = parsed.strategy;
  parsed.warnings.forEach((w) => bridge.warn(w));
  const { symbols, timeframes } = trainingSeries(strategy);
  const base = timeframes[0];
  // A resume (POST /operations/{id}/resume, or a scale-out takeover) names the checkpoint file.
  const resume = readResumeCheckpoint(params.resume_from, home, spec.operationId, name, yaml);

  // Loading: every symbol × timeframe from the bar store.
  const store = new BarStore(join(home, 'data'));
  const range = { ...(start !== null ? { start } : {}), ...(end !== null ? { end } : {}) };
  const bars: Record<string, Record<string, BarSeries>> = {};
  const hash = createHash('sha256');
  const seriesHashes: SeriesHash[] = [];
  const total = symbols.length * timeframes.length;
  let done = 0;
  for (const symbol of symbols) {
    bars[symbol] = {};
    for (const tf of timeframes) {
      bridge.throwIfCancelled();
      progress.phase('loading', 1 + (3 * done) / total, `Loading ${symbol} ${tf}`);
      const loaded = store.load(symbol, tf, range);
      if (loaded.bars.time.length === 0) throw new Error(`No ${symbol} ${tf} bars between ${startDate ?? 'the start'} and ${endDate ?? 'the end'}`);
      if (loaded.resampled) bridge.warn(`${symbol} ${tf} was resampled from ${loaded.sourceTimeframe} bars`);
      bars[symbol][tf] = loaded.bars;
      addSeriesToHash(hash, loaded.bars);
      seriesHashes.push(seriesHash(loaded.bars, symbol, tf));
      done++;
      await yieldToHost();
    }
  }

  const dataHash = hash.digest('hex');
  if (resume) {
    const changed = describeDataChange(resume.meta.data.series, seriesHashes);
    if (changed || resume.meta.data.sha256 !== dataHash) throw new Error(`The training data changed since the checkpoint: ${changed ?? 'the series differ'}; start a new training instead of resuming`);
  }

  // Features per symbol (each on its own base-timeframe clock), then labels from that symbol's own bars.
  const names = featureNames(strategy);
  const data: SymbolDataset[] = [];
  let horizon = 0;
  for (const [i, symbol] of symbols.entries()) {
    bridge.throwIfCancelled();
    progress.phase('features', 4 + (3 * i) / symbols.length, `Computing ${names.length} features for ${symbol}`);
    const m = buildFeatureMatrix(strategy, bars[symbol], { catalog: indicatorCatalog() });
    await yieldToHost();
    progress.phase('labels', 7 + (3 * i) / symbols.length, `Labelling ${symbol} (${strategy.training.labels.source})`);
    const lab = computeLabels(strategy.training.labels, bars[symbol][base]);
    if (lab.labels.length !== m.rows) throw new Error(`${symbol}: ${lab.labels.length} labels for ${m.rows} feature rows`);
    horizon = Math.max(horizon, lab.horizon);
    data.push({ symbol, rows: m.rows, values: m.values, labels: lab.labels, knownAt: lab.knownAt, time: m.time, valid: m.valid, horizon: lab.horizon });
    await yieldToHost();
  }

  const t = strategy.training;
  const registry = ModelRegistry.forHome(home);
  // Models live under the name the strategy is asked for by (its file stem, as KTRDR), which is what
  // backtests look up; the YAML's `name:` is a display name and may hold spaces.
  sweepTempDirs(registry, name);
  let batchesPerEpoch = 0;
  try {
    const out = await runTrainingPipeline(
      registry,
      {
        strategyName: name,
        strategyYaml: yaml,
        strategyVersion: strategy.version,
        symbols,
        timeframes,
        startDate,
        endDate,
        featureNames: names,
        model: strategy.model as unknown as Record<string, unknown>,
        training: { epochs: t.epochs, batch_size: t.batch_size, learning_rate: t.learning_rate, data_split: t.data_split, early_stopping: t.early_stopping, seed: t.seed, threads: t.threads, labels: t.labels as unknown as Record<string, unknown> },
        horizon,
        dataHash,
        data,
        normalizer: normalizerFor(strategy, names),
        operationId: spec.operationId,
        checkpoints: checkpointPlan(checkpointSettings(strategy, params.checkpoints), home, spec.operationId, bridge, { sha256: dataHash, series: seriesHashes }, resume),
      },
      backend,
      {
        phase: (phase, message) => {
          const pct = phase === 'training' ? 10 : phase === 'evaluating' ? 95 : phase === 'saving' ? 97 : 10;
          progress.phase(phase, pct, message);
        },
        onBatch: (epoch, batch, batches, epochs) => {
          batchesPerEpoch = batches;
          const overall = (epoch - 1) * batches + batch;
          const message = `Epoch ${epoch}/${epochs} · Batch ${batch}/${batches}`;
          bridge.update(10 + (85 * overall) / (epochs * batches), message, {
            epoch_index: epoch,
            total_epochs: epochs,
            steps_completed: overall,
            steps_total: epochs * batches,
            items_processed: overall,
            items_total: epochs * batches,
            current_item: message,
          });
        },
        onResume: (history, batches, epochs) => {
          // The finished epochs' metrics again, as first reported (the server kept those up to the checkpoint).
          batchesPerEpoch = batches;
          for (const record of history) bridge.appendMetric({ ...record, total_epochs: epochs, batches_per_epoch: batches });
          bridge.flush();
        },
        onEpoch: (record, epochs) => {
          bridge.appendMetric({ ...record, total_epochs: epochs, batches_per_epoch: batchesPerEpoch });
          bridge.update(10 + (85 * record.epoch) / epochs, `Epoch ${record.epoch}/${epochs} · loss ${record.train_loss.toFixed(4)} · val ${record.val_loss?.toFixed(4) ?? '-'}`, {
            epoch_index: record.epoch,
            total_epochs: epochs,
          });
          bridge.flush();
        },
        shouldStop: () => bridge.isCancelled(),
        yieldToHost,
        warn: (m) => bridge.warn(m),
      },
    );
    const results = trainingResultOf(out.results);
    // The model is saved: nothing is left to resume, so the checkpoints go (as KTRDR's do on completion).
    deleteCheckpoints(home, spec.operationId);
    bridge.update(100, `Saved ${results.model_path}`, { context: { phase: 'saving', model_path: results.model_path, checkpoint_path: null } });
    // The summary carries the result's null reasons, so readers of result_summary (the Operations
    // list's key metrics) can say why a number is missing.
    const tm = (out.summary.training_metrics ?? {}) as Record<string, unknown>;
    return { results, summary: { ...out.summary, training_metrics: { ...tm, null_reasons: results.training_metrics.null_reasons }, null_reasons: results.null_reasons } };
  } catch (err) {
    if (err instanceof TrainingCancelledError || bridge.isCancelled()) throw new JobCancelledError(err instanceof TrainingCancelledError ? err.message : `Training cancelled; no model version was saved`);
    throw err;
  }
};

/**
 * The pipeline's results as the result contract (src/shared/results/training.ts): the version, and
 * for every null the reason (an empty validation split, no test split). A result that does not
 * match its schema fails the job here, naming the field.
 */
export function trainingResultOf(results: Record<string, unknown>): TrainingResult {
  const tm = (results.training_metrics ?? {}) as Record<string, unknown>;
  const tmReasons: Record<string, string> = {};
  for (const [k, v] of Object.entries(tm)) if (v === null) tmReasons[k] = 'the validation split is empty: no validation metrics';
  const reasons: Record<string, string> = {};
  if (results.test_metrics === null) reasons.test_metrics = 'no test split (data_split.test = 0): backtest later dates to judge the model';
  if (results.beats_baseline === null) reasons.beats_baseline = 'no test split: the verdict is the test split’s';
  return validateTrainingResult({ ...results, schema_version: TRAINING_RESULT_VERSION, training_metrics: { ...tm, null_reasons: tmReasons }, null_reasons: reasons });
}
