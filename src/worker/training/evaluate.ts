// Test-set evaluation as a pure function of (labels, predicted probabilities): accuracy, unweighted
// cross-entropy, per-class and weighted precision/recall/F1 (sklearn's definitions, zero_division=0),
// and the confusion matrix (rows = true class, columns = predicted class).
import { CLASS_NAMES } from './model';

export interface ClassMetrics {
  precision: number;
  recall: number;
  f1_score: number;
  support: number;
}

export interface EvaluationMetrics {
  test_accuracy: number;
  test_loss: number;
  /** Support-weighted averages (KTRDR reports these as precision/recall/f1_score). */
  precision: number;
  recall: number;
  f1_score: number;
  macro_f1: number;
  per_class: Record<string, ClassMetrics>;
  confusion_matrix: number[][];
  samples: number;
}

const EPS = 1e-7;

/** `probs` is row-major samples × numClasses. */
export function evaluatePredictions(labels: ArrayLike<number>, probs: Float32Array | number[], numClasses = 3): EvaluationMetrics {
  const n = labels.length;
  if (probs.length !== n * numClasses) throw new Error(`expected ${n * numClasses} probabilities, got ${probs.length}`);
  const cm = Array.from({ length: numClasses }, () => new Array<number>(numClasses).fill(0));
  let lossSum = 0;
  let correct = 0;
  for (let i = 0; i < n; i++) {
    const y = labels[i];
    let pred = 0;
    for (let c = 1; c < numClasses; c++) if (probs[i * numClasses + c] > probs[i * numClasses + pred]) pred = c;
    cm[y][pred]++;
    if (pred === y) correct++;
    lossSum -= Math.log(Math.min(1, Math.max(EPS, probs[i * numClasses + y])));
  }
  const perClass: Record<string, ClassMetrics> = {};
  let wp = 0;
  let wr = 0;
  let wf = 0;
  let macroF = 0;
  for (let c = 0; c < numClasses; c++) {
    const tp = cm[c][c];
    let predicted = 0;
    let support = 0;
    for (let k = 0; k < numClasses; k++) {
      predicted += cm[k][c];
      support += cm[c][k];
    }
    const precision = predicted > 0 ? tp / predicted : 0;
    const recall = support > 0 ? tp / support : 0;
    const f1 = precision + recall > 0 ? (2 * precision * recall) / (precision + recall) : 0;
    perClass[CLASS_NAMES[c] ?? String(c)] = { precision, recall, f1_score: f1, support };
    wp += precision * support;
    wr += recall * support;
    wf += f1 * support;
    macroF += f1 / numClasses;
  }
  return {
    test_accuracy: n > 0 ? correct / n : 0,
    test_loss: n > 0 ? lossSum / n : 0,
    precision: n > 0 ? wp / n : 0,
    recall: n > 0 ? wr / n : 0,
    f1_score: n > 0 ? wf / n : 0,
    macro_f1: macroF,
    per_class: perClass,
    confusion_matrix: cm,
    samples: n,
  };
}

/** Predicted class per row (argmax; ties go to the lower index, as evaluatePredictions does). */
export function argmaxClasses(probs: Float32Array | number[], n: number, numClasses = 3): Uint8Array {
  if (probs.length !== n * numClasses) throw new Error(`expected ${n * numClasses} probabilities, got ${probs.length}`);
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    let pred = 0;
    for (let c = 1; c < numClasses; c++) if (probs[i * numClasses + c] > probs[i * numClasses + pred]) pred = c;
    out[i] = pred;
  }
  return out;
}

/** Accuracy of always answering the most frequent class of `reference` on `labels` (the baseline to beat). */
export function majorityBaseline(reference: ArrayLike<number>, labels: ArrayLike<number>, numClasses = 3): { majority_class: number; accuracy: number } {
  const counts = new Array<number>(numClasses).fill(0);
  for (let i = 0; i < reference.length; i++) counts[reference[i]]++;
  let majority = 0;
  for (let c = 1; c < numClasses; c++) if (counts[c] > counts[majority]) majority = c;
  let hits = 0;
  for (let i = 0; i < labels.length; i++) if (labels[i] === majority) hits++;
  return { majority_class: majority, accuracy: labels.length > 0 ? hits / labels.length : 0 };
}
