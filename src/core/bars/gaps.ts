// Gap detection: holes in a series beyond the market's normal closures (nights, weekends, holidays).
import { timeframeMs } from '../timeframes';
import { calendarForSymbol, fxOpenMs, usSessionsBetween, type MarketCalendar } from './calendar';
import { DAY_MS, isoUtc } from './time';
import type { BarSeries } from './types';

export interface Gap {
  /** Open time of the last bar before the hole (ISO UTC). */
  last_bar_before: string;
  /** First missing bar's open time (ISO UTC). */
  start: string;
  /** Open time of the bar that ends the gap (ISO UTC). */
  end: string;
  /** Bars missing if the market had been open all the time. */
  missing_bars: number;
  /** Trading days missing: FX/24×7 = open-market hours / 24; US equities = whole sessions. */
  missing_trading_days: number;
  duration_hours: number;
}

export interface GapOptions {
  calendar?: MarketCalendar;
  /** Report a hole only when at least this many trading days are missing (default 1). */
  minTradingDays?: number;
}

export interface GapReport {
  symbol: string;
  timeframe: string;
  calendar: MarketCalendar;
  min_trading_days: number;
  gaps: Gap[];
}

/**
 * A pair of consecutive bars farther apart than one bar leaves a hole. It is a gap only if the
 * market should have been open for at least `minTradingDays` inside it:
 * - FX: open Sunday ~22:00 UTC to Friday ~21:00 UTC, closed over Christmas and New Year (see
 *   calendar.ts); the open hours inside the hole, divided by 24, are the missing trading days.
 * - US equities: NYSE sessions (weekdays that are not NYSE holidays or special closures) whose
 *   whole date lies inside the hole; nights, weekends, holidays and short sessions never count.
 * - 24×7: every hour counts.
 */
export function findGaps(bars: BarSeries, opts: GapOptions = {}): GapReport {
  const calendar = opts.calendar ?? calendarForSymbol(bars.symbol);
  const minDays = opts.minTradingDays ?? 1;
  const tf = timeframeMs(bars.timeframe);
  if (tf === null) throw new Error(`Unknown timeframe '${bars.timeframe}'`);
  const t = bars.time;
  const gaps: Gap[] = [];
  for (let i = 1; i < t.length; i++) {
    const a = t[i - 1];
    const b = t[i];
    if (b - a <= tf) continue;
    const holeStart = a + tf;
    let days: number;
    if (calendar === 'us_equity') days = usSessionsBetween(a, b);
    else if (calendar === 'fx') days = fxOpenMs(holeStart, b) / DAY_MS;
    else days = (b - holeStart) / DAY_MS;
    if (days + 1e-9 < minDays) continue;
    gaps.push({
      last_bar_before: isoUtc(a),
      start: isoUtc(holeStart),
      end: isoUtc(b),
      missing_bars: Math.round((b - a) / tf) - 1,
      missing_trading_days: Math.round(days * 100) / 100,
      duration_hours: Math.round(((b - holeStart) / 3_600_000) * 100) / 100,
    });
  }
  return { symbol: bars.symbol, timeframe: bars.timeframe, calendar, min_trading_days: minDays, gaps };
}
