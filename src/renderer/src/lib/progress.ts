// What a progress bar shows: the value it is given, clamped, and a full bar for a completed operation
// (a job's last reported percentage can be 98 % when it finishes with a final step).
import { isTerminal, type OperationStatus } from '../../../shared/operations';

export function barPercent(value: number, status?: OperationStatus | string): number {
  if (status === 'completed') return 100;
  return Math.min(100, Math.max(0, Number.isFinite(value) ? value : 0));
}

/** Whether the bar animates towards its value: only while the operation moves (a final state is drawn at once). */
export function barAnimates(status?: OperationStatus | string): boolean {
  return !status || !isTerminal(status as OperationStatus);
}
