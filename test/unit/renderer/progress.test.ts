import { describe, expect, it } from 'vitest';
import { barAnimates, barPercent } from '../../../src/renderer/src/lib/progress';

describe('progress bar value', () => {
  it('fills a completed operation whatever its last reported percentage', () => {
    expect(barPercent(98, 'completed')).toBe(100);
    expect(barPercent(100, 'completed')).toBe(100);
  });

  it('shows the reported value otherwise, clamped', () => {
    expect(barPercent(3.3, 'cancelled')).toBe(3.3);
    expect(barPercent(42, 'running')).toBe(42);
    expect(barPercent(140, 'running')).toBe(100);
    expect(barPercent(Number.NaN, 'failed')).toBe(0);
  });

  it('animates only while the operation is active', () => {
    expect(barAnimates('running')).toBe(true);
    expect(barAnimates('pending')).toBe(true);
    expect(barAnimates('completed')).toBe(false);
    expect(barAnimates('cancelled')).toBe(false);
    expect(barAnimates('failed')).toBe(false);
  });
});
