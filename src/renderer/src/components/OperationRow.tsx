import { runFacts, runLabel } from '../../../shared/run-facts';
import { shortOpId } from '../lib/format';
import { hasResultView, isComparable, openResult } from '../lib/open-result';
import type { OperationView } from '../stores/operations';
import { CancelButton } from './CancelButton';
import { KeyMetrics } from './KeyMetrics';
import { OperationTiming } from './OperationTiming';
import { ProgressBar } from './ProgressBar';
import { StartedByTag } from './StartedByTag';
import { StatusBadge } from './StatusBadge';

/** `host:pid` of the process that ran it (metadata.worker), when the server recorded one. */
function workerOf(op: OperationView): string | null {
  const w = op.metadata?.worker;
  return typeof w === 'string' && w ? w : null;
}

/** "trial 3" / "fold 2" / "final holdout, trial 2": where a child sits in its experiment. */
function childPlace(op: OperationView): string | null {
  const m = (op.metadata ?? {}) as Record<string, unknown>;
  if (typeof m.trial === 'number') return m.final === true ? `final holdout, trial ${m.trial + 1}` : `trial ${m.trial + 1}`;
  if (typeof m.fold === 'number') return `fold ${m.fold + 1}`;
  return null;
}

export interface OperationRowProps {
  op: OperationView;
  selected: boolean;
  onSelect(): void;
  /** The detail pane is open: the worker and step columns give way (the pane shows them). */
  compact?: boolean;
  compared?: boolean;
  onCompare?(): void;
  /** A child shown under its experiment (indented, named by its trial or fold). */
  child?: boolean;
  /** An experiment's children: how many, whether they are shown, and the toggle. */
  children?: { count: number; open: boolean; toggle(): void };
}

/**
 * One operation. The id shows in its short form (the full id in the tooltip and the detail pane), so
 * the table fits its window; a finished run shows its headline numbers in the Result column.
 */
export function OperationRow({ op, selected, onSelect, compact = false, compared, onCompare, child = false, children }: OperationRowProps) {
  const pct = op.progress?.percentage ?? op.progress_percentage ?? 0;
  const place = child ? childPlace(op) : null;
  return (
    <tr
      className={`selectable${selected ? ' selected' : ''}${child ? ' child' : ''}`}
      onClick={onSelect}
      onKeyDown={(e) => e.target === e.currentTarget && (e.key === 'Enter' || e.key === ' ') && (e.preventDefault(), onSelect())}
      tabIndex={0}
      aria-selected={selected}
      aria-label={`${op.operation_type} ${op.operation_id}, ${op.status}`}
      data-testid={`op-row-${op.operation_id}`}
      data-status={op.status}
      data-parent={op.parent_id ?? undefined}
    >
      <td className="pick" onClick={(e) => e.stopPropagation()}>
        {onCompare && isComparable(op) && (
          <input type="checkbox" checked={!!compared} onChange={onCompare} aria-label={`Compare ${op.operation_id}`} title="Pick two runs to compare" data-testid="op-compare" />
        )}
      </td>
      <td className="mono op-id" title={op.operation_id} data-testid="op-id">
        {child && <span className="child-mark" aria-hidden="true">└ </span>}
        {shortOpId(op.operation_id)}
      </td>
      <td className="type">
        {children ? (
          <button
            className="btn small disclosure"
            aria-expanded={children.open}
            onClick={(e) => {
              e.stopPropagation();
              children.toggle();
            }}
            title={children.open ? 'Hide its trainings and backtests' : 'Show its trainings and backtests'}
            data-testid="op-children-toggle"
          >
            {children.open ? '▾' : '▸'} {op.operation_type} ({children.count})
          </button>
        ) : (
          <>
            {op.operation_type} {place && <span className="muted small">{place}</span>} <StartedByTag metadata={op.metadata} />
          </>
        )}
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
      {!compact && (
        <td className="result">
          <KeyMetrics metrics={op.key_metrics} />
        </td>
      )}
      {!compact && (
        <td className="step" title={op.current_step ?? ''} data-testid="op-step">
          {op.current_step ?? '—'}
        </td>
      )}
      {!compact && (
        <td className="mono worker" title={workerOf(op) ?? ''} data-testid="op-worker">
          {workerOf(op) ?? '—'}
        </td>
      )}
      <td className="elapsed">
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
