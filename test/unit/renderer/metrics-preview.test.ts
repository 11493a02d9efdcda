import { describe, expect, it } from 'vitest';
import { pickMetricPlot } from '../../../src/renderer/src/lib/metrics-preview';

const ts = '2026-01-01T00:00:00Z';

describe('operation metrics preview', () => {
  it('plots the dummy value over its iteration', () => {
    const p = pickMetricPlot([
      { iteration: 1, value: 0.1, timestamp: ts },
      { iteration: 2, value: 0.2, timestamp: ts },
    ]);
    expect(p).toEqual({ xKey: 'iteration', x: [1, 2], keys: ['value'] });
  });

  it('plots train/val loss over epochs for a training, not the bookkeeping fields', () => {
    const p = pickMetricPlot([
      { epoch: 1, train_loss: 1, val_loss: 1.2, train_accuracy: 0.5, total_epochs: 10, batches_per_epoch: 4 },
      { epoch: 2, train_loss: 0.9, val_loss: 1.1, train_accuracy: 0.6, total_epochs: 10, batches_per_epoch: 4 },
    ]);
    expect(p.xKey).toBe('epoch');
    expect(p.keys).toEqual(['train_loss', 'val_loss']);
  });

  it('plots equity for a backtest and bars loaded for a data load', () => {
    expect(pickMetricPlot([{ bar_index: 9, equity: 100, drawdown: 0, trades: 0, timestamp: ts }]).keys).toEqual(['equity']);
    expect(pickMetricPlot([{ segment: 1, segments: 3, bars: 10, bars_total: 10, duration_ms: 4, timestamp: ts }]).keys).toEqual(['bars_total']);
  });

  it('falls back to fields that vary, on the record position when no counter increases', () => {
    const p = pickMetricPlot([
      { step: 2, a: 1, k: 5 },
      { step: 1, a: 2, k: 5 },
    ]);
    expect(p.xKey).toBeNull();
    expect(p.x).toEqual([1, 2]);
    expect(p.keys).toEqual(['a']);
  });
});
