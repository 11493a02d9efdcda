// Market calendars for gap detection: when a market is normally closed, so missing bars there are no gap.
import { DAY_MS, HOUR_MS, daysFromCivil, startOfUtcDay, utcMs, utcWeekday } from './time';

export type MarketCalendar = 'fx' | 'us_equity' | '24x7';

const CURRENCIES = new Set([
  'USD', 'EUR', 'GBP', 'JPY', 'CHF', 'AUD', 'NZD', 'CAD', 'SEK', 'NOK', 'DKK', 'PLN', 'HUF', 'CZK', 'TRY', 'ZAR',
  'MXN', 'SGD', 'HKD', 'CNH', 'CNY', 'RUB', 'ILS', 'THB', 'XAU', 'XAG', 'XPT', 'XPD',
]);
const CRYPTO = /^(BTC|ETH|LTC|XRP|SOL|ADA|DOGE|BNB)/;

/** FX pairs (EURUSD, XAUUSD) trade 24×5; coins 24×7; everything else is taken as a US-listed equity. */
export function calendarForSymbol(symbol: string): MarketCalendar {
  const s = symbol.toUpperCase().replace(/[._/-]/g, '');
  if (s.length === 6 && CURRENCIES.has(s.slice(0, 3)) && CURRENCIES.has(s.slice(3))) return 'fx';
  if (CRYPTO.test(s)) return '24x7';
  return 'us_equity';
}

// FX: the week ends Friday ~21:00-22:00 UTC and restarts Sunday ~21:00-22:00 UTC (New York 17:00,
// which moves with US daylight saving). Taking the widest window covers both seasons.
const FX_CLOSE_FRIDAY_MS = 21 * HOUR_MS;
const FX_OPEN_SUNDAY_MS = 22 * HOUR_MS;

/** Milliseconds of FX market time inside the UTC day starting at `day` (a multiple of DAY_MS). */
function fxOpenMsOfDay(day: number): [number, number] | null {
  const wd = utcWeekday(day);
  const date = new Date(day);
  const m = date.getUTCMonth() + 1;
  const d = date.getUTCDate();
  // Christmas (25-26 Dec) and New Year (1 Jan, and 2 Jan when the 1st is a Sunday): the
  // interbank market is shut or quoting houses (OANDA, Dukascopy) publish no prices.
  if ((m === 12 && (d === 25 || d === 26)) || (m === 1 && (d === 1 || (d === 2 && wd === 1)))) return null;
  if (wd === 6) return null;
  if (wd === 5) return [day, day + FX_CLOSE_FRIDAY_MS];
  if (wd === 0) return [day + FX_OPEN_SUNDAY_MS, day + DAY_MS];
  return [day, day + DAY_MS];
}

/** Milliseconds of open FX market inside [from, to). */
export function fxOpenMs(from: number, to: number): number {
  let total = 0;
  for (let day = startOfUtcDay(from); day < to; day += DAY_MS) {
    const open = fxOpenMsOfDay(day);
    if (!open) continue;
    const a = Math.max(open[0], from);
    const b = Math.min(open[1], to);
    if (b > a) total += b - a;
  }
  return total;
}

function nthWeekday(y: number, m: number, weekday: number, n: number): number {
  const first = daysFromCivil(y, m, 1);
  const wd = (((first + 4) % 7) + 7) % 7;
  return first + ((weekday - wd + 7) % 7) + (n - 1) * 7;
}

function lastWeekday(y: number, m: number, weekday: number): number {
  const last = (m === 12 ? daysFromCivil(y + 1, 1, 1) : daysFromCivil(y, m + 1, 1)) - 1;
  const wd = (((last + 4) % 7) + 7) % 7;
  return last - ((wd - weekday + 7) % 7);
}

/** Easter Sunday (Anonymous Gregorian algorithm) as an epoch day. */
function easter(y: number): number {
  const a = y % 19;
  const b = Math.floor(y / 100);
  const c = y % 100;
  const d = Math.floor(b / 4);
  const e = b % 4;
  const f = Math.floor((b + 8) / 25);
  const g = Math.floor((b - f + 1) / 3);
  const h = (19 * a + b - d - g + 15) % 30;
  const i = Math.floor(c / 4);
  const k = c % 4;
  const l = (32 + 2 * e + 2 * i - h - k) % 7;
  const m = Math.floor((a + 11 * h + 22 * l) / 451);
  const month = Math.floor((h + l - 7 * m + 114) / 31);
  const day = ((h + l - 7 * m + 114) % 31) + 1;
  return daysFromCivil(y, month, day);
}

/** A fixed-date holiday moved to Friday/Monday when it falls on Saturday/Sunday. */
function observed(day: number): number {
  const wd = (((day + 4) % 7) + 7) % 7;
  return wd === 6 ? day - 1 : wd === 0 ? day + 1 : day;
}

// One-off NYSE closures (national mourning, 9/11, hurricane Sandy).
const SPECIAL_CLOSURES = [
  [2001, 9, 11], [2001, 9, 12], [2001, 9, 13], [2001, 9, 14], [2004, 6, 11], [2007, 1, 2],
  [2012, 10, 29], [2012, 10, 30], [2018, 12, 5], [2025, 1, 9],
].map(([y, m, d]) => daysFromCivil(y, m, d));

const holidayCache = new Map<number, Set<number>>();

/** NYSE full-day holidays of a year, as epoch days (rules in force since 1998). */
export function usHolidays(y: number): Set<number> {
  let set = holidayCache.get(y);
  if (set) return set;
  set = new Set<number>([
    observed(daysFromCivil(y, 1, 1)),
    nthWeekday(y, 1, 1, 3), // Martin Luther King Jr. Day (NYSE since 1998)
    nthWeekday(y, 2, 1, 3), // Washington's Birthday
    easter(y) - 2, // Good Friday
    lastWeekday(y, 5, 1), // Memorial Day
    observed(daysFromCivil(y, 7, 4)),
    nthWeekday(y, 9, 1, 1), // Labor Day
    nthWeekday(y, 11, 4, 4), // Thanksgiving
    observed(daysFromCivil(y, 12, 25)),
  ]);
  if (y >= 2022) set.add(observed(daysFromCivil(y, 6, 19))); // Juneteenth
  // New Year's Day on a Saturday is not observed on the Friday before (NYSE rule).
  if (utcWeekday(utcMs(y, 1, 1)) === 6) set.delete(daysFromCivil(y, 1, 1) - 1);
  for (const d of SPECIAL_CLOSURES) if (new Date(d * DAY_MS).getUTCFullYear() === y) set.add(d);
  holidayCache.set(y, set);
  return set;
}

/** Whether the US equity market holds a regular session on the UTC date of epoch day `day`. */
export function isUsTradingDay(day: number): boolean {
  const wd = (((day + 4) % 7) + 7) % 7;
  if (wd === 0 || wd === 6) return false;
  const y = new Date(day * DAY_MS).getUTCFullYear();
  return !usHolidays(y).has(day);
}

/** US trading sessions whose whole date lies strictly between the dates of `a` and `b`. */
export function usSessionsBetween(a: number, b: number): number {
  let n = 0;
  const last = Math.floor(b / DAY_MS);
  for (let day = Math.floor(a / DAY_MS) + 1; day < last; day++) if (isUsTradingDay(day)) n++;
  return n;
}
