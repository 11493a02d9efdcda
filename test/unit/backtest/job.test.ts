import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { BarSeries } from '../../../src/core/bars/types';
import type { MetricRecord } from '../../../src/shared/operations';
import type { SnapshotMessage } from '../../../src/shared/worker-protocol';
import { JobCancelledError, ProgressBridge } from '../../../src/worker/bridge';
import {
  backtestParams,
  describeFeatureMismatch,
  runBacktestJob,
  type BacktestDeps,
  type FeatureMatrixLike,
} from '../../../src/worker/jobs/backtest';
import { DAY, randomBars, randomProbabilities } from './helpers';

const home = mkdtempSync(join(tmpdir(), 'ktrdr-bt-job-'));
afterAll(() => rmSync(home, { recursive: true, force: true }));

const N = 1200;
const eng = randomBars(N, 99, DAY, 100);
const ALL: BarSeries = { symbol: 'EURUSD', timeframe: '1d', ...eng, volume: new Float64Array(N) };
const PROBS = randomProbabilities(N, 100);
const NAMES = ['1d_rsi_low', '1d_rsi_high'];

function fakeDeps(over: Partial<BacktestDeps> = {}, seen: { featureRows?: number; loadRange?: unknown } = {}): BacktestDeps {
  return {
    loadStrategy: () => ({ config: {}, decisions: { confidence_threshold: 0.5, filters: { min_signal_separation: 0 } }, timeframes: ['1d'], warmupBars: 20 }),
    resolveModel: (ref) => ({ dir: join(home, 'models', ref), model_path: `models/${ref.replace('_latest', '_v3')}` }),
    loadModel: async () => ({
      manifest: { features: NAMES, normalization: { kind: 'fake' }, timeframe: '1d' },
      predict: async (m) => {
        // Rows are the loaded bars (warm-up included): map them back to the series by time.
        const first = ALL.time.indexOf(m.time[0]);
        return PROBS.slice(first * 3, (first + m.rows) * 3);
      },
    }),
    loadBars: (_s, _tf, range) => {
      seen.loadRange = range;
      const end = range.end ?? Infinity;
      let k = 0;
      while (k < N && ALL.time[k] <= end) k++;
      return { ...ALL, time: ALL.time.slice(0, k), open: ALL.open.slice(0, k), high: ALL.high.slice(0, k), low: ALL.low.slice(0, k), close: ALL.close.slice(0, k), volume: ALL.volume.slice(0, k) };
    },
    buildFeatures: (_s, byTf) => {
      const b = byTf['1d'];
      seen.featureRows = b.time.length;
      const rows = b.time.length;
      const valid = new Uint8Array(rows).fill(1);
      for (let i = 0; i < 14; i++) valid[i] = 0;
      const m: FeatureMatrixLike = { names: NAMES, rows, cols: 2, values: new Float32Array(rows * 2), time: b.time, valid };
      return m;
    },
    applyNormalization: (m, stats) => {
      expect(stats).toEqual({ kind: 'fake' });
      return m;
    },
    ...over,
  };
}

function collectingBridge() {
  const metrics: MetricRecord[] = [];
  const messages: string[] = [];
  const bridge = new ProgressBridge((m: SnapshotMessage) => {
    metrics.push(...m.metrics);
    if (m.progress.message) messages.push(m.progress.message);
  }, 0);
  return { bridge, metrics, messages };
}

const iso = (i: number) => new Date(ALL.time[i]).toISOString().slice(0, 10);
const params = (over: Record<string, unknown> = {}) =>
  backtestParams({ strategy_name: 'mean_rev', symbol: 'EURUSD', timeframe: '1d', start_date: iso(400), end_date: iso(1100), ...over });

describe('backtesting job (pipeline with fake model and features)', () => {
  it('runs over the requested range with warm-up history, reports progress and metrics, saves trades and equity', async () => {
    const seen: { featureRows?: number } = {};
    const { bridge, metrics, messages } = collectingBridge();
    const results = (await runBacktestJob({ params: params(), deps: fakeDeps({}, seen), bridge, home, operationId: 'op_backtesting_test_1' })) as any;
    bridge.flush();

    expect(results.start_time).toBe(new Date(ALL.time[400]).toISOString());
    expect(results.end_time).toBe(new Date(ALL.time[1100]).toISOString());
    expect(results.equity_curve_length).toBe(701);
    // 300 bars of history (the minimum warm-up) were loaded before the start and given to the features.
    expect(seen.featureRows).toBe(701 + 300);
    expect(results.effective_range).toMatchObject({ bars: 701, clipped: false, warmup_bars: 300 });
    expect(results.model_path).toBe('models/mean_rev/1d_v3');
    expect(results.config).toMatchObject({ initial_capital: 100_000, commission: 0.001, slippage: 0.001 });
    expect(results.trade_count).toBeGreaterThan(5);
    expect(results.metrics.total_trades).toBe(results.trade_count);
    expect(typeof results.metrics.sharpe_ratio).toBe('number');
    expect(results.benchmark.kind).toBe('buy_and_hold');

    expect(metrics.length).toBeGreaterThan(100);
    expect(metrics.length).toBeLessThanOrEqual(500);
    const last = metrics[metrics.length - 1];
    expect(last.bar_index).toBe(700);
    expect(last.trades).toBe(results.trade_count);
    expect(last.equity).toBeCloseTo(results.metrics.final_equity, 6);
    expect(messages.some((m) => /^Backtesting EURUSD 1d \[\d{4}-\d{2}-\d{2}\]$/.test(m))).toBe(true);

    const dir = join(home, 'backtests', 'op_backtesting_test_1');
    const trades = JSON.parse(readFileSync(join(dir, 'trades.json'), 'utf8'));
    const equity = JSON.parse(readFileSync(join(dir, 'equity.json'), 'utf8'));
    expect(trades.trades).toHaveLength(results.trade_count);
    expect(equity.values).toHaveLength(701);
    const sum = trades.trades.reduce((a: number, t: { net_pnl: number }) => a + t.net_pnl, 0);
    expect(Math.abs(sum - (equity.values[700] - 100_000))).toBeLessThan(0.005);
  });

  it('clips a requested range that extends past the data and reports it', async () => {
    const { bridge } = collectingBridge();
    const r = (await runBacktestJob({ params: params({ end_date: '2099-01-01' }), deps: fakeDeps(), bridge, home, operationId: 'op_bt_clip' })) as any;
    expect(r.end_time).toBe(new Date(ALL.time[N - 1]).toISOString());
    expect(r.effective_range.clipped).toBe(true);
  });

  it('fails with a clear message when the strategy produces other features than the model expects', async () => {
    const { bridge } = collectingBridge();
    const deps = fakeDeps({
      loadModel: async () => ({ manifest: { features: ['1d_rsi_high', '1d_rsi_low'], normalization: { kind: 'fake' } }, predict: async () => new Float32Array() }),
    });
    await expect(runBacktestJob({ params: params(), deps, bridge, home, operationId: 'op_bt_mismatch' })).rejects.toThrow(/Feature mismatch.*different order/);
  });

  it('stops between chunks when cancelled', async () => {
    const { bridge } = collectingBridge();
    let calls = 0;
    const deps = fakeDeps({
      buildFeatures: (s, byTf) => {
        calls++;
        bridge.requestCancel('user asked');
        return fakeDeps().buildFeatures(s, byTf);
      },
    });
    await expect(runBacktestJob({ params: params(), deps, bridge, home, operationId: 'op_bt_cancel' })).rejects.toBeInstanceOf(JobCancelledError);
    expect(calls).toBe(1);
  });

  it('refuses a model trained on another timeframe', async () => {
    const { bridge } = collectingBridge();
    const deps = fakeDeps({ loadModel: async () => ({ manifest: { features: NAMES, normalization: null, timeframe: '1h' }, predict: async () => new Float32Array() }) });
    await expect(runBacktestJob({ params: params(), deps, bridge, home, operationId: 'op_bt_tf' })).rejects.toThrow(/trained on 1h/);
  });
});

describe('describeFeatureMismatch', () => {
  it('names missing and unexpected features', () => {
    expect(describeFeatureMismatch(['a', 'b'], ['a', 'b'])).toBeNull();
    const msg = describeFeatureMismatch(['a', 'b', 'c'], ['a', 'x'])!;
    expect(msg).toMatch(/expects 3 features, the strategy produces 2/);
    expect(msg).toMatch(/missing: b, c/);
    expect(msg).toMatch(/unexpected: x/);
  });
});
