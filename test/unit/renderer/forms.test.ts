import { describe, expect, it } from 'vitest';
import { serverErrors, splitList, validateBacktestForm, validateTrainingForm } from '../../../src/renderer/src/lib/forms';
import { lineColumnOf, offsetOf } from '../../../src/renderer/src/lib/text-position';

const training = { strategy_name: 's', symbols: 'EURUSD', timeframes: '1h', start_date: '', end_date: '' };
const backtest = { strategy_name: 's', model_path: '', symbol: 'EURUSD', timeframe: '1d', start_date: '2024-01-01', end_date: '2024-02-01', initial_capital: '100000', commission: '0.001', slippage: '0.001' };

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
