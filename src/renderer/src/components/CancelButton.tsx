import { useState } from 'react';
import { isTerminal, type OperationStatus } from '../../../shared/operations';
import { useOperations } from '../stores/operations';

/** DELETE /operations/{id}; disabled once the operation is terminal or while the request runs. */
export function CancelButton({ id, status, testId }: { id: string; status: OperationStatus; testId?: string }) {
  const cancel = useOperations((s) => s.cancel);
  const [busy, setBusy] = useState(false);
  if (isTerminal(status)) return null;
  return (
    <button
      className="btn danger small"
      disabled={busy}
      data-testid={testId ?? 'cancel-op'}
      onClick={async (e) => {
        e.stopPropagation();
        setBusy(true);
        await cancel(id);
        setBusy(false);
      }}
    >
      {busy ? 'Cancelling…' : 'Cancel'}
    </button>
  );
}
