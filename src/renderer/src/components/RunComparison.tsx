// Two runs side by side, opened by operation ids: what each run was (strategy, data, range, settings),
// their metrics from the shared presenter (the catalogue's labels, units, precision; "—" with the
// reason) with the difference and which is better (catalogue direction), the verdict against random
// entries, and their curves overlaid (training: validation loss and accuracy per epoch; backtests:
// equity as % of the start). A run that is in sample (or whose in-sample check is unknown) beside an
// out-of-sample one is never marked better: its numbers flatter it.
// Reusable: Operations opens it for two selected rows; the Experiments view can open it the same way.
import { useEffect, useMemo, useState } from 'react';
import type { MetricRecord, OperationInfo } from '../../../shared/operations';
import { metricDef } from '../../../shared/metrics-catalog';
import { operationEnvelopeSchema, operationResultsResponseSchema, parseOperationResult, resultsPath, type TypedResult } from '../../../shared/results';
import { backtestCurrency, BENCHMARK_COLUMNS, sizingText } from '../../../shared/results/present';
import { formatMetric } from '../../../shared/metrics-catalog';
import { runFacts } from '../../../shared/run-facts';
import { significanceVerdict } from '../../../shared/significance';
import { api } from '../api/client';
import { better, comparableRows, samplingWarning, type ComparableRow } from '../lib/compare';
import { toUnixSeconds } from '../lib/format';
import { parseEquityCurve } from '../lib/shapes';
import { ErrorNote } from './ErrorNote';
import { LineChart } from './LineChart';
import './results.css';

type Obj = Record<string, unknown>;

export interface RunData {
  op: OperationInfo;
  typed: TypedResult | null;
  /** Training: epoch records; backtests: none (the equity curve is used). */
  epochs: MetricRecord[];
  equity: { time: number[]; pct: number[] } | null;
}

async function loadRun(id: string): Promise<RunData> {
  const enc = encodeURIComponent(id);
  const op = operationEnvelopeSchema.parse(await api.get<unknown>(`/operations/${enc}?form=contract`)).data as OperationInfo;
  let typed: TypedResult | null = null;
  if (op.status === 'completed') {
    const r = operationResultsResponseSchema.parse(await api.get<unknown>(resultsPath(id)));
    typed = parseOperationResult(r.operation_type, r.results);
  }
  let epochs: MetricRecord[] = [];
  let equity: RunData['equity'] = null;
  if (op.operation_type === 'training') {
    epochs = (await api.get<{ metrics?: MetricRecord[] }>(`/operations/${enc}/metrics?cursor=0`).catch(() => ({ metrics: [] }))).metrics ?? [];
  } else if (op.operation_type === 'backtesting' && op.status === 'completed') {
    const c = parseEquityCurve(await api.get(`/backtests/${enc}/equity_curve`));
    const start = c.values[0];
    if (c.values.length && start) equity = { time: c.timestamps.map(toUnixSeconds), pct: c.values.map((v) => v / start - 1) };
  }
  return { op, typed, epochs, equity };
}

function settingsOf(run: RunData): Obj {
  const f = runFacts(run.op);
  const p = (run.op.metadata?.parameters ?? {}) as Obj;
  const bt = run.typed?.type === 'backtesting' ? run.typed.result : null;
  const pf = run.typed?.type === 'portfolio' ? run.typed.result : null;
  const cur = bt ? backtestCurrency(bt) : pf ? backtestCurrency(pf) : null;
  return {
    strategy: f.strategy,
    symbols: pf ? pf.symbols.join(', ') : f.symbols,
    timeframes: f.timeframes,
    range: `${f.start ?? '…'} → ${f.end ?? '…'}`,
    model: (bt?.model_path ?? pf?.model_path ?? (run.typed?.type === 'training' ? run.typed.result.model_path : null)) ?? (pf ? Object.values(pf.model_paths).join(', ') : f.model),
    ...(run.op.operation_type === 'training' ? { epochs: p.total_epochs, model_type: p.model_type } : {}),
    ...(bt
      ? {
          out_of_sample: formatMetric('out_of_sample', bt.out_of_sample),
          initial_capital: formatMetric('initial_capital', bt.config.initial_capital, { currency: cur }),
          costs: bt.config.costs.model,
          position_size: formatMetric('position_size', bt.config.position_size),
        }
      : {}),
    // A portfolio: its sizing is what a single backtest's position size is.
    ...(pf
      ? {
          out_of_sample: formatMetric('out_of_sample', pf.out_of_sample),
          initial_capital: formatMetric('initial_capital', pf.config.initial_capital, { currency: cur }),
          costs: pf.config.legs.map((l) => l.costs.model).join(', '),
          sizing: sizingText(pf.config.sizing),
          max_gross_exposure: formatMetric('max_gross_exposure', pf.config.max_gross_exposure),
          rebalance: pf.config.rebalance ?? 'none',
        }
      : {}),
  };
}

const pctTick = (v: number) => `${(v * 100).toFixed(0)}%`;
const pctValue = (v: number) => `${(v * 100).toFixed(2)}%`;
const lossValue = (v: number) => v.toFixed(4);

export function RunComparison({ ids, onClose }: { ids: [string, string]; onClose?(): void }) {
  const [runs, setRuns] = useState<[RunData, RunData] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [idA, idB] = ids;
  useEffect(() => {
    let live = true;
    setRuns(null);
    setError(null);
    Promise.all([loadRun(idA), loadRun(idB)])
      .then((r) => live && setRuns(r as [RunData, RunData]))
      .catch((e: Error) => live && setError(e.message));
    return () => {
      live = false;
    };
  }, [idA, idB]);

  const table = useMemo(() => {
    if (!runs) return null;
    const [ra, rb] = runs.map((r) => comparableRows(r.typed));
    const byA = new Map(ra.map((r) => [r.id, r]));
    const byB = new Map(rb.map((r) => [r.id, r]));
    const ids = [...new Set([...ra.map((r) => r.id), ...rb.map((r) => r.id)])];
    const warning = samplingWarning(runs[0].typed, runs[1].typed);
    return { byA, byB, ids, warning };
  }, [runs]);
  const verdicts = runs?.map((r) => (r.typed?.type === 'backtesting' || r.typed?.type === 'portfolio' ? significanceVerdict(r.typed.result.significance, r.typed.result.null_reasons.significance) : null));

  const sameType = runs && runs[0].op.operation_type === runs[1].op.operation_type;
  return (
    <div className="panel comparison" data-testid="run-comparison" data-ids={ids.join(',')}>
      <header className="detail-head">
        <h2>Compare runs</h2>
        {onClose && (
          <button className="btn small icon close" onClick={onClose} aria-label="Close the comparison" data-testid="comparison-close">
            ×
          </button>
        )}
      </header>
      <ErrorNote error={error} />
      {!runs && !error && <p className="empty">Loading both runs…</p>}
      {runs && !sameType && <p className="error">These runs are of different kinds ({runs[0].op.operation_type}, {runs[1].op.operation_type}): only their settings compare.</p>}
      {runs && (
        <>
          <h3>Settings</h3>
          <SideBySide a={settingsOf(runs[0])} b={settingsOf(runs[1])} ids={ids} testId="comparison-settings" />
          <h3>Metrics</h3>
          {table?.warning && (
            <p className="banner warn" role="note" data-testid="comparison-sampling">
              {table.warning}
            </p>
          )}
          {verdicts?.some((v) => v !== null) && (
            <table className="grid compare" data-testid="comparison-significance">
              <tbody>
                <tr>
                  <th scope="row">Verdict against random entries</th>
                  <td>A: {verdicts[0] ?? '—'}</td>
                  <td>B: {verdicts[1] ?? '—'}</td>
                </tr>
              </tbody>
            </table>
          )}
          {table && table.ids.length ? (
            <table className="grid compare" data-testid="comparison-metrics">
              <thead>
                <tr>
                  <th>Metric</th>
                  <th className="mono" title={ids[0]}>
                    A
                  </th>
                  <th className="mono" title={ids[1]}>
                    B
                  </th>
                  <th>B − A</th>
                </tr>
              </thead>
              <tbody>
                {table.ids.map((rid) => {
                  const ra = table.byA.get(rid);
                  const rb = table.byB.get(rid);
                  const row = (ra ?? rb)!;
                  const a = ra?.cell.value ?? null;
                  const b = rb?.cell.value ?? null;
                  // A benchmark column is the market, not the run: nothing there is "better".
                  const benchmarkColumn = BENCHMARK_COLUMNS.slice(1).some((c) => rid.endsWith(`@${c}`));
                  const win = table.warning || benchmarkColumn ? null : better(row.key, a, b);
                  const def = metricDef(row.key);
                  const diff = typeof a === 'number' && typeof b === 'number' && def.unit !== 'boolean' ? b - a : null;
                  const cell = (c: ComparableRow | undefined, w: boolean) => (
                    <td className={w ? 'num better' : 'num'}>
                      {c ? c.cell.text : '—'}
                      {c?.cell.reason && <span className="null-reason">{c.cell.reason}</span>}
                    </td>
                  );
                  return (
                    <tr key={rid} data-key={rid}>
                      <th scope="row" title={`${def.definition} (${row.key})`}>
                        {row.label}
                      </th>
                      {cell(ra, win === 'a')}
                      {cell(rb, win === 'b')}
                      <td className="num muted">{diff === null ? '' : `${diff > 0 ? '+' : ''}${formatMetric(row.key, diff)}`}</td>
                    </tr>
                  );
                })}
              </tbody>
            </table>
          ) : (
            <p className="empty">No metrics (a run has not completed).</p>
          )}
          {sameType && <Curves runs={runs} />}
        </>
      )}
    </div>
  );
}

function SideBySide({ a, b, ids, testId }: { a: Obj; b: Obj; ids: [string, string]; testId: string }) {
  const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])].filter((k) => a[k] !== undefined || b[k] !== undefined);
  const show = (v: unknown) => (v === null || v === undefined ? '—' : typeof v === 'object' ? JSON.stringify(v) : String(v));
  return (
    <table className="grid compare" data-testid={testId}>
      <thead>
        <tr>
          <th />
          <th className="mono">A {ids[0].slice(-8)}</th>
          <th className="mono">B {ids[1].slice(-8)}</th>
        </tr>
      </thead>
      <tbody>
        {keys.map((k) => (
          <tr key={k} className={show(a[k]) !== show(b[k]) ? 'differs' : undefined}>
            <th scope="row">{k.replace(/_/g, ' ')}</th>
            <td>{show(a[k])}</td>
            <td>{show(b[k])}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

/** Training: validation loss and accuracy by epoch; backtest: equity growth over time, A solid, B dashed. */
function Curves({ runs }: { runs: [RunData, RunData] }) {
  const [a, b] = runs;
  const training = a.op.operation_type === 'training';
  const epochsChart = useMemo(() => {
    if (!training) return null;
    const n = Math.max(a.epochs.length, b.epochs.length);
    const x = Array.from({ length: n }, (_, i) => i + 1);
    const col = (recs: MetricRecord[], key: string) => x.map((_, i) => (typeof recs[i]?.[key] === 'number' ? (recs[i][key] as number) : null));
    return {
      x,
      loss: [
        { label: 'A val loss', values: col(a.epochs, 'val_loss'), color: 'accent' as const },
        { label: 'B val loss', values: col(b.epochs, 'val_loss'), color: 'warn' as const, dash: [6, 4] },
      ],
      acc: [
        { label: 'A val accuracy', values: col(a.epochs, 'val_accuracy'), color: 'accent' as const },
        { label: 'B val accuracy', values: col(b.epochs, 'val_accuracy'), color: 'warn' as const, dash: [6, 4] },
      ],
    };
  }, [training, a, b]);
  const equityChart = useMemo(() => {
    if (training || !a.equity || !b.equity) return null;
    // One time axis: the union of both runs' bar times, each curve null where it has no bar.
    const times = [...new Set([...a.equity.time, ...b.equity.time])].sort((p, q) => p - q);
    const at = (e: NonNullable<RunData['equity']>) => {
      const m = new Map(e.time.map((t, i) => [t, e.pct[i]]));
      return times.map((t) => m.get(t) ?? null);
    };
    return {
      x: times,
      series: [
        { label: 'A equity', values: at(a.equity), color: 'accent' as const },
        { label: 'B equity', values: at(b.equity), color: 'warn' as const, dash: [6, 4] },
      ],
    };
  }, [training, a, b]);
  if (epochsChart)
    return (
      <div className="charts-2" data-testid="comparison-curves">
        <div>
          <h3>Validation loss</h3>
          <LineChart x={epochsChart.x} series={epochsChart.loss} height={180} xLabel="epoch" yLabel="loss" valueFormat={lossValue} />
        </div>
        <div>
          <h3>Validation accuracy</h3>
          <LineChart x={epochsChart.x} series={epochsChart.acc} height={180} xLabel="epoch" yLabel="accuracy (%)" yFormat={pctTick} valueFormat={pctValue} />
        </div>
      </div>
    );
  if (equityChart)
    return (
      <div data-testid="comparison-curves">
        <h3>Equity (change from the start)</h3>
        <LineChart x={equityChart.x} series={equityChart.series} height={200} time yLabel="return (%)" yFormat={pctTick} valueFormat={pctValue} />
      </div>
    );
  return null;
}
