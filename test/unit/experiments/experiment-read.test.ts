// Reading experiment results for display (CLI, renderer, MCP): schema first, catalogue formatting,
// one set of rows for comparing a walk-forward with a sweep (issue 27, Experiments view).
import { describe, expect, it } from 'vitest';
import { compareRows, groupWarnings, isoDay, parseExperimentResults, showMetric, showParam } from '../../../src/shared/results/experiment-read';
import { SWEEP_SCHEMA_VERSION, type SweepResult } from '../../../src/shared/results/sweep';
import { WALK_FORWARD_SCHEMA_VERSION, type WalkForwardResult } from '../../../src/shared/results/walk-forward';

const metrics = (m: Partial<Record<string, number | null>> = {}) => ({
  total_return_pct: 0.0123,
  annualized_return: 0.05,
  sharpe_ratio: 0.8,
  sortino_ratio: 1.1,
  calmar_ratio: 0.9,
  max_drawdown_pct: 0.031,
  total_trades: 12,
  win_rate: 0.5,
  profit_factor: 1.3,
  exposure: 0.4,
  null_reasons: {},
  ...m,
});
const costs = { gross_pnl: 1500, commission: 0, spread_cost: 40.5, slippage_cost: 9.5, net_pnl: 1450, currency: 'USD', model: 'fx:EURUSD' };

const walkForward: WalkForwardResult = {
  schema_version: WALK_FORWARD_SCHEMA_VERSION,
  kind: 'walk_forward',
  strategy_name: 's',
  symbol: 'EURUSD',
  timeframe: '1h',
  settings: { train_window: '3y', test_window: '9M', step: '9M', anchored: false, embargo_bars: 0, backtest: {} },
  folds: [
    {
      fold: 0,
      status: 'completed',
      error: null,
      train_start: '2007-01-01T21:00:00.000Z',
      train_end: '2009-12-31T21:00:00.000Z',
      test_start: '2010-01-03T22:00:00.000Z',
      test_end: '2010-09-30T23:00:00.000Z',
      train_bars: 18000,
      test_bars: 4600,
      training_operation_id: 't',
      backtest_operation_id: 'b',
      model_path: 'm',
      train_metrics: null,
      oos_metrics: metrics(),
      oos_costs: costs,
      oos_benchmark: null,
      significance: null,
      in_sample_metrics: null,
    },
  ],
  stitched_equity: { initial_capital: 100000, final_equity: 101230, total_points: 2, timestamps: ['2010-01-03T22:00:00.000Z', '2010-09-30T23:00:00.000Z'], values: [100000, 101230], fold: [0, 0] },
  stitched_metrics: { total_return: 0.0123, annualized_return: 0.016, sharpe_ratio: 0.0033677380844761187, max_drawdown: 0.031, bars: 4600, bars_per_year: 6200, final_equity: 101230, compounded_fold_return: 0.0123, null_reasons: {} },
  costs_total: { gross_pnl: 1500, commission: 0, spread_cost: 40.5, slippage_cost: 9.5, net_pnl: 1450, currency: 'USD', folds: 1 },
  stability: { total_return: { folds: 1, mean: 0.0123, std: null, min: 0.0123, max: 0.0123, positive_share: 1 }, sharpe_ratio: { folds: 1, mean: 0.8, std: null, min: 0.8, max: 0.8, positive_share: 1 }, profitable_folds: 1, profitable_share: 1 },
  degradation: { ratio: null, basis: null, sharpe_ratio: null, in_sample_sharpe: null, out_of_sample_sharpe: 0.8, accuracy_ratio: null, train_accuracy: null, held_out_accuracy: null, null_reasons: { ratio: 'neither an in-sample Sharpe nor train and test accuracies to compare' } },
  warnings: [],
  null_reasons: {},
};

const window = (start: string, end: string, bars: number) => ({ start, end, bars });
const sweep: SweepResult = {
  schema_version: SWEEP_SCHEMA_VERSION,
  kind: 'sweep',
  strategy_name: 's',
  symbol: 'EURUSD',
  timeframe: '1h',
  objective: 'oos_sharpe',
  objective_label: 'Sharpe',
  direction: 'maximize',
  sampler: 'tpe',
  seed: 1,
  trials_requested: 20,
  settings: { holdout: 0.2, selection: 0.2, embargo_bars: 0, backtest: {} },
  ranges: { train: window('2015-01-01T22:00:00.000Z', '2017-05-25T00:00:00.000Z', 15000), selection: window('2017-05-25T01:00:00.000Z', '2018-03-14T00:00:00.000Z', 5000), holdout: window('2018-03-14T01:00:00.000Z', '2018-12-31T21:00:00.000Z', 5000) },
  trials: [],
  completed_trials: 20,
  failed_trials: 0,
  rankable_trials: 18,
  best_trial: null,
  final: { trial: 4, status: 'completed', error: null, backtest_operation_id: 'f', backtest: { metrics: metrics({ total_return_pct: -0.0088052, sharpe_ratio: null, null_reasons: { sharpe_ratio: 'no trades' } } as never), costs, benchmark: null, significance: null, out_of_sample: true, start_time: null, end_time: null, initial_capital: 100000, model_path: 'm' } },
  importance: [],
  overfitting: { trials_used: 20, observations: 5000, selected_trial: 4, deflated_sharpe: { deflated_sharpe_ratio: 0.9004, expected_max_sharpe: 0.1, sharpe: 0.15, observations: 5000, trials: 20, sharpe_variance: 0.01, skewness: 0, kurtosis: 3, per_observation: true }, pbo: null, null_reasons: { pbo: 'PBO needs at least 8 trials' } },
  warnings: [],
  null_reasons: {},
};
const op = (type: string) => ({ operation_type: type, status: 'completed', metadata: { strategy_name: 's', symbol: 'EURUSD', timeframe: '1h', start_date: '2007-01-01', end_date: '2018-12-31' } });

describe('experiment results for display', () => {
  it('parses with the schema; old or broken results are said to be unreadable, never guessed', () => {
    expect(parseExperimentResults(walkForward).kind).toBe('walk_forward');
    expect(parseExperimentResults(sweep).kind).toBe('sweep');
    expect(parseExperimentResults(null).kind).toBe('none');
    const old = parseExperimentResults({ kind: 'sweep', trials: [] });
    expect(old).toEqual({ kind: 'unreadable', message: expect.stringMatching(/older version \(no schema_version\)/) });
    const renamed = parseExperimentResults({ ...walkForward, stitched_metrics: { ...walkForward.stitched_metrics, sharpe: 1, sharpe_ratio: undefined } });
    expect(renamed).toEqual({ kind: 'unreadable', message: expect.stringMatching(/stitched_metrics\.sharpe_ratio/) });
  });

  it('formats through the catalogue: no raw floats, DSR in its unit, null with its reason', () => {
    expect(showMetric('sharpe_ratio', 0.0033677380844761187)).toBe('0.00');
    expect(showMetric('total_return_pct', 0.0123)).toBe('1.23%');
    expect(showMetric('deflated_sharpe_ratio', 0.9004)).toBe('90.04%');
    expect(showMetric('gross_pnl', 88060.5, null, 'USD')).toBe('88,060.50 USD');
    expect(showMetric('sharpe_ratio', null, 'no trades')).toBe('— (no trades)');
    expect(showParam(0.002797313135871919)).toBe('0.002797');
    expect(showParam(14)).toBe('14');
    expect(showParam([64, 32])).toBe('[64,32]');
    expect(isoDay('2010-01-03T22:00:00.000Z')).toBe('2010-01-03 22:00');
    expect(isoDay('2010-01-04T00:00:00.000Z')).toBe('2010-01-04');
  });

  it('a walk-forward and a sweep compare on the same rows: no dashes, a reason where a row does not apply', () => {
    const a = compareRows(op('walk_forward'), parseExperimentResults(walkForward));
    const b = compareRows(op('sweep'), parseExperimentResults(sweep));
    expect(Object.keys(a)).toEqual(Object.keys(b));
    expect(a['Out-of-sample return']).toBe('1.23%');
    expect(b['Out-of-sample return']).toBe('-0.88%');
    expect(b['Out-of-sample Sharpe']).toBe('— (no trades)');
    expect(b['Out-of-sample window']).toBe('final holdout (trial 5), 2018-03-14 01:00 → 2018-12-31 21:00');
    expect(a['Deflated Sharpe ratio']).toMatch(/^n\/a: a walk-forward trains one model per fold/);
    expect(b['Deflated Sharpe ratio']).toBe('90.04%');
    expect(b['Probability of overfitting']).toBe('— (PBO needs at least 8 trials)');
    expect(b['Profitable folds']).toMatch(/^n\/a: a sweep has no folds/);
    expect(a['Costs (of gross PnL)']).toBe('50.00 USD of 1,500.00 USD');
    for (const v of [...Object.values(a), ...Object.values(b)]) {
      expect(v).not.toBe('—');
      expect(v).not.toMatch(/\d\.\d{6,}|\de[+-]\d/);
    }
  });

  it('groups the same warning from several folds or trials into one line', () => {
    expect(groupWarnings(['Trial 3: X', 'Trial 1: X', 'Fold 2: Y', 'plain', 'Trial 2: Z', 'Trial 7: X'])).toEqual(['Trials 1, 3, 7: X', 'Fold 2: Y', 'plain', 'Trial 2: Z']);
  });
});
