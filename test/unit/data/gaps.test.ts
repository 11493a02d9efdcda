import { describe, expect, it } from 'vitest';
import { calendarForSymbol, isUsTradingDay, usHolidays } from '../../../src/core/bars/calendar';
import { parseBarsCsv } from '../../../src/core/bars/csv';
import { findGaps } from '../../../src/core/bars/gaps';
import { BarBuilder } from '../../../src/core/bars/series';
import { sampleText } from './helpers';

const load = (file: string, symbol: string, tf: string) => parseBarsCsv(sampleText(file), { symbol, timeframe: tf }).bars;
const DAY = 86_400_000;

describe('gap detection on the real samples', () => {
  it('EURUSD 1h: reports the 2016-12-09 → 2016-12-16 hole and no weekend', () => {
    const report = findGaps(load('EURUSD_H1_oanda_bid_2007-2018.csv', 'EURUSD', '1h'));
    expect(report.calendar).toBe('fx');
    const hole = report.gaps.find((g) => g.last_bar_before === '2016-12-09T21:00:00Z');
    expect(hole).toBeDefined();
    expect(hole!.end).toBe('2016-12-16T05:00:00Z');
    expect(hole!.missing_trading_days).toBeGreaterThan(4);
    for (const g of report.gaps) {
      // A weekend closure runs Friday evening → Sunday evening; no reported gap may be only that.
      const a = new Date(g.start);
      const b = new Date(g.end);
      const weekendOnly = (a.getUTCDay() === 5 || a.getUTCDay() === 6) && (b.getUTCDay() === 0 || b.getUTCDay() === 6) && Date.parse(g.end) - Date.parse(g.start) < 3 * DAY;
      expect(weekendOnly, JSON.stringify(g)).toBe(false);
    }
    expect(report.gaps).toHaveLength(1);
  });

  it('a lower threshold finds shorter holes, still never a plain weekend', () => {
    const report = findGaps(load('EURUSD_H1_oanda_bid_2007-2018.csv', 'EURUSD', '1h'), { minTradingDays: 0.25 });
    expect(report.gaps.length).toBeGreaterThan(1);
    for (const g of report.gaps) expect(g.missing_trading_days).toBeGreaterThanOrEqual(0.25);
  });

  it.each([
    ['AAPL_H1_splitadj_1998-2021.csv', 'AAPL', '1h'],
    ['AAPL_D1_splitadj_1998-2021.csv', 'AAPL', '1d'],
    ['SPY_H1_1998-2021.csv', 'SPY', '1h'],
    ['EURUSD_D1_dukascopy_2007-2023.csv', 'EURUSD', '1d'],
    ['EURUSD_M1_oanda_bid_2014-05.csv', 'EURUSD', '1m'],
  ])('%s: nights, weekends and holidays are not gaps', (file, symbol, tf) => {
    expect(findGaps(load(file, symbol, tf)).gaps).toEqual([]);
  });

  it('a trading week cut out of AAPL daily is reported with its session count', () => {
    const bars = load('AAPL_D1_splitadj_1998-2021.csv', 'AAPL', '1d');
    const from = Date.UTC(2019, 5, 10);
    const to = Date.UTC(2019, 5, 15);
    const b = new BarBuilder();
    for (let i = 0; i < bars.time.length; i++) if (bars.time[i] < from || bars.time[i] > to) b.push(bars.time[i], bars.open[i], bars.high[i], bars.low[i], bars.close[i], bars.volume[i]);
    const gaps = findGaps(b.finish('AAPL', '1d')).gaps;
    expect(gaps).toHaveLength(1);
    expect(gaps[0].last_bar_before).toBe('2019-06-07T00:00:00Z');
    expect(gaps[0].missing_trading_days).toBe(5);
  });
});

describe('calendars', () => {
  it('classifies symbols', () => {
    expect(calendarForSymbol('EURUSD')).toBe('fx');
    expect(calendarForSymbol('USDJPY')).toBe('fx');
    expect(calendarForSymbol('AAPL')).toBe('us_equity');
    expect(calendarForSymbol('BTCUSD')).toBe('24x7');
  });

  it('knows NYSE holidays (Good Friday, Thanksgiving, observed Independence Day)', () => {
    const day = (y: number, m: number, d: number) => Date.UTC(y, m - 1, d) / DAY;
    expect(usHolidays(2021).has(day(2021, 4, 2))).toBe(true); // Good Friday
    expect(usHolidays(2020).has(day(2020, 11, 26))).toBe(true); // Thanksgiving
    expect(usHolidays(2020).has(day(2020, 7, 3))).toBe(true); // July 4th on Saturday → Friday
    expect(isUsTradingDay(day(2021, 3, 31))).toBe(true);
    expect(isUsTradingDay(day(2021, 4, 3))).toBe(false); // Saturday
  });
});
