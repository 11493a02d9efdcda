// Allocation-free readers for one CSV field (a [start, end) slice of the text): numbers and timestamps.
import { DAY_MS, HOUR_MS, MINUTE_MS, daysFromCivil } from './time';
import { daysInMonth, epochToMs, parseStrictDate } from './user-date';

// Exact powers of ten: a decimal with ≤ 15 significant digits divided by one of these is the
// correctly rounded double (both operands are exact; IEEE division rounds once), so
// "1.10345" parses to exactly the same value as Number("1.10345").
const POW10 = [1, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22];

/** Parses a decimal number; NaN for empty or malformed text. Falls back to Number() for exponents and long mantissas. */
export function parseNumber(s: string, a: number, b: number): number {
  while (a < b && s.charCodeAt(a) === 32) a++;
  while (b > a && s.charCodeAt(b - 1) === 32) b--;
  if (a >= b) return NaN;
  let i = a;
  let neg = false;
  let c = s.charCodeAt(i);
  if (c === 45 || c === 43) {
    neg = c === 45;
    i++;
  }
  let mant = 0;
  let digits = 0;
  let frac = 0;
  let seenDot = false;
  let any = false;
  for (; i < b; i++) {
    c = s.charCodeAt(i);
    if (c >= 48 && c <= 57) {
      any = true;
      if (digits > 0 || c !== 48) digits++;
      mant = mant * 10 + (c - 48);
      if (seenDot) frac++;
    } else if (c === 46 && !seenDot) seenDot = true;
    else break;
  }
  if (i < b || digits > 15 || frac > 22) {
    // Exponent, thousands separators, quotes or a very long mantissa: let the engine decide.
    const text = s.slice(a, b).replace(/^"|"$/g, '');
    if (text === '' || !/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(text)) return NaN;
    return Number(text);
  }
  if (!any) return NaN;
  const v = frac === 0 ? mant : mant / POW10[frac];
  return neg ? -v : v;
}

function digitsAt(s: string, i: number, n: number): number {
  let v = 0;
  for (let k = 0; k < n; k++) {
    const c = s.charCodeAt(i + k) - 48;
    if (c < 0 || c > 9) return -1;
    v = v * 10 + c;
  }
  return v;
}

/** Result flags of the last parseTimestamp call (kept in a module object to avoid allocating per row). */
export const lastTimestamp = { naive: false };

const isDigit = (c: number) => c >= 48 && c <= 57;

/**
 * Parses a bar timestamp to UTC ms, or NaN. Accepted:
 * - ISO 8601 `YYYY-MM-DD[T| ]HH:MM[:SS[.fff]]` with `Z`, `±HH:MM`, `±HHMM`, ` UTC`, ` GMT±HHMM` or no zone;
 *   `.` or `/` also work as date separators; date only `YYYY-MM-DD`; `YYYYMMDD`;
 * - `DD.MM.YYYY ...` (Dukascopy exports) and `MM/DD/YYYY ...` (US exports);
 * - epoch numbers: seconds, milliseconds, microseconds or nanoseconds by magnitude (see epochToMs).
 * A timestamp without a zone sets `lastTimestamp.naive` (the caller applies the file's time zone).
 */
export function parseTimestamp(s: string, a: number, b: number): number {
  while (a < b && (s.charCodeAt(a) === 32 || s.charCodeAt(a) === 34)) a++;
  while (b > a && (s.charCodeAt(b - 1) === 32 || s.charCodeAt(b - 1) === 34)) b--;
  lastTimestamp.naive = false;
  const len = b - a;
  if (len <= 0) return NaN;
  // Fast path: 2024-01-02T03:04:05Z (KTRDR and the bundled samples).
  if (len === 20 && s.charCodeAt(a + 4) === 45 && s.charCodeAt(a + 10) === 84 && s.charCodeAt(a + 19) === 90) {
    const y = digitsAt(s, a, 4);
    const mo = digitsAt(s, a + 5, 2);
    const d = digitsAt(s, a + 8, 2);
    const h = digitsAt(s, a + 11, 2);
    const mi = digitsAt(s, a + 14, 2);
    const se = digitsAt(s, a + 17, 2);
    if (y >= 0 && mo >= 1 && mo <= 12 && d >= 1 && d <= daysInMonth(y, mo) && h >= 0 && h < 24 && mi >= 0 && mi < 60 && se >= 0 && se < 61 && s.charCodeAt(a + 7) === 45) {
      return daysFromCivil(y, mo, d) * DAY_MS + h * HOUR_MS + mi * MINUTE_MS + se * 1000;
    }
  }
  return parseTimestampSlow(s, a, b);
}

function parseTimestampSlow(s: string, a: number, b: number): number {
  // A plain number (epoch), allowing one decimal point and a leading minus.
  let allDigits = true;
  let dots = 0;
  for (let i = a; i < b; i++) {
    const c = s.charCodeAt(i);
    if (c === 46 && i > a) dots++;
    else if (!isDigit(c) && !(c === 45 && i === a)) {
      allDigits = false;
      break;
    }
  }
  if (dots > 1) allDigits = false;
  const len = b - a;
  if (allDigits && !(len === 8 && s.charCodeAt(a + 4) !== 46)) {
    const n = Number(s.slice(a, b));
    return epochToMs(n);
  }
  let i = a;
  let y: number;
  let mo: number;
  let d: number;
  if (allDigits && len === 8) {
    y = digitsAt(s, a, 4);
    mo = digitsAt(s, a + 4, 2);
    d = digitsAt(s, a + 6, 2);
    i = b;
  } else if (isDigit(s.charCodeAt(a + 4)) || !isDigit(s.charCodeAt(a + 3))) {
    // DD.MM.YYYY or MM/DD/YYYY (first group of one or two digits).
    const g1End = isDigit(s.charCodeAt(a + 1)) ? a + 2 : a + 1;
    const sep = s.charCodeAt(g1End);
    const g1 = digitsAt(s, a, g1End - a);
    const g2Start = g1End + 1;
    const g2End = isDigit(s.charCodeAt(g2Start + 1)) ? g2Start + 2 : g2Start + 1;
    const g2 = digitsAt(s, g2Start, g2End - g2Start);
    if (s.charCodeAt(g2End) !== sep || g2End + 5 > b) return NaN;
    y = digitsAt(s, g2End + 1, 4);
    if (sep === 46) {
      d = g1;
      mo = g2;
    } else if (sep === 47) {
      mo = g1;
      d = g2;
    } else return NaN;
    i = g2End + 5;
  } else {
    y = digitsAt(s, a, 4);
    const sep = s.charCodeAt(a + 4);
    if (sep !== 45 && sep !== 46 && sep !== 47) return NaN;
    const moEnd = isDigit(s.charCodeAt(a + 6)) ? a + 7 : a + 6;
    mo = digitsAt(s, a + 5, moEnd - a - 5);
    if (s.charCodeAt(moEnd) !== sep) return NaN;
    const dEnd = moEnd + 2 < b && isDigit(s.charCodeAt(moEnd + 2)) ? moEnd + 3 : moEnd + 2;
    if (dEnd > b) return NaN;
    d = digitsAt(s, moEnd + 1, dEnd - moEnd - 1);
    i = dEnd;
  }
  if (y < 0 || mo < 1 || mo > 12 || d < 1 || d > daysInMonth(y, mo)) return NaN;
  let t = daysFromCivil(y, mo, d) * DAY_MS;
  if (i >= b) {
    lastTimestamp.naive = true;
    return t;
  }
  const sepc = s.charCodeAt(i);
  if (sepc !== 84 && sepc !== 32) return NaN;
  i++;
  const tod = parseTimeOfDay(s, i, b);
  if (Number.isNaN(tod.ms)) return NaN;
  t += tod.ms;
  i = tod.next;
  while (i < b && s.charCodeAt(i) === 32) i++;
  if (i >= b) {
    lastTimestamp.naive = true;
    return t;
  }
  return applyZone(s, i, b, t);
}

const todResult = { ms: 0, next: 0 };

/** `HH:MM[:SS[.fff]]` → ms since midnight; `next` is the index after it. */
export function parseTimeOfDay(s: string, i: number, b: number): { ms: number; next: number } {
  const h = digitsAt(s, i, 2);
  const mi = s.charCodeAt(i + 2) === 58 ? digitsAt(s, i + 3, 2) : -1;
  if (h < 0 || h > 24 || mi < 0 || mi > 59) {
    todResult.ms = NaN;
    return todResult;
  }
  let ms = h * HOUR_MS + mi * MINUTE_MS;
  i += 5;
  if (i < b && s.charCodeAt(i) === 58) {
    const se = digitsAt(s, i + 1, 2);
    if (se < 0 || se > 60) {
      todResult.ms = NaN;
      return todResult;
    }
    ms += se * 1000;
    i += 3;
    if (i < b && (s.charCodeAt(i) === 46 || s.charCodeAt(i) === 44)) {
      i++;
      let scale = 100;
      let frac = 0;
      while (i < b && isDigit(s.charCodeAt(i))) {
        frac += (s.charCodeAt(i) - 48) * scale;
        scale /= 10;
        i++;
      }
      ms += Math.round(frac);
    }
  }
  todResult.ms = ms;
  todResult.next = i;
  return todResult;
}

function applyZone(s: string, i: number, b: number, t: number): number {
  let c = s.charCodeAt(i);
  if (c === 90 || c === 122) return i + 1 === b ? t : NaN; // Z
  const rest = s.slice(i, b).toUpperCase();
  if (rest === 'UTC' || rest === 'GMT') return t;
  if (rest.startsWith('GMT') || rest.startsWith('UTC')) {
    i += 3;
    c = s.charCodeAt(i);
  }
  if (c !== 43 && c !== 45) return NaN;
  const sign = c === 45 ? -1 : 1;
  const oh = digitsAt(s, i + 1, 2);
  let j = i + 3;
  if (s.charCodeAt(j) === 58) j++;
  const om = j < b ? digitsAt(s, j, 2) : 0;
  if (oh < 0 || om < 0 || oh > 14 || om > 59 || (j < b && j + 2 !== b)) return NaN;
  // Local = UTC + offset, so UTC = local − offset.
  return t - sign * (oh * HOUR_MS + om * MINUTE_MS);
}

/** A date or date-time given by a user: UTC ms, or NaN (the strict parser of user-date.ts). */
export function parseUserDate(text: string): number {
  const r = parseStrictDate(text);
  return r.ok ? r.ms : NaN;
}
