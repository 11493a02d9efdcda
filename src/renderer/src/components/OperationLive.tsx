import { useOperation } from '../hooks/useOperation';
import { CancelButton } from './CancelButton';
import { ResumeButton } from './ResumeButton';
import { OperationTiming } from './OperationTiming';
import { ProgressBar } from './ProgressBar';
import { StatusBadge } from './StatusBadge';

/** The live state of the operation a view started: status, bar, step, elapsed/ETA, Cancel, error. */
export function OperationLive({ id, testId }: { id: string; testId?: string }) {
  const op = useOperation(id);
  return (
    <div className="op-live" data-testid={testId ?? 'op-live'} data-status={op?.status ?? 'pending'}>
      <div className="detail-head">
        <span className="mono">{id}</span>
        {op && <StatusBadge status={op.status} testId="live-status" />}
        {op && <CancelButton id={id} status={op.status} testId="live-cancel" />}
        {op && <ResumeButton op={{ ...op, operation_id: id }} testId="live-resume" />}
      </div>
      <ProgressBar value={op?.progress?.percentage ?? op?.progress_percentage ?? 0} status={op?.status} testId="live-progress" />
      <p className="step-line">
        <span data-testid="live-step">{op?.progress?.current_step ?? op?.current_step ?? '—'}</span>
        {op && (
          <>
            {' · '}
            <OperationTiming op={op} />
          </>
        )}
      </p>
      {op?.error_message && (
        <p className="error" data-testid="live-error">
          {op.error_message}
        </p>
      )}
      {(op?.warnings?.length ?? 0) > 0 && (
        <ul className="warnings">
          {op!.warnings!.map((w, i) => (
            <li key={i}>{w}</li>
          ))}
        </ul>
      )}
    </div>
  );
}
