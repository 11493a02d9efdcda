import { describe, expect, it } from 'vitest';
import { elapsedSeconds, etaSeconds, formatDuration } from '../../../src/renderer/src/lib/timing';

const base = { created_at: '2024-01-01T00:00:00Z', started_at: '2024-01-01T00:00:10Z', completed_at: null };
const at = (s: number) => Date.parse('2024-01-01T00:00:00Z') + s * 1000;

describe('operation timing', () => {
  it('counts elapsed time from the start to now while running, to completion when done', () => {
    expect(elapsedSeconds({ ...base, status: 'running' }, at(70))).toBe(60);
    expect(elapsedSeconds({ ...base, status: 'completed', completed_at: '2024-01-01T00:00:40Z' }, at(500))).toBe(30);
    expect(elapsedSeconds({ ...base, started_at: null, status: 'pending' }, at(5))).toBe(5);
  });

  it('estimates the remaining time from the average percentage rate', () => {
    // 25 % in 60 s → 180 s left
    expect(etaSeconds({ ...base, status: 'running', progress: { percentage: 25 } }, at(70))).toBeCloseTo(180);
    expect(etaSeconds({ ...base, status: 'running', progress_percentage: 50 }, at(70))).toBeCloseTo(60);
  });

  it('gives no ETA before any progress or once the operation is over', () => {
    expect(etaSeconds({ ...base, status: 'running', progress: { percentage: 0 } }, at(70))).toBeNull();
    expect(etaSeconds({ ...base, status: 'pending', progress: { percentage: 10 } }, at(70))).toBeNull();
    expect(etaSeconds({ ...base, status: 'cancelled', progress: { percentage: 10 } }, at(70))).toBeNull();
  });

  it('formats durations compactly', () => {
    expect(formatDuration(42.4)).toBe('42s');
    expect(formatDuration(185)).toBe('3m 05s');
    expect(formatDuration(2 * 3600 + 7 * 60)).toBe('2h 07m');
    expect(formatDuration(null)).toBe('—');
  });
});
