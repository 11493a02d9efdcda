import type { OperationView } from '../stores/operations';
import { CancelButton } from './CancelButton';
import { OperationTiming } from './OperationTiming';
import { ProgressBar } from './ProgressBar';
import { StatusBadge } from './StatusBadge';

export function OperationRow({ op, selected, onSelect }: { op: OperationView; selected: boolean; onSelect(): void }) {
  const pct = op.progress?.percentage ?? op.progress_percentage ?? 0;
  return (
    <tr
      className={selected ? 'selectable selected' : 'selectable'}
      onClick={onSelect}
      onKeyDown={(e) => (e.key === 'Enter' || e.key === ' ') && (e.preventDefault(), onSelect())}
      tabIndex={0}
      aria-selected={selected}
      data-testid={`op-row-${op.operation_id}`}
      data-status={op.status}
    >
      <td className="mono">{op.operation_id}</td>
      <td>{op.operation_type}</td>
      <td>
        <StatusBadge status={op.status} testId="op-status" />
      </td>
      <td className="progress-cell">
        <ProgressBar value={pct} status={op.status} testId="op-progress" />
      </td>
      <td className="step" title={op.current_step ?? ''} data-testid="op-step">
        {op.current_step ?? '—'}
      </td>
      <td>
        <OperationTiming op={op} />
      </td>
      <td className="actions">
        <CancelButton id={op.operation_id} status={op.status} />
      </td>
    </tr>
  );
}
