// The portfolio section of the HTML report and the legs CSV: the same numbers as the results, and
// nothing of it on a single-symbol report.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { renderBacktestReport } from '../../../src/core/report/backtest-report';
import { LEG_CSV_COLUMNS, legsCsv, portfolioSection } from '../../../src/core/report/portfolio-section';
import { ProgressBridge } from '../../../src/worker/bridge';
import type { BacktestDeps, FeatureMatrixLike } from '../../../src/worker/jobs/backtest';
import { portfolioParams, runPortfolioBacktestJob } from '../../../src/worker/jobs/portfolio-backtest';
import { randomBars, randomProbabilities } from '../backtest/helpers';
import { HOUR } from './helpers';

const home = mkdtempSync(join(tmpdir(), 'ktrdr-pf-report-'));
afterAll(() => rmSync(home, { recursive: true, force: true }));

const N = 900;
const T0 = Date.UTC(2021, 0, 4);
const series = (seed: number, start: number) => {
  const b = randomBars(N, seed, HOUR, start);
  return { ...b, time: Float64Array.from({ length: N }, (_, k) => T0 + k * HOUR), volume: new Float64Array(N) };
};
const BARS: Record<string, ReturnType<typeof series>> = { EURUSD: series(1, 1.2), GBPUSD: series(2, 1.35), AUDUSD: series(3, 0.75) };
const PROBS: Record<string, Float32Array> = { EURUSD: randomProbabilities(N, 4), GBPUSD: randomProbabilities(N, 5), AUDUSD: new Float32Array(N * 3).fill(1 / 3) };

const deps: BacktestDeps = {
  loadStrategy: () => ({ config: {}, decisions: { confidence_threshold: 0.5, filters: { min_signal_separation: 0 } }, timeframes: ['1h'], warmupBars: 10 }),
  resolveModel: (ref) => ({ dir: join(home, ref), model_path: `models/${ref}` }),
  loadModel: async () => ({
    manifest: { features: ['f'], normalization: null, timeframe: '1h' },
    predict: async (m) => {
      const s = (m as FeatureMatrixLike & { symbol: string }).symbol;
      const first = BARS[s].time.indexOf(m.time[0]);
      return PROBS[s].slice(first * 3, (first + m.rows) * 3);
    },
  }),
  loadBars: (symbol, _tf, range) => {
    const all = BARS[symbol];
    let k = 0;
    while (k < N && all.time[k] <= (range.end ?? Infinity)) k++;
    return { symbol, timeframe: '1h', time: all.time.slice(0, k), open: all.open.slice(0, k), high: all.high.slice(0, k), low: all.low.slice(0, k), close: all.close.slice(0, k), volume: all.volume.slice(0, k) };
  },
  buildFeatures: (_s, byTf) => ({ names: ['f'], rows: byTf['1h'].time.length, cols: 1, values: new Float32Array(byTf['1h'].time.length), time: byTf['1h'].time, valid: new Uint8Array(byTf['1h'].time.length).fill(1), symbol: byTf['1h'].symbol }) as FeatureMatrixLike,
  applyNormalization: (m) => m,
};

let results: Record<string, any>;
let equity: any;
beforeAll(async () => {
  results = await runPortfolioBacktestJob({
    params: portfolioParams({ strategy_name: 's', symbols: ['EURUSD', 'GBPUSD', 'AUDUSD'], timeframe: '1h', start_date: '2021-01-20', end_date: '2021-02-10', random_runs: 0 }),
    deps,
    bridge: new ProgressBridge(() => undefined, 0),
    home,
    operationId: 'op_pf_report',
  });
  equity = JSON.parse(readFileSync(join(home, 'backtests', 'op_pf_report', 'equity.json'), 'utf8'));
});

describe('portfolio report and CSV', () => {
  it('the legs CSV: one row per leg, the results’ numbers, net PnL adding up to the portfolio’s', () => {
    const lines = legsCsv(results).trim().split('\r\n');
    expect(lines[0]).toBe(LEG_CSV_COLUMNS.join(','));
    expect(lines).toHaveLength(4);
    const col = (name: (typeof LEG_CSV_COLUMNS)[number]) => lines.slice(1).map((l) => l.split(',')[LEG_CSV_COLUMNS.indexOf(name)]);
    expect(col('symbol')).toEqual(['EURUSD', 'GBPUSD', 'AUDUSD']);
    const net = col('net_pnl').map(Number);
    expect(Math.round(net.reduce((a, b) => a + b, 0) * 100)).toBe(Math.round(results.costs.net_pnl * 100));
    expect(col('trades').map(Number)).toEqual(results.legs.map((l: any) => l.trades));
    expect(col('trades')[2]).toBe('0'); // AUDUSD's model never decides
  });

  it('the report has the legs table, the correlation (— for the idle leg) and a PnL chart per leg', () => {
    const html = renderBacktestReport({ backtest_id: 'op_pf_report', generated_at: '2024-01-01T00:00:00Z', results, trades: [], equity, manifest: null });
    expect(html).toMatch(/<h2>Portfolio: 3 legs, one cash account in USD<\/h2>/);
    for (const s of ['EURUSD', 'GBPUSD', 'AUDUSD']) expect(html).toContain(`<th scope="row">${s}</th>`);
    expect(html).toContain('Correlation of the legs');
    expect(html).toMatch(/<td class="num">—<\/td>/);
    expect(html.match(/PnL so far/g)).toHaveLength(3);
    // The benchmark table shows the equal-weight buy & hold of the legs and the exposure-matched one.
    expect(html).toMatch(/Buy &amp; hold \(fully invested\)/);
    expect(html).not.toMatch(/https?:\/\//);
  });

  it('nothing of it on a single-symbol backtest', () => {
    expect(portfolioSection({ kind: undefined, symbol: 'EURUSD', metrics: {} }, { legs: undefined })).toBe('');
  });
});
