// A classifier judged against the best constant predictor ON THE SAME SPLIT: the class that, answered
// for every sample, scores best there (chosen in hindsight, which favours the constant: a model that
// beats it beats every constant). The model must be more accurate AND the exact one-sided McNemar test
// on the paired correctness (model vs constant, sample by sample) must give p < alpha.
import { mcnemarExactGreater } from './mcnemar';

export interface SplitBaseline {
  best_constant_class: string;
  best_constant_accuracy: number;
  model_accuracy: number;
  /** Mean recall over the classes present in the labels (sklearn's balanced_accuracy_score). */
  balanced_accuracy: number;
  /** Mean F1 over the classes present in labels or predictions (sklearn's default f1_score average='macro'). */
  macro_f1: number;
  /** The constant's own balanced accuracy (1 / classes present) and macro-F1, for the same comparison. */
  best_constant_balanced_accuracy: number;
  best_constant_macro_f1: number;
  /** Exact one-sided McNemar p-value for "the model is more accurate than the constant". */
  p_value: number;
  /** Model accuracy > constant accuracy and p_value < alpha. */
  beats: boolean;
  samples: number;
  /** Discordant pairs: model right & constant wrong, model wrong & constant right. */
  model_only_correct: number;
  constant_only_correct: number;
}

export const BASELINE_ALPHA = 0.05;

/** `labels` and `predictions` are class indices 0..classNames.length−1. */
export function constantBaseline(labels: ArrayLike<number>, predictions: ArrayLike<number>, classNames: readonly string[], alpha = BASELINE_ALPHA): SplitBaseline {
  const n = labels.length;
  const k = classNames.length;
  if (predictions.length !== n) throw new Error(`${predictions.length} predictions for ${n} labels`);
  const cm = Array.from({ length: k }, () => new Array<number>(k).fill(0));
  for (let i = 0; i < n; i++) cm[labels[i]][predictions[i]]++;
  const support = cm.map((row) => row.reduce((a, b) => a + b, 0));
  const predicted = cm[0].map((_, c) => cm.reduce((a, row) => a + row[c], 0));
  // Ties between constants go to the lower class index (deterministic).
  let best = 0;
  for (let c = 1; c < k; c++) if (support[c] > support[best]) best = c;
  let correct = 0;
  for (let c = 0; c < k; c++) correct += cm[c][c];

  let recallSum = 0;
  let present = 0;
  let f1Sum = 0;
  let f1Classes = 0;
  for (let c = 0; c < k; c++) {
    const tp = cm[c][c];
    if (support[c] > 0) {
      recallSum += tp / support[c];
      present++;
    }
    if (support[c] > 0 || predicted[c] > 0) {
      const precision = predicted[c] > 0 ? tp / predicted[c] : 0;
      const recall = support[c] > 0 ? tp / support[c] : 0;
      f1Sum += precision + recall > 0 ? (2 * precision * recall) / (precision + recall) : 0;
      f1Classes++;
    }
  }
  // Paired correctness against "always `best`": the model alone is right on its correct answers to
  // other classes; the constant alone on the `best` samples the model got wrong.
  const modelOnly = correct - cm[best][best];
  const constantOnly = support[best] - cm[best][best];
  const test = mcnemarExactGreater(modelOnly, constantOnly);
  const modelAccuracy = n > 0 ? correct / n : 0;
  const constantAccuracy = n > 0 ? support[best] / n : 0;
  // Always `best`: recall 1 on it and 0 elsewhere; precision = its share; F1 0 for the other present classes.
  const constantF1 = constantAccuracy > 0 ? (2 * constantAccuracy) / (1 + constantAccuracy) : 0;
  return {
    best_constant_class: classNames[best],
    best_constant_accuracy: constantAccuracy,
    model_accuracy: modelAccuracy,
    balanced_accuracy: present > 0 ? recallSum / present : 0,
    macro_f1: f1Classes > 0 ? f1Sum / f1Classes : 0,
    best_constant_balanced_accuracy: present > 0 ? 1 / present : 0,
    best_constant_macro_f1: present > 0 ? constantF1 / present : 0,
    p_value: test.p_value,
    beats: n > 0 && correct > support[best] && test.p_value < alpha,
    samples: n,
    model_only_correct: modelOnly,
    constant_only_correct: constantOnly,
  };
}
