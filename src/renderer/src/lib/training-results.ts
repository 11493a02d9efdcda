// Reading a training operation's results (KTRDR shape, DESIGN.md §4 / reference §4.3).
import { describeBaseline, describeBaselineScores, isBaselineLike } from '../../../shared/evaluation-text';
import type { MetricRecord } from '../../../shared/operations';

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => !!v && typeof v === 'object' && !Array.isArray(v);

function isMatrix(v: unknown): v is number[][] {
  return Array.isArray(v) && v.length > 0 && v.every((r) => Array.isArray(r) && r.every((x) => typeof x === 'number'));
}

/** The confusion matrix wherever the results keep it (top level, test_metrics, evaluation…). */
export function findConfusionMatrix(results: Obj | null): number[][] | null {
  if (!results) return null;
  const queue: unknown[] = [results];
  for (let depth = 0; depth < 3 && queue.length; depth++) {
    for (const node of queue.splice(0)) {
      if (!isObj(node)) continue;
      for (const [k, v] of Object.entries(node)) {
        if (/confusion/i.test(k) && isMatrix(v)) return v;
        if (/confusion/i.test(k) && isObj(v) && isMatrix(v.matrix)) return v.matrix;
        if (isObj(v)) queue.push(v);
      }
    }
  }
  return null;
}

export function testMetrics(results: Obj | null): Obj | null {
  if (!results) return null;
  const t = results.test_metrics ?? (isObj(results.evaluation) ? results.evaluation.test_metrics : undefined);
  if (!isObj(t)) return null;
  const out: Obj = {};
  for (const [k, v] of Object.entries(t)) if (!isMatrix(v) && !isObj(v)) out[k] = v;
  return out;
}

export function modelPath(results: Obj | null): string | null {
  if (!results) return null;
  const p = results.model_path ?? (isObj(results.artifacts) ? results.artifacts.model_path : undefined);
  return typeof p === 'string' ? p : null;
}

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
}

/** The model against the best constant predictor on each evaluated split (results.baseline), in words. */
export function baselineVerdicts(results: Obj | null): BaselineVerdict[] {
  const b = results && isObj(results.baseline) ? results.baseline : null;
  if (!b) return [];
  const out: BaselineVerdict[] = [];
  for (const split of ['validation', 'test'] as const) {
    const v = b[split];
    if (isBaselineLike(v)) out.push({ split, text: describeBaseline(split, v), scores: describeBaselineScores(v), beats: v.beats });
  }
  return out;
}
