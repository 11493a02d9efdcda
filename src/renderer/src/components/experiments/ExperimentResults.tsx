import { useMemo } from 'react';
import { fmtNumber, fmtPct, fmtTime, shortOpId, toUnixSeconds } from '../../lib/format';
import { LineChart } from '../LineChart';
import { StatusBadge } from '../StatusBadge';
import { ScatterPlot } from './ScatterPlot';

const day = (v: unknown) => (typeof v === 'string' ? fmtTime(v) : '—');

/** Children of an experiment as they fill in. */
export function ChildrenTable({ children }: { children: any[] }) {
  return (
    <table className="table" data-testid="experiment-children">
      <thead>
        <tr>
          <th>Step</th>
          <th>Type</th>
          <th>Status</th>
          <th>Progress</th>
          <th>Detail</th>
          <th>Operation</th>
        </tr>
      </thead>
      <tbody>
        {children.map((c) => (
          <tr key={c.operation_id}>
            <td>{c.metadata?.fold !== undefined ? `fold ${Number(c.metadata.fold) + 1}` : c.metadata?.trial !== undefined ? `trial ${Number(c.metadata.trial) + 1}` : ''}</td>
            <td>{c.operation_type}</td>
            <td>
              <StatusBadge status={c.status} />
            </td>
            <td>{fmtNumber(c.progress_percentage, 0)}%</td>
            <td>{c.current_step ?? ''}</td>
            <td title={c.operation_id}>{shortOpId(c.operation_id)}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

export function WalkForwardResults({ r }: { r: any }) {
  const eq = r.stitched_equity;
  const x = useMemo(() => (eq?.timestamps ?? []).map((t: string) => toUnixSeconds(t)), [eq]);
  const series = useMemo(() => [{ label: 'stitched OOS equity', values: eq?.values ?? [], color: 'accent' as const }], [eq]);
  const m = r.stitched_metrics;
  return (
    <div data-testid="walk-forward-results">
      <h3>Folds</h3>
      <table className="table" data-testid="wf-folds">
        <thead>
          <tr>
            <th>Fold</th>
            <th>Training window</th>
            <th>Test window</th>
            <th>Status</th>
            <th>Val accuracy</th>
            <th>OOS return</th>
            <th>OOS Sharpe</th>
            <th>Max DD</th>
            <th>Trades</th>
          </tr>
        </thead>
        <tbody>
          {r.folds.map((f: any) => (
            <tr key={f.fold}>
              <td>{f.fold + 1}</td>
              <td>
                {day(f.train_start)} → {day(f.train_end)}
              </td>
              <td>
                {day(f.test_start)} → {day(f.test_end)}
              </td>
              <td>{f.status}</td>
              <td>{fmtPct(f.train_metrics?.val_accuracy)}</td>
              <td>{fmtPct(f.oos_metrics?.total_return)}</td>
              <td>{fmtNumber(f.oos_metrics?.sharpe_ratio)}</td>
              <td>{fmtPct(f.oos_metrics?.max_drawdown)}</td>
              <td>{f.oos_metrics?.total_trades ?? '—'}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <h3>Stitched out-of-sample equity</h3>
      {x.length ? <LineChart x={x} series={series} height={220} time yLabel="equity" testId="wf-stitched-equity" /> : <p>No fold finished yet.</p>}
      {m && (
        <p data-testid="wf-summary">
          Return {fmtPct(m.total_return)} · Sharpe {fmtNumber(m.sharpe_ratio)} · max drawdown {fmtPct(m.max_drawdown)} · profitable folds {r.stability.profitable_folds}/{r.stability.total_return.folds} · fold return {fmtPct(r.stability.total_return.mean)} ± {fmtPct(r.stability.total_return.std)}
          {r.degradation?.ratio != null && ` · degradation (${r.degradation.basis}) ${fmtNumber(r.degradation.ratio, 3)}`}
        </p>
      )}
    </div>
  );
}

export function SweepResults({ r }: { r: any }) {
  const paths: string[] = (r.importance ?? []).map((i: any) => i.path);
  const o = r.overfitting ?? {};
  return (
    <div data-testid="sweep-results">
      <p data-testid="sweep-summary">
        Objective <b>{r.objective}</b> ({r.objective_label}), {r.sampler} sampler, seed {r.seed} · {r.completed_trials}/{r.trials_requested} trials completed
        {r.best_trial && (
          <>
            {' '}
            · best: trial {r.best_trial.trial + 1} = {fmtNumber(r.best_trial.objective, 4)}
          </>
        )}
      </p>
      <p data-testid="sweep-guards">
        Deflated Sharpe Ratio: {o.deflated_sharpe ? fmtNumber(o.deflated_sharpe.deflated_sharpe_ratio, 3) : '—'} · PBO: {o.pbo ? fmtNumber(o.pbo.pbo, 3) : (o.pbo_note ?? '—')}
      </p>
      <h3>Trials</h3>
      <table className="table" data-testid="sweep-trials">
        <thead>
          <tr>
            <th>Trial</th>
            {Object.keys(r.trials[0]?.params ?? {}).map((p) => (
              <th key={p}>{p}</th>
            ))}
            <th>Objective</th>
            <th>Val acc</th>
            <th>OOS Sharpe</th>
            <th>OOS return</th>
            <th>Status</th>
          </tr>
        </thead>
        <tbody>
          {r.trials.map((t: any) => (
            <tr key={t.trial} className={r.best_trial?.trial === t.trial ? 'best' : undefined}>
              <td>{t.trial + 1}</td>
              {Object.keys(r.trials[0]?.params ?? {}).map((p) => (
                <td key={p}>{JSON.stringify(t.params?.[p] ?? null)}</td>
              ))}
              <td>{fmtNumber(t.objective, 4)}</td>
              <td>{fmtPct(t.metrics?.val_accuracy)}</td>
              <td>{fmtNumber(t.metrics?.oos_sharpe)}</td>
              <td>{fmtPct(t.metrics?.oos_return)}</td>
              <td title={t.error ?? ''}>{t.status}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <h3>Parameter vs objective</h3>
      <div className="scatter-row">
        {(r.importance ?? []).map((imp: any) => (
          <ScatterPlot
            key={imp.path}
            testId={`sweep-scatter-${imp.path}`}
            xLabel={`${imp.path} (spread ${fmtNumber(imp.spread, 3)})`}
            yLabel={r.objective}
            points={imp.points.map((p: any) => ({ x: typeof p.value === 'number' ? p.value : JSON.stringify(p.value), y: p.objective, label: `trial ${p.trial + 1}: ${JSON.stringify(p.value)} → ${p.objective}` }))}
          />
        ))}
        {!paths.length && <p>No finished trial yet.</p>}
      </div>
    </div>
  );
}
