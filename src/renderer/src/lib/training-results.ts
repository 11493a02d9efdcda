// Reading a training operation's results: the result contract (src/shared/results/training.ts) for
// the final numbers, epoch records for the curves.
import { describeBaseline, describeBaselineScores } from '../../../shared/evaluation-text';
import type { MetricRecord } from '../../../shared/operations';
import type { TrainingResult } from '../../../shared/results/training';

export interface EpochSeries {
  epoch: number[];
  trainLoss: (number | null)[];
  valLoss: (number | null)[];
  trainAcc: (number | null)[];
  valAcc: (number | null)[];
}

const n = (v: unknown) => (typeof v === 'number' && Number.isFinite(v) ? v : null);

/** Epoch records → chart columns (epochs numbered from 1; a record without `epoch` counts in order). */
export function epochSeries(records: MetricRecord[]): EpochSeries {
  const s: EpochSeries = { epoch: [], trainLoss: [], valLoss: [], trainAcc: [], valAcc: [] };
  records.forEach((r, i) => {
    s.epoch.push(n(r.epoch) ?? i + 1);
    s.trainLoss.push(n(r.train_loss));
    s.valLoss.push(n(r.val_loss));
    s.trainAcc.push(n(r.train_accuracy));
    s.valAcc.push(n(r.val_accuracy));
  });
  return s;
}

export interface BaselineVerdict {
  split: 'validation' | 'test';
  text: string;
  /** Balanced accuracy and macro-F1 beside the constant's, when recorded. */
  scores: string | null;
  beats: boolean;
  /** The model's accuracy is below the constant's on this split. */
  worse: boolean;
}

/** The model against the best constant predictor on each evaluated split (results.baseline), in words. */
export function baselineVerdicts(results: Pick<TrainingResult, 'baseline'> | null): BaselineVerdict[] {
  if (!results) return [];
  const out: BaselineVerdict[] = [];
  for (const split of ['validation', 'test'] as const) {
    const v = results.baseline[split];
    if (v) out.push({ split, text: describeBaseline(split, v), scores: describeBaselineScores(v), beats: v.beats, worse: v.model_accuracy < v.best_constant_accuracy });
  }
  return out;
}
