// The Backtests view's portfolio pieces (issue 26) and run comparison with portfolios: the legs table
// one row per leg with the presenter's cells, leg curves on one time axis, the in-sample guard per
// leg, trade ids unique across legs, comparison rows that stay unique and never mark a winner when a
// leg is in sample.
import { rmSync } from 'node:fs';
import { createElement } from 'react';
import { renderToStaticMarkup } from 'react-dom/server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SectionTable } from '../../../src/renderer/src/components/ResultSections';
import { DEFAULT_PORTFOLIO_FIELDS, experimentBacktestSection } from '../../../src/renderer/src/lib/forms';
import { experimentBacktestBody } from '../../../src/shared/experiment-requests';
import { comparableRows, samplingWarning } from '../../../src/renderer/src/lib/compare';
import { isPortfolioOperation, legCurvesChart, portfolioInSampleNotice, portfolioTrades } from '../../../src/renderer/src/lib/portfolio';
import { parseTrades } from '../../../src/renderer/src/lib/shapes';
import type { TypedResult } from '../../../src/shared/results';
import { presentPortfolio } from '../../../src/shared/results/present';
import { producePortfolio, type ProducedPortfolio } from '../../helpers/portfolio-results';
import { produceBacktest } from '../../helpers/results';

let pf: ProducedPortfolio;
let typed: TypedResult;
beforeAll(async () => {
  pf = await producePortfolio();
  typed = { type: 'portfolio', result: pf.result };
});
afterAll(() => rmSync(pf.home, { recursive: true, force: true }));

describe('the portfolio in the Backtests view', () => {
  it('is recognised from the operation’s params (before its result is read)', () => {
    expect(isPortfolioOperation({ metadata: { parameters: { portfolio: true } } })).toBe(true);
    expect(isPortfolioOperation({ metadata: { parameters: { symbol: 'EURUSD' } } })).toBe(false);
    expect(isPortfolioOperation(null)).toBe(false);
  });

  it('the legs table: one row per leg, one column per metric, each cell the presenter’s text with its reason', () => {
    const legs = presentPortfolio(pf.result).find((s) => s.id === 'legs')!;
    const html = renderToStaticMarkup(createElement(SectionTable, { section: legs, testId: 'pf-legs' }));
    const rows = html.match(/<tr data-column="[^"]+">/g);
    expect(rows).toEqual(['<tr data-column="EURUSD">', '<tr data-column="GBPUSD">', '<tr data-column="AUDUSD">']);
    expect(html).toContain('data-testid="metric-term-net_pnl">Net PnL</button>');
    const net = legs.rows.find((r) => r.key === 'net_pnl')!;
    for (const c of net.cells) expect(html).toContain(`data-path="${c.path}">${c.text}</td>`);
    // The idle leg's Kelly fraction: "—" and why.
    expect(html).toContain('data-path="legs.2.kelly_fraction">—<span class="null-reason">no closed trades: the Kelly fraction is undefined</span>');
  });

  it('each leg’s PnL curve on the union of their times, carried between its bars, null before its first', () => {
    const chart = legCurvesChart([
      { symbol: 'A', timestamps: ['2024-01-01T00:00:00Z', '2024-01-01T02:00:00Z'], values: [0, 5], positions: [0, 1] },
      { symbol: 'B', timestamps: ['2024-01-01T01:00:00Z', '2024-01-01T02:00:00Z'], values: [1, -2], positions: [1, 0] },
    ]);
    const t0 = Date.UTC(2024, 0, 1) / 1000;
    expect(chart.x).toEqual([t0, t0 + 3600, t0 + 7200]);
    expect(chart.series).toEqual([
      { label: 'A PnL', values: [0, 0, 5] },
      { label: 'B PnL', values: [null, 1, -2] },
    ]);
  });

  it('the in-sample guard names the legs inside their model’s data (a banner), or says the check is unknown', () => {
    expect(portfolioInSampleNotice(pf.result)).toBeNull(); // the fixture's model ends before the backtest
    const legs = pf.result.legs.map((l, i) => (i === 1 ? { ...l, out_of_sample: false, in_sample_bars: 12 } : l));
    expect(portfolioInSampleNotice({ legs, allow_in_sample: false })).toEqual({ level: 'banner', text: `GBPUSD: 12 of ${legs[1].bars} bars lie inside their model's training data: these results are not out of sample.` });
    expect(portfolioInSampleNotice({ legs, allow_in_sample: true })?.level).toBe('note');
    const unknown = pf.result.legs.map((l) => ({ ...l, out_of_sample: null, in_sample_bars: null, null_reasons: { ...l.null_reasons, out_of_sample: 'no range' } }));
    expect(portfolioInSampleNotice({ legs: unknown, allow_in_sample: false })).toEqual({ level: 'note', text: 'In-sample check unknown for EURUSD, GBPUSD, AUDUSD: no range.' });
  });

  it('trade ids stay unique across legs (each leg numbers its trades from 1)', () => {
    const trades = portfolioTrades(parseTrades({ total_count: pf.trades.length, trades: pf.trades }));
    expect(new Set(trades.map((t) => t.id)).size).toBe(trades.length);
    expect(trades.some((t) => t.id === 'EURUSD 1')).toBe(true);
    expect(trades.some((t) => t.id === 'GBPUSD 1')).toBe(true);
  });
});

describe('run comparison with portfolios', () => {
  it('compares a portfolio on the presenter’s rows, each once (legs and correlation per leg)', () => {
    const rows = comparableRows(typed);
    const ids = rows.map((r) => r.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const id of ['net_pnl@EURUSD', 'contribution@GBPUSD', 'correlation.EURUSD@GBPUSD', 'sharpe_ratio', 'sharpe_ratio@Buy & hold']) expect(ids, id).toContain(id);
  });

  it('a portfolio beside a single backtest: the shared rows line up; an in-sample leg marks no winner', async () => {
    const single = await produceBacktest({ randomRuns: 0 });
    const a = new Set(comparableRows({ type: 'backtesting', result: single.result }).map((r) => r.id));
    const shared = comparableRows(typed).filter((r) => a.has(r.id)).map((r) => r.id);
    expect(shared).toEqual(expect.arrayContaining(['total_return_pct', 'sharpe_ratio', 'max_drawdown_pct', 'p_value_return', 'net_pnl', 'total_return_pct@B&H at same exposure']));
    expect(samplingWarning(typed, { type: 'backtesting', result: single.result })).toBeNull();
    const inSample: TypedResult = { type: 'portfolio', result: { ...pf.result, out_of_sample: false, in_sample_bars: 12 } };
    expect(samplingWarning(inSample, typed)).toBe('A is in sample: its numbers may flatter it, so no row is marked better.');
    rmSync(single.home, { recursive: true, force: true });
  });
});

describe('the experiment form over portfolios', () => {
  const costs = { initial_capital: '50000', commission: '', slippage: '', spread_pips: '0.5', legs: '' };
  it('no portfolio: one symbol’s backtest section, as before', () => {
    expect(experimentBacktestSection(costs, null)).toEqual({ initial_capital: 50_000, costs: { spread_pips: 0.5 } });
  });

  it('a portfolio: backtest.portfolio with the legs (empty: the trained symbols), sizing, cap and rebalancing, accepted by the request schema', () => {
    const trained = experimentBacktestSection(costs, DEFAULT_PORTFOLIO_FIELDS);
    expect(trained).toEqual({ initial_capital: 50_000, costs: { spread_pips: 0.5 }, portfolio: { sizing: { type: 'equal_weight' }, max_gross_exposure: 1 } });
    const named = experimentBacktestSection({ ...costs, legs: 'eurusd, spy' }, { sizing: 'volatility_target', sizing_value: '0.15', max_gross: '2', rebalance: 'month' });
    expect(named.portfolio).toEqual({ symbols: ['EURUSD', 'SPY'], sizing: { type: 'volatility_target', annual_volatility: 0.15 }, max_gross_exposure: 2, rebalance: 'month' });
    for (const b of [trained, named]) expect(experimentBacktestBody.safeParse(b).success).toBe(true);
  });
});
