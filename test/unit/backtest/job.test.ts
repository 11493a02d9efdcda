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
  const warnings: string[] = [];
  const bridge = new ProgressBridge((m: SnapshotMessage) => {
    metrics.push(...m.metrics);
    if (m.progress.message) messages.push(m.progress.message);
    for (const w of m.warnings) if (!warnings.includes(w)) warnings.push(w);
  }, 0);
  return { bridge, metrics, messages, warnings };
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
    // No legacy fractions in the request: EURUSD gets the FX cost model of the instrument table.
    expect(results.config).toMatchObject({ initial_capital: 100_000, commission: null, slippage: null, costs: { model: 'fx:EURUSD', currency: 'USD', asset_class: 'fx', pip_size: 0.0001 } });
    expect(results.trade_count).toBeGreaterThan(5);
    expect(results.metrics.total_trades).toBe(results.trade_count);
    expect(typeof results.metrics.sharpe_ratio).toBe('number');
    expect(results.schema_version).toBe(1);
    expect(Object.keys(results.benchmark).sort()).toEqual(['buy_and_hold', 'exposure_matched']);

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

  it('EURUSD defaults to FX costs (round trip ≤ 2 pips, no commission) and the results split gross, commission, spread and slippage', async () => {
    const { bridge } = collectingBridge();
    const r = (await runBacktestJob({ params: params(), deps: fakeDeps(), bridge, home, operationId: 'op_bt_fx_costs' })) as any;
    const c = r.config.costs;
    expect(c.commission).toEqual({ type: 'fraction', rate: 0 });
    // Round trip in price units: the full spread (half on each side) + slippage on both fills.
    const roundTripPips = (c.spread + 2 * (c.slippage + c.slippage_fraction * 1.1)) / c.pip_size;
    expect(roundTripPips).toBeGreaterThan(0);
    expect(roundTripPips).toBeLessThanOrEqual(2);
    const k = r.costs;
    expect(k).toMatchObject({ currency: 'USD', model: 'fx:EURUSD', commission: 0 });
    expect(k.spread_cost).toBeGreaterThan(0);
    expect(r.metrics.total_spread_cost).toBeCloseTo(k.spread_cost, 9);
    expect(r.metrics.total_slippage).toBeCloseTo(k.slippage_cost, 9);
    expect(k.slippage_cost).toBeGreaterThan(0);
    expect(k.gross_pnl - k.commission - k.spread_cost - k.slippage_cost).toBeCloseTo(k.net_pnl, 6);
    expect(k.net_pnl).toBeCloseTo(r.metrics.final_equity - 100_000, 2);
    const trades = JSON.parse(readFileSync(join(home, 'backtests', 'op_bt_fx_costs', 'trades.json'), 'utf8')).trades;
    // Per trade: half the spread on each leg.
    for (const t of trades) expect(t.spread_cost).toBeCloseTo(c.spread * t.quantity, 6);
  });

  it('legacy commission/slippage keep their KTRDR meaning; the strategy’s and the request’s costs override the instrument', async () => {
    const { bridge } = collectingBridge();
    const legacy = (await runBacktestJob({ params: params({ commission: 0.001 }), deps: fakeDeps(), bridge, home, operationId: 'op_bt_legacy' })) as any;
    expect(legacy.config.costs).toMatchObject({ model: 'fx:EURUSD+legacy_fraction', spread: 0, slippage: 0, slippage_fraction: 0.001, commission: { type: 'fraction', rate: 0.001 } });
    expect(legacy.costs.spread_cost).toBe(0);
    expect(legacy.costs.commission).toBeGreaterThan(0);

    const strat = fakeDeps({
      loadStrategy: () => ({
        config: {},
        decisions: { confidence_threshold: 0.5, filters: { min_signal_separation: 0 } },
        timeframes: ['1d'],
        warmupBars: 20,
        costs: { spread_pips: 2, commission: { type: 'per_lot', per_lot: 3, lot_size: 100_000 } },
      }),
    });
    const r = (await runBacktestJob({ params: params({ costs: { slippage_pips: 0.5 } }), deps: strat, bridge, home, operationId: 'op_bt_strategy_costs' })) as any;
    expect(r.config.costs).toMatchObject({ model: 'fx:EURUSD+strategy+request', commission: { type: 'per_lot', per_lot: 3, lot_size: 100_000 } });
    expect(r.config.costs.spread).toBeCloseTo(0.0002, 12);
    expect(r.config.costs.slippage).toBeCloseTo(0.00005, 12);
    expect(() => backtestParams({ strategy_name: 's', symbol: 'EURUSD', timeframe: '1d', start_date: '2020-01-01', end_date: '2020-02-01', costs: { spreed: 1 } })).toThrow(/costs.*spreed|Unrecognized/);
  });

  it('benchmarks: buy & hold fully invested and at the strategy’s exposure, same costs', async () => {
    const { bridge } = collectingBridge();
    const r = (await runBacktestJob({ params: params(), deps: fakeDeps(), bridge, home, operationId: 'op_bt_bench' })) as any;
    expect(r.benchmark.buy_and_hold.exposure).toBe(1);
    expect(r.benchmark.buy_and_hold.commission + r.benchmark.buy_and_hold.spread_cost + r.benchmark.buy_and_hold.slippage_cost).toBeGreaterThan(0);
    const e = r.benchmark.exposure_matched;
    expect(e.exposure).toBeGreaterThan(0);
    expect(e.exposure).toBeLessThan(0.3); // the strategy commits 25 % of cash at most
    for (const k of ['total_return', 'final_equity', 'sharpe_ratio', 'max_drawdown', 'max_drawdown_pct', 'total_return_pct']) expect(typeof e[k]).toBe('number');
  });

  it('in-sample guard: overlapping the model’s data warns (operation and results); after it, out of sample and no warning', async () => {
    const withRange = (start: number, end: number) =>
      fakeDeps({
        loadModel: async () => ({
          manifest: { features: NAMES, normalization: { kind: 'fake' }, timeframe: '1d', data_range: { start: new Date(ALL.time[start]).toISOString(), end: new Date(ALL.time[end]).toISOString() } },
          predict: async (m) => {
            const first = ALL.time.indexOf(m.time[0]);
            return PROBS.slice(first * 3, (first + m.rows) * 3);
          },
        }),
      });
    // Model data rows 0..599; backtest 400..1100 → bars 400..599 (200) are in sample.
    const a = collectingBridge();
    const inS = (await runBacktestJob({ params: params(), deps: withRange(0, 599), bridge: a.bridge, home, operationId: 'op_bt_in' })) as any;
    a.bridge.flush();
    expect(inS.in_sample_bars).toBe(200);
    expect(inS.out_of_sample).toBe(false);
    expect(inS.model_data_range).toEqual({ start: new Date(ALL.time[0]).toISOString(), end: new Date(ALL.time[599]).toISOString() });
    expect(inS.warnings.some((w: string) => /^In-sample backtest: 200 of 701 bars/.test(w))).toBe(true);
    expect(a.warnings.some((w) => /^In-sample backtest/.test(w))).toBe(true);

    // allow_in_sample: same fields, no operation warning.
    const b = collectingBridge();
    const allowed = (await runBacktestJob({ params: params({ allow_in_sample: true }), deps: withRange(0, 599), bridge: b.bridge, home, operationId: 'op_bt_in_ok' })) as any;
    b.bridge.flush();
    expect(allowed).toMatchObject({ in_sample_bars: 200, out_of_sample: false, allow_in_sample: true });
    expect(allowed.warnings.some((w: string) => /^In-sample/.test(w))).toBe(true);
    expect(b.warnings.some((w) => /In-sample/.test(w))).toBe(false);

    // Model data rows 0..399: the backtest starts at bar 400, after it.
    const c = collectingBridge();
    const out = (await runBacktestJob({ params: params(), deps: withRange(0, 399), bridge: c.bridge, home, operationId: 'op_bt_out' })) as any;
    c.bridge.flush();
    expect(out).toMatchObject({ in_sample_bars: 0, out_of_sample: true });
    expect(out.warnings).toEqual([]);
    expect(c.warnings.some((w) => /In-sample/.test(w))).toBe(false);
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
