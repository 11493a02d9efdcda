import { describe, expect, it } from 'vitest';
import { readoutText } from '../../../src/renderer/src/lib/candles';
import { tradeLabel, tradeMarkers } from '../../../src/renderer/src/lib/backtest';

describe('price chart readouts', () => {
  const c = { time: [Date.UTC(2024, 0, 2, 13) / 1000], open: [1.1], high: [1.2], low: [1.05], close: [1.15], volume: [12345] };
  it('reads the bar under the crosshair: ISO time, OHLC, volume', () => {
    expect(readoutText(c, 0, null)).toBe('2024-01-02 13:00  O 1.10000 H 1.20000 L 1.05000 C 1.15000 V 12,345');
    expect(readoutText(c, 5, null)).toBe('');
  });
  it('describes a trade marker: prices, PnL and holding time', () => {
    const t = { id: '3', side: 'LONG', entry_time: '2024-01-02T10:00:00Z', exit_time: '2024-01-03T00:00:00Z', entry_price: 1.1023, exit_price: 1.1081, quantity: 1000, pnl: 5.8, pnl_percent: 0.53 };
    expect(tradeLabel(t)).toBe('Trade 3 LONG: entry 1.10230 → exit 1.10810, PnL 5.80 (0.53%), held 14.0 h');
    const m = tradeMarkers([t]);
    expect(m.map((x) => x.kind)).toEqual(['entry', 'exit']);
    expect(readoutText(c, 0, m[1])).toContain('·  Trade 3 LONG');
  });
});
