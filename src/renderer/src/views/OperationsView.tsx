import { useEffect, useMemo, useState } from 'react';
import { EmptyState } from '../components/EmptyState';
import { GettingStarted } from '../components/GettingStarted';
import { ErrorNote } from '../components/ErrorNote';
import { OperationDetail } from '../components/OperationDetail';
import { OperationFilters } from '../components/OperationFilters';
import { OperationRow } from '../components/OperationRow';
import { WorkersIndicator } from '../components/WorkersIndicator';
import { RunComparison } from '../components/RunComparison';
import { groupByParent } from '../lib/operation-tree';
import { useOperations, type OperationView } from '../stores/operations';


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

  // Experiments' children sit under their parent (folded by default), not between other runs.
  const [openParents, setOpenParents] = useState<Set<string>>(() => new Set());
  const tree = useMemo(() => groupByParent(listIds.map((id) => ops[id]).filter(Boolean)), [listIds, ops]);
  const toggleParent = (id: string) =>
    setOpenParents((s) => {
      const n = new Set(s);
      if (n.has(id)) n.delete(id);
      else n.add(id);
      return n;
    });
  return (
    <section className="view ops-view" data-testid="view-operations">
      <div className="view-head">
        <h1>Operations</h1>
        <OperationFilters />
        <button className="btn small" disabled={picked.length !== 2} onClick={() => setComparing([picked[0], picked[1]])} data-testid="ops-compare" title="Tick two trainings or two backtests, then compare them">
          Compare{picked.length ? ` (${picked.length}/2)` : ''}
        </button>
        <span className="muted" data-testid="ops-count">
          {listIds.length} of {totalCount}
        </span>
        <WorkersIndicator />
      </div>
      <ErrorNote error={listError && `Could not list operations: ${listError}`} />
      {comparing && <RunComparison ids={comparing} onClose={() => setComparing(null)} />}
      {(!listLoading || listIds.length > 0) && !listError && <GettingStarted ops={tree.map((g) => g.op)} />}
      <div className={selectedId ? 'split' : undefined}>
        <div className="table-wrap">
          {tree.length === 0 && !listLoading && !listError && (
            <EmptyState testId="ops-empty">No operations yet — start a training, a backtest or a data load.</EmptyState>
          )}
          {tree.length > 0 && (
            <table className={`grid ops${selectedId ? ' compact' : ''}`} data-testid="ops-table">
              <colgroup>
                <col className="c-pick" />
                <col className="c-id" />
                <col className="c-type" />
                <col className="c-run" />
                <col className="c-status" />
                <col className="c-progress" />
                {!selectedId && <col className="c-result" />}
                {!selectedId && <col className="c-step" />}
                {!selectedId && <col className="c-worker" />}
                <col className="c-elapsed" />
                <col className="c-actions" />
              </colgroup>
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
                  {!selectedId && <th>Result</th>}
                  {!selectedId && <th className="col-step">Current step</th>}
                  {!selectedId && <th className="col-worker">Worker</th>}
                  <th title="Elapsed time, and the estimated time left while it runs">Time</th>
                  <th>
                    <span className="sr-only">Actions</span>
                  </th>
                </tr>
              </thead>
              <tbody>
                {tree.map(({ op: o, children }) => {
                  const open = openParents.has(o.operation_id);
                  const row = (x: OperationView, child: boolean) => (
                    <OperationRow
                      key={x.operation_id}
                      op={x}
                      compact={!!selectedId}
                      selected={x.operation_id === selectedId}
                      onSelect={() => select(x.operation_id === selectedId ? null : x.operation_id)}
                      compared={picked.includes(x.operation_id)}
                      onCompare={() => togglePick(x.operation_id)}
                      child={child}
                      children={!child && children.length ? { count: children.length, open, toggle: () => toggleParent(x.operation_id) } : undefined}
                    />
                  );
                  return [row(o, false), ...(open ? children.map((c) => row(c, true)) : [])];
                })}
              </tbody>
            </table>
          )}
        </div>
        {selectedId && <OperationDetail id={selectedId} onClose={() => select(null)} />}
      </div>
    </section>
  );
}
