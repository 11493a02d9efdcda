import { describe, expect, it } from 'vitest';
import { normaliseRatios, splitWithEmbargo } from '../../../src/worker/training/split';

describe('splitWithEmbargo', () => {
  const r = normaliseRatios({ train: 0.7, validation: 0.15, test: 0.15 });

  it('splits chronologically at int(N·0.7) and int(N·0.85) with no embargo', () => {
    const s = splitWithEmbargo(20, r, 0, () => true);
    expect(s.train).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13]);
    expect(s.validation).toEqual([14, 15, 16]);
    expect(s.test).toEqual([17, 18, 19]);
  });

  it('drops `horizon` rows before each boundary so no label window crosses a split', () => {
    const horizon = 2;
    const s = splitWithEmbargo(20, r, horizon, () => true, 100);
    expect(s.train).toEqual([100, 101, 102, 103, 104, 105, 106, 107, 108, 109, 110, 111]);
    expect(s.validation).toEqual([114]);
    expect(s.test).toEqual([117, 118, 119]);
    // every train label window [i, i+horizon] ends before the first validation row
    for (const i of s.train) expect(i + horizon).toBeLessThan(114);
    for (const i of s.validation) expect(i + horizon).toBeLessThan(117);
  });

  it('skips unusable rows without moving the boundaries', () => {
    const s = splitWithEmbargo(10, normaliseRatios({ train: 0.5, validation: 0.3, test: 0.2 }), 0, (i) => i % 2 === 0);
    expect(s).toEqual({ train: [0, 2, 4], validation: [6], test: [8] });
  });

  it('fills the test share with the remainder and rejects nonsense ratios', () => {
    expect(normaliseRatios({ train: 0.8, validation: 0.1 }).test).toBeCloseTo(0.1, 12);
    expect(() => normaliseRatios({ train: 0, validation: 0.5 })).toThrow(/Invalid data_split/);
  });
});
