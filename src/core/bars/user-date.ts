// The one strict date parser for every API route and CLI flag (issue #17.9): a date is valid only
// if it names a real calendar instant between 1900 and 2200; nothing is "reinterpreted".
import { DAY_MS, HOUR_MS, MINUTE_MS, daysFromCivil } from './time';

/** Bars and user dates must fall inside [1900-01-01, 2201-01-01): beyond is a unit mistake, not data. */
export const PLAUSIBLE_MIN_MS = daysFromCivil(1900, 1, 1) * DAY_MS;
export const PLAUSIBLE_MAX_MS = daysFromCivil(2201, 1, 1) * DAY_MS - 1;
export const PLAUSIBLE_RANGE_TEXT = '1900-01-01 to 2200-12-31';

export function isPlausibleTime(t: number): boolean {
  return Number.isFinite(t) && t >= PLAUSIBLE_MIN_MS && t <= PLAUSIBLE_MAX_MS;
}

export function daysInMonth(y: number, m: number): number {
  if (m === 2) return (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0 ? 29 : 28;
  return m === 4 || m === 6 || m === 9 || m === 11 ? 30 : 31;
}

/**
 * Epoch number → UTC ms, choosing the unit by magnitude so that every unit lands in 1900–2200:
 * seconds (< 1e11), milliseconds (< 1e14), microseconds (< 1e17), nanoseconds (< 1e20).
 * Pandas/Arrow write nanoseconds; JavaScript milliseconds; Unix tools seconds.
 */
export function epochToMs(n: number): number {
  const a = Math.abs(n);
  if (!Number.isFinite(n) || a >= 1e20) return NaN;
  if (a < 1e11) return Math.round(n * 1000);
  if (a < 1e14) return Math.round(n);
  if (a < 1e17) return Math.round(n / 1e3);
  return Math.round(n / 1e6);
}

export type DateSide = 'start' | 'end' | 'instant';
export type StrictDate = { ok: true; ms: number } | { ok: false; message: string };

const DATE_RE = /^(\d{4})-(\d{2})-(\d{2})$/;
const DATETIME_RE = /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?\s*(Z|z|UTC|[+-]\d{2}:?\d{2})?$/;
const EPOCH_RE = /^\d{1,20}$/;

const fail = (message: string): StrictDate => ({ ok: false, message });
const HINT = 'use YYYY-MM-DD, an ISO 8601 date-time (e.g. 2024-01-02T09:30:00Z) or epoch seconds/ms/µs/ns';

/**
 * Parses a user date. `YYYY-MM-DD` is a whole UTC day: its start, or with side 'end' its last ms.
 * A date-time without a zone is UTC. Offsets are at most ±14:00 with minutes < 60. Non-negative epoch
 * numbers are read by magnitude (see epochToMs). The result must lie in 1900–2200.
 */
export function parseStrictDate(raw: string, side: DateSide = 'instant'): StrictDate {
  const s = raw.trim();
  if (s === '') return fail(`empty date: ${HINT}`);
  if (s.length > 40) return fail(`date text too long: ${HINT}`);
  let ms: number;
  let m: RegExpExecArray | null;
  if ((m = DATE_RE.exec(s))) {
    const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
    if (mo < 1 || mo > 12 || d < 1 || d > daysInMonth(y, mo)) return fail(`'${s}' is not a calendar date`);
    ms = daysFromCivil(y, mo, d) * DAY_MS + (side === 'end' ? DAY_MS - 1 : 0);
  } else if ((m = DATETIME_RE.exec(s))) {
    const [y, mo, d, h, mi] = [Number(m[1]), Number(m[2]), Number(m[3]), Number(m[4]), Number(m[5])];
    const sec = m[6] === undefined ? 0 : Number(m[6]);
    if (mo < 1 || mo > 12 || d < 1 || d > daysInMonth(y, mo)) return fail(`'${s}' is not a calendar date`);
    if (h > 23 || mi > 59 || sec > 59) return fail(`'${s}' has an impossible time of day`);
    const frac = m[7] === undefined ? 0 : Math.floor(Number(`0.${m[7]}`) * 1000);
    ms = daysFromCivil(y, mo, d) * DAY_MS + h * HOUR_MS + mi * MINUTE_MS + sec * 1000 + frac;
    const zone = m[8];
    if (zone && zone !== 'Z' && zone !== 'z' && zone !== 'UTC') {
      const sign = zone[0] === '-' ? -1 : 1;
      const digits = zone.slice(1).replace(':', '');
      const oh = Number(digits.slice(0, 2));
      const om = Number(digits.slice(2, 4));
      if (oh > 14 || om > 59) return fail(`'${s}' has an impossible UTC offset ${zone}`);
      ms -= sign * (oh * HOUR_MS + om * MINUTE_MS);
    }
  } else if (EPOCH_RE.test(s)) {
    ms = epochToMs(Number(s));
  } else {
    return fail(`'${s.slice(0, 40)}' is not a date: ${HINT}`);
  }
  if (!isPlausibleTime(ms)) return fail(`'${s}' is outside ${PLAUSIBLE_RANGE_TEXT}`);
  return { ok: true, ms };
}

/** An epoch-ms number given by a client (inline bar dates): finite and in 1900–2200. */
export function checkEpochMs(n: number): StrictDate {
  if (!isPlausibleTime(n)) return fail(`${n} is not epoch milliseconds in ${PLAUSIBLE_RANGE_TEXT}`);
  return { ok: true, ms: n };
}
