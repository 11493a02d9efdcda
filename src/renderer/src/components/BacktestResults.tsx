import { useEffect, useMemo, useState } from 'react';
import { api } from '../api/client';
import { useBars } from '../hooks/useBars';
import { useResults } from '../hooks/useResults';
import { tradeMarkers, tradeWindow } from '../lib/backtest';
import { BENCHMARK_KEYS, benchmarkColumns, costRows, inSampleNotice } from '../lib/backtest-evaluation';
import { toUnixSeconds } from '../lib/format';
import { parseEquityCurve, parseTrades, section, type EquityCurve, type Trade } from '../lib/shapes';
import type { OperationView } from '../stores/operations';
import { CandleChart } from './CandleChart';
import { EquityCharts } from './EquityCharts';
import { ErrorNote } from './ErrorNote';
import { KeyValueTable } from './KeyValueTable';
import { BacktestExport } from './BacktestExport';
import { SignificanceNote } from './SignificanceNote';
import { TradesTable } from './TradesTable';

const PRICE_H = 360;

/** A finished backtest: metrics, equity/drawdown, price with trade markers, sortable trades. */
export function BacktestResults({ op }: { op: OperationView }) {
  const id = op.operation_id;
  const { results, error } = useResults(id, op.status);
  const [trades, setTrades] = useState<Trade[] | null>(null);
  const [tradesError, setTradesError] = useState<string | null>(null);
  const [curve, setCurve] = useState<EquityCurve | null>(null);
  const [curveError, setCurveError] = useState<string | null>(null);
  const [selected, setSelected] = useState<Trade | null>(null);
  const done = op.status === 'completed';

  useEffect(() => {
    setTrades(null);
    setCurve(null);
    setSelected(null);
    if (!done) return;
    api
      .get(`/backtests/${encodeURIComponent(id)}/trades`)
      .then((b) => setTrades(parseTrades(b)))
      .catch((e: Error) => setTradesError(`GET /backtests/${id}/trades: ${e.message}`));
    api
      .get(`/backtests/${encodeURIComponent(id)}/equity_curve`)
      .then((b) => setCurve(parseEquityCurve(b)))
      .catch((e: Error) => setCurveError(`GET /backtests/${id}/equity_curve: ${e.message}`));
  }, [id, done]);

  const meta = op.metadata ?? null;
  const params = (meta?.parameters ?? {}) as Record<string, unknown>;
  const symbol = (meta?.symbol ?? params.symbol ?? (results?.symbol as string | undefined) ?? null) as string | null;
  const timeframe = (meta?.timeframe ?? params.timeframe ?? (results?.timeframe as string | undefined) ?? null) as string | null;
  const start = (meta?.start_date ?? params.start_date ?? null) as string | null;
  const end = (meta?.end_date ?? params.end_date ?? null) as string | null;
  const bars = useBars(done ? symbol : null, timeframe, start?.slice(0, 10), end?.slice(0, 10));

  const eq = useMemo(() => {
    if (!curve || curve.timestamps.length === 0) return null;
    return { time: curve.timestamps.map(toUnixSeconds), equity: curve.values, drawdown: curve.drawdowns.length ? curve.drawdowns : null };
  }, [curve]);
  const markers = useMemo(() => tradeMarkers(trades ?? []), [trades]);
  const zoom = useMemo(() => {
    const t = bars.candles?.time;
    if (!selected || !t || t.length < 2) return null;
    return tradeWindow(selected, (t[t.length - 1] - t[0]) / (t.length - 1));
  }, [selected, bars.candles]);

  if (!done) return null;
  const inSample = inSampleNotice(results);
  return (
    <div className="panel" data-testid="backtest-results">
      <h2>Results</h2>
      <ErrorNote error={error} />
      {inSample?.level === 'banner' && (
        <div className="banner bad" role="alert" data-testid="bt-in-sample-banner">
          <strong>In-sample backtest.</strong> {inSample.text}
        </div>
      )}
      {inSample?.level === 'note' && (
        <p className="muted" data-testid="bt-in-sample-note">
          In sample (acknowledged): {inSample.text}
        </p>
      )}
      <EvaluationTables results={results} />
      <BacktestExport id={id} />
      <SignificanceNote results={results} />
      <div className="charts-2">
        <div>
          <h3>Performance</h3>
          <KeyValueTable values={section(results?.metrics)} testId="bt-metrics" />
        </div>
        <div>
          <h3>Equity and drawdown</h3>
          <ErrorNote error={curveError} />
          {eq ? <EquityCharts time={eq.time} equity={eq.equity} drawdown={eq.drawdown} testId="final-equity-chart" /> : !curveError && <p className="empty">Loading…</p>}
        </div>
      </div>
      <h3>
        Price {symbol} {timeframe} with trades {selected && <button className="btn small" onClick={() => setSelected(null)}>Show all</button>}
      </h3>
      <ErrorNote error={bars.error && `Bars: ${bars.error}`} />
      <div className="chart-slot" style={{ minHeight: PRICE_H }} data-testid="bt-price" data-markers={markers.length}>
        {bars.candles && bars.candles.time.length > 0 ? (
          <CandleChart candles={bars.candles} markers={markers} zoom={zoom} height={PRICE_H} testId="bt-candles" />
        ) : (
          <div className="chart-placeholder" style={{ height: PRICE_H }}>
            {bars.loading ? 'Loading bars…' : 'No bars for this range.'}
          </div>
        )}
      </div>
      <h3>Trades ({trades?.length ?? 0})</h3>
      <ErrorNote error={tradesError} />
      {trades && trades.length === 0 && <p className="empty">No trades.</p>}
      {trades && trades.length > 0 && <TradesTable trades={trades} selected={selected?.id ?? null} onSelect={setSelected} />}
    </div>
  );
}

const BENCH_LABELS: Record<(typeof BENCHMARK_KEYS)[number], string> = {
  exposure: 'Avg equity invested',
  total_return_pct: 'Return',
  total_return: 'Total return',
  sharpe_ratio: 'Sharpe ratio',
  max_drawdown_pct: 'Max drawdown',
  final_equity: 'Final equity',
};

/** Like-for-like benchmarks and the cost split (gross → commission, spread, slippage → net). */
function EvaluationTables({ results }: { results: Record<string, unknown> | null }) {
  const cols = benchmarkColumns(results);
  const costs = costRows(results);
  if (!cols.length && !costs) return null;
  const fmt = (k: string, v: number | null) =>
    v === null ? '—' : k === 'exposure' || k.endsWith('_pct') ? `${(v * 100).toFixed(2)} %` : k === 'sharpe_ratio' ? v.toFixed(2) : v.toLocaleString('en-US', { maximumFractionDigits: 2, minimumFractionDigits: 2 });
  return (
    <div className="charts-2">
      {cols.length > 0 && (
        <div>
          <h3>Against buy &amp; hold (same costs)</h3>
          <table className="grid kv bench" data-testid="bt-benchmarks">
            <thead>
              <tr>
                <th />
                {cols.map((c) => (
                  <th key={c.label}>{c.label}</th>
                ))}
              </tr>
            </thead>
            <tbody>
              {BENCHMARK_KEYS.map((k) => (
                <tr key={k} data-key={k}>
                  <th scope="row">{BENCH_LABELS[k]}</th>
                  {cols.map((c) => (
                    <td key={c.label} className="num">
                      {fmt(k, c.values[k])}
                    </td>
                  ))}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {costs && (
        <div>
          <h3>
            Costs ({costs.currency}, {costs.model})
          </h3>
          <table className="grid kv" data-testid="bt-costs">
            <tbody>
              {costs.rows.map((r) => (
                <tr key={r.label}>
                  <th scope="row">{r.label}</th>
                  <td className="num">{fmt('money', r.value)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </div>
  );
}
