// REST contract of POST /backtests/portfolio/start: everything is checked before an operation
// exists (the error names the field or the symbol), and a valid request starts a `backtesting`
// operation marked as a portfolio, KTRDR's single-symbol route unchanged beside it.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BarStore } from '../../../src/infra/bars/bar-store';
import { createApp, type App } from '../../../src/main/app';
import { loadConfig } from '../../../src/main/config';

const HOUR = 3_600_000;
const FIRST = Date.UTC(2024, 0, 1);
const N = 2000;

let home: string;
let app: App;

async function call(method: 'GET' | 'POST', url: string, payload?: unknown) {
  const res = await app.api.inject({ method, url: `/api/v1${url}`, payload: payload as object | undefined });
  return { status: res.statusCode, body: res.json() };
}
const start = (over: Record<string, unknown> = {}) =>
  call('POST', '/backtests/portfolio/start', { strategy_name: 'pf_strat', symbols: ['EURUSD', 'SPY'], timeframe: '1h', start_date: '2024-02-01', end_date: '2024-03-01', ...over });

beforeAll(async () => {
  home = mkdtempSync(join(tmpdir(), 'ktrdr-pf-routes-'));
  const store = new BarStore(join(home, 'data'));
  for (const [symbol, base] of [
    ['EURUSD', 1.1],
    ['SPY', 470],
  ] as const) {
    const time = Float64Array.from({ length: N }, (_, i) => FIRST + i * HOUR);
    const price = Float64Array.from({ length: N }, (_, i) => base * (1 + 0.01 * Math.sin(i / 17)));
    store.write({ symbol, timeframe: '1h', time, open: price, high: price.map((p) => p * 1.001), low: price.map((p) => p * 0.999), close: price, volume: new Float64Array(N) }, { mode: 'replace', source: 'synthetic', synthetic: true });
  }
  mkdirSync(join(home, 'strategies'), { recursive: true });
  writeFileSync(
    join(home, 'strategies', 'pf_strat.yaml'),
    [
      'name: pf_strat',
      'version: "3.0"',
      'indicators: {rsi_14: {type: rsi, period: 14}}',
      'fuzzy_sets: {rsi_momentum: {indicator: rsi_14, oversold: [0, 25, 40], overbought: [60, 75, 100]}}',
      'nn_inputs: [{fuzzy_set: rsi_momentum, timeframes: ["1h"]}]',
      'model: {type: mlp, architecture: {hidden_layers: [8]}}',
      'training_data: {symbols: {mode: multi_symbol, list: [EURUSD, SPY]}, timeframes: {mode: single, timeframe: "1h"}}',
      '',
    ].join('\n'),
  );
  mkdirSync(join(home, 'models', 'pf_strat', '1h_v1'), { recursive: true });
  writeFileSync(join(home, 'models', 'pf_strat', '1h_v1', 'metadata.json'), JSON.stringify({ data: { first_row_time: '2024-01-01T00:00:00.000Z', last_row_time: '2024-02-10T00:00:00.000Z' } }));
  app = await createApp({ config: loadConfig({ ...process.env, KTRDR_HOME: home, KTRDR_API_PORT: '0', LOG_LEVEL: 'warn' }) });
});

afterAll(async () => {
  await app?.close();
  rmSync(home, { recursive: true, force: true });
});

describe('POST /backtests/portfolio/start validation (no operation is created on failure)', () => {
  it('422 naming the field: no symbols, a repeated symbol, an unknown key, a bad sizing rule, bad costs', async () => {
    const cases: [Record<string, unknown>, RegExp][] = [
      [{ symbols: [] }, /symbols/],
      [{ symbols: ['SPY', 'spy'] }, /symbols/],
      [{ position_sise: 0.3 }, /position_sise/],
      [{ sizing: { type: 'kelly', min_trades: 30, lookback_trades: 10 } }, /sizing/],
      [{ sizing: { type: 'fixed_fraction', fraction: 3 } }, /sizing/],
      [{ rebalance: 'hourly' }, /rebalance/],
      [{ costs: { spread_pip: 1 } }, /costs/],
      [{ start_date: 'soon' }, /start_date/],
      [{ model_paths: { GBPUSD: 'models/pf_strat/1h_v1' } }, /model_paths/],
    ];
    for (const [over, field] of cases) {
      const r = await start(over);
      expect(r.status, JSON.stringify(over)).toBe(422);
      expect(JSON.stringify(r.body.error.details)).toMatch(field);
    }
  });

  it('404 naming the symbol without data; 404 with the versions when a model is missing', async () => {
    const r = await start({ symbols: ['EURUSD', 'GBPUSD'] });
    expect(r.status).toBe(404);
    expect(r.body.detail).toMatch(/No data for GBPUSD 1h/);
    const m = await start({ model_path: 'models/pf_strat/1h_v7' });
    expect(m.status).toBe(404);
    expect(m.body.available_versions).toEqual(['1h_v1']);
  });

  it('no operation was created by the refused requests', async () => {
    expect((await call('GET', '/operations?operation_type=backtesting')).body.total_count).toBe(0);
  });
});

describe('POST /backtests/portfolio/start success', () => {
  it('starts a backtesting operation marked as a portfolio, with the model for every leg and an in-sample warning per leg', async () => {
    const r = await start({ sizing: { type: 'volatility_target' }, rebalance: 'week' });
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    expect(r.body).toMatchObject({ success: true, status: 'started', symbols: ['EURUSD', 'SPY'], symbol: 'EURUSD,SPY', timeframe: '1h', model_path: 'models/pf_strat/1h_v1' });
    expect(r.body.warnings).toEqual([expect.stringMatching(/^EURUSD: In-sample backtest/), expect.stringMatching(/^SPY: In-sample backtest/)]);
    const op = (await call('GET', `/operations/${r.body.operation_id}`)).body.data;
    expect(op.operation_type).toBe('backtesting');
    expect(op.metadata).toMatchObject({ symbol: 'EURUSD,SPY', timeframe: '1h', strategy_name: 'pf_strat' });
    expect(op.metadata.parameters).toMatchObject({
      portfolio: true,
      symbols: ['EURUSD', 'SPY'],
      // Defaults filled in by the schema.
      sizing: { type: 'volatility_target', annual_volatility: 0.1, lookback_bars: 60 },
      max_gross_exposure: 1,
      rebalance: 'week',
      min_rebalance_fraction: 0.1,
      random_runs: 200,
      model_paths: { EURUSD: 'models/pf_strat/1h_v1', SPY: 'models/pf_strat/1h_v1' },
    });
  });

  it('KTRDR’s single-symbol route is unchanged beside it', async () => {
    const r = await call('POST', '/backtests/start', { strategy_name: 'pf_strat', symbol: 'SPY', timeframe: '1h', start_date: '2024-02-15', end_date: '2024-03-01' });
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ success: true, symbol: 'SPY', timeframe: '1h', message: 'Backtest started for SPY 1h' });
    expect(r.body.symbols).toBeUndefined();
    const op = (await call('GET', `/operations/${r.body.operation_id}`)).body.data;
    expect(op.metadata.parameters.portfolio).toBeUndefined();
  });

  it('is in the OpenAPI document', async () => {
    const doc = (await call('GET', '/openapi.json')).body;
    expect(doc.paths['/api/v1/backtests/portfolio/start']?.post).toBeDefined();
  });
});
