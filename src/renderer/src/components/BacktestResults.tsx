import { useEffect, useMemo, useState } from 'react';
import { api } from '../api/client';
import { useBars } from '../hooks/useBars';
import { useResults } from '../hooks/useResults';
import type { BacktestResult, BacktestTrade } from '../../../shared/results/backtest';
import { backtestCurrency, presentBacktest } from '../../../shared/results/present';
import { tradeMarkers, tradesHeading, tradeWindow } from '../lib/backtest';
import { inSampleNotice } from '../lib/backtest-evaluation';
import { isPortfolioOperation } from '../lib/portfolio';
import { toUnixSeconds } from '../lib/format';
import { parseEquityCurve, parseTrades, type EquityCurve, type Trade } from '../lib/shapes';
import type { OperationView } from '../stores/operations';
import { BacktestExport } from './BacktestExport';
import { CandleChart } from './CandleChart';
import { EquityCharts } from './EquityCharts';
import { ErrorNote } from './ErrorNote';
import { PortfolioResults } from './PortfolioResults';
import { SectionTable } from './ResultSections';
import { SignificanceNote } from './SignificanceNote';
import { Tearsheet } from './Tearsheet';
import { TradeAnalysis } from './TradeAnalysis';
import { TradesTable } from './TradesTable';
import { Warnings } from './Warnings';
import './results.css';

const PRICE_H = 360;

interface StrategyIndicator {
  id: string;
  type: string;
  params: Record<string, unknown>;
}

/** The strategy's indicators as chart overlays: picked by id, computed over the backtest's bars. */
function useIndicatorOverlays(strategy: string | null, symbol: string | null, timeframe: string | null, start: string | null, end: string | null, time: ArrayLike<number> | null) {
  const [available, setAvailable] = useState<StrategyIndicator[]>([]);
  const [chosen, setChosen] = useState<string[]>([]);
  const [values, setValues] = useState<Record<string, (number | null)[]>>({});
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    setAvailable([]);
    setChosen([]);
    if (!strategy) return;
    api
      .get<{ indicators?: StrategyIndicator[] }>(`/strategies/${encodeURIComponent(strategy)}`)
      .then((r) => setAvailable(r.indicators ?? []))
      .catch(() => setAvailable([]));
  }, [strategy]);
  useEffect(() => {
    const todo = available.filter((a) => chosen.includes(a.id) && !(a.id in values));
    if (!todo.length || !symbol || !timeframe || !time || time.length === 0) return;
    api
      .post<{ dates?: string[]; indicators?: Record<string, (number | null)[]> }>('/indicators/calculate?page_size=10000', {
        symbol,
        timeframe,
        indicators: todo.map((a) => ({ type: a.type, parameters: a.params ?? {}, output_name: a.id })),
        ...(start ? { start_date: start } : {}),
        ...(end ? { end_date: end } : {}),
      })
      .then((r) => {
        // Align by bar time: one value per candle.
        const index = new Map<number, number>();
        for (let i = 0; i < time.length; i++) index.set(Math.round(time[i]), i);
        const next: Record<string, (number | null)[]> = {};
        for (const [key, vals] of Object.entries(r.indicators ?? {})) {
          const col = new Array<number | null>(time.length).fill(null);
          (r.dates ?? []).forEach((d, k) => {
            const i = index.get(Math.round(toUnixSeconds(d)));
            if (i !== undefined) col[i] = vals[k] ?? null;
          });
          next[key] = col;
        }
        setValues((v) => ({ ...v, ...next }));
        setError(null);
      })
      .catch((e: Error) => setError(e.message));
  }, [available, chosen, values, symbol, timeframe, start, end, time]);
  const lines = useMemo(
    () => Object.entries(values).filter(([k]) => chosen.some((c) => k === c || k.startsWith(`${c}.`))).map(([label, vals]) => ({ label, values: vals })),
    [values, chosen],
  );
  return { available: available.map((a) => a.id), chosen, toggle: (id: string) => setChosen((c) => (c.includes(id) ? c.filter((x) => x !== id) : [...c, id])), lines, error };
}

/** A finished backtest: a portfolio's (PortfolioResults) or a single symbol's. */
export function BacktestResults({ op }: { op: OperationView }) {
  return isPortfolioOperation(op) ? <PortfolioResults op={op} /> : <SingleBacktestResults op={op} />;
}

/**
 * A finished single-symbol backtest: the verdict, every metric of the shared presenter (the same labels, units and
 * precision as the CLI and the report, "—" with the reason when undefined, money in its currency),
 * equity/drawdown, the tearsheet, price with trade markers, sortable trades and the report's trade analysis.
 */
function SingleBacktestResults({ op }: { op: OperationView }) {
  const id = op.operation_id;
  const { typed, error } = useResults(id, op.status);
  const results: BacktestResult | null = typed?.type === 'backtesting' ? typed.result : null;
  const [trades, setTrades] = useState<Trade[] | null>(null);
  const [tradesError, setTradesError] = useState<string | null>(null);
  const [curve, setCurve] = useState<EquityCurve | null>(null);
  const [curveError, setCurveError] = useState<string | null>(null);
  const [selected, setSelected] = useState<Trade | null>(null);
  const done = op.status === 'completed';

  // This run's trades and curve. The view stays mounted when another run is picked: an answer that
  // arrives for a run no longer shown is dropped (it would fill the new run's list), and the old
  // run's errors go with it.
  useEffect(() => {
    let live = true;
    setTrades(null);
    setTradesError(null);
    setCurve(null);
    setCurveError(null);
    setSelected(null);
    if (!done) return;
    api
      .get(`/backtests/${encodeURIComponent(id)}/trades`)
      .then((b) => live && setTrades(parseTrades(b)))
      .catch((e: Error) => live && setTradesError(`GET /backtests/${id}/trades: ${e.message}`));
    api
      .get(`/backtests/${encodeURIComponent(id)}/equity_curve`)
      .then((b) => live && setCurve(parseEquityCurve(b)))
      .catch((e: Error) => live && setCurveError(`GET /backtests/${id}/equity_curve: ${e.message}`));
    return () => {
      live = false;
    };
  }, [id, done]);

  const meta = op.metadata ?? null;
  const params = (meta?.parameters ?? {}) as Record<string, unknown>;
  const symbol = (meta?.symbol ?? params.symbol ?? results?.symbol ?? null) as string | null;
  const timeframe = (meta?.timeframe ?? params.timeframe ?? results?.timeframe ?? null) as string | null;
  const start = (meta?.start_date ?? params.start_date ?? null) as string | null;
  const end = (meta?.end_date ?? params.end_date ?? null) as string | null;
  const bars = useBars(done ? symbol : null, timeframe, start?.slice(0, 10), end?.slice(0, 10));

  const eq = useMemo(() => {
    if (!curve || curve.timestamps.length === 0) return null;
    return { time: curve.timestamps.map(toUnixSeconds), equity: curve.values, drawdown: curve.drawdowns.length ? curve.drawdowns : null };
  }, [curve]);
  const currency = results ? backtestCurrency(results) : null;
  const markers = useMemo(() => tradeMarkers(trades ?? [], currency), [trades, currency]);
  const sections = useMemo(() => (results ? new Map(presentBacktest(results).map((x) => [x.id, x])) : null), [results]);
  const fullTrades = useMemo(() => (trades ?? []).flatMap((t): BacktestTrade[] => (t.raw ? [t.raw] : [])), [trades]);
  const overlays = useIndicatorOverlays(done ? ((meta?.strategy_name ?? params.strategy_name ?? results?.strategy_name ?? null) as string | null) : null, symbol, timeframe, start, end, bars.candles?.time ?? null);
  const zoom = useMemo(() => {
    const t = bars.candles?.time;
    if (!selected || !t || t.length < 2) return null;
    return tradeWindow(selected, (t[t.length - 1] - t[0]) / (t.length - 1));
  }, [selected, bars.candles]);

  const range = results?.effective_range ?? null;
  const clipped = range?.clipped ? `${range.start.slice(0, 10)} → ${range.end.slice(0, 10)} (${range.bars} bars${range.warmup_bars ? `, ${range.warmup_bars} warm-up bars` : ''})` : null;
  const section = (sid: string, testId?: string) => {
    const s = sections?.get(sid);
    return s ? <SectionTable section={s} testId={testId} /> : null;
  };

  if (!done) return null;
  const inSample = inSampleNotice(results);
  const tradesTitle = tradesHeading(trades ? trades.length : null, results);
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
          {results?.out_of_sample === null ? inSample.text : `In sample (acknowledged): ${inSample.text}`}
        </p>
      )}
      <SignificanceNote results={results} />
      <BacktestExport id={id} />
      <Warnings operation={op.warnings} results={results?.warnings} testId="bt-warnings" />
      {clipped && (
        <p className="note" data-testid="bt-clipped">
          Range clipped to the data: {clipped}
        </p>
      )}
      <div className="charts-2 wide">
        <div data-testid="bt-metrics">
          {section('performance', 'bt-performance')}
          {section('trades', 'bt-trade-stats')}
        </div>
        <div>
          <h3>Equity and drawdown{currency ? ` (${currency})` : ''}</h3>
          <ErrorNote error={curveError} />
          {eq ? <EquityCharts time={eq.time} equity={eq.equity} drawdown={eq.drawdown} testId="final-equity-chart" currency={currency} /> : !curveError && <p className="empty">Loading…</p>}
          {section('benchmark', 'bt-benchmarks')}
          {section('costs', 'bt-costs')}
        </div>
      </div>
      <div className="charts-2">
        <div>{section('significance', 'bt-significance-table')}</div>
        <div>
          {section('data', 'bt-data')}
          {section('settings', 'bt-settings')}
          {results && (
            <p className="small muted">
              Model <span className="mono">{results.model_path}</span>
            </p>
          )}
        </div>
      </div>
      <Tearsheet backtestId={id} />
      <h3>
        Price {symbol} {timeframe} with trades {selected && <button className="btn small" onClick={() => setSelected(null)}>Show all</button>}
      </h3>
      <ErrorNote error={bars.error && `Bars: ${bars.error}`} />
      {overlays.available.length > 0 && (
        <div className="overlay-picker small" data-testid="bt-overlays">
          Indicators:{' '}
          {overlays.available.map((id) => (
            <label key={id}>
              <input type="checkbox" checked={overlays.chosen.includes(id)} onChange={() => overlays.toggle(id)} data-testid={`bt-overlay-${id}`} /> {id}
            </label>
          ))}
          {overlays.error && <span className="error"> {overlays.error}</span>}
        </div>
      )}
      <div className="chart-slot" style={{ minHeight: PRICE_H }} data-testid="bt-price" data-markers={markers.length}>
        {bars.candles && bars.candles.time.length > 0 ? (
          <CandleChart candles={bars.candles} markers={markers} overlays={overlays.lines} zoom={zoom} height={PRICE_H} testId="bt-candles" highlight={selected ? { from: toUnixSeconds(selected.entry_time), to: selected.exit_time ? toUnixSeconds(selected.exit_time) : toUnixSeconds(selected.entry_time) } : null} />
        ) : (
          <div className="chart-placeholder" style={{ height: PRICE_H }}>
            {bars.loading ? 'Loading bars…' : 'No bars for this range.'}
          </div>
        )}
      </div>
      <h3 data-testid="bt-trades-heading">{tradesTitle.text}</h3>
      <ErrorNote error={tradesError} />
      <ErrorNote error={tradesTitle.mismatch} testId="bt-trades-mismatch" />
      {!trades && !tradesError && (
        <p className="empty" data-testid="bt-trades-loading">
          Loading trades…
        </p>
      )}
      {trades && trades.length === 0 && <p className="empty">No trades.</p>}
      {trades && trades.length > 0 && (
        <div className="trades-fill">
          <TradesTable trades={trades} selected={selected?.id ?? null} onSelect={setSelected} currency={currency} />
        </div>
      )}
      {trades && currency && <TradeAnalysis trades={fullTrades} currency={currency} />}
    </div>
  );
}
