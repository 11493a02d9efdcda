import { useEffect, useMemo, useState } from 'react';
import { api } from '../../api/client';
import { fmtNumber, fmtPct, shortOpId, toUnixSeconds } from '../../lib/format';
import { LineChart } from '../LineChart';

interface Side {
  operation: any;
  results: any;
}

/** Key settings and metrics of an experiment, as rows for the side-by-side table. */
function rowsOf(s: Side | null): Record<string, string> {
  if (!s) return {};
  const op = s.operation;
  const r = s.results ?? {};
  const p = op.metadata?.parameters ?? {};
  const base: Record<string, string> = {
    Kind: op.operation_type,
    Strategy: String(op.metadata?.strategy_name ?? ''),
    Data: `${op.metadata?.symbol ?? ''} ${op.metadata?.timeframe ?? ''} · ${op.metadata?.start_date ?? ''} → ${op.metadata?.end_date ?? ''}`,
    Status: op.status,
  };
  if (r.kind === 'walk_forward') {
    return {
      ...base,
      Windows: `train ${p.train_window}, test ${p.test_window}${p.anchored ? ', anchored' : ''}, embargo ${p.embargo_bars}`,
      Folds: String(r.folds?.length ?? ''),
      'OOS return (stitched)': fmtPct(r.stitched_metrics?.total_return),
      'OOS Sharpe (stitched)': fmtNumber(r.stitched_metrics?.sharpe_ratio),
      'Max drawdown': fmtPct(r.stitched_metrics?.max_drawdown),
      'Profitable folds': `${r.stability?.profitable_folds ?? '—'}/${r.stability?.total_return?.folds ?? '—'}`,
      'Degradation ratio': r.degradation?.ratio == null ? '—' : `${fmtNumber(r.degradation.ratio, 3)} (${r.degradation.basis})`,
    };
  }
  if (r.kind === 'sweep') {
    return {
      ...base,
      Search: `${r.sampler}, ${r.trials_requested} trials, seed ${r.seed}, objective ${r.objective}`,
      Space: Object.keys(p.space ?? {}).join(', '),
      'Best trial': r.best_trial ? `#${r.best_trial.trial + 1}: ${JSON.stringify(r.best_trial.params)}` : '—',
      'Best objective': fmtNumber(r.best_trial?.objective, 4),
      'Deflated Sharpe Ratio': fmtNumber(r.overfitting?.deflated_sharpe?.deflated_sharpe_ratio, 3),
      PBO: r.overfitting?.pbo ? fmtNumber(r.overfitting.pbo.pbo, 3) : '—',
    };
  }
  return base;
}

/** Two experiments side by side: settings, key metrics and (walk-forwards) both stitched curves. */
export function ExperimentCompare({ left, options }: { left: Side; options: any[] }) {
  const [rightId, setRightId] = useState('');
  const [right, setRight] = useState<Side | null>(null);
  useEffect(() => {
    setRight(null);
    if (!rightId) return;
    void api.get<{ data: Side }>(`/experiments/${rightId}`).then((r) => setRight(r.data)).catch(() => setRight(null));
  }, [rightId]);
  const a = rowsOf(left);
  const b = rowsOf(right);
  const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])];
  // Both curves as growth of 1 on a shared time axis (union of timestamps; gaps where a curve has none).
  const chart = useMemo(() => {
    const ca = left.results?.stitched_equity;
    const cb = right?.results?.stitched_equity;
    if (!ca?.values?.length || !cb?.values?.length) return null;
    const points = new Map<number, [number | null, number | null]>();
    ca.timestamps.forEach((t: string, i: number) => points.set(toUnixSeconds(t), [ca.values[i] / ca.initial_capital, null]));
    cb.timestamps.forEach((t: string, i: number) => {
      const k = toUnixSeconds(t);
      points.set(k, [points.get(k)?.[0] ?? null, cb.values[i] / cb.initial_capital]);
    });
    const xs = [...points.keys()].sort((x, y) => x - y);
    return {
      x: xs,
      series: [
        { label: `A ${shortOpId(left.operation.operation_id)}`, values: xs.map((x) => points.get(x)![0]), color: 'accent' as const },
        { label: `B ${shortOpId(right!.operation.operation_id)}`, values: xs.map((x) => points.get(x)![1]), color: 'warn' as const, dash: [6, 4] },
      ],
    };
  }, [left, right]);
  return (
    <div className="panel" data-testid="experiment-compare">
      <h3>Compare with another run</h3>
      <select value={rightId} onChange={(e) => setRightId(e.target.value)} aria-label="Compare with" data-testid="compare-select">
        <option value="">Choose a run…</option>
        {options
          .filter((o) => o.operation_id !== left.operation.operation_id)
          .map((o) => (
            <option key={o.operation_id} value={o.operation_id}>
              {o.operation_type === 'sweep' ? 'Sweep' : 'Walk-forward'} · {String(o.metadata?.strategy_name ?? '')} · {o.status} · {shortOpId(o.operation_id)}
            </option>
          ))}
      </select>
      {right && (
        <>
          <table className="table" data-testid="compare-table">
            <thead>
              <tr>
                <th />
                <th>A · {shortOpId(left.operation.operation_id)}</th>
                <th>B · {shortOpId(right.operation.operation_id)}</th>
              </tr>
            </thead>
            <tbody>
              {keys.map((k) => (
                <tr key={k}>
                  <th scope="row">{k}</th>
                  <td>{a[k] ?? '—'}</td>
                  <td>{b[k] ?? '—'}</td>
                </tr>
              ))}
            </tbody>
          </table>
          {chart && <LineChart x={chart.x} series={chart.series} height={200} time yLabel="growth of 1" testId="compare-equity" />}
        </>
      )}
    </div>
  );
}
