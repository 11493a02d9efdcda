// A finished portfolio backtest in the Backtests view (issue 26): the verdict, the in-sample guard per
// leg, every value of the shared presenter (presentPortfolio: the same labels, units, precision and
// null reasons as the CLI, the MCP server and the report), the portfolio's equity, drawdown and gross
// exposure, each leg's PnL curve, the legs table (one row per leg), their correlation and the trades.
import { useEffect, useMemo, useState } from 'react';
import { api } from '../api/client';
import { useResults } from '../hooks/useResults';
import { backtestCurrency, presentPortfolio, sizingText } from '../../../shared/results/present';
import type { PortfolioResult } from '../../../shared/results/portfolio';
import type { BacktestTrade } from '../../../shared/results/backtest';
import { formatMetric } from '../../../shared/metrics-catalog';
import { toUnixSeconds } from '../lib/format';
import { legCurvesChart, portfolioInSampleNotice, portfolioTrades } from '../lib/portfolio';
import { parseEquityCurve, parseTrades, type EquityCurve, type Trade } from '../lib/shapes';
import type { OperationView } from '../stores/operations';
import type { ChartColor } from './chart-theme';
import { BacktestExport } from './BacktestExport';
import { EquityCharts } from './EquityCharts';
import { ErrorNote } from './ErrorNote';
import { LineChart } from './LineChart';
import { SectionTable } from './ResultSections';
import { SignificanceNote } from './SignificanceNote';
import { Tearsheet } from './Tearsheet';
import { TradeAnalysis } from './TradeAnalysis';
import { TradesTable } from './TradesTable';
import { Warnings } from './Warnings';
import './results.css';

/** Points per curve asked of the server: enough for a chart, never the whole run. */
const MAX_POINTS = 2000;
const COLORS: ChartColor[] = ['accent', 'warn', 'good', 'bad', 'muted', 'text'];
const pctTick = (v: number) => `${(v * 100).toFixed(0)}%`;
const pctValue = (v: number) => formatMetric('average_gross_exposure', v);

export function PortfolioResults({ op }: { op: OperationView }) {
  const id = op.operation_id;
  const done = op.status === 'completed';
  const { typed, error } = useResults(id, op.status);
  const r: PortfolioResult | null = typed?.type === 'portfolio' ? typed.result : null;
  const [curve, setCurve] = useState<EquityCurve | null>(null);
  const [trades, setTrades] = useState<Trade[] | null>(null);
  const [loadError, setLoadError] = useState<string | null>(null);
  const [selected, setSelected] = useState<Trade | null>(null);

  // The run's curves (portfolio, gross exposure, every leg) and trades; an answer for a run no longer shown is dropped.
  useEffect(() => {
    let live = true;
    setCurve(null);
    setTrades(null);
    setLoadError(null);
    setSelected(null);
    if (!done) return;
    const enc = encodeURIComponent(id);
    api
      .get(`/backtests/${enc}/equity_curve?legs=true&max_points=${MAX_POINTS}`)
      .then((b) => live && setCurve(parseEquityCurve(b)))
      .catch((e: Error) => live && setLoadError(`GET /backtests/${id}/equity_curve: ${e.message}`));
    api
      .get(`/backtests/${enc}/trades`)
      .then((b) => live && setTrades(portfolioTrades(parseTrades(b))))
      .catch((e: Error) => live && setLoadError(`GET /backtests/${id}/trades: ${e.message}`));
    return () => {
      live = false;
    };
  }, [id, done]);

  const sections = useMemo(() => (r ? new Map(presentPortfolio(r).map((s) => [s.id, s])) : null), [r]);
  const currency = r ? backtestCurrency(r) : null;
  const eq = useMemo(() => (curve && curve.timestamps.length ? { time: curve.timestamps.map(toUnixSeconds), equity: curve.values, drawdown: curve.drawdowns } : null), [curve]);
  const gross = useMemo(() => (curve?.gross_exposure && eq ? [{ label: 'gross exposure', values: curve.gross_exposure, color: 'warn' as const }] : null), [curve, eq]);
  const legs = useMemo(() => {
    if (!curve?.legs?.length) return null;
    const c = legCurvesChart(curve.legs);
    return { x: c.x, series: c.series.map((s, i) => ({ ...s, color: COLORS[i % COLORS.length], ...(i >= COLORS.length ? { dash: [6, 4] } : {}) })) };
  }, [curve]);
  const moneyValue = useMemo(() => (v: number) => formatMetric('net_pnl', v, { currency }), [currency]);
  const fullTrades = useMemo(() => (trades ?? []).flatMap((t): BacktestTrade[] => (t.raw ? [t.raw] : [])), [trades]);

  if (!done) return null;
  const section = (sid: string, testId: string) => {
    const s = sections?.get(sid);
    return s ? <SectionTable section={s} testId={testId} /> : null;
  };
  const inSample = portfolioInSampleNotice(r);
  return (
    <div className="panel" data-testid="portfolio-results">
      <h2>
        Results: portfolio of {r ? r.legs.length : '…'} legs{currency ? `, one cash account in ${currency}` : ''}
      </h2>
      <ErrorNote error={error} />
      {r && (
        <p className="muted small" data-testid="pf-settings">
          {r.symbols.join(', ')} {r.timeframe} · sizing: {sizingText(r.config.sizing)} · max gross exposure {formatMetric('max_gross_exposure', r.config.max_gross_exposure)} × equity · rebalancing: {r.config.rebalance ?? 'none'} ·{' '}
          {r.model_path ? `model ${r.model_path}` : `models ${Object.entries(r.model_paths).map(([s, m]) => `${s}: ${m}`).join(', ')}`}
        </p>
      )}
      {inSample && (
        <div className={inSample.level === 'banner' ? 'banner bad' : 'muted'} role={inSample.level === 'banner' ? 'alert' : undefined} data-testid={inSample.level === 'banner' ? 'pf-in-sample-banner' : 'pf-in-sample-note'}>
          {inSample.level === 'banner' && <strong>In-sample legs. </strong>}
          {inSample.text}
        </div>
      )}
      <SignificanceNote results={r} />
      <BacktestExport id={id} />
      <Warnings operation={op.warnings} results={r?.warnings} testId="pf-warnings" />
      <ErrorNote error={loadError} />
      <div className="charts-2">
        <div>
          {section('performance', 'pf-performance')}
          {section('trades', 'pf-trade-stats')}
        </div>
        <div>
          <h3>Portfolio equity and drawdown{currency ? ` (${currency})` : ''}</h3>
          {eq ? <EquityCharts time={eq.time} equity={eq.equity} drawdown={eq.drawdown} testId="pf-equity-chart" currency={currency} /> : !loadError && <p className="empty">Loading…</p>}
          {eq && gross && (
            <>
              <h3>Gross exposure</h3>
              <LineChart x={eq.time} series={gross} height={120} time testId="pf-gross-exposure" yLabel="Σ |position| ÷ equity (%)" yFormat={pctTick} valueFormat={pctValue} />
            </>
          )}
        </div>
      </div>
      {section('legs', 'pf-legs')}
      <div className="charts-2">
        <div>
          <h3>Each leg’s PnL{currency ? ` (${currency})` : ''}</h3>
          {legs ? <LineChart x={legs.x} series={legs.series} height={220} time testId="pf-leg-curves" yLabel={`PnL so far (${currency ?? 'account currency'})`} valueFormat={moneyValue} /> : !loadError && <p className="empty">Loading…</p>}
        </div>
        <div>{section('correlation', 'pf-correlation')}</div>
      </div>
      <div className="charts-2">
        <div>
          {section('benchmark', 'pf-benchmarks')}
          {section('costs', 'pf-costs')}
        </div>
        <div>
          {section('significance', 'pf-significance-table')}
          {section('data', 'pf-data')}
          {section('settings', 'pf-settings-table')}
        </div>
      </div>
      <Tearsheet backtestId={id} />
      <h3 data-testid="pf-trades-heading">Trades ({trades ? trades.length : (r?.trade_count ?? '…')})</h3>
      {trades && trades.length === 0 && <p className="empty">No trades.</p>}
      {trades && trades.length > 0 && (
        <div className="trades-fill">
          <TradesTable trades={trades} selected={selected?.id ?? null} onSelect={setSelected} currency={currency} symbols />
        </div>
      )}
      {trades && currency && <TradeAnalysis trades={fullTrades} currency={currency} />}
    </div>
  );
}
