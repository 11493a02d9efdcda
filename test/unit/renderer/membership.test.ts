import { describe, expect, it } from 'vitest';
import { evaluateMembership } from '../../../src/core/fuzzy/membership';
import { membershipAt } from '../../../src/common/fuzzy';
import { plotRange } from '../../../src/renderer/src/lib/membership';

describe('renderer membership curves', () => {
  it('match the core membership functions point by point', () => {
    const xs = Float64Array.from({ length: 241 }, (_, i) => -10 + i * 0.5);
    const cases: [string, number[]][] = [
      ['triangular', [0, 25, 40]],
      ['triangular', [70, 100, 100]],
      ['trapezoidal', [0, 0, 10, 20]],
      ['trapezoidal', [10, 20, 30, 50]],
      ['gaussian', [50, 10]],
      ['left_shoulder', [20, 40]],
      ['right_shoulder', [60, 80]],
    ];
    for (const [type, p] of cases) {
      const core = evaluateMembership(type as never, p, xs);
      xs.forEach((x, i) => expect(membershipAt(type, p, x), `${type} ${p} at ${x}`).toBeCloseTo(core[i], 12));
    }
  });
  it('plots over the observed range widened to the parameters', () => {
    const [lo, hi] = plotRange([30, 55, null, 70], [[0, 25, 40]]);
    expect(lo).toBeLessThan(0);
    expect(hi).toBeGreaterThan(70);
  });
});
