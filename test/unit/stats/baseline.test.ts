import { describe, expect, it } from 'vitest';
import { constantBaseline } from '../../../src/core/stats/baseline';
import { mulberry32 } from '../../../src/core/random';
import { describeBaseline } from '../../../src/shared/evaluation-text';

const NAMES = ['BUY', 'HOLD', 'SELL'] as const;
const B = 0;
const H = 1;
const S = 2;

describe('constantBaseline', () => {
  it('a hand-worked split: constant, accuracies, balanced accuracy, macro-F1, McNemar p', () => {
    // 10 labels: 7 SELL, 3 BUY. Best constant: SELL, 7/10.
    // Model: right on 2 of the 3 BUYs and on 5 of the 7 SELLs (the 2 others it calls BUY) → 7/10.
    const labels = [B, B, B, S, S, S, S, S, S, S];
    const preds = [B, B, S, S, S, S, S, S, B, B];
    const r = constantBaseline(labels, preds, NAMES);
    expect(r.best_constant_class).toBe('SELL');
    expect(r.best_constant_accuracy).toBeCloseTo(0.7, 14);
    expect(r.model_accuracy).toBeCloseTo(0.7, 14);
    // Recalls: BUY 2/3, SELL 5/7 → balanced = (2/3 + 5/7)/2 = 29/42.
    expect(r.balanced_accuracy).toBeCloseTo(29 / 42, 14);
    // BUY: precision 2/4, recall 2/3 → F1 = 2·(1/2·2/3)/(1/2+2/3) = 4/7. SELL: precision 5/6, recall 5/7 → F1 = 10/13.
    // HOLD is neither a label nor a prediction, so it does not count: macro = (4/7 + 10/13)/2.
    expect(r.macro_f1).toBeCloseTo((4 / 7 + 10 / 13) / 2, 14);
    // Always-SELL: recalls SELL 1, BUY 0 → balanced 1/2; SELL precision 7/10, recall 1 → F1 = 1.4/1.7 = 14/17; BUY F1 0 → macro 7/17.
    expect(r.best_constant_balanced_accuracy).toBeCloseTo(0.5, 14);
    expect(r.best_constant_macro_f1).toBeCloseTo(7 / 17, 14);
    // Discordant pairs: model right where constant wrong = the 2 BUYs it got; constant right where model wrong = 2 SELLs.
    // p = P(X ≥ 2 | Bin(4, ½)) = (6 + 4 + 1)/16 = 11/16.
    expect(r.model_only_correct).toBe(2);
    expect(r.constant_only_correct).toBe(2);
    expect(r.p_value).toBeCloseTo(11 / 16, 14);
    expect(r.beats).toBe(false);
    expect(describeBaseline('test', r)).toBe('test: 70.00% vs always-SELL 70.00% → no better than a constant (p = 0.687)');
  });

  it('a clearly better model beats the constant with a hand-computed p', () => {
    // 20 labels: 12 HOLD, 8 BUY. Model right on all 8 BUY and 11 HOLD, one HOLD called BUY: 19/20 vs 12/20.
    // b = 8 (BUYs), c = 1 → p = P(X ≥ 8 | Bin(9, ½)) = (9 + 1)/512 = 10/512.
    const labels = [...Array(12).fill(H), ...Array(8).fill(B)];
    const preds = [B, ...Array(11).fill(H), ...Array(8).fill(B)];
    const r = constantBaseline(labels, preds, NAMES);
    expect(r.best_constant_class).toBe('HOLD');
    expect(r.p_value).toBeCloseTo(10 / 512, 14);
    expect(r.beats).toBe(true);
    expect(describeBaseline('validation', r)).toBe('validation: 95.00% vs always-HOLD 60.00% → beats the best constant (p = 0.020)');
  });

  it('the issue’s case: 47 % against an always-SELL split of 70 % is worse than a constant', () => {
    const labels = [...Array(70).fill(S), ...Array(30).fill(B)];
    // 47 right: 30 SELL + 17 BUY.
    const preds = [...Array(30).fill(S), ...Array(40).fill(B), ...Array(17).fill(B), ...Array(13).fill(S)];
    const r = constantBaseline(labels, preds, NAMES);
    expect(r.model_accuracy).toBeCloseTo(0.47, 14);
    expect(r.best_constant_class).toBe('SELL');
    expect(r.beats).toBe(false);
    expect(r.p_value).toBeGreaterThan(0.99);
    expect(describeBaseline('test', r)).toMatch(/^test: 47\.00% vs always-SELL 70\.00% → worse than a constant \(p = 0\.999\)$/);
  });

  it('property: beats is false whenever model accuracy ≤ the best constant’s', () => {
    const rnd = mulberry32(7);
    let checked = 0;
    for (let trial = 0; trial < 400; trial++) {
      const n = 1 + Math.floor(rnd() * 60);
      const skew = rnd();
      const labels = Array.from({ length: n }, () => (rnd() < skew ? S : Math.floor(rnd() * 3)));
      // Predictions that are often right (to reach the boundary) or random.
      const preds = labels.map((y) => (rnd() < rnd() ? y : Math.floor(rnd() * 3)));
      const r = constantBaseline(labels, preds, NAMES);
      if (r.model_accuracy <= r.best_constant_accuracy) {
        expect(r.beats).toBe(false);
        checked++;
      }
      // The constant is the best one: no class answered always scores higher.
      for (let c = 0; c < 3; c++) expect(labels.filter((y) => y === c).length / n).toBeLessThanOrEqual(r.best_constant_accuracy + 1e-12);
    }
    expect(checked).toBeGreaterThan(50);
  });

  it('an empty split judges nothing', () => {
    const r = constantBaseline([], [], NAMES);
    expect(r.samples).toBe(0);
    expect(r.beats).toBe(false);
    expect(r.p_value).toBe(1);
  });
});
