import { describe, expect, it } from 'vitest';
import { keyMetrics } from '../../../src/shared/key-metrics';
import { groupByParent } from '../../../src/renderer/src/lib/operation-tree';

describe('Operations list: experiments and their children', () => {
  it('puts children under their parent, oldest first; a child whose parent is not listed stands alone', () => {
    // Newest first, as the list answers.
    const rows = [
      { operation_id: 'bt2', parent_id: 'sw' },
      { operation_id: 'tr2', parent_id: 'sw' },
      { operation_id: 'sw', parent_id: null },
      { operation_id: 'lone', parent_id: 'gone' },
      { operation_id: 'tr1', parent_id: null },
    ];
    expect(groupByParent(rows).map((g) => [g.op.operation_id, g.children.map((c) => c.operation_id)])).toEqual([
      ['sw', ['tr2', 'bt2']],
      ['lone', []],
      ['tr1', []],
    ]);
  });
});

describe('key metrics of a finished run', () => {
  it('reads catalogue keys from each type’s result summary and leaves out what is not a number', () => {
    expect(keyMetrics('backtesting', { metrics: { total_return_pct: 0.042, sharpe_ratio: 0.81, total_trades: 12 } })).toEqual([
      { key: 'total_return_pct', value: 0.042 },
      { key: 'sharpe_ratio', value: 0.81 },
      { key: 'total_trades', value: 12 },
    ]);
    expect(keyMetrics('training', { training_metrics: { best_val_accuracy: 0.55 }, test_metrics: null })).toEqual([{ key: 'best_val_accuracy', value: 0.55 }]);
    // A sweep's objective is formatted in its own unit (oos_return is a fraction) and named as the best of it.
    expect(keyMetrics('sweep', { objective: 'oos_return', best_trial: { objective: 0.031 }, overfitting: { deflated_sharpe: { deflated_sharpe_ratio: 0.4 } } })).toEqual([
      { key: 'total_return_pct', value: 0.031, label: 'best OOS return' },
      { key: 'deflated_sharpe_ratio', value: 0.4 },
    ]);
    expect(keyMetrics('walk_forward', { stitched_metrics: { total_return: 0.1, sharpe_ratio: null } })).toEqual([{ key: 'total_return_pct', value: 0.1 }]);
    expect(keyMetrics('data_load', { bars_loaded: 10 })).toEqual([]);
  });
});
