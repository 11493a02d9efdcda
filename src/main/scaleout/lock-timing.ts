// How BullMQ's job locks are timed on a `ktrdr worker`, and what that guarantees. A worker renews
// the lock of each running job every `lockRenewMs` (BullMQ's lockRenewTime), so the lock always has
// at least `lockDurationMs - lockRenewMs` left: a Redis pause (or a worker stall) shorter than that
// costs nothing. A dead worker renews nothing: its lock runs out within `lockDurationMs` and the next
// stalled check (every `stalledIntervalMs`, run by any live worker) puts the job back on the queue,
// so another worker takes it over within `lockDurationMs + stalledIntervalMs`.
import { numberFromEnv } from '../config';

export interface LockTiming {
  lockDurationMs: number;
  lockRenewMs: number;
  stalledIntervalMs: number;
  /** Times a job may be put back on the queue (its worker lost) before it fails. */
  maxStalledCount: number;
}

/** 50 s lock renewed every 2.5 s, stalled check every 10 s: a 47.5 s Redis pause is survived, takeover ≤ 60 s. */
export const LOCK_DEFAULTS: LockTiming = { lockDurationMs: 50_000, lockRenewMs: 2_500, stalledIntervalMs: 10_000, maxStalledCount: 5 };

/** Longest time from a worker's death to its job waiting on the queue again (then the next free worker takes it). */
export const takeoverBoundMs = (t: LockTiming) => t.lockDurationMs + t.stalledIntervalMs;

/** Longest Redis pause a running job survives on its worker without a takeover. */
export const pauseToleranceMs = (t: LockTiming) => t.lockDurationMs - t.lockRenewMs;

const ms = (n: number) => Number.isInteger(n) && n >= 100 && n <= 3_600_000;

/** KTRDR_LOCK_DURATION_MS, KTRDR_LOCK_RENEW_MS, KTRDR_STALLED_INTERVAL_MS, KTRDR_MAX_STALLED_COUNT (ConfigError naming a bad one). */
export function lockTimingFromEnv(env: NodeJS.ProcessEnv = process.env): LockTiming {
  const rule = 'whole milliseconds, 100–3600000';
  const lockDurationMs = numberFromEnv(env, 'KTRDR_LOCK_DURATION_MS', LOCK_DEFAULTS.lockDurationMs, ms, rule);
  // Unset: the default share of a shorter lock (tests set only the duration).
  const renewDefault = Math.max(100, Math.min(LOCK_DEFAULTS.lockRenewMs, Math.floor(lockDurationMs / 4)));
  const lockRenewMs = numberFromEnv(env, 'KTRDR_LOCK_RENEW_MS', renewDefault, (n) => ms(n) && n < lockDurationMs, `${rule}, less than KTRDR_LOCK_DURATION_MS (${lockDurationMs})`);
  const stalledIntervalMs = numberFromEnv(env, 'KTRDR_STALLED_INTERVAL_MS', LOCK_DEFAULTS.stalledIntervalMs, ms, rule);
  const maxStalledCount = numberFromEnv(env, 'KTRDR_MAX_STALLED_COUNT', LOCK_DEFAULTS.maxStalledCount, (n) => Number.isInteger(n) && n >= 0 && n <= 1000, 'an integer 0–1000');
  return { lockDurationMs, lockRenewMs, stalledIntervalMs, maxStalledCount };
}
