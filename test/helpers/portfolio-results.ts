// A portfolio backtest as the worker writes it, for reader and contract tests: runPortfolioBacktestJob
// (real book, analysis, benchmarks and significance) with a fake model over random FX bars. Three
// legs, one of which never trades (its model is undecided), so the result carries the nulls a
// portfolio has (its Kelly fraction, win rate, correlations) with their reasons.
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BacktestEquityDoc, BacktestFillsDoc } from '../../src/shared/results/backtest';
import type { PortfolioResult } from '../../src/shared/results/portfolio';
import { ProgressBridge } from '../../src/worker/bridge';
import type { BacktestDeps, FeatureMatrixLike } from '../../src/worker/jobs/backtest';
import { portfolioParams, runPortfolioBacktestJob } from '../../src/worker/jobs/portfolio-backtest';
import { randomBars, randomProbabilities } from '../unit/backtest/helpers';

const HOUR = 3_600_000;
const N = 900;
const T0 = Date.UTC(2021, 0, 4);
const series = (seed: number, start: number) => {
  const b = randomBars(N, seed, HOUR, start);
  return { ...b, time: Float64Array.from({ length: N }, (_, k) => T0 + k * HOUR), volume: new Float64Array(N) };
};
export const PORTFOLIO_BARS: Record<string, ReturnType<typeof series>> = { EURUSD: series(1, 1.2), GBPUSD: series(2, 1.35), AUDUSD: series(3, 0.75) };
const PROBS: Record<string, Float32Array> = { EURUSD: randomProbabilities(N, 4), GBPUSD: randomProbabilities(N, 5), AUDUSD: new Float32Array(N * 3).fill(1 / 3) };

/** Fake strategy, model (answers per symbol; AUDUSD never decides) and bars; the real engine does the rest. */
export function portfolioDeps(home: string, dataRange: { start: string | null; end: string | null } | null = { start: '2020-01-01', end: '2021-01-10' }): BacktestDeps {
  return {
    loadStrategy: () => ({ config: {}, decisions: { confidence_threshold: 0.5, filters: { min_signal_separation: 0 } }, timeframes: ['1h'], warmupBars: 10 }),
    resolveModel: (ref) => ({ dir: join(home, ref), model_path: `models/${ref.replace('_latest', '_v1')}` }),
    loadModel: async () => ({
      manifest: { features: ['f'], normalization: null, timeframe: '1h', data_range: dataRange },
      inference: { engine: 'fused-js', backend: 'cpu' },
      predict: async (m) => {
        const s = (m as FeatureMatrixLike & { symbol: string }).symbol;
        const first = PORTFOLIO_BARS[s].time.indexOf(m.time[0]);
        return PROBS[s].slice(first * 3, (first + m.rows) * 3);
      },
    }),
    loadBars: (symbol, _tf, range) => {
      const all = PORTFOLIO_BARS[symbol];
      let k = 0;
      while (k < N && all.time[k] <= (range.end ?? Infinity)) k++;
      return { symbol, timeframe: '1h', time: all.time.slice(0, k), open: all.open.slice(0, k), high: all.high.slice(0, k), low: all.low.slice(0, k), close: all.close.slice(0, k), volume: all.volume.slice(0, k) };
    },
    buildFeatures: (_s, byTf) => {
      const b = byTf['1h'];
      return { names: ['f'], rows: b.time.length, cols: 1, values: new Float32Array(b.time.length), time: b.time, valid: new Uint8Array(b.time.length).fill(1), symbol: b.symbol } as FeatureMatrixLike;
    },
    applyNormalization: (m) => m,
  };
}

export interface ProducedPortfolio {
  id: string;
  home: string;
  result: PortfolioResult;
  trades: Record<string, unknown>[];
  equity: BacktestEquityDoc;
  fills: BacktestFillsDoc;
}

/** A 3-leg portfolio (Kelly sizing by default, weekly rebalancing) with its trades.json, equity.json and fills.json. */
export async function producePortfolio(opts: { params?: Record<string, unknown>; modelRange?: { start: string | null; end: string | null } | null } = {}): Promise<ProducedPortfolio> {
  const home = mkdtempSync(join(tmpdir(), 'ktrdr-pf-results-'));
  const id = 'op_backtesting_portfolio_fixture';
  const result = await runPortfolioBacktestJob({
    params: portfolioParams({
      strategy_name: 'fx3',
      symbols: ['EURUSD', 'GBPUSD', 'AUDUSD'],
      timeframe: '1h',
      start_date: '2021-01-20',
      end_date: '2021-02-10',
      sizing: { type: 'kelly', fraction: 0.5, cap: 0.3, min_trades: 10, lookback_trades: 40, warmup_fraction: 0.1 },
      rebalance: 'week',
      random_runs: 40,
      random_seed: 9,
      ...opts.params,
    }),
    deps: portfolioDeps(home, opts.modelRange === undefined ? { start: '2020-01-01', end: '2021-01-10' } : opts.modelRange),
    bridge: new ProgressBridge(() => undefined, 0),
    home,
    operationId: id,
  });
  const read = <T>(f: string) => JSON.parse(readFileSync(join(home, 'backtests', id, f), 'utf8')) as T;
  return { id, home, result, trades: read<{ trades: Record<string, unknown>[] }>('trades.json').trades, equity: read('equity.json'), fills: read('fills.json') };
}
