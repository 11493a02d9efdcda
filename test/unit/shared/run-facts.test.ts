import { describe, expect, it } from 'vitest';
import { runFacts, runLabel } from '../../../src/shared/run-facts';

describe('run facts', () => {
  it('reads a training operation (settings in metadata.parameters)', () => {
    const op = { operation_type: 'training', metadata: { symbol: 'EURUSD', timeframe: '1h', start_date: '2018-01-01', end_date: '2018-03-01T00:00:00Z', parameters: { strategy_name: 'minimal', symbols: ['EURUSD'], timeframes: ['1h'], total_epochs: 3, model_type: 'mlp' } } };
    expect(runFacts(op)).toMatchObject({ strategy: 'minimal', symbols: 'EURUSD', timeframes: '1h', start: '2018-01-01', end: '2018-03-01', settings: ['epochs=3', 'mlp'] });
    expect(runLabel(op)).toBe('minimal · EURUSD 1h · 2018-01-01→2018-03-01');
  });
  it('reads a backtest operation and leaves out what is unknown', () => {
    const op = { metadata: { symbol: 'AAPL', timeframe: '1d', strategy_name: 'x', parameters: { model_path: 'models/x/1d_v2', commission: 0.001 } } };
    expect(runLabel(op, { settings: true })).toBe('x · AAPL 1d · x/1d_v2 · comm=0.001');
    expect(runLabel({ metadata: null })).toBe('');
  });
});
