import { describe, expect, it } from 'vitest';
import { JobCancelledError, ProgressBridge } from '../../../src/worker/bridge';
import type { SnapshotMessage } from '../../../src/shared/worker-protocol';

function collect(interval = 100) {
  const sent: SnapshotMessage[] = [];
  return { bridge: new ProgressBridge((m) => sent.push(m), interval), sent };
}

describe('ProgressBridge (worker write side)', () => {
  it('coalesces many writes into few messages', () => {
    const { bridge, sent } = collect(10_000);
    for (let i = 0; i < 10_000; i++) bridge.update(i / 100, `step ${i}`, { items_processed: i });
    // The first write flushes (nothing was sent yet), the rest wait for the interval.
    expect(sent.length).toBe(1);
    bridge.flush();
    expect(sent.length).toBe(2);
    expect(sent[1].progress).toMatchObject({ percentage: 99.99, message: 'step 9999', current_step: 'step 9999', items_processed: 9999 });
  });

  it('never lets the percentage go backwards and caps it at 100', () => {
    const { bridge } = collect();
    bridge.update(40, 'a');
    bridge.update(5, 'b');
    expect(bridge.snapshot()).toMatchObject({ percentage: 40, message: 'b' });
    bridge.update(250);
    expect(bridge.snapshot().percentage).toBe(100);
  });

  it('sends each metric exactly once, numbered by its index in the history', () => {
    const { bridge, sent } = collect(10_000);
    bridge.appendMetric({ epoch: 1 }); // first write flushes
    bridge.appendMetric({ epoch: 2 });
    bridge.appendMetric({ epoch: 3 });
    bridge.flush();
    bridge.flush(); // nothing new: no message
    expect(sent.map((m) => [m.metricsFrom, m.metrics])).toEqual([
      [0, [{ epoch: 1 }]],
      [1, [{ epoch: 2 }, { epoch: 3 }]],
    ]);
  });

  it('merges context keys and keeps snapshots independent of later writes', () => {
    const { bridge } = collect();
    bridge.update(1, 'x', { context: { phase: 'loading', symbol: 'EURUSD' } });
    const snap = bridge.snapshot();
    bridge.update(2, 'y', { context: { phase: 'training' } });
    expect(snap.context).toEqual({ phase: 'loading', symbol: 'EURUSD' });
    expect(bridge.snapshot().context).toEqual({ phase: 'training', symbol: 'EURUSD' });
  });

  it('reports cancellation through isCancelled and throwIfCancelled', () => {
    const { bridge } = collect();
    expect(bridge.isCancelled()).toBe(false);
    bridge.requestCancel('stop please');
    expect(bridge.isCancelled()).toBe(true);
    expect(() => bridge.throwIfCancelled()).toThrow(JobCancelledError);
    expect(() => bridge.throwIfCancelled()).toThrow('stop please');
  });
});
