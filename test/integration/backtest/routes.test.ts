// REST contract of /backtests: validation before the operation exists, clipping, trades and equity curve.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BarStore } from '../../../src/infra/bars/bar-store';
import { createApp, type App } from '../../../src/main/app';
import { loadConfig } from '../../../src/main/config';

const DAY = 86_400_000;
const FIRST = Date.UTC(2024, 0, 1);
const N = 200;

let home: string;
let app: App;

async function call(method: 'GET' | 'POST', url: string, payload?: unknown) {
  const res = await app.api.inject({ method, url: `/api/v1${url}`, payload: payload as object | undefined });
  return { status: res.statusCode, body: res.json() };
}

const start = (over: Record<string, unknown> = {}) =>
  call('POST', '/backtests/start', { strategy_name: 'bt_strat', symbol: 'EURUSD', timeframe: '1d', start_date: '2024-02-01', end_date: '2024-05-01', ...over });

beforeAll(async () => {
  home = mkdtempSync(join(tmpdir(), 'ktrdr-bt-routes-'));
  const time = Float64Array.from({ length: N }, (_, i) => FIRST + i * DAY);
  const price = Float64Array.from({ length: N }, (_, i) => 1.1 + 0.01 * Math.sin(i / 7));
  new BarStore(join(home, 'data')).write(
    { symbol: 'EURUSD', timeframe: '1d', time, open: price, high: price.map((p) => p + 0.002), low: price.map((p) => p - 0.002), close: price, volume: new Float64Array(N) },
    { mode: 'replace', source: 'synthetic', synthetic: true },
  );
  mkdirSync(join(home, 'strategies'), { recursive: true });
  writeFileSync(
    join(home, 'strategies', 'bt_strat.yaml'),
    [
      'name: bt_strat',
      'version: "3.0"',
      'indicators: {rsi_14: {type: rsi, period: 14}}',
      'fuzzy_sets: {rsi_momentum: {indicator: rsi_14, oversold: [0, 25, 40], overbought: [60, 75, 100]}}',
      'nn_inputs: [{fuzzy_set: rsi_momentum, timeframes: ["1d"]}]',
      'model: {type: mlp, architecture: {hidden_layers: [8]}}',
      'training_data: {symbols: {mode: single, symbol: EURUSD}, timeframes: {mode: single, timeframe: "1d"}}',
      '',
    ].join('\n'),
  );
  writeFileSync(join(home, 'strategies', 'broken_strat.yaml'), 'name: broken_strat\nindicators: {rsi_14: {type: nosuch}}\n');
  mkdirSync(join(home, 'models', 'bt_strat', '1d_v1'), { recursive: true });
  mkdirSync(join(home, 'models', 'bt_strat', '1d_v2'), { recursive: true });
  // Only the data range of a manifest: the model saw rows 2024-01-01 .. 2024-03-31.
  writeFileSync(join(home, 'models', 'bt_strat', '1d_v2', 'metadata.json'), JSON.stringify({ data: { first_row_time: '2024-01-01T00:00:00.000Z', last_row_time: '2024-03-31T00:00:00.000Z' } }));
  app = await createApp({ config: loadConfig({ ...process.env, KTRDR_HOME: home, KTRDR_API_PORT: '0', LOG_LEVEL: 'warn' }) });
});

afterAll(async () => {
  await app?.close();
  rmSync(home, { recursive: true, force: true });
});

describe('POST /backtests/start validation (no operation is created on failure)', () => {
  it('422 for a date that does not parse, naming the field', async () => {
    const r = await start({ start_date: 'yesterday' });
    expect(r.status).toBe(422);
    expect(r.body.error.details[0].field).toContain('start_date');
  });

  it('422 when the end is before the start', async () => {
    const r = await start({ start_date: '2024-05-01', end_date: '2024-02-01' });
    expect(r.status).toBe(422);
  });

  it('422 for a negative initial capital', async () => {
    expect((await start({ initial_capital: -5 })).status).toBe(422);
  });

  it('404 for an unknown strategy', async () => {
    const r = await start({ strategy_name: 'nope' });
    expect(r.status).toBe(404);
    expect(r.body.detail).toMatch(/Strategy file not found: nope.yaml/);
  });

  it('404 listing the existing versions when the model is missing', async () => {
    const r = await start({ model_path: 'models/bt_strat/1d_v9' });
    expect(r.status).toBe(404);
    expect(r.body.detail).toMatch(/available versions: 1d_v1, 1d_v2/);
    expect(r.body.available_versions).toEqual(['1d_v1', '1d_v2']);
  });

  it('400 for a model path that leaves the models directory', async () => {
    const r = await start({ model_path: '../../etc/passwd' });
    expect(r.status).toBe(400);
    expect(r.body.detail).toMatch(/outside the models directory/);
  });

  it('404 when there is no data for the symbol', async () => {
    const r = await start({ symbol: 'GBPUSD' });
    expect(r.status).toBe(404);
    expect(r.body.detail).toMatch(/No data for GBPUSD 1d/);
  });

  it('400 when the requested dates do not overlap the data', async () => {
    const r = await start({ start_date: '1990-01-01', end_date: '1990-12-31' });
    expect(r.status).toBe(400);
    expect(r.body.detail).toMatch(/does not overlap/);
  });

  it('no operation was created by the refused requests', async () => {
    const r = await call('GET', '/operations?operation_type=backtesting');
    expect(r.body.total_count).toBe(0);
  });
});

describe('POST /backtests/start success', () => {
  it('answers KTRDR’s flat shape, resolves the latest model and clips the range to the data', async () => {
    const r = await start({ start_date: '2023-06-01', end_date: '2030-01-01' });
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ success: true, status: 'started', symbol: 'EURUSD', timeframe: '1d', mode: 'local', model_path: 'models/bt_strat/1d_v2', clipped: true });
    expect(r.body.operation_id).toMatch(/^op_backtesting_\d{8}_\d{6}_[0-9a-f]{8}$/);
    expect(r.body.message).toBe('Backtest started for EURUSD 1d');
    expect(r.body.effective_start_date).toBe(new Date(FIRST).toISOString());
    expect(r.body.effective_end_date).toBe(new Date(FIRST + N * DAY - 1).toISOString());
    const op = (await call('GET', `/operations/${r.body.operation_id}`)).body.data;
    expect(op.operation_type).toBe('backtesting');
    expect(op.metadata).toMatchObject({ symbol: 'EURUSD', timeframe: '1d' });
    // No legacy fractions given: null, so the job uses the instrument's cost model.
    expect(op.metadata.parameters).toMatchObject({ requested_start_date: '2023-06-01', clipped: true, commission: null, slippage: null, costs: null, allow_in_sample: false, initial_capital: 100_000 });
  });

  it('says at once when the range overlaps the model’s data; allow_in_sample silences it; after the data, nothing', async () => {
    const overlap = await start({ start_date: '2024-03-01', end_date: '2024-05-01' });
    expect(overlap.status).toBe(200);
    // The bars here are synthetic: that is said first, on every start (issue 27), then the overlap.
    const synthetic = expect.stringMatching(/^EURUSD 1d is SYNTHETIC/);
    expect(overlap.body.warnings).toEqual([synthetic, expect.stringMatching(/^In-sample backtest: the range overlaps the model's training data \(2024-01-01 \.\. 2024-03-31\)/)]);
    const allowed = await start({ start_date: '2024-03-01', end_date: '2024-05-01', allow_in_sample: true });
    expect(allowed.body.warnings).toEqual([synthetic]);
    const op = (await call('GET', `/operations/${allowed.body.operation_id}`)).body.data;
    expect(op.metadata.parameters.allow_in_sample).toBe(true);
    expect(op.warnings).toEqual([synthetic]);
    const after = await start({ start_date: '2024-04-02', end_date: '2024-05-01' });
    expect(after.body.warnings).toEqual([synthetic]);
  });

  it('passes cost overrides and legacy fractions through; 422 naming an unknown cost key', async () => {
    const ok = await start({ costs: { spread_pips: 0.8, commission: { type: 'per_lot', per_lot: 3.5 } }, commission: 0.0002 });
    expect(ok.status).toBe(200);
    const op = (await call('GET', `/operations/${ok.body.operation_id}`)).body.data;
    expect(op.metadata.parameters).toMatchObject({ commission: 0.0002, slippage: null, costs: { spread_pips: 0.8, commission: { type: 'per_lot', per_lot: 3.5, lot_size: 100_000 } } });
    const bad = await start({ costs: { spread_pip: 1 } });
    expect(bad.status).toBe(422);
    expect(JSON.stringify(bad.body.error.details)).toMatch(/costs/);
  });

  it('400 naming line:column for an invalid strategy, before any operation exists', async () => {
    const r = await call('POST', '/backtests/start', { strategy_name: 'broken_strat', symbol: 'EURUSD', timeframe: '1d', start_date: '2024-02-01', end_date: '2024-03-01' });
    expect(r.status).toBe(400);
    expect(r.body.detail).toMatch(/broken_strat.*not valid/);
    expect(r.body.errors.join(' ')).toMatch(/broken_strat\.yaml:\d+:\d+/);
  });

  it('takes symbol and timeframe from the strategy when omitted', async () => {
    const r = await call('POST', '/backtests/start', { strategy_name: 'bt_strat', start_date: '2024-02-01', end_date: '2024-03-01' });
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ symbol: 'EURUSD', timeframe: '1d' });
  });
});

describe('OpenAPI', () => {
  it('documents costs and allow_in_sample on /backtests/start', async () => {
    const spec = (await call('GET', '/openapi.json')).body;
    const body = spec.paths['/api/v1/backtests/start'].post.requestBody.content['application/json'].schema;
    expect(Object.keys(body.properties)).toEqual(expect.arrayContaining(['costs', 'allow_in_sample', 'commission', 'slippage']));
  });
});

describe('GET /backtests/:id/trades and /equity_curve', () => {
  const id = 'op_backtesting_20240101_000000_abcdef01';
  beforeAll(() => {
    const dir = join(home, 'backtests', id);
    mkdirSync(dir, { recursive: true });
    // A trade as the worker writes it (the result contract's trade, src/shared/results/backtest.ts).
    const trade = { trade_id: 1, side: 'LONG', entry_time: '2024-01-02T00:00:00.000Z', exit_time: '2024-01-05T00:00:00.000Z', entry_bar: 1, exit_bar: 4, entry_price: 1.1, exit_price: 1.11, quantity: 1250 };
    const money = { gross_pnl: 12.5, commission: 0, slippage: 0, spread_cost: 0, net_pnl: 12.5, pnl: 12.5, pnl_percent: 0.91, holding_period_bars: 3, holding_period_hours: 72, max_favorable_excursion: 20, max_adverse_excursion: -3 };
    writeFileSync(join(dir, 'trades.json'), JSON.stringify({ symbol: 'EURUSD', timeframe: '1d', trades: [{ ...trade, ...money, entry_confidence: 0.7, exit_confidence: 0.6, exit_reason: 'signal' }] }));
    const broken = join(home, 'backtests', `${id}x`);
    mkdirSync(broken, { recursive: true });
    writeFileSync(join(broken, 'trades.json'), JSON.stringify({ trades: [{ ...trade, ...money, net_pnl: undefined, pnl: 12.5, exit_reason: 'signal' }] }));
    const n = 1000;
    const values = Array.from({ length: n }, (_, i) => 100_000 + 1000 * Math.sin(i / 30) - (i === 600 ? 5000 : 0));
    let peak = 100_000;
    const drawdowns = values.map((v) => ((peak = Math.max(peak, v)), (peak - v) / peak));
    writeFileSync(
      join(dir, 'equity.json'),
      JSON.stringify({ initial_capital: 100_000, time: values.map((_, i) => FIRST + i * DAY), values, drawdowns, position: values.map(() => 0) }),
    );
  });

  it('serves the trades', async () => {
    const r = await call('GET', `/backtests/${id}/trades`);
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ success: true, backtest_id: id, total_count: 1 });
    expect(r.body.trades[0]).toMatchObject({ trade_id: 1, side: 'LONG', net_pnl: 12.5 });
    // A trades file that does not match the contract is an error naming the field, not a blank row.
    const bad = await call('GET', `/backtests/${id}x/trades`);
    expect(bad.status).toBe(500);
    expect(JSON.stringify(bad.body)).toMatch(/net_pnl/);
  });

  it('serves the whole equity curve with ISO timestamps', async () => {
    const r = await call('GET', `/backtests/${id}/equity_curve`);
    expect(r.status).toBe(200);
    expect(r.body.timestamps).toHaveLength(1000);
    expect(r.body.timestamps[0]).toBe('2024-01-01T00:00:00.000Z');
    expect(r.body.values).toHaveLength(1000);
    expect(r.body.drawdowns).toHaveLength(1000);
  });

  it('down-samples to max_points keeping the deepest drawdown', async () => {
    const r = await call('GET', `/backtests/${id}/equity_curve?max_points=100`);
    expect(r.body.values.length).toBeLessThanOrEqual(100);
    expect(r.body.total_points).toBe(1000);
    expect(Math.max(...r.body.drawdowns)).toBeGreaterThan(0.04);
    expect(r.body.timestamps).toContain(new Date(FIRST + 600 * DAY).toISOString());
  });

  it('404 for an unknown backtest; 422 for an id with path characters', async () => {
    expect((await call('GET', '/backtests/op_backtesting_20990101_000000_00000000/trades')).status).toBe(404);
    expect((await call('GET', '/backtests/..%2F..%2Fetc/trades')).status).toBe(422);
  });
});
