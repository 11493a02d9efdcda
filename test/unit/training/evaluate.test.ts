import { describe, expect, it } from 'vitest';
import { evaluatePredictions, majorityBaseline } from '../../../src/worker/training/evaluate';

describe('evaluatePredictions', () => {
  // true:      0    0    1    1    2    2
  // predicted: 0    1    1    1    2    0
  const labels = [0, 0, 1, 1, 2, 2];
  const probs = [0.7, 0.2, 0.1, 0.3, 0.6, 0.1, 0.1, 0.8, 0.1, 0.2, 0.5, 0.3, 0.1, 0.1, 0.8, 0.5, 0.2, 0.3];
  const m = evaluatePredictions(labels, probs);

  it('builds the confusion matrix with rows = true class', () => {
    expect(m.confusion_matrix).toEqual([
      [1, 1, 0],
      [0, 2, 0],
      [1, 0, 1],
    ]);
  });

  it('computes accuracy and the unweighted cross-entropy', () => {
    expect(m.test_accuracy).toBeCloseTo(4 / 6, 12);
    const expected = -(Math.log(0.7) + Math.log(0.3) + Math.log(0.8) + Math.log(0.5) + Math.log(0.8) + Math.log(0.3)) / 6;
    expect(m.test_loss).toBeCloseTo(expected, 6);
    expect(m.test_loss).toBeCloseTo(0.650675, 5);
  });

  it('computes per-class precision/recall/F1 by hand', () => {
    expect(m.per_class.BUY).toEqual({ precision: 0.5, recall: 0.5, f1_score: 0.5, support: 2 });
    expect(m.per_class.HOLD.precision).toBeCloseTo(2 / 3, 12);
    expect(m.per_class.HOLD.recall).toBe(1);
    expect(m.per_class.HOLD.f1_score).toBeCloseTo(0.8, 12);
    expect(m.per_class.SELL.precision).toBe(1);
    expect(m.per_class.SELL.recall).toBe(0.5);
    expect(m.per_class.SELL.f1_score).toBeCloseTo(2 / 3, 12);
  });

  it('computes support-weighted averages (sklearn average="weighted")', () => {
    expect(m.precision).toBeCloseTo((0.5 + 2 / 3 + 1) / 3, 12);
    expect(m.recall).toBeCloseTo((0.5 + 1 + 0.5) / 3, 12);
    expect(m.f1_score).toBeCloseTo((0.5 + 0.8 + 2 / 3) / 3, 12);
  });

  it('gives 0 (not NaN) for a class never predicted (zero_division=0)', () => {
    const r = evaluatePredictions([0, 2], [0.9, 0.05, 0.05, 0.9, 0.05, 0.05]);
    expect(r.per_class.SELL).toEqual({ precision: 0, recall: 0, f1_score: 0, support: 1 });
    expect(r.per_class.HOLD).toEqual({ precision: 0, recall: 0, f1_score: 0, support: 0 });
    expect(r.precision).toBeCloseTo(0.25, 12);
  });

  it('rejects probabilities of the wrong length', () => {
    expect(() => evaluatePredictions([0, 1], [1, 0, 0])).toThrow(/expected 6/);
  });
});

describe('majorityBaseline', () => {
  it('uses the reference split’s majority class and scores it on the target split', () => {
    expect(majorityBaseline([1, 1, 1, 0, 2], [1, 0, 1, 1])).toEqual({ majority_class: 1, accuracy: 0.75 });
  });
});
