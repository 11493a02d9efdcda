import { runFacts, runLabel } from '../../../shared/run-facts';
import { shortOpId } from '../lib/format';
import { openResult, hasResultView } from '../lib/open-result';
import type { OperationView } from '../stores/operations';
import { CancelButton } from './CancelButton';
import { OperationTiming } from './OperationTiming';
import { ProgressBar } from './ProgressBar';
import { StartedByTag } from './StartedByTag';
import { StatusBadge } from './StatusBadge';

/** `host:pid` of the process that ran it (metadata.worker), when the server recorded one. */
function workerOf(op: OperationView): string | null {
  const w = op.metadata?.worker;
  return typeof w === 'string' && w ? w : null;
}

/**
 * `compact`: the detail pane takes half the width, so the id shows as its short form (full id in the
 * tooltip) and the worker column is left out (the detail pane lists metadata.worker).
 */
export function OperationRow({ op, selected, onSelect, compact = false, compared, onCompare }: { op: OperationView; selected: boolean; onSelect(): void; compact?: boolean; compared?: boolean; onCompare?(): void }) {
  const pct = op.progress?.percentage ?? op.progress_percentage ?? 0;
  return (
    <tr
      className={selected ? 'selectable selected' : 'selectable'}
      onClick={onSelect}
      onKeyDown={(e) => (e.key === 'Enter' || e.key === ' ') && (e.preventDefault(), onSelect())}
      tabIndex={0}
      aria-selected={selected}
      aria-label={`${op.operation_type} ${op.operation_id}, ${op.status}`}
      data-testid={`op-row-${op.operation_id}`}
      data-status={op.status}
    >
      <td className="pick" onClick={(e) => e.stopPropagation()}>
        {onCompare && hasResultView(op) && (
          <input type="checkbox" checked={!!compared} onChange={onCompare} aria-label={`Compare ${op.operation_id}`} title="Pick two runs to compare" data-testid="op-compare" />
        )}
      </td>
      <td className="mono op-id" title={op.operation_id} data-testid="op-id">
        {compact ? shortOpId(op.operation_id) : op.operation_id}
      </td>
      <td>
        {op.operation_type} <StartedByTag metadata={op.metadata} />
      </td>
      <td className="run" title={runLabel(op, { settings: true })} data-testid="op-run">
        <div>{runFacts(op).strategy ?? '—'}</div>
        <div className="muted small">{runLabel(op, { strategy: false })}</div>
      </td>
      <td>
        <StatusBadge status={op.status} testId="op-status" />
      </td>
      <td className="progress-cell">
        <ProgressBar value={pct} status={op.status} testId="op-progress" />
      </td>
      <td className="step" title={op.current_step ?? ''} data-testid="op-step">
        {op.current_step ?? '—'}
      </td>
      {!compact && (
        <td className="mono worker" title={workerOf(op) ?? ''} data-testid="op-worker">
          {workerOf(op) ?? '—'}
        </td>
      )}
      <td>
        <OperationTiming op={op} />
      </td>
      <td className="actions">
        {hasResultView(op) && (
          <button
            className="btn small"
            onClick={(e) => {
              e.stopPropagation();
              openResult(op);
            }}
            title="Open this run's result in its view"
            data-testid="op-open"
          >
            Open
          </button>
        )}
        <CancelButton id={op.operation_id} status={op.status} />
      </td>
    </tr>
  );
}
