// The portfolio job with fake features and model (the real pipeline runs in the integration test):
// a 1-symbol portfolio gives the single-symbol job's numbers to the cent; N legs report per leg, save
// their artefacts, refuse mixed currencies and bad parameters with the field named.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { BarSeries } from '../../../src/core/bars/types';
import type { SnapshotMessage } from '../../../src/shared/worker-protocol';
import { ProgressBridge } from '../../../src/worker/bridge';
import { backtestParams, runBacktestJob, type BacktestDeps, type FeatureMatrixLike } from '../../../src/worker/jobs/backtest';
import { portfolioParams, runPortfolioBacktestJob } from '../../../src/worker/jobs/portfolio-backtest';
import { backtestEquityDocSchema, backtestFillsDocSchema, backtestTradesDocSchema, parseOperationResult } from '../../../src/shared/results';
import { randomBars, randomProbabilities } from '../backtest/helpers';
import { HOUR } from './helpers';

const home = mkdtempSync(join(tmpdir(), 'ktrdr-pf-job-'));
afterAll(() => rmSync(home, { recursive: true, force: true }));

const N = 1500;
const T0 = Date.UTC(2020, 0, 6);
function series(symbol: string, seed: number, start: number, keep: (k: number) => boolean): BarSeries {
  const b = randomBars(N, seed, HOUR, start);
  const idx = Array.from({ length: N }, (_, k) => k).filter(keep);
  const pick = (a: Float64Array) => Float64Array.from(idx, (k) => a[k]);
  return { symbol, timeframe: '1h', time: Float64Array.from(idx, (k) => T0 + k * HOUR), open: pick(b.open), high: pick(b.high), low: pick(b.low), close: pick(b.close), volume: new Float64Array(idx.length) };
}
// EURUSD trades every hour; SPY only 14:00-20:00 UTC on weekdays; USDJPY is quoted in JPY.
const SERIES: Record<string, BarSeries> = {
  EURUSD: series('EURUSD', 1, 1.1, () => true),
  SPY: series('SPY', 2, 300, (k) => {
    const d = new Date(T0 + k * HOUR);
    return d.getUTCDay() > 0 && d.getUTCDay() < 6 && d.getUTCHours() >= 14 && d.getUTCHours() <= 20;
  }),
  USDJPY: series('USDJPY', 3, 110, () => true),
};
const PROBS: Record<string, Float32Array> = { EURUSD: randomProbabilities(N, 11), SPY: randomProbabilities(N, 12), USDJPY: randomProbabilities(N, 13) };
const NAMES = ['1h_a', '1h_b'];

function fakeDeps(): BacktestDeps {
  return {
    loadStrategy: () => ({ config: {}, decisions: { confidence_threshold: 0.5, filters: { min_signal_separation: 0 } }, timeframes: ['1h'], warmupBars: 20 }),
    resolveModel: (ref) => ({ dir: join(home, 'models', ref), model_path: `models/${ref.replace('_latest', '_v1')}` }),
    loadModel: async () => ({
      // Trained on rows up to 2020-02-15: bars after it are out of sample.
      manifest: { features: NAMES, normalization: null, timeframe: '1h', data_range: { start: '2019-01-01T00:00:00Z', end: '2020-02-15T00:00:00Z' } },
      // The fake "model" answers per symbol (the matrix remembers whose bars it is).
      predict: async (m) => {
        const s = (m as FeatureMatrixLike & { symbol: string }).symbol;
        const first = SERIES[s].time.indexOf(m.time[0]);
        return PROBS[s].slice(first * 3, (first + m.rows) * 3);
      },
    }),
    loadBars: (symbol, _tf, range) => {
      const all = SERIES[symbol];
      if (!all) return { ...SERIES.EURUSD, symbol, time: new Float64Array(0), open: new Float64Array(0), high: new Float64Array(0), low: new Float64Array(0), close: new Float64Array(0), volume: new Float64Array(0) };
      const end = range.end ?? Infinity;
      let k = 0;
      while (k < all.time.length && all.time[k] <= end) k++;
      return { ...all, time: all.time.slice(0, k), open: all.open.slice(0, k), high: all.high.slice(0, k), low: all.low.slice(0, k), close: all.close.slice(0, k), volume: all.volume.slice(0, k) };
    },
    buildFeatures: (_s, byTf) => {
      const b = byTf['1h'];
      const rows = b.time.length;
      const valid = new Uint8Array(rows).fill(1);
      return { names: NAMES, rows, cols: 2, values: new Float32Array(rows * 2), time: b.time, valid, symbol: b.symbol } as FeatureMatrixLike;
    },
    applyNormalization: (m) => m,
  };
}

function bridge() {
  const warnings: string[] = [];
  const messages: string[] = [];
  const b = new ProgressBridge((m: SnapshotMessage) => {
    for (const w of m.warnings) if (!warnings.includes(w)) warnings.push(w);
    if (m.progress.message) messages.push(m.progress.message);
  }, 0);
  return { b, warnings, messages };
}

const START = '2020-02-20';
const END = '2020-03-05';
const base = { strategy_name: 'pooled', timeframe: '1h', start_date: START, end_date: END, random_runs: 30, random_seed: 5 };

describe('portfolio job', () => {
  it('a 1-symbol portfolio (25 % of equity) equals the single-symbol job to the cent: trades, equity, metrics, benchmark, significance', async () => {
    const single = await runBacktestJob({ params: backtestParams({ ...base, symbol: 'EURUSD' }), deps: fakeDeps(), bridge: bridge().b, home, operationId: 'op_single' });
    const pf = await runPortfolioBacktestJob({ params: portfolioParams({ ...base, symbols: ['EURUSD'], sizing: { type: 'fixed_fraction', fraction: 0.25 } }), deps: fakeDeps(), bridge: bridge().b, home, operationId: 'op_pf1' });
    expect(single.trade_count).toBeGreaterThan(20);
    const read = (id: string, f: string) => JSON.parse(readFileSync(join(home, 'backtests', id, f), 'utf8')) as { trades: Record<string, unknown>[]; values: number[] };
    const strip = (ts: Record<string, unknown>[]) => ts.map(({ symbol: _s, ...t }) => t);
    expect(strip(read('op_pf1', 'trades.json').trades)).toEqual(strip(read('op_single', 'trades.json').trades));
    expect(read('op_pf1', 'equity.json').values).toEqual(read('op_single', 'equity.json').values);
    expect(pf.metrics).toEqual(single.metrics);
    expect(pf.costs.net_pnl).toBeCloseTo(single.costs!.net_pnl, 9);
    for (const k of ['buy_and_hold', 'exposure_matched'] as const) {
      expect(pf.benchmark[k].final_equity).toBeCloseTo(single.benchmark![k].final_equity, 6);
      expect(pf.benchmark[k].sharpe_ratio!).toBeCloseTo(single.benchmark![k].sharpe_ratio!, 9);
      expect(pf.benchmark[k].exposure).toBeCloseTo(single.benchmark![k].exposure, 9);
    }
    expect(pf.significance).toEqual(single.significance);
    expect(pf.sharpe_ci95).toEqual(single.sharpe_ci95);
    expect(pf.sharpe_ci_method).toEqual(single.sharpe_ci_method);
    expect(pf.out_of_sample).toBe(single.out_of_sample);
    expect(pf.in_sample_bars).toBe(single.in_sample_bars);
    expect(pf.legs[0].costs).toEqual(single.costs);
  });

  it('N legs on two calendars: per-leg results, in-sample flags, artefacts that add up and parse by their schemas', async () => {
    const { b, messages } = bridge();
    const r = await runPortfolioBacktestJob({
      params: portfolioParams({ ...base, start_date: '2020-02-10', symbols: ['EURUSD', 'SPY'], sizing: { type: 'volatility_target', annual_volatility: 0.1, lookback_bars: 20 }, rebalance: 'week' }),
      deps: fakeDeps(),
      bridge: b,
      home,
      operationId: 'op_pf2',
    });
    // Stored as JSON and read back by every reader through the contract: the portfolio variant.
    const typed = parseOperationResult('backtesting', JSON.parse(JSON.stringify(r)));
    expect(typed?.type).toBe('portfolio');
    expect(typed?.result).toEqual(r);
    expect(r.kind).toBe('portfolio');
    expect(r.symbols).toEqual(['EURUSD', 'SPY']);
    expect(r.legs.map((l) => l.symbol)).toEqual(['EURUSD', 'SPY']);
    expect(r.legs[1].bars).toBeLessThan(r.legs[0].bars / 3);
    // Trained to 2020-02-15: the legs start on 2020-02-10, so both are partly in sample.
    expect(r.legs.every((l) => l.in_sample_bars! > 0 && l.out_of_sample === false)).toBe(true);
    expect(r.out_of_sample).toBe(false);
    expect(r.in_sample_bars).toBe(r.legs[0].in_sample_bars! + r.legs[1].in_sample_bars!);
    expect(r.warnings.some((w) => w.startsWith('EURUSD: In-sample backtest'))).toBe(true);
    expect(r.config.legs.map((l) => l.costs.model)).toEqual(['fx:EURUSD', 'equity:SPY']);
    expect(r.config.legs[1].costs.price_adjustment?.mode).toBe('auto');
    expect(r.config.account_currency).toBe('USD');
    expect(r.legs.reduce((s, l) => s + l.contribution, 0)).toBeCloseTo(r.metrics.total_return_pct, 9);
    expect(r.legs.reduce((s, l) => s + l.costs.net_pnl, 0)).toBeCloseTo(r.costs.net_pnl, 6);
    expect(r.correlation.matrix).toHaveLength(2);
    expect(r.benchmark.buy_and_hold.exposure).toBe(1);
    expect(r.benchmark.exposure_matched.exposure).toBeCloseTo(Math.min(1, r.average_gross_exposure), 12);
    expect(r.significance?.random_runs).toBe(30);
    expect(r.legs[0].kelly_fraction).toBeUndefined(); // only under Kelly sizing
    expect(messages.some((m) => /^\[2\/2\] Loading bars for SPY 1h$/.test(m))).toBe(true);
    expect(messages.some((m) => /^Backtesting 2 symbols \(EURUSD, SPY\) 1h \[2020-0\d-\d\d\]$/.test(m))).toBe(true);

    const dir = join(home, 'backtests', 'op_pf2');
    const doc = (f: string) => JSON.parse(readFileSync(join(dir, f), 'utf8')) as unknown;
    const trades = backtestTradesDocSchema.parse(doc('trades.json')).trades;
    const equity = backtestEquityDocSchema.parse(doc('equity.json'));
    const fills = backtestFillsDocSchema.parse(doc('fills.json')).fills;
    expect(trades).toHaveLength(r.trade_count);
    expect(new Set(trades.map((t) => t.symbol))).toEqual(new Set(['EURUSD', 'SPY']));
    const net = trades.reduce((a, t) => a + t.net_pnl, 0);
    expect(Math.abs(net - (equity.values[equity.values.length - 1] - 100_000))).toBeLessThan(0.005);
    expect(equity.legs!.map((l) => l.symbol)).toEqual(['EURUSD', 'SPY']);
    expect(equity.legs![1].value.length).toBe(r.legs[1].bars);
    expect(equity.gross_exposure).toHaveLength(equity.values.length);
    expect(fills.filter((f) => f.kind === 'rebalance').length).toBe(r.legs.reduce((s, l) => s + l.rebalance_fills, 0));
    expect(fills.every((f) => f.symbol === r.symbols[f.leg])).toBe(true);
  });

  it('legs in different currencies are refused (one cash account, no conversion)', async () => {
    await expect(
      runPortfolioBacktestJob({ params: portfolioParams({ ...base, symbols: ['EURUSD', 'USDJPY'], random_runs: 0 }), deps: fakeDeps(), bridge: bridge().b, home, operationId: 'op_pf3' }),
    ).rejects.toThrow(/different currencies \(EURUSD: USD, USDJPY: JPY\).*conversion is not modelled/);
  });

  it('bad parameters name the field', () => {
    expect(() => portfolioParams({ ...base, symbols: [] })).toThrow(/symbols: give at least one symbol/);
    expect(() => portfolioParams({ ...base, symbols: ['SPY', 'spy'] })).toThrow(/symbols: each symbol once/);
    expect(() => portfolioParams({ ...base, symbols: ['SPY'], sizing: { type: 'kelly', min_trades: 50, lookback_trades: 10 } })).toThrow(/sizing.lookback_trades: lookback_trades must be ≥ min_trades/);
    expect(() => portfolioParams({ ...base, symbols: ['SPY'], sizing: { type: 'fixed_fraction', fraction: 2 } })).toThrow(/sizing.fraction/);
    expect(() => portfolioParams({ ...base, symbols: ['SPY'], rebalance: 'hourly' })).toThrow(/rebalance/);
    expect(() => portfolioParams({ ...base, symbols: ['SPY'], max_gros_exposure: 2 })).toThrow(/max_gros_exposure/);
    expect(() => portfolioParams({ ...base, symbols: ['SPY'], costs: { spread_pip: 1 } })).toThrow(/costs.*spread_pip/);
  });
});
