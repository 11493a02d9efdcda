// Elapsed time and ETA of an operation, from its timestamps and its percentage (no extra requests).
import { isTerminal, type OperationStatus } from '../../../shared/operations';

export interface TimedOperation {
  status: OperationStatus;
  created_at: string;
  started_at: string | null;
  completed_at: string | null;
  progress?: { percentage: number } | null;
  progress_percentage?: number;
}

export function percentageOf(op: TimedOperation): number {
  const p = op.progress?.percentage ?? op.progress_percentage ?? 0;
  return Number.isFinite(p) ? Math.min(100, Math.max(0, p)) : 0;
}

/** Seconds from start (or creation while pending) to completion, or to `now` while it runs. */
export function elapsedSeconds(op: TimedOperation, now: number): number {
  const from = Date.parse(op.started_at ?? op.created_at);
  const to = op.completed_at ? Date.parse(op.completed_at) : now;
  if (!Number.isFinite(from) || !Number.isFinite(to)) return 0;
  return Math.max(0, (to - from) / 1000);
}

/** Remaining seconds at the average rate so far; null when it cannot be estimated (not started, 0 %, finished). */
export function etaSeconds(op: TimedOperation, now: number): number | null {
  if (op.status !== 'running') return null;
  const pct = percentageOf(op);
  const elapsed = elapsedSeconds(op, now);
  if (pct <= 0 || pct >= 100 || elapsed <= 0) return null;
  return (elapsed * (100 - pct)) / pct;
}

export function isActive(status: OperationStatus): boolean {
  return !isTerminal(status);
}

/** "42s", "3m 05s", "2h 07m". */
export function formatDuration(seconds: number | null): string {
  if (seconds === null || !Number.isFinite(seconds)) return '—';
  const s = Math.round(seconds);
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m ${String(s % 60).padStart(2, '0')}s`;
  const h = Math.floor(m / 60);
  return `${h}h ${String(m % 60).padStart(2, '0')}m`;
}
