// Two runs side by side, opened by operation ids: what each run was (strategy, data, range, settings),
// their metrics with the difference and which is better (catalogue direction), and their curves
// overlaid (training: validation loss and accuracy per epoch; backtests: equity as % of the start).
// Reusable: Operations opens it for two selected rows; the Experiments view can open it the same way.
import { useEffect, useMemo, useState } from 'react';
import type { MetricRecord, OperationInfo } from '../../../shared/operations';
import { formatMetric, isKnownMetric, metricDef, metricLabel, metricTooltip } from '../../../shared/metrics-catalog';
import { runFacts } from '../../../shared/run-facts';
import { api } from '../api/client';
import { flattenMetrics, toUnixSeconds } from '../lib/format';
import { parseEquityCurve } from '../lib/shapes';
import { ErrorNote } from './ErrorNote';
import { LineChart } from './LineChart';

type Obj = Record<string, unknown>;
const obj = (v: unknown): Obj | null => (v && typeof v === 'object' && !Array.isArray(v) ? (v as Obj) : null);

export interface RunData {
  op: OperationInfo;
  results: Obj | null;
  /** Training: epoch records; backtests: none (the equity curve is used). */
  epochs: MetricRecord[];
  equity: { time: number[]; pct: number[] } | null;
}

async function loadRun(id: string): Promise<RunData> {
  const enc = encodeURIComponent(id);
  const op = (await api.get<{ data: OperationInfo }>(`/operations/${enc}`)).data;
  const results = op.status === 'completed' ? ((await api.get<{ results?: Obj }>(`/operations/${enc}/results`).catch(() => ({ results: undefined }))).results ?? null) : null;
  let epochs: MetricRecord[] = [];
  let equity: RunData['equity'] = null;
  if (op.operation_type === 'training') {
    epochs = (await api.get<{ metrics?: MetricRecord[] }>(`/operations/${enc}/metrics?cursor=0`).catch(() => ({ metrics: [] }))).metrics ?? [];
  } else if (op.operation_type === 'backtesting' && op.status === 'completed') {
    const c = parseEquityCurve(await api.get(`/backtests/${enc}/equity_curve`).catch(() => ({})));
    const start = c.values[0];
    if (c.values.length && start) equity = { time: c.timestamps.map(toUnixSeconds), pct: c.values.map((v) => v / start - 1) };
  }
  return { op, results, epochs, equity };
}

/** The metrics a run is judged by, flat (dotted keys for nested sections). */
export function comparableMetrics(run: Pick<RunData, 'op' | 'results'>): Obj {
  const r = run.results;
  if (!r) return {};
  if (run.op.operation_type === 'training') {
    const tm = obj(r.training_metrics) ?? {};
    const { history: _h, ...training } = tm;
    return { ...flattenMetrics(obj(r.test_metrics) ?? {}), ...training, ...flattenMetrics({ baseline: obj(r.baseline) ?? {} }) };
  }
  const bench = obj(r.benchmark);
  return { ...(obj(r.metrics) ?? {}), ...(bench ? flattenMetrics({ benchmark: Object.fromEntries(Object.entries(bench).filter(([k]) => k !== 'kind')) }) : {}) };
}

/** Which run is better on a metric: 'a', 'b', or null (equal, no direction, not numbers). */
export function better(key: string, a: unknown, b: unknown): 'a' | 'b' | null {
  const dir = metricDef(key).higherIsBetter;
  if (dir === undefined || typeof a !== 'number' || typeof b !== 'number' || a === b || key.startsWith('benchmark.')) return null;
  return (a > b) === dir ? 'a' : 'b';
}

function settingsOf(run: RunData): Obj {
  const f = runFacts(run.op);
  const cfg = obj(run.results?.config);
  const p = obj(obj(run.op.metadata)?.parameters) ?? {};
  return {
    strategy: f.strategy,
    symbols: f.symbols,
    timeframes: f.timeframes,
    range: `${f.start ?? '…'} → ${f.end ?? '…'}`,
    model: (run.results?.model_path as string | undefined) ?? f.model,
    ...(run.op.operation_type === 'training' ? { epochs: p.total_epochs, model_type: p.model_type } : {}),
    ...(cfg ? { initial_capital: cfg.initial_capital, commission: cfg.commission, slippage: cfg.slippage, position_size: cfg.position_size } : {}),
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
    const [ma, mb] = runs.map(comparableMetrics);
    const keys = [...new Set([...Object.keys(ma), ...Object.keys(mb)])].filter((k) => [ma[k], mb[k]].some((v) => typeof v === 'number' || typeof v === 'boolean'));
    keys.sort((x, y) => Number(isKnownMetric(y)) - Number(isKnownMetric(x)));
    return { ma, mb, keys };
  }, [runs]);

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
          {table && table.keys.length ? (
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
                {table.keys.map((k) => {
                  const a = table.ma[k];
                  const b = table.mb[k];
                  const win = better(k, a, b);
                  const diff = typeof a === 'number' && typeof b === 'number' && metricDef(k).unit !== 'boolean' ? b - a : null;
                  return (
                    <tr key={k} data-key={k}>
                      <th scope="row" title={`${metricTooltip(k)} (${k})`}>
                        {metricLabel(k)}
                      </th>
                      <td className={win === 'a' ? 'num better' : 'num'}>{formatMetric(k, a)}</td>
                      <td className={win === 'b' ? 'num better' : 'num'}>{formatMetric(k, b)}</td>
                      <td className="num muted">{diff === null ? '' : `${diff > 0 ? '+' : ''}${formatMetric(k, diff)}`}</td>
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
