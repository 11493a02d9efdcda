import { useEffect, useState } from 'react';
import type { OperationStatus, OperationType } from '../../../shared/operations';
import { checkpointOf, describeCheckpoint, mayHaveCheckpoint, resumeOperation, type CheckpointInfo } from '../lib/resume';

/**
 * "Resume" on a failed or cancelled training that has a checkpoint (asked once per status): it
 * continues from the checkpoint and ends as the uninterrupted run would. A refusal (strategy or data
 * changed since the checkpoint) is shown as the server words it.
 */
export function ResumeButton({ op, testId }: { op: { operation_id: string; operation_type?: OperationType; status: OperationStatus; parent_id?: string | null }; testId?: string }) {
  const [checkpoint, setCheckpoint] = useState<CheckpointInfo | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const candidate = mayHaveCheckpoint(op);
  const id = op.operation_id;

  useEffect(() => {
    setCheckpoint(null);
    setError(null);
    if (!candidate) return;
    let alive = true;
    let timer: ReturnType<typeof setTimeout> | undefined;
    // A cancelled worker writes its checkpoint as it stops: ask again shortly.
    const ask = (tries: number) =>
      void checkpointOf(id).then(
        (c) => {
          if (!alive) return;
          if (c === 'stopping') {
            if (tries > 0) timer = setTimeout(() => ask(tries - 1), 1000);
          } else setCheckpoint(c);
        },
        () => undefined,
      );
    ask(10);
    return () => {
      alive = false;
      if (timer) clearTimeout(timer);
    };
  }, [id, candidate, op.status]);

  if (!candidate || !checkpoint) return null;
  return (
    <>
      <button
        className="btn small"
        disabled={busy}
        data-testid={testId ?? 'resume-op'}
        title={`Continue from the ${checkpoint.checkpoint_type} checkpoint of ${checkpoint.created_at} (${describeCheckpoint(checkpoint)})`}
        onClick={async (e) => {
          e.stopPropagation();
          setBusy(true);
          setError(null);
          try {
            await resumeOperation(id);
          } catch (err) {
            setError((err as Error).message);
          } finally {
            setBusy(false);
          }
        }}
      >
        {busy ? 'Resuming…' : `Resume from ${describeCheckpoint(checkpoint)}`}
      </button>
      {error && (
        <span className="error" role="alert" data-testid={`${testId ?? 'resume-op'}-error`}>
          {error}
        </span>
      )}
    </>
  );
}
