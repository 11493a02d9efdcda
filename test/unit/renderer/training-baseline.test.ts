import { describe, expect, it } from 'vitest';
import { baselineLines } from '../../../src/cli/commands/train';
import { baselineVerdicts } from '../../../src/renderer/src/lib/training-results';

const results = {
  baseline: {
    validation: null,
    test: { best_constant_class: 'SELL', best_constant_accuracy: 0.698, model_accuracy: 0.47, balanced_accuracy: 0.4, macro_f1: 0.3, p_value: 0.93, beats: false },
  },
  beats_baseline: false,
};

describe('baseline verdicts in plain words', () => {
  it('UI: one line per evaluated split', () => {
    expect(baselineVerdicts(results)).toEqual([
      { split: 'test', text: 'test: 47.0 % vs always-SELL 69.8 % → worse than a constant (p = 0.93)', scores: 'balanced accuracy 40.0 % · macro-F1 0.300', beats: false },
    ]);
    expect(baselineVerdicts({})).toEqual([]);
  });
  it('CLI: the same sentence and the verdict', () => {
    const lines = baselineLines(results);
    expect(lines[0]).toContain('test: 47.0 % vs always-SELL 69.8 % → worse than a constant (p = 0.93)');
    expect(lines[1].trim()).toBe('balanced accuracy 40.0 % · macro-F1 0.300');
    expect(lines[2]).toMatch(/does NOT beat a constant/);
    const withConstant = { ...results, baseline: { test: { ...results.baseline.test, best_constant_balanced_accuracy: 0.5, best_constant_macro_f1: 0.2744 } } };
    expect(baselineLines(withConstant)[1].trim()).toBe('balanced accuracy 40.0 % (constant 50.0 %) · macro-F1 0.300 (constant 0.274)');
    // Old results (before the per-split baseline) print nothing misleading.
    expect(baselineLines({ baseline: { majority_class: 'BUY', majority_accuracy: 0, beats_baseline: true } })).toEqual([]);
  });
});
