import { describe, expect, it } from 'vitest';
import { flattenMetrics, fmtMetric, metricKind, shortOpId } from '../../../src/renderer/src/lib/format';

describe('metric formatting (KTRDR result keys)', () => {
  it('shows fractions as percentages', () => {
    expect(fmtMetric('total_return_pct', -0.08406)).toBe('-8.41%');
    expect(fmtMetric('annualized_return', -0.1641)).toBe('-16.41%');
    expect(fmtMetric('volatility', 0.019)).toBe('1.90%');
    expect(fmtMetric('max_drawdown_pct', 0.0882)).toBe('8.82%');
    expect(fmtMetric('win_rate', 0.1176)).toBe('11.76%');
    expect(fmtMetric('exposure', 0.5)).toBe('50.00%');
    expect(fmtMetric('test_accuracy', 0.6836)).toBe('68.36%');
    expect(fmtMetric('macro_f1', 0.4068)).toBe('40.68%');
  });

  it('shows currency with 2 decimals and thousands separators, even when small', () => {
    expect(fmtMetric('total_return', -8406.5712)).toBe('-8,406.57');
    expect(fmtMetric('max_drawdown', 8843.6435)).toBe('8,843.64');
    expect(fmtMetric('avg_win', 3.5)).toBe('3.50');
    expect(fmtMetric('avg_loss', -112.019)).toBe('-112.02');
    expect(fmtMetric('largest_win', 1234567.891)).toBe('1,234,567.89');
    expect(fmtMetric('largest_loss', -0.5)).toBe('-0.50');
    expect(fmtMetric('final_equity', 91593.43)).toBe('91,593.43');
  });

  it('shows ratios with 2 decimals and counts as integers', () => {
    expect(fmtMetric('sharpe_ratio', -9.42091)).toBe('-9.42');
    expect(fmtMetric('sortino_ratio', -11.79)).toBe('-11.79');
    expect(fmtMetric('calmar_ratio', -1.86044)).toBe('-1.86');
    expect(fmtMetric('profit_factor', 0.4567)).toBe('0.46');
    expect(fmtMetric('profit_factor', Infinity)).toBe('∞');
    expect(fmtMetric('total_trades', 1085)).toBe('1,085');
    expect(fmtMetric('avg_holding_period', 12.345)).toBe('12.3 h');
    expect(fmtMetric('test_loss', 0.67361)).toBe('0.6736');
  });

  it('classifies nested keys by their last part, and flattens one level', () => {
    expect(metricKind('benchmark.total_return')).toBe('money');
    expect(metricKind('total_spread_cost')).toBe('money');
    expect(metricKind('costs.gross_pnl')).toBe('money');
    expect(metricKind('benchmark.sharpe_ratio')).toBe('ratio');
    expect(flattenMetrics({ a: 1, benchmark: { total_return: 2, kind: 'buy_and_hold' } })).toEqual({ a: 1, 'benchmark.total_return': 2, 'benchmark.kind': 'buy_and_hold' });
  });

  it('shortens operation ids to their random suffix', () => {
    expect(shortOpId('op_dummy_20261121_114444_1c7dd06a')).toBe('…1c7dd06a');
    expect(shortOpId('custom-id')).toBe('custom-id');
  });
});
