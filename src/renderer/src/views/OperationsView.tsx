import { useEffect, useState } from 'react';
import { EmptyState } from '../components/EmptyState';
import { ErrorNote } from '../components/ErrorNote';
import { OperationDetail } from '../components/OperationDetail';
import { OperationFilters } from '../components/OperationFilters';
import { OperationRow } from '../components/OperationRow';
import { WorkersIndicator } from '../components/WorkersIndicator';
import { RunComparison } from '../components/RunComparison';
import { useOperations } from '../stores/operations';

/** Every operation, newest first, live while active; click one for its detail pane. */
export function OperationsView() {
  const { listIds, ops, listError, listLoading, selectedId, totalCount } = useOperations();
  const { loadList, setListWatched, select } = useOperations.getState();
  // Two runs picked for comparison (the oldest pick drops out when a third is picked).
  const [picked, setPicked] = useState<string[]>([]);
  const [comparing, setComparing] = useState<[string, string] | null>(null);
  const togglePick = (id: string) => setPicked((p) => (p.includes(id) ? p.filter((x) => x !== id) : [...p, id].slice(-2)));

  useEffect(() => {
    void loadList();
    setListWatched(true);
    const onVisible = () => document.visibilityState === 'visible' && void loadList();
    document.addEventListener('visibilitychange', onVisible);
    return () => {
      setListWatched(false);
      document.removeEventListener('visibilitychange', onVisible);
    };
  }, [loadList, setListWatched]);

  // Escape closes the detail pane and gives the focus back to the operation's row.
  useEffect(() => {
    if (!selectedId) return;
    const onKey = (e: KeyboardEvent) => {
      if (e.key !== 'Escape' || e.defaultPrevented) return;
      e.preventDefault();
      select(null);
      document.querySelector<HTMLElement>(`[data-testid="op-row-${CSS.escape(selectedId)}"]`)?.focus();
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [selectedId, select]);

  const rows = listIds.map((id) => ops[id]).filter(Boolean);
  return (
    <section className="view ops-view" data-testid="view-operations">
      <div className="view-head">
        <h1>Operations</h1>
        <OperationFilters />
        <button className="btn small" disabled={picked.length !== 2} onClick={() => setComparing([picked[0], picked[1]])} data-testid="ops-compare" title="Tick two trainings or two backtests, then compare them">
          Compare{picked.length ? ` (${picked.length}/2)` : ''}
        </button>
        <span className="muted" data-testid="ops-count">
          {rows.length} of {totalCount}
        </span>
        <WorkersIndicator />
      </div>
      <ErrorNote error={listError && `Could not list operations: ${listError}`} />
      {comparing && <RunComparison ids={comparing} onClose={() => setComparing(null)} />}
      <div className={selectedId ? 'split' : undefined}>
        <div className="table-wrap">
          {rows.length === 0 && !listLoading && !listError && (
            <EmptyState testId="ops-empty">No operations yet — start a training, a backtest or a data load.</EmptyState>
          )}
          {rows.length > 0 && (
            <table className="grid ops" data-testid="ops-table">
              <thead>
                <tr>
                  <th>
                    <span className="sr-only">Compare</span>
                  </th>
                  <th>ID</th>
                  <th>Type</th>
                  <th>Run</th>
                  <th>Status</th>
                  <th>Progress</th>
                  <th className="col-step">Current step</th>
                  {!selectedId && <th className="col-worker">Worker</th>}
                  <th>Elapsed · ETA</th>
                  <th>
                    <span className="sr-only">Actions</span>
                  </th>
                </tr>
              </thead>
              <tbody>
                {rows.map((o) => (
                  <OperationRow
                    key={o.operation_id}
                    op={o}
                    compact={!!selectedId}
                    selected={o.operation_id === selectedId}
                    onSelect={() => select(o.operation_id === selectedId ? null : o.operation_id)}
                    compared={picked.includes(o.operation_id)}
                    onCompare={() => togglePick(o.operation_id)}
                  />
                ))}
              </tbody>
            </table>
          )}
        </div>
        {selectedId && <OperationDetail id={selectedId} onClose={() => select(null)} />}
      </div>
    </section>
  );
}
