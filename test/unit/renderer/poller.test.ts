import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { Poller } from '../../../src/renderer/src/lib/poller';

describe('Poller', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('ticks at its interval only while there is work, and stops by itself', async () => {
    let active = true;
    const tick = vi.fn(async () => undefined);
    const p = new Poller({ intervalMs: 1000, shouldRun: () => active, tick });
    p.kick();
    p.kick(); // a second kick does not start a second loop
    await vi.advanceTimersByTimeAsync(3500);
    expect(tick).toHaveBeenCalledTimes(3);
    active = false;
    await vi.advanceTimersByTimeAsync(5000);
    expect(tick).toHaveBeenCalledTimes(3);
    expect(p.running).toBe(false);
  });

  it('never overlaps ticks: the next one waits for the previous to finish', async () => {
    let concurrent = 0;
    let maxConcurrent = 0;
    const tick = vi.fn(async () => {
      concurrent++;
      maxConcurrent = Math.max(maxConcurrent, concurrent);
      await new Promise((r) => setTimeout(r, 2500));
      concurrent--;
    });
    const p = new Poller({ intervalMs: 1000, shouldRun: () => true, tick });
    p.kick();
    await vi.advanceTimersByTimeAsync(10_000);
    expect(maxConcurrent).toBe(1);
    expect(tick.mock.calls.length).toBeLessThanOrEqual(3);
    p.stop();
  });

  it('does not start when idle and survives a failing tick', async () => {
    const idle = vi.fn(async () => undefined);
    new Poller({ intervalMs: 1000, shouldRun: () => false, tick: idle }).kick();
    await vi.advanceTimersByTimeAsync(3000);
    expect(idle).not.toHaveBeenCalled();

    let n = 0;
    const failing = new Poller({ intervalMs: 1000, shouldRun: () => n < 3, tick: async () => {
        n++;
        throw new Error('x');
      },
    });
    failing.kick();
    await vi.advanceTimersByTimeAsync(5000);
    expect(n).toBe(3);
  });
});
