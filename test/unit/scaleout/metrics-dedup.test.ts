import { describe, expect, it } from 'vitest';
import { emptyProgress } from '../../../src/shared/operations';
import { dropSeenMetrics } from '../../../src/main/scaleout/metrics-dedup';
import type { SnapshotMessage } from '../../../src/shared/worker-protocol';

const snap = (from: number, epochs: number[]): SnapshotMessage => ({
  type: 'snapshot',
  progress: emptyProgress(),
  metricsFrom: from,
  metrics: epochs.map((epoch) => ({ epoch })),
  warnings: [],
});

describe('metrics of a retried attempt', () => {
  it('pass through unchanged on the first attempt', () => {
    let seen = 0;
    const a = dropSeenMetrics(snap(0, [1, 2]), seen);
    seen = a.seen;
    expect(a.message.metrics).toEqual([{ epoch: 1 }, { epoch: 2 }]);
    const b = dropSeenMetrics(snap(2, [3]), seen);
    expect(b.message).toMatchObject({ metricsFrom: 2, metrics: [{ epoch: 3 }] });
    expect(b.seen).toBe(3);
  });

  it('drop what the dead attempt already delivered and keep the rest in order', () => {
    // Attempt 1 delivered epochs 1..3; attempt 2 restarts at index 0.
    let seen = 3;
    const r1 = dropSeenMetrics(snap(0, [1, 2]), seen);
    expect(r1.message.metrics).toEqual([]);
    seen = r1.seen;
    expect(seen).toBe(3);
    const r2 = dropSeenMetrics(snap(2, [3, 4, 5]), seen);
    expect(r2.message).toMatchObject({ metricsFrom: 3, metrics: [{ epoch: 4 }, { epoch: 5 }] });
    expect(r2.seen).toBe(5);
    const r3 = dropSeenMetrics(snap(5, [6]), r2.seen);
    expect(r3.message).toMatchObject({ metricsFrom: 5, metrics: [{ epoch: 6 }] });
  });
});
