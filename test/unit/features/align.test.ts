import { describe, expect, it } from 'vitest';
import { alignToBase } from '../../../src/core/features/align';

const H = 3_600_000;

describe('alignToBase (no look-ahead)', () => {
  it('a 4h bar [08:00, 12:00) is first visible on the 1h row opening 11:00 (which decides at 12:00)', () => {
    const base = Float64Array.from([7, 8, 9, 10, 11, 12, 13, 14, 15].map((h) => h * H));
    const four = Float64Array.from([4, 8, 12].map((h) => h * H));
    // rows 07..10 still see the 04:00 bar (closed at 08:00); 11..14 see 08:00; 15 sees 12:00
    expect(Array.from(alignToBase(base, H, four, 4 * H))).toEqual([0, 0, 0, 0, 1, 1, 1, 1, 2]);
  });

  it('rows before the first higher bar closes get -1 (undefined, never a guess)', () => {
    const base = Float64Array.from([0, 1, 2, 3, 4].map((h) => h * H));
    const day = Float64Array.from([0]);
    expect(Array.from(alignToBase(base, H, day, 24 * H))).toEqual([-1, -1, -1, -1, -1]);
  });

  it('gaps: a missing higher bar leaves the last closed one in place', () => {
    const base = Float64Array.from([3, 7, 11, 23, 27].map((h) => h * H));
    const four = Float64Array.from([0, 4, 20, 24].map((h) => h * H)); // 08:00-20:00 missing
    expect(Array.from(alignToBase(base, H, four, 4 * H))).toEqual([0, 1, 1, 2, 3]);
  });

  it('the same timeframe maps each row to itself', () => {
    const t = Float64Array.from([0, 1, 2].map((h) => h * H));
    expect(Array.from(alignToBase(t, H, t, H))).toEqual([0, 1, 2]);
  });
});
