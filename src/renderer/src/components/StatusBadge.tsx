import type { OperationStatus } from '../../../shared/operations';

export function StatusBadge({ status, testId }: { status: OperationStatus; testId?: string }) {
  return (
    <span className={`badge status ${status}`} data-testid={testId} data-status={status}>
      {status}
    </span>
  );
}
