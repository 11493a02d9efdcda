import { describe, expect, it } from 'vitest';
import { equityFromRecords, sortTrades, tradeMarkers, tradeWindow } from '../../../src/renderer/src/lib/backtest';
import { parseEquityCurve, parseGaps, parseModels, parseStrategies, parseSymbols, parseTrades, parseValidation } from '../../../src/renderer/src/lib/shapes';
import { epochSeries } from '../../../src/renderer/src/lib/training-results';

/** A trade as the trades route serves it (the contract's fields). */
function trade(id: number, side: string, entry: string, exit: string, pnl: number) {
  const base = { entry_price: 1, exit_price: 1.1, quantity: 10, commission: 0, slippage: 0, spread_cost: 0, pnl_percent: pnl / 10, holding_period_bars: 1, holding_period_hours: 24 };
  return { ...base, trade_id: id, side, entry_time: entry, exit_time: exit, gross_pnl: pnl, net_pnl: pnl, max_favorable_excursion: 1, max_adverse_excursion: -1, exit_reason: 'signal' };
}

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

  it('reads trades and the equity curve by the result contract: a renamed field is an error, not a blank', () => {
    const t = parseTrades({ total_count: 1, trades: [trade(1, 'buy', '2024-01-02T00:00:00Z', '2024-01-05T00:00:00Z', 10)] });
    expect(t[0]).toMatchObject({ id: '1', side: 'BUY', pnl: 10 });
    expect(t[0].raw?.exit_reason).toBe('signal');
    const curve = { success: true, initial_capital: 100, total_points: 1, timestamps: ['2024-01-01T00:00:00.000Z'], values: [1], drawdowns: [0], positions: [0] };
    expect(parseEquityCurve(curve).values).toEqual([1]);
    expect(() => parseEquityCurve({ ...curve, values: undefined, equity: [1] })).toThrow(/values/);
    expect(() => parseTrades({ total_count: 1, trades: [{ ...trade(1, 'buy', 'a', 'b', 1), net_pnl: undefined, pnl: 1 }] })).toThrow(/net_pnl/);
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
    const trades = parseTrades({ total_count: 2, trades: [trade(2, 'BUY', '2024-01-03T00:00:00Z', '2024-01-04T00:00:00Z', -5), trade(10, 'SELL', '2024-01-01T00:00:00Z', '2024-01-02T00:00:00Z', 7)] });
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
  it('turns epoch records into chart columns', () => {
    const s = epochSeries([{ epoch: 1, train_loss: 1, val_loss: 1.2, train_accuracy: 0.5, val_accuracy: null }, { train_loss: 0.8 }]);
    expect(s.epoch).toEqual([1, 2]);
    expect(s.valLoss).toEqual([1.2, null]);
    expect(s.valAcc).toEqual([null, null]);
  });
});
