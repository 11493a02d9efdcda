import { describe, expect, it } from 'vitest';
import { downsampleIndices } from '../../../src/core/backtest/downsample';

describe('downsampleIndices', () => {
  it('keeps everything when the series is short enough', () => {
    expect(downsampleIndices([1, 2, 3], [0, 0, 0], 10)).toEqual([0, 1, 2]);
  });

  it('keeps the ends, the global extremes and the deepest drawdown within the budget', () => {
    const n = 10_000;
    const values = Array.from({ length: n }, (_, i) => 100 + Math.sin(i / 50) * 10 + (i === 7777 ? 50 : 0) - (i === 4242 ? 60 : 0));
    let peak = -Infinity;
    const dd = values.map((v) => ((peak = Math.max(peak, v)), (peak - v) / peak));
    const keep = downsampleIndices(values, dd, 500);
    expect(keep.length).toBeLessThanOrEqual(500);
    expect(keep.length).toBeGreaterThan(300);
    expect(keep[0]).toBe(0);
    expect(keep[keep.length - 1]).toBe(n - 1);
    expect(keep).toContain(7777);
    expect(keep).toContain(4242);
    expect([...keep].sort((a, b) => a - b)).toEqual(keep);
    expect(new Set(keep).size).toBe(keep.length);
  });
});
