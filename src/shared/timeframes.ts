// Timeframe strings as KTRDR writes them: 1m 5m 15m 30m 1h 4h 1d 1w. Shared by core (bars, features) and the CLI (flag checks).

const UNIT_MS: Record<string, number> = { m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 };

export const KNOWN_TIMEFRAMES = ['1m', '5m', '15m', '30m', '1h', '2h', '4h', '1d', '1w'] as const;

/** Bar length in ms, or null when the string is not a timeframe. */
export function timeframeMs(tf: string): number | null {
  const m = /^(\d+)([mhdw])$/.exec(tf.trim().toLowerCase());
  if (!m) return null;
  const n = Number(m[1]);
  return n > 0 ? n * UNIT_MS[m[2]] : null;
}

export function isTimeframe(tf: string): boolean {
  return timeframeMs(tf) !== null;
}
