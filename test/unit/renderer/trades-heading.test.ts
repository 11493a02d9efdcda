import { describe, expect, it } from 'vitest';
import { resultsTradeCount, tradesHeading } from '../../../src/renderer/src/lib/backtest';

describe('trades heading of a backtest result', () => {
  const results = { trade_count: 88 };
  it('gives the results’ count while the list is on its way, never a placeholder 0', () => {
    expect(tradesHeading(null, results)).toEqual({ text: 'Trades (88)', mismatch: null });
    expect(tradesHeading(null, null).text).toBe('Trades (…)');
  });
  it('gives the loaded list’s length, and says so when it contradicts the results', () => {
    expect(tradesHeading(88, results)).toEqual({ text: 'Trades (88)', mismatch: null });
    expect(tradesHeading(0, { trade_count: 0 })).toEqual({ text: 'Trades (0)', mismatch: null });
    expect(tradesHeading(6, results)).toEqual({ text: 'Trades (6)', mismatch: 'The trade list has 6 trades but the results count 88' });
    expect(tradesHeading(6, null)).toEqual({ text: 'Trades (6)', mismatch: null });
  });
  it('reads the parsed result’s trade_count', () => {
    expect(resultsTradeCount({ trade_count: 0 })).toBe(0);
    expect(resultsTradeCount(null)).toBeNull();
  });
});
