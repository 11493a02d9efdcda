// What a notebook asks of KTRDR's API (issue 27): POST /models/predict scores a bar for real,
// GET/POST /fuzzy/data inspect fuzzy features, /trainings/{id}/performance never answers null where
// KTRDR's client formats a number, and the OpenAPI document lists only routes that work.
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { evaluateMembership } from '../../../src/core/fuzzy';
import { BarStore } from '../../../src/infra/bars/bar-store';
import { importCsvText } from '../../../src/infra/bars/import';
import { KTRDR_ROUTES } from '../../../src/main/api/routes/compat';
import { http, REPO, startServer, waitFor, type TestServer } from '../../helpers/server';

let s: TestServer;
let trainingId = '';
let modelPath = '';

async function runToEnd(path: string, body: unknown): Promise<string> {
  const start = await http('POST', `${s.api}${path}`, body);
  expect(start.status, JSON.stringify(start.body)).toBe(200);
  const id = start.body.task_id ?? start.body.operation_id;
  const op = await waitFor(
    async () => {
      const d = (await http('GET', `${s.api}/operations/${id}`)).body.data;
      return ['completed', 'failed', 'cancelled'].includes(d.status) ? d : null;
    },
    150_000,
    200,
  );
  expect(op.error_message, s.output()).toBeNull();
  return id;
}

beforeAll(async () => {
  const home = mkdtempSync(join(tmpdir(), 'ktrdr-notebook-it-'));
  const raw = readFileSync(join(REPO, 'data', 'samples', 'EURUSD_D1_dukascopy_2007-2023.csv.gz'));
  importCsvText(new BarStore(join(home, 'data')), gunzipSync(raw).toString('utf8'), { symbol: 'EURUSD', timeframe: '1d', mode: 'replace', source: 'sample' });
  mkdirSync(join(home, 'strategies'), { recursive: true });
  const base = readFileSync(join(REPO, 'strategies', 'test_e2e_local_pull.yaml'), 'utf8');
  // A low confidence threshold: the small model trades, so the backtest has entries to compare with.
  writeFileSync(join(home, 'strategies', 'tiny_nb.yaml'), base.replace('name: test_e2e_local_pull', 'name: tiny_nb').replace('epochs: 15', 'epochs: 3').replace(/confidence_threshold: [0-9.]+/, 'confidence_threshold: 0.34'));
  s = await startServer({ home, cleanup: true, env: { KTRDR_TF_BACKEND: 'wasm', LOG_LEVEL: 'warn' } });
  trainingId = await runToEnd('/trainings/start', { strategy_name: 'tiny_nb', symbols: ['EURUSD'], timeframes: ['1d'], start_date: '2015-01-01', end_date: '2021-12-31' });
  modelPath = (await http('GET', `${s.api}/operations/${trainingId}/results`)).body.results.model_path;
}, 240_000);

afterAll(async () => {
  await s?.stop();
});

/** Every null anywhere in a value, by path. */
function nullPaths(v: unknown, path = ''): string[] {
  if (v === null) return [path];
  if (Array.isArray(v)) return v.flatMap((x, i) => nullPaths(x, `${path}[${i}]`));
  if (v && typeof v === 'object') return Object.entries(v).flatMap(([k, x]) => nullPaths(x, path ? `${path}.${k}` : k));
  return [];
}

describe('GET /trainings/{id}/performance', () => {
  it('gives numbers or leaves keys out, never null', async () => {
    const r = await http('GET', `${s.api}/trainings/${trainingId}/performance`);
    expect(r.status).toBe(200);
    expect(nullPaths(r.body)).toEqual([]);
    const tm = r.body.training_metrics;
    for (const k of ['final_train_loss', 'final_val_loss', 'final_train_accuracy', 'final_val_accuracy', 'epochs_completed', 'training_time_minutes']) expect(tm[k], k).toBeTypeOf('number');
    for (const k of ['test_loss', 'test_accuracy', 'precision', 'recall', 'f1_score']) expect(r.body.test_metrics[k], k).toBeTypeOf('number');
    expect(r.body.model_info.parameters_count).toBeGreaterThan(0);
  });
});

describe('POST /models/predict', () => {
  it('scores one bar through the model’s own pipeline: probabilities, signal, confidence, the inputs', async () => {
    const r = await http('POST', `${s.api}/models/predict`, { model_name: 'tiny_nb', symbol: 'EURUSD', timeframe: '1d', test_date: '2023-03-15' });
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    expect(r.body).toMatchObject({ success: true, model_name: 'tiny_nb', symbol: 'EURUSD', model_path: modelPath, bar_time: '2023-03-15T00:00:00Z' });
    const p = r.body.prediction;
    const probs = [p.probabilities.BUY, p.probabilities.HOLD, p.probabilities.SELL];
    expect(probs.reduce((a: number, b: number) => a + b, 0)).toBeCloseTo(1, 5);
    expect(p.confidence).toBeCloseTo(Math.max(...probs), 6);
    expect(p.raw_signal).toBe(['buy', 'hold', 'sell'][probs.indexOf(Math.max(...probs))]);
    expect(p.signal).toBe(p.confidence >= p.confidence_threshold ? p.raw_signal : 'hold');
    expect(p.signal_strength).toBeCloseTo(probs[0] - probs[2], 6);
    expect(p.fuzzy_outputs).toEqual({ bullish: probs[0], bearish: probs[2], neutral: probs[1] });
    const model = (await http('GET', `${s.api}/models`)).body.models.find((m: { model_path: string }) => m.model_path === modelPath);
    const manifest = JSON.parse(readFileSync(join(s.home, modelPath, 'metadata.json'), 'utf8'));
    expect(Object.keys(r.body.input_features)).toEqual(manifest.features);
    expect(model).toBeDefined();
    // A date without a bar of its own scores the last bar before it; too early for the warm-up is a 400 in words.
    const dates = (await http('GET', `${s.api}/data/EURUSD/1d?start_date=2023-03-01&end_date=2023-04-30&limit=1000`)).body.data.dates as string[];
    const gap = dates.findIndex((d, i) => i > 0 && Date.parse(d) - Date.parse(dates[i - 1]) > 86_400_000);
    const missingDay = new Date(Date.parse(dates[gap - 1]) + 86_400_000).toISOString().slice(0, 10);
    const between = await http('POST', `${s.api}/models/predict`, { model_name: modelPath, symbol: 'EURUSD', test_date: missingDay });
    expect(between.body.bar_time).toBe(dates[gap - 1]);
    const first = (await http('POST', `${s.api}/data/range`, { symbol: 'EURUSD', timeframe: '1d' })).body.data.start_date as string;
    const early = await http('POST', `${s.api}/models/predict`, { model_name: 'tiny_nb', symbol: 'EURUSD', timeframe: '1d', test_date: first });
    expect(early.status).toBe(400);
    expect(early.body.detail).toMatch(/Not enough EURUSD 1d history/);
    const bad = await http('POST', `${s.api}/models/predict`, { model_name: 'tiny_nb', symbol: 'EURUSD', timeframe: '1d', test_date: 'yesterday' });
    expect(bad.status).toBe(422);
  });

  it('agrees with the backtest: the bar before each entry fill (from flat) is scored "buy"', async () => {
    const id = await runToEnd('/backtests/start', { strategy_name: 'tiny_nb', symbol: 'EURUSD', timeframe: '1d', start_date: '2022-01-01', end_date: '2023-06-30', model_path: modelPath, random_runs: 0 });
    const trades = (await http('GET', `${s.api}/backtests/${id}/trades`)).body.trades as { side: string; entry_time: string }[];
    const longs = trades.filter((t) => t.side === 'LONG').slice(0, 3);
    if (!longs.length) console.warn(`[notebook-routes] the backtest opened no long trade (${trades.length} trades: ${[...new Set(trades.map((t) => t.side))].join(',')}): only the "no buy while flat" half of the check ran`);
    const bars = (await http('GET', `${s.api}/data/EURUSD/1d?start_date=2021-12-01&end_date=2023-06-30&limit=100000`)).body.data.dates as string[];
    for (const t of longs) {
      // The decision is taken on the bar before the fill (fills at the next bar's open).
      const fill = bars.indexOf(t.entry_time.replace('.000Z', 'Z'));
      expect(fill, t.entry_time).toBeGreaterThan(0);
      const r = await http('POST', `${s.api}/models/predict`, { model_name: modelPath, symbol: 'EURUSD', test_date: bars[fill - 1] });
      expect(r.body.bar_time).toBe(bars[fill - 1]);
      expect(r.body.prediction.signal, `decision bar ${bars[fill - 1]}`).toBe('buy');
    }
    // Before the first trade the strategy was flat: none of those bars may have said "buy".
    const first = trades.length ? bars.indexOf(trades[0].entry_time.replace('.000Z', 'Z')) : bars.length;
    const start = bars.indexOf('2022-01-03T00:00:00Z');
    for (let i = start; i < Math.min(first - 1, start + 5); i++) {
      const r = await http('POST', `${s.api}/models/predict`, { model_name: modelPath, symbol: 'EURUSD', test_date: bars[i] });
      expect(r.body.prediction.signal, bars[i]).not.toBe('buy');
    }
  });
});

describe('GET/POST /fuzzy/data', () => {
  it('GET answers KTRDR’s FuzzyOverlayResponse: membership series per set, equal to the set’s functions', async () => {
    const r = await http('GET', `${s.api}/fuzzy/data?symbol=EURUSD&timeframe=1d&strategy_name=tiny_nb&start_date=2023-01-02&end_date=2023-01-31`);
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    expect(r.body.success).toBeUndefined(); // KTRDR's overlay answer has no success flag
    expect(r.body).toMatchObject({ symbol: 'EURUSD', timeframe: '1d' });
    const [key] = Object.keys(r.body.data);
    const sets = r.body.data[key] as { set: string; membership: { timestamp: string; value: number | null }[] }[];
    expect(sets.length).toBeGreaterThan(0);
    expect(sets[0].membership[0].timestamp).toBe('2023-01-02T00:00:00Z');
    expect(sets[0].membership.at(-1)!.timestamp).toBe('2023-01-31T00:00:00Z');
    // Cross-check one membership against the indicator + membership function computed here.
    const strategy = (await http('GET', `${s.api}/fuzzy/sets/${key}?strategy_name=tiny_nb`)).body.data.sets[0];
    const m = strategy.memberships.find((x: { name: string }) => x.name === sets[0].set);
    const rsi = await http('POST', `${s.api}/indicators/calculate`, { symbol: 'EURUSD', timeframe: '1d', indicators: [{ id: 'rsi', parameters: { period: 14 }, output_name: 'r' }], start_date: '2023-01-02', end_date: '2023-01-31' });
    const expected = evaluateMembership(m.type, m.parameters, Float64Array.from(rsi.body.indicators.r as number[]));
    sets[0].membership.forEach((pt, i) => expect(pt.value!, pt.timestamp).toBeCloseTo(expected[i], 9));
    // Unknown names are warnings, not failures; without a strategy the first one with the set is used and named.
    const mixed = await http('GET', `${s.api}/fuzzy/data?symbol=EURUSD&timeframe=1d&indicators=${key},nope&start_date=2023-01-02&end_date=2023-01-06`);
    expect(mixed.status).toBe(200);
    expect(mixed.body.warnings.join(' ')).toMatch(/Unknown indicator 'nope'/);
    expect(mixed.body.warnings.join(' ')).toMatch(/fuzzy sets of strategy '/);
  });

  it('POST loads, computes and fuzzifies in one call (columns <name>_<set>), source_column fuzzifies a bar column', async () => {
    const sets = (await http('GET', `${s.api}/fuzzy/sets/rsi?strategy_name=tiny_nb`)).body.data.sets;
    expect(sets.length).toBeGreaterThan(0);
    const r = await http('POST', `${s.api}/fuzzy/data`, { symbol: 'EURUSD', timeframe: '1d', strategy_name: 'tiny_nb', indicators: [{ name: 'rsi' }, { name: 'rsi', source_column: 'close' }], start_date: '2023-01-02', end_date: '2023-01-06' });
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    expect(r.body.data.dates).toEqual(['2023-01-02T00:00:00Z', '2023-01-03T00:00:00Z', '2023-01-04T00:00:00Z', '2023-01-05T00:00:00Z', '2023-01-06T00:00:00Z']);
    expect(r.body.data.metadata).toEqual({ start_date: '2023-01-02T00:00:00Z', end_date: '2023-01-06T00:00:00Z', points: 5 });
    const cols = Object.keys(r.body.data.indicators.rsi);
    expect(cols).toEqual(sets[0].memberships.map((m: { name: string }) => `rsi_${m.name}`));
    // A close price (~1.07) is far below every RSI set: memberships of the bar column, not of the RSI.
    const bad = await http('POST', `${s.api}/fuzzy/data`, { symbol: 'EURUSD', timeframe: '1d', strategy_name: 'tiny_nb', indicators: [{ name: 'rsi', source_column: 'vwap' }] });
    expect(bad.status).toBe(422);
    expect(JSON.stringify(bad.body)).toMatch(/indicators\.0\.source_column/);
    const none = await http('POST', `${s.api}/fuzzy/data`, { symbol: 'NOPE', timeframe: '1d', strategy_name: 'tiny_nb', indicators: [{ name: 'rsi' }] });
    expect(none.status).toBe(404);
    expect(none.body.detail).toMatch(/ktrdr data load NOPE 1d/);
  });
});

describe('OpenAPI document', () => {
  it('lists what works and leaves the 501 routes out; those still answer 501', async () => {
    const spec = (await http('GET', `${s.api}/openapi.json`)).body;
    const paths = Object.keys(spec.paths);
    const openapi = (p: string) => `/api/v1${p.replace(/:([a-z_]+)/g, '{$1}')}`;
    const unavailable = KTRDR_ROUTES.filter((r) => r.fate === '501');
    expect(unavailable.length).toBeGreaterThan(5);
    for (const r of unavailable) {
      const ops = spec.paths[openapi(r.path)] ?? {};
      expect(ops[r.method.toLowerCase()], `${r.method} ${r.path} is in the OpenAPI document`).toBeUndefined();
    }
    expect(paths).toEqual(expect.arrayContaining(['/api/v1/models/predict', '/api/v1/fuzzy/data', '/api/v1/trainings/{task_id}/performance']));
    expect(spec.paths['/api/v1/fuzzy/data']).toHaveProperty('get');
    expect(spec.paths['/api/v1/fuzzy/data']).toHaveProperty('post');
    expect((await http('POST', `${s.api}/agent/trigger`, {})).status).toBe(501);
    expect((await http('POST', `${s.api}/workers/register`, {})).status).toBe(501);
  });
});
