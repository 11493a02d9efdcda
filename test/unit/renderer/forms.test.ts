import { describe, expect, it } from 'vitest';
import { backtestStartRequest, DEFAULT_PORTFOLIO_FIELDS, portfolioSettings, serverErrors, splitList, validateBacktestForm, validateTrainingForm, type BacktestForm } from '../../../src/renderer/src/lib/forms';
import { portfolioStartBody, SIZING_PARAMETER, sizingRuleSchema, type SizingRuleType } from '../../../src/shared/portfolio';
import { lineColumnOf, offsetOf } from '../../../src/renderer/src/lib/text-position';

const training = { strategy_name: 's', symbols: 'EURUSD', timeframes: '1h', start_date: '', end_date: '' };
const backtest: BacktestForm = { strategy_name: 's', model_path: '', symbol: 'EURUSD', timeframe: '1d', start_date: '2024-01-01', end_date: '2024-02-01', initial_capital: '100000', commission: '0.001', slippage: '0.001', ...DEFAULT_PORTFOLIO_FIELDS };

describe('form validation', () => {
  it('splits, dedups and upper-cases symbol lists', () => {
    expect(splitList('eurusd, AAPL  spy;EURUSD', true)).toEqual(['EURUSD', 'AAPL', 'SPY']);
  });

  it('accepts a complete training form and names each missing or bad field', () => {
    expect(validateTrainingForm(training)).toEqual({});
    const e = validateTrainingForm({ strategy_name: '', symbols: ' ', timeframes: '3h', start_date: '2024-02-01', end_date: '2024-01-01' });
    expect(e.strategy_name).toMatch(/strategy/i);
    expect(e.symbols).toBe('At least one symbol must be specified');
    expect(e.timeframes).toMatch(/Unknown timeframe: 3h/);
    expect(e.end_date).toMatch(/after the start/);
  });

  it('checks backtest dates and numbers', () => {
    expect(validateBacktestForm(backtest)).toEqual({});
    const e = validateBacktestForm({ ...backtest, start_date: '', initial_capital: '0', commission: 'x', slippage: '-1' });
    expect(e.start_date).toMatch(/required/);
    expect(e.initial_capital).toMatch(/greater than 0/);
    expect(e.commission).toMatch(/number/);
    expect(e.slippage).toMatch(/at least 0/);
    // Empty commission/slippage = the instrument's cost model.
    expect(validateBacktestForm({ ...backtest, commission: '', slippage: ' ' })).toEqual({});
  });

  it('one symbol starts KTRDR’s single backtest; several start one portfolio with the sizing, cap and rebalancing', () => {
    expect(backtestStartRequest({ ...backtest, symbol: ' eurusd ', commission: '', slippage: '' })).toEqual({
      path: '/backtests/start',
      symbol: 'EURUSD',
      body: { strategy_name: 's', symbol: 'EURUSD', timeframe: '1d', start_date: '2024-01-01', end_date: '2024-02-01', initial_capital: 100_000 },
    });
    const pf = backtestStartRequest({ ...backtest, symbol: 'eurusd, AAPL spy', model_path: 'models/s/1d_v2', sizing: 'kelly', sizing_value: '0.3', max_gross: '1.5', rebalance: 'week' });
    expect(pf.path).toBe('/backtests/portfolio/start');
    expect(pf.symbol).toBe('EURUSD,AAPL,SPY');
    expect(pf.body).toEqual({
      strategy_name: 's',
      symbols: ['EURUSD', 'AAPL', 'SPY'],
      timeframe: '1d',
      start_date: '2024-01-01',
      end_date: '2024-02-01',
      initial_capital: 100_000,
      commission: 0.001,
      slippage: 0.001,
      model_path: 'models/s/1d_v2',
      sizing: { type: 'kelly', fraction: 0.3 },
      max_gross_exposure: 1.5,
      rebalance: 'week',
    });
    // The body is one the server's schema accepts as it is.
    expect(portfolioStartBody.safeParse(pf.body).success).toBe(true);
    // An empty value: the rule's default (the server fills it); no rebalancing: the field is left out.
    expect(portfolioSettings({ sizing: 'volatility_target', sizing_value: '', max_gross: '1', rebalance: '' })).toEqual({ sizing: { type: 'volatility_target' }, max_gross_exposure: 1 });
  });

  it('checks a portfolio’s symbols and settings with the server’s bounds, naming the field', () => {
    const two = { ...backtest, symbol: 'EURUSD, AAPL' };
    expect(validateBacktestForm(two)).toEqual({});
    expect(validateBacktestForm({ ...two, symbol: 'EURUSD, A/B' }).symbol).toBe('Invalid symbol: A/B');
    expect(validateBacktestForm({ ...two, sizing: 'fixed_fraction', sizing_value: '1.5' }).sizing_value).toBe('Fraction of equity per position must be at most 1');
    expect(validateBacktestForm({ ...two, sizing: 'volatility_target', sizing_value: '0' }).sizing_value).toBe('Annual volatility per leg must be greater than 0');
    expect(validateBacktestForm({ ...two, max_gross: '11' }).max_gross).toBe('Max gross exposure must be at most 10');
    // One symbol: the portfolio fields do not apply.
    expect(validateBacktestForm({ ...backtest, max_gross: 'x' })).toEqual({});
  });

  it('each sizing rule’s headline parameter, default and bound are the schema’s', () => {
    for (const [type, p] of Object.entries(SIZING_PARAMETER) as [SizingRuleType, (typeof SIZING_PARAMETER)[SizingRuleType]][]) {
      const parsed: Record<string, unknown> = sizingRuleSchema.parse({ type });
      if (!p) {
        expect(Object.keys(parsed)).toEqual(['type']);
        continue;
      }
      expect(parsed[p.key], type).toBe(p.default);
      expect(sizingRuleSchema.safeParse({ type, [p.key]: p.max }).success, type).toBe(true);
      expect(sizingRuleSchema.safeParse({ type, [p.key]: p.max * 1.01 }).success, type).toBe(false);
    }
  });

  it('reads the server 4xx shapes: {detail} and 422 details per field', () => {
    expect(serverErrors({ detail: 'Strategy file not found: x.yaml' }, 'f')).toEqual({ fields: {}, message: 'Strategy file not found: x.yaml' });
    const r = serverErrors({ success: false, error: { code: 'VALIDATION_ERROR', message: 'bad', details: [{ field: 'body.symbols', message: 'too short' }] } }, 'f');
    expect(r.fields).toEqual({ symbols: 'too short' });
    expect(r.message).toBe('bad');
    expect(serverErrors({ detail: { message: 'nested' } }, 'f').message).toBe('nested');
  });
});

describe('line:column positions', () => {
  const text = 'a: 1\nbb: 2\n\nccc: 3';
  it('maps line:column to an offset and back', () => {
    expect(offsetOf(text, 1, 1)).toBe(0);
    expect(offsetOf(text, 2, 3)).toBe(7);
    expect(text[offsetOf(text, 4, 1)]).toBe('c');
    expect(lineColumnOf(text, 7)).toEqual({ line: 2, column: 3 });
  });
  it('clamps positions past a line end or past the text', () => {
    expect(offsetOf(text, 1, 99)).toBe(4);
    expect(offsetOf(text, 99, 1)).toBe(text.length);
  });
});
