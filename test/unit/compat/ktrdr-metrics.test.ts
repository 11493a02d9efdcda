// KTRDR's dict form of training metrics (ktrdr/api/services/operations_service.py
// _update_training_metrics_analysis), checked against hand-computed values.
import { describe, expect, it } from 'vitest';
import { ktrdrMetricsDict, ktrdrWorker } from '../../../src/shared/ktrdr-compat';

const epoch = (i: number, train: number, val: number | null) => ({ epoch: i + 1, train_loss: train, val_loss: val });

describe('ktrdrMetricsDict', () => {
  it('flags overfitting when train loss falls >5% while val loss rises >5% over the last 10 epochs', () => {
    // Last 10 epochs (indices 2..11): train 1.00 → 0.82 (18% better), val 0.45 → 0.60 (33% worse).
    const train = [1.2, 1.1, 1.0, 0.98, 0.96, 0.94, 0.92, 0.9, 0.88, 0.86, 0.84, 0.82];
    const val = [0.7, 0.6, 0.45, 0.5, 0.51, 0.52, 0.53, 0.54, 0.55, 0.57, 0.58, 0.6];
    const epochs = train.map((t, i) => epoch(i, t, val[i]));
    const d = ktrdrMetricsDict('training', epochs, 'epochs', 12);
    expect(d.best_epoch).toBe(2);
    expect(d.best_val_loss).toBe(0.45);
    expect(d.epochs_since_improvement).toBe(9);
    expect(d.is_overfitting).toBe(true);
    expect(d.is_plateaued).toBe(false);
    expect(d.total_epochs_completed).toBe(12);
  });

  it('does not flag small divergences, flags a plateau after 10 epochs without improvement', () => {
    const flat = Array.from({ length: 12 }, (_, i) => epoch(i, 1 - 0.001 * i, i === 0 ? 0.4 : 0.5 + 0.001 * i));
    const d = ktrdrMetricsDict('training', flat, 'epochs');
    expect(d.is_overfitting).toBe(false); // train improves 0.9% < 5%
    expect(d.best_epoch).toBe(0);
    expect(d.epochs_since_improvement).toBe(11);
    expect(d.is_plateaued).toBe(true);
  });

  it('has no best epoch without validation losses and keeps other types under their key', () => {
    const d = ktrdrMetricsDict('training', [epoch(0, 1, null)], 'epochs');
    expect(d).toMatchObject({ best_epoch: null, best_val_loss: null, epochs_since_improvement: 0, is_overfitting: false });
    expect(ktrdrMetricsDict('backtesting', [{ bar: 1 }], 'bars')).toEqual({ bars: [{ bar: 1 }], count: 1 });
  });
});

describe('ktrdrWorker', () => {
  it('is busy when every slot runs a job', () => {
    const w = { worker_id: 'h:1', host: 'h', pid: 1, kind: 'embedded', concurrency: 2, running: 2, last_seen: '2026-01-01T00:00:00Z' };
    expect(ktrdrWorker(w, ['training'], 'op_x')).toMatchObject({ status: 'busy', current_operation_id: 'op_x', endpoint_url: 'embedded://h:1', capabilities: { gpu_type: null } });
    expect(ktrdrWorker({ ...w, running: 1 }, ['training'], null).status).toBe('available');
  });
});
