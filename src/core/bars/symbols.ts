// Symbol and timeframe names as stored: they become file names, so they are checked strictly.
import { timeframeMs } from '../timeframes';

const SYMBOL_RE = /^[A-Z0-9][A-Z0-9._-]{0,31}$/;

/** Upper-cased symbol, or null when it is not `[A-Z0-9._-]+` starting with a letter or digit (≤ 32 chars). */
export function normalizeSymbol(raw: string): string | null {
  const s = raw.trim().toUpperCase();
  return SYMBOL_RE.test(s) ? s : null;
}

/** Canonical timeframe (`1h`, `5m`, `1d`, `1w`), or null when it is not one. */
export function normalizeTimeframe(raw: string): string | null {
  // `1M` is KTRDR's month: refuse it rather than read it as one minute.
  if (/^\d+M$/.test(raw.trim())) return null;
  const s = raw.trim().toLowerCase();
  const ms = timeframeMs(s);
  if (ms === null) return null;
  const m = /^0*(\d+)([mhdw])$/.exec(s)!;
  return `${Number(m[1])}${m[2]}`;
}
