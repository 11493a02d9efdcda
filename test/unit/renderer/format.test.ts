import { describe, expect, it } from 'vitest';
import { flattenMetrics, fmtMetric, fmtMoney, shortOpId } from '../../../src/renderer/src/lib/format';
import { UnknownMetricError } from '../../../src/shared/metrics-catalog';

describe('metric formatting (the catalogue, the only unit table)', () => {
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

  it('shows money with 2 decimals, thousands separators and its currency', () => {
    expect(fmtMetric('total_return', -8406.5712, 'USD')).toBe('-8,406.57 USD');
    expect(fmtMetric('largest_win', 1234567.891, 'JPY')).toBe('1,234,567.89 JPY');
    expect(fmtMetric('total_spread_cost', 12.5, 'USD')).toBe('12.50 USD');
    expect(fmtMoney(-0.5, 'EUR')).toBe('-0.50 EUR');
    expect(fmtMoney(null, 'EUR')).toBe('—');
  });

  it('shows ratios with 2 decimals, counts as integers, undefined as "—", never 999999', () => {
    expect(fmtMetric('sharpe_ratio', -9.42091)).toBe('-9.42');
    expect(fmtMetric('profit_factor', 0.4567)).toBe('0.46');
    expect(fmtMetric('profit_factor', null)).toBe('—');
    expect(fmtMetric('total_trades', 1085)).toBe('1,085');
    expect(fmtMetric('avg_holding_period_hours', 12.345)).toBe('12.3 h');
    expect(fmtMetric('test_loss', 0.67361)).toBe('0.6736');
  });

  it('refuses a key the catalogue does not have instead of guessing its unit', () => {
    expect(() => fmtMetric('mystery_ratio', 1)).toThrow(UnknownMetricError);
    expect(flattenMetrics({ a: 1, benchmark: { total_return: 2 } })).toEqual({ a: 1, 'benchmark.total_return': 2 });
  });

  it('shortens operation ids to their random suffix', () => {
    expect(shortOpId('op_dummy_20261121_114444_1c7dd06a')).toBe('…1c7dd06a');
    expect(shortOpId('custom-id')).toBe('custom-id');
  });
});
