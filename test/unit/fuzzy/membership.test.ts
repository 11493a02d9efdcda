import { describe, expect, it } from 'vitest';
import { evaluateMembership, MEMBERSHIPS, membershipType } from '../../../src/core/fuzzy/membership';
import { fuzzify } from '../../../src/core/fuzzy/fuzzify';

const at = (type: Parameters<typeof evaluateMembership>[0], p: number[], xs: number[]) => Array.from(evaluateMembership(type, p, Float64Array.from(xs)));

describe('membership functions (KTRDR scalar semantics)', () => {
  it('triangular matches KTRDR golden values', () => {
    const got = at('triangular', [0, 20, 35], [10, 20, 25, 30, 35]);
    expect(got.map((v) => +v.toFixed(4))).toEqual([0.5, 1, 0.6667, 0.3333, 0]);
  });

  it('triangular with b == c is 1 at the peak and 0 beyond (no saturating shoulder)', () => {
    const got = at('triangular', [70, 100, 100], [80, 90, 100, 105]);
    expect(got.map((v) => +v.toFixed(4))).toEqual([0.3333, 0.6667, 1, 0]);
  });

  it('triangular with a == b is 1 only at the peak, 0 below it', () => {
    expect(at('triangular', [0, 0, 30], [-5, 0, 15, 30])).toEqual([0, 1, 0.5, 0]);
  });

  it('degenerate triangle a == b == c is a spike', () => {
    expect(at('triangular', [5, 5, 5], [4.9, 5, 5.1])).toEqual([0, 1, 0]);
  });

  it('trapezoidal: plateau is 1, outer edges are 0 (x ≤ a or x ≥ d wins)', () => {
    expect(at('trapezoidal', [20, 30, 50, 60], [25, 30, 50, 60])).toEqual([0.5, 1, 1, 0]);
    expect(at('trapezoidal', [0, 0, 10, 20], [0, 5, 15])).toEqual([0, 1, 0.5]);
    expect(at('trapezoidal', [0, 10, 20, 20], [10, 20])).toEqual([1, 0]);
  });

  it('gaussian matches KTRDR golden values', () => {
    const got = at('gaussian', [50, 10], [40, 60, 80]);
    expect(got[0]).toBeCloseTo(0.6065306597, 9);
    expect(got[1]).toBeCloseTo(0.6065306597, 9);
    expect(got[2]).toBeCloseTo(0.0111089965, 9);
  });

  it('shoulders saturate beyond their ramp', () => {
    expect(at('left_shoulder', [20, 40], [-100, 20, 30, 40, 100])).toEqual([1, 1, 0.5, 0, 0]);
    expect(at('right_shoulder', [60, 80], [0, 60, 70, 80, 1000])).toEqual([0, 0, 0.5, 1, 1]);
    // a == b: a step
    expect(at('right_shoulder', [0, 0], [-1, 0, 1])).toEqual([0, 1, 1]);
    expect(at('left_shoulder', [0, 0], [-1, 0, 1])).toEqual([1, 1, 0]);
  });

  it('NaN in gives NaN out for every type', () => {
    for (const [type, info] of Object.entries(MEMBERSHIPS)) {
      const params = type === 'gaussian' ? [0, 1] : Array.from({ length: info.count }, (_, i) => i);
      const got = at(type as keyof typeof MEMBERSHIPS, params, [NaN, 0.5]);
      expect(Number.isNaN(got[0])).toBe(true);
      expect(Number.isNaN(got[1])).toBe(false);
    }
  });

  it('parameter checks and aliases', () => {
    expect(MEMBERSHIPS.triangular.check([3, 2, 1])).toMatch(/a ≤ b ≤ c/);
    expect(MEMBERSHIPS.triangular.check([1, 2, 3])).toBeNull();
    expect(MEMBERSHIPS.gaussian.check([0, 0])).toMatch(/sigma/);
    expect(membershipType('TriangularMF')).toBe('triangular');
    expect(membershipType('trapezoid')).toBe('trapezoidal');
    expect(membershipType('sigmoid')).toBeUndefined();
  });

  it('fuzzify keeps membership order and does not normalise across memberships', () => {
    const out = fuzzify(
      {
        id: 'rsi',
        indicator: 'rsi_14',
        indicator_id: 'rsi_14',
        output: 'value',
        memberships: [
          { name: 'low', type: 'triangular', parameters: [0, 25, 50] },
          { name: 'mid', type: 'triangular', parameters: [0, 50, 100] },
        ],
      },
      Float64Array.from([25]),
    );
    expect(out.map((m) => m.name)).toEqual(['low', 'mid']);
    expect(out[0].values[0] + out[1].values[0]).toBeCloseTo(1.5, 12);
  });
});
