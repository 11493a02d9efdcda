import { isTerminal } from '../../../shared/operations';
import { useMetricsFeed, useOperation } from '../hooks/useOperation';
import { useResults } from '../hooks/useResults';
import { fmtTime } from '../lib/format';
import { hasResultView, openResult } from '../lib/open-result';
import { useOperations } from '../stores/operations';
import { CancelButton } from './CancelButton';
import { ResumeButton } from './ResumeButton';
import { ErrorNote } from './ErrorNote';
import { KeyValueTable } from './KeyValueTable';
import { ResultSections } from './ResultSections';
import { presentResult } from '../../../shared/results/present';
import { MetricsPreview } from './MetricsPreview';
import { OperationTiming } from './OperationTiming';
import { ProgressBar } from './ProgressBar';
import { StartedByTag } from './StartedByTag';
import { StatusBadge } from './StatusBadge';
import { LEGEND_H } from './UPlotChart';

/** Everything about one operation: live progress, metadata, errors, warnings, metrics, results. */
export function OperationDetail({ id, onClose }: { id: string; onClose?(): void }) {
  const op = useOperation(id);
  const { records, error: metricsError } = useMetricsFeed(id);
  const cancelError = useOperations((s) => s.cancelErrors[id]);
  const { results, typed } = useResults(id, op?.status);
  const terminal = op ? isTerminal(op.status) : false;

  if (!op) return <p className="empty">Loading {id}…</p>;
  const meta = op.metadata ?? ({} as Record<string, unknown>);
  const { parameters, ...metaRest } = meta as Record<string, unknown>;
  // Parameters the metadata already shows (same key, same value) are not repeated.
  const extraParams = parameters !== null && typeof parameters === 'object' ? Object.fromEntries(Object.entries(parameters as Record<string, unknown>).filter(([k, v]) => metaRest[k] !== v)) : {};
  return (
    <aside className="detail" data-testid="op-detail" aria-label={`Operation ${op.operation_id}`}>
      <header className="detail-head">
        <h2 className="mono">{op.operation_id}</h2>
        <StatusBadge status={op.status} testId="detail-status" />
        <StartedByTag metadata={op.metadata} testId="detail-started-by" />
        <CancelButton id={op.operation_id} status={op.status} testId="detail-cancel" />
        <ResumeButton op={op} testId="detail-resume" />
        {hasResultView(op) && (
          <button className="btn small" onClick={() => openResult(op)} data-testid="detail-open" title="Open the result in its view">
            Open result
          </button>
        )}
        {onClose && (
          <button className="btn small icon close" onClick={onClose} aria-label="Close details" title="Close details (Esc)" data-testid="detail-close">
            ×
          </button>
        )}
      </header>
      <ProgressBar value={op.progress?.percentage ?? op.progress_percentage ?? 0} status={op.status} testId="detail-progress" />
      <p className="step-line">
        <span data-testid="detail-step">{op.progress?.current_step ?? op.current_step ?? '—'}</span> · <OperationTiming op={op} />
      </p>
      <ErrorNote error={cancelError} />
      {op.error_message && (
        <p className="error" data-testid="detail-error">
          {op.error_message}
        </p>
      )}
      {(op.errors ?? []).some((e) => e !== op.error_message) && (
        <ul className="errors">
          {op.errors!.filter((e) => e !== op.error_message).map((e, i) => (
            <li key={i}>{e}</li>
          ))}
        </ul>
      )}
      {(op.warnings?.length ?? 0) > 0 && (
        <ul className="warnings" data-testid="detail-warnings">
          {op.warnings!.map((w, i) => (
            <li key={i}>{w}</li>
          ))}
        </ul>
      )}
      <h3>Timeline</h3>
      <KeyValueTable raw values={{ type: op.operation_type, created: fmtTime(op.created_at), started: fmtTime(op.started_at), completed: fmtTime(op.completed_at) }} />
      <h3>Metadata</h3>
      <KeyValueTable raw values={metaRest} />
      {Object.keys(extraParams).length > 0 ? <KeyValueTable raw values={extraParams} /> : null}
      <h3>Metrics ({records.length})</h3>
      <ErrorNote error={metricsError} />
      <div className="chart-slot" style={{ minHeight: 180 + LEGEND_H }}>
        {records.length > 0 ? <MetricsPreview records={records} /> : <p className="empty">No metrics yet.</p>}
      </div>
      <h3>Results</h3>
      {!terminal ? (
        <p className="empty">Available when the operation ends.</p>
      ) : typed ? (
        <ResultSections sections={presentResult(typed)} testId="detail-results" />
      ) : (
        <KeyValueTable values={results ?? op.result_summary ?? null} testId="detail-results" />
      )}
    </aside>
  );
}
