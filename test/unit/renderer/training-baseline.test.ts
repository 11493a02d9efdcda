import { describe, expect, it } from 'vitest';
import { baselineLines } from '../../../src/cli/commands/train';
import { baselineTone } from '../../../src/renderer/src/lib/split-report';
import { baselineVerdicts } from '../../../src/renderer/src/lib/training-results';
import { trainingResultFixture } from '../../helpers/results';

const results = trainingResultFixture();

describe('baseline verdicts in plain words', () => {
  it('UI: one line per evaluated split, numbers as the catalogue writes them', () => {
    expect(baselineVerdicts(results)).toEqual([
      { split: 'validation', text: 'validation: 52.00% vs always-SELL 50.00% → not significantly better than a constant (p = 0.310)', scores: 'balanced accuracy 40.00% (constant 50.00%) · macro-F1 30.00% (constant 27.44%)', beats: false, worse: false },
      { split: 'test', text: 'test: 47.00% vs always-SELL 69.80% → worse than a constant (p = 0.930)', scores: 'balanced accuracy 40.00% (constant 50.00%) · macro-F1 30.00% (constant 27.44%)', beats: false, worse: true },
    ]);
    // The box is red: the test split loses to the constant (issue 27: it was green on beats_baseline alone).
    expect(baselineTone(baselineVerdicts(results))).toBe('bad');
  });
  it('CLI: the same sentences and the verdict', () => {
    const lines = baselineLines(results);
    expect(lines[2]).toContain('test: 47.00% vs always-SELL 69.80% → worse than a constant (p = 0.930)');
    expect(lines[3].trim()).toBe('balanced accuracy 40.00% (constant 50.00%) · macro-F1 30.00% (constant 27.44%)');
    expect(lines[4]).toMatch(/does NOT beat a constant/);
    // No test split: no test line and no verdict.
    expect(baselineLines({ baseline: { validation: null, test: null }, beats_baseline: null })).toEqual([]);
  });
});
