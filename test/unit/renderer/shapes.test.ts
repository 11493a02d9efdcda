import { describe, expect, it } from 'vitest';
import { equityFromRecords, sortTrades, tradeMarkers, tradeWindow } from '../../../src/renderer/src/lib/backtest';
import { parseEquityCurve, parseGaps, parseModels, parseStrategies, parseSymbols, parseTrades, parseValidation } from '../../../src/renderer/src/lib/shapes';
import { epochSeries, findConfusionMatrix, modelPath, testMetrics } from '../../../src/renderer/src/lib/training-results';

describe('REST answer readers', () => {
  it('reads /symbols with available_timeframes and optional per-timeframe ranges', () => {
    const s = parseSymbols({
      success: true,
      data: [
        { symbol: 'SPY', available_timeframes: ['1d'] },
        { symbol: 'EURUSD', available_timeframes: ['1h'], ranges: { '1d': { start_date: '2020-01-01', end_date: '2024-01-01', point_count: 1000 } } },
      ],
    });
    expect(s.map((x) => x.symbol)).toEqual(['EURUSD', 'SPY']);
    expect(s[0].timeframes.sort()).toEqual(['1d', '1h']);
    expect(s[0].series).toEqual([{ symbol: 'EURUSD', timeframe: '1d', start_date: '2020-01-01', end_date: '2024-01-01', point_count: 1000 }]);
    expect(parseSymbols({ detail: 'x' })).toEqual([]);
  });

  it('reads strategies, models and gaps in KTRDR shapes', () => {
    const st = parseStrategies({ success: true, strategies: [{ name: 'mr', symbol: 'EURUSD', timeframe: '1h', available_versions: [1, 2] }] });
    expect(st[0]).toMatchObject({ name: 'mr', symbols: ['EURUSD'], timeframes: ['1h'], versions: [1, 2] });
    const m = parseModels({ models: [{ strategy_name: 'mr', timeframe: '1h', version: 2 }, { path: 'models/x/1d_v1' }, { nothing: 1 }] });
    expect(m.map((x) => x.path)).toEqual(['models/mr/1h_v2', 'models/x/1d_v1']);
    expect(parseGaps({ data: { gaps: [{ start: 'a', end: 'b', missing_bars: 3, classification: 'weekend' }] } })).toEqual([{ start: 'a', end: 'b', missing: 3, kind: 'weekend' }]);
  });

  it('reads validation issues with line/column at top level or in details', () => {
    const v = parseValidation({ valid: false, issues: [{ severity: 'error', message: 'bad', line: 3, column: 5 }, { severity: 'warning', message: 'w', details: { line: 7 } }, 'plain'] });
    expect(v.valid).toBe(false);
    expect(v.issues.map((i) => [i.severity, i.line, i.column])).toEqual([
      ['error', 3, 5],
      ['warning', 7, null],
      ['error', null, null],
    ]);
    expect(parseValidation({ issues: [{ severity: 'warning', message: 'w' }] }).valid).toBe(true);
  });

  it('reads trades and the equity curve', () => {
    const t = parseTrades({ trades: [{ trade_id: 't1', side: 'buy', entry_time: '2024-01-02T00:00:00', exit_time: '2024-01-05T00:00:00', entry_price: 1, exit_price: 2, net_pnl: 10 }] });
    expect(t[0]).toMatchObject({ id: 't1', side: 'BUY', pnl: 10 });
    expect(parseEquityCurve({ success: true, timestamps: ['a'], values: [1], drawdowns: [0] })).toEqual({ timestamps: ['a'], values: [1], drawdowns: [0] });
    expect(parseEquityCurve({ data: { timestamps: ['a'], values: [1], drawdowns: [] } }).values).toEqual([1]);
  });
});

describe('backtest helpers', () => {
  it('builds live equity columns from metric records, skipping bad or out-of-order ones', () => {
    const e = equityFromRecords([
      { bar_index: 1, timestamp: '2024-01-01T00:00:00Z', equity: 100, drawdown: 0, trades: 0 },
      { bar_index: 2, timestamp: '2024-01-01T00:00:00Z', equity: 101, drawdown: 0 },
      { bar_index: 3, timestamp: '2024-01-02T00:00:00', equity: 99, drawdown: 0.02 },
      { bar_index: 4, equity: 5 },
    ]);
    expect(e.equity).toEqual([100, 99]);
    expect(e.drawdown).toEqual([0, 0.02]);
    expect(e.time[1] - e.time[0]).toBe(86400);
  });

  it('sorts trades by any column both ways, and windows the chart around one trade', () => {
    const trades = parseTrades({
      trades: [
        { trade_id: '2', side: 'BUY', entry_time: '2024-01-03T00:00:00Z', exit_time: '2024-01-04T00:00:00Z', entry_price: 1, exit_price: 1.1, pnl: -5 },
        { trade_id: '10', side: 'SELL', entry_time: '2024-01-01T00:00:00Z', exit_time: '2024-01-02T00:00:00Z', entry_price: 2, exit_price: 1.9, pnl: 7 },
      ],
    });
    expect(sortTrades(trades, 'pnl', -1).map((t) => t.id)).toEqual(['10', '2']);
    expect(sortTrades(trades, 'entry_time', 1).map((t) => t.id)).toEqual(['10', '2']);
    expect(sortTrades(trades, 'id', 1).map((t) => t.id)).toEqual(['2', '10']);
    const w = tradeWindow(trades[0], 3600);
    expect(w.min).toBeLessThan(Date.parse('2024-01-03T00:00:00Z') / 1000);
    expect(w.max).toBeGreaterThan(Date.parse('2024-01-04T00:00:00Z') / 1000);
    expect(tradeMarkers(trades).map((m) => m.kind)).toEqual(['entry', 'exit', 'entry', 'exit']);
  });
});

describe('training results', () => {
  const results = { model_path: 'models/s/1h_v3', test_metrics: { test_accuracy: 0.9, precision: 0.8, confusion_matrix: [[5, 1, 0], [1, 6, 1], [0, 2, 4]] } };
  it('finds the model path, the test metrics and the confusion matrix', () => {
    expect(modelPath(results)).toBe('models/s/1h_v3');
    expect(testMetrics(results)).toEqual({ test_accuracy: 0.9, precision: 0.8 });
    expect(findConfusionMatrix(results)).toEqual([[5, 1, 0], [1, 6, 1], [0, 2, 4]]);
    expect(findConfusionMatrix({ evaluation: { confusion: { matrix: [[1]] } } })).toEqual([[1]]);
    expect(findConfusionMatrix({})).toBeNull();
  });
  it('turns epoch records into chart columns', () => {
    const s = epochSeries([{ epoch: 1, train_loss: 1, val_loss: 1.2, train_accuracy: 0.5, val_accuracy: null }, { train_loss: 0.8 }]);
    expect(s.epoch).toEqual([1, 2]);
    expect(s.valLoss).toEqual([1.2, null]);
    expect(s.valAcc).toEqual([null, null]);
  });
});
