import { useEffect, useMemo, useState } from 'react';
import type { OperationInfo } from '../../../shared/operations';
import { groupWarnings, isoDay, parseExperimentResults } from '../../../shared/results/experiment-read';
import { api } from '../api/client';
import { CancelButton } from '../components/CancelButton';
import { EmptyState } from '../components/EmptyState';
import { ErrorNote } from '../components/ErrorNote';
import { ExperimentCompare } from '../components/experiments/ExperimentCompare';
import { ExperimentForm } from '../components/experiments/ExperimentForm';
import { ChildrenTable, SweepResults, WalkForwardResults } from '../components/experiments/ExperimentResults';
import { ProgressBar } from '../components/ProgressBar';
import { StatusBadge } from '../components/StatusBadge';
import { Warnings } from '../components/Warnings';
import { shortOpId } from '../lib/format';

interface ExperimentView {
  operation: OperationInfo;
  results: unknown;
  children: (OperationInfo & { progress_percentage?: number; current_step?: string | null })[];
}

/** Polls GET /experiments/{id} every second while it runs (results fill in live), once when it has ended. */
function useExperiment(id: string | null): { data: ExperimentView | null; error: string | null } {
  const [data, setData] = useState<ExperimentView | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    setData(null);
    if (!id) return;
    let stop = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const tick = async () => {
      try {
        const r = await api.get<{ data: ExperimentView }>(`/experiments/${id}`);
        if (stop) return;
        setData(r.data);
        setError(null);
        if (r.data.operation.status === 'running' || r.data.operation.status === 'pending') timer = setTimeout(tick, 1000);
      } catch (err) {
        if (!stop) setError((err as Error).message);
      }
    };
    void tick();
    return () => {
      stop = true;
      clearTimeout(timer);
    };
  }, [id]);
  return { data, error };
}

export function ExperimentsView() {
  const [list, setList] = useState<OperationInfo[]>([]);
  const [selected, setSelected] = useState<string | null>(() => sessionStorage.getItem('ktrdr.experiment'));
  const { data, error } = useExperiment(selected);
  const select = (id: string | null) => {
    setSelected(id);
    if (id) sessionStorage.setItem('ktrdr.experiment', id);
  };
  useEffect(() => {
    let stop = false;
    const load = () =>
      api
        .get<{ data: OperationInfo[] }>('/experiments?limit=50')
        .then((r) => !stop && setList(r.data))
        .catch(() => undefined);
    void load();
    const t = setInterval(load, 5000);
    return () => {
      stop = true;
      clearInterval(t);
    };
  }, []);
  const op = data?.operation;
  const parsed = useMemo(() => (data ? parseExperimentResults(data.operation.operation_type, data.results) : ({ kind: 'none' } as const)), [data]);
  return (
    <section className="view" data-testid="view-experiments">
      <div className="view-head">
        <h1>Experiments</h1>
        <select value={selected ?? ''} onChange={(e) => select(e.target.value || null)} aria-label="Experiment" data-testid="experiment-select">
          <option value="">Recent experiments…</option>
          {list.map((o) => (
            <option key={o.operation_id} value={o.operation_id}>
              {o.operation_type === 'sweep' ? 'Sweep' : 'Walk-forward'} · {String(o.metadata?.strategy_name ?? '')} · {o.status} · {shortOpId(o.operation_id)}
            </option>
          ))}
        </select>
      </div>
      <ExperimentForm onStarted={(id) => select(id)} />
      <ErrorNote error={error} />
      {!selected && <EmptyState testId="experiments-empty">No experiment selected — start one above, or pick a recent one.</EmptyState>}
      {op && (
        <div className="panel" data-testid="experiment-panel">
          <h2>
            {op.operation_type === 'sweep' ? 'Sweep' : 'Walk-forward'} of {String(op.metadata?.strategy_name ?? '')} <StatusBadge status={op.status} testId="experiment-status" />
          </h2>
          <p>
            {op.metadata?.symbol} {op.metadata?.timeframe} · {isoDay(op.metadata?.start_date)} → {isoDay(op.metadata?.end_date)} · {op.progress.current_step}
            {op.error_message ? ` · ${op.error_message}` : ''}
          </p>
          <ProgressBar value={op.progress.percentage} status={op.status} testId="experiment-progress" />
          <CancelButton id={op.operation_id} status={op.status} testId="experiment-cancel" />
          <Warnings operation={groupWarnings(op.warnings)} testId="experiment-warnings" />
          {parsed.kind === 'walk_forward' && <WalkForwardResults r={parsed.results} />}
          {parsed.kind === 'sweep' && <SweepResults r={parsed.results} />}
          {parsed.kind === 'unreadable' && (
            <p className="error" data-testid="experiment-unreadable">
              {parsed.message}
            </p>
          )}
          <h3>Children</h3>
          <ChildrenTable children={data.children} />
        </div>
      )}
      {op && data && <ExperimentCompare left={{ operation: op, results: data.results }} options={list} />}
    </section>
  );
}
