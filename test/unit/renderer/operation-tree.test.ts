import { describe, expect, it } from 'vitest';
import { keyMetrics } from '../../../src/shared/key-metrics';
import { groupByParent } from '../../../src/renderer/src/lib/operation-tree';
import { produceBacktest, trainingResultFixture } from '../../helpers/results';

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
  const trialMetrics = { val_accuracy: 0.5, test_accuracy: 0.5, train_accuracy: 0.6, oos_sharpe: 0.2, oos_return: 0.031, oos_max_drawdown: 0.02, oos_trades: 12, null_reasons: {} };
  const sweep = (over: Record<string, unknown> = {}) => ({
    objective: 'oos_return',
    best_trial: { trial: 2, objective: 0.031, params: { p: 7 }, model_path: 'models/s/1h_v3', metrics: trialMetrics, training_operation_id: 'tr', backtest_operation_id: 'bt' },
    overfitting: { trials_used: 4, observations: 900, selected_trial: 2, deflated_sharpe: { deflated_sharpe_ratio: 0.4, expected_max_sharpe: 1, sharpe: 1.2, observations: 900, trials: 4, variance_trials: 4, sharpe_variance: 0.1, skewness: 0, kurtosis: 3, per_observation: true, null_reasons: {} }, pbo: null, null_reasons: { pbo: 'too few trials' } },
    null_reasons: {},
    ...over,
  });
  const stitched = { total_return: 0.1, annualized_return: 0.05, sharpe_ratio: null, max_drawdown: 0.03, bars: 500, bars_per_year: 252, final_equity: 110_000, compounded_fold_return: 0.1, null_reasons: { sharpe_ratio: 'the stitched curve never moved' } };

  it('reads catalogue keys from each type’s result summary through the contract; undefined values are null with the result’s reason', async () => {
    const bt = await produceBacktest();
    const m = bt.result.metrics;
    expect(keyMetrics('backtesting', bt.result)).toEqual([
      { key: 'total_return_pct', value: m.total_return_pct },
      { key: 'sharpe_ratio', value: m.sharpe_ratio },
      { key: 'total_trades', value: m.total_trades },
    ]);
    // No trades: the Sharpe ratio is undefined, said so (not dropped, not 0).
    const flat = await produceBacktest({ trades: false });
    expect(keyMetrics('backtesting', flat.result)[1]).toEqual({ key: 'sharpe_ratio', value: null, reason: flat.result.metrics.null_reasons.sharpe_ratio });
    expect(flat.result.metrics.null_reasons.sharpe_ratio).toBeTruthy();

    const tr = trainingResultFixture();
    expect(keyMetrics('training', tr)).toEqual([
      { key: 'best_val_accuracy', value: 0.55 },
      { key: 'test_accuracy', value: 0.47 },
    ]);
    const noTest = { ...tr, test_metrics: null, null_reasons: { test_metrics: 'no test split' } };
    expect(keyMetrics('training', noTest)[1]).toEqual({ key: 'test_accuracy', value: null, reason: 'no test split' });

    // A sweep's objective is formatted in its own unit (oos_return is a fraction) and named as the best of it.
    expect(keyMetrics('sweep', sweep())).toEqual([
      { key: 'total_return_pct', value: 0.031, label: 'best OOS return' },
      { key: 'deflated_sharpe_ratio', value: 0.4 },
    ]);
    expect(keyMetrics('sweep', sweep({ best_trial: null, null_reasons: { best_trial: 'no trial completed yet' } }))[0]).toEqual({ key: 'total_return_pct', value: null, reason: 'no trial completed yet', label: 'best OOS return' });
    expect(keyMetrics('walk_forward', { stitched_metrics: stitched, null_reasons: {} })).toEqual([
      { key: 'total_return_pct', value: 0.1 },
      { key: 'oos_sharpe', value: null, reason: 'the stitched curve never moved' },
    ]);
    expect(keyMetrics('data_load', { bars_loaded: 10 })).toEqual([]);
    // A summary that does not match its kind's schema shows nothing rather than a guess.
    expect(keyMetrics('backtesting', { metrics: { total_return_pct: 0.042 } })).toEqual([]);
  });
});
