import { describe, expect, it } from 'vitest';
import { displayEntries, formatMetric, metricDef, metricLabel, metricPrecision, metricTooltip, METRICS, UnknownMetricError } from '../../../src/shared/metrics-catalog';

describe('metric catalogue', () => {
  it('formats fractions as percent, money with the currency, p-values and intervals', () => {
    expect(formatMetric('total_return_pct', 0.0841)).toBe('8.41%');
    expect(formatMetric('total_return', -8406.567, { currency: 'USD' })).toBe('-8,406.57 USD');
    expect(formatMetric('total_return', 1234.5)).toBe('1,234.50');
    expect(formatMetric('p_value_sharpe', 0.00001)).toBe('< 0.001');
    expect(formatMetric('p_value', 0.0312)).toBe('0.031');
    expect(formatMetric('p_value_return', 1 / 201)).toBe('0.005');
    expect(metricPrecision('p_value_return')).toBe(3);
    expect(formatMetric('sharpe_ci95', [-0.5, 1.25])).toBe('[-0.50, 1.25]');
    expect(formatMetric('sharpe_ci95', { lower: 0.1, upper: 0.2 })).toBe('[0.10, 0.20]');
    expect(formatMetric('avg_holding_period_hours', 87.9036)).toBe('87.9 h');
    expect(formatMetric('avg_holding_period_bars', 87.9036)).toBe('87.9 bars');
    expect(formatMetric('beats_baseline', false)).toBe('no');
    // No sentinel gets a special meaning: an unbounded profit factor is null (with a reason), not 999999.
    expect(formatMetric('profit_factor', 999_999)).toBe('999,999.00');
    expect(formatMetric('profit_factor', null)).toBe('—');
    expect(formatMetric('sharpe_ratio', null)).toBe('—');
    expect(formatMetric('sharpe_ratio', Number.NaN)).toBe('—');
  });

  it('labels dotted keys by their last part and refuses unknown keys (no guessed entry)', () => {
    expect(metricLabel('benchmark.total_return_pct')).toBe('Buy & hold: total return %');
    expect(formatMetric('benchmark.max_drawdown_pct', 0.5)).toBe('50.00%');
    expect(() => metricDef('some_new_accuracy')).toThrow(UnknownMetricError);
    expect(() => formatMetric('mystery', 1)).toThrow(/not in the metric catalogue/);
  });

  it('has a label, unit and definition for every key the product shows', () => {
    const required = ['sharpe_ratio', 'max_drawdown_pct', 'best_constant_accuracy', 'balanced_accuracy', 'macro_f1', 'p_value', 'beats_baseline', 'out_of_sample', 'in_sample_bars', 'gross_pnl', 'commission', 'spread_cost', 'slippage_cost', 'net_pnl', 'exposure', 'return_percentile', 'sharpe_percentile', 'p_value_return', 'p_value_sharpe', 'random_return_p5', 'random_return_p50', 'random_return_p95', 'sharpe_ci95', 'deflated_sharpe_ratio', 'pbo', 'oos_sharpe', 'degradation_ratio', 'profitable_fold_share', 'best_epoch', 'test_accuracy'];
    for (const k of required) {
      expect(METRICS[k], k).toBeDefined();
      expect(METRICS[k].definition.length, k).toBeGreaterThan(10);
    }
    expect(metricTooltip('max_drawdown_pct')).toMatch(/Lower is better/);
  });

  it('shows an alias once (trade_count beside total_trades) and drops nested objects', () => {
    const keys = displayEntries({ trade_count: 5, total_trades: 5, avg_holding_period_bars: 2, history: { a: 1 }, sharpe_ratio: 1 }).map(([k]) => k);
    expect(keys).toEqual(['sharpe_ratio', 'total_trades', 'avg_holding_period_bars']);
    expect(displayEntries({ trade_count: 5 }).map(([k]) => k)).toEqual(['trade_count']);
  });
});
