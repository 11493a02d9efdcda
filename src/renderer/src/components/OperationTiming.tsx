import { useNow } from '../hooks/useNow';
import { elapsedSeconds, etaSeconds, formatDuration, isActive, type TimedOperation } from '../lib/timing';

/** "elapsed 1m 05s · ETA 32s", ticking each second while the operation runs (no requests). */
export function OperationTiming({ op }: { op: TimedOperation }) {
  const now = useNow(isActive(op.status));
  const eta = etaSeconds(op, now);
  return (
    <span className="timing" data-testid="op-timing">
      <span data-testid="op-elapsed">{formatDuration(elapsedSeconds(op, now))}</span>
      {isActive(op.status) && <span className="muted"> · ETA {eta === null ? '—' : formatDuration(eta)}</span>}
    </span>
  );
}
