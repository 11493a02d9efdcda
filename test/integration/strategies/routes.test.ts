// /strategies and /indicators against a real server on a free port, with a temporary KTRDR_HOME.
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BarStore } from '../../../src/infra/bars/bar-store';
import { createApp, type App } from '../../../src/main/app';
import { loadConfig } from '../../../src/main/config';

let home: string;
let app: App;
let base: string;

const BROKEN = `name: broken
training_data:
  symbols: {mode: single, symbol: EURUSD}
  timeframes: {mode: single, timeframe: 1h}
indicators:
  rsi_14:
    type: rsi
    period: 0
fuzzy_sets:
  rsi_fs:
    indicator: rsi_99
    low: [0, 20, 30]
nn_inputs:
  - fuzzy_set: rsi_fs
`;

async function call(method: string, path: string, body?: unknown) {
  const res = await fetch(`${base}/api/v1${path}`, {
    method,
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json()) as any };
}

beforeAll(async () => {
  home = mkdtempSync(join(tmpdir(), 'ktrdr-strategies-api-'));
  mkdirSync(join(home, 'strategies'), { recursive: true });
  writeFileSync(join(home, 'strategies', 'broken.yaml'), BROKEN);
  const n = 300;
  const time = Float64Array.from({ length: n }, (_, i) => Date.UTC(2024, 0, 1) + i * 3_600_000);
  const close = Float64Array.from({ length: n }, (_, i) => 1.1 + 0.01 * Math.sin(i / 9));
  new BarStore(join(home, 'data')).write(
    { symbol: 'EURUSD', timeframe: '1h', time, open: close, high: close.map((c) => c + 0.001), low: close.map((c) => c - 0.001), close, volume: new Float64Array(n) },
    { mode: 'replace', source: 'synthetic', synthetic: true },
  );
  app = await createApp({ config: loadConfig({ ...process.env, KTRDR_HOME: home, KTRDR_API_PORT: '0', LOG_LEVEL: 'warn' }) });
  base = await app.listen();
});

afterAll(async () => {
  await app?.close();
  rmSync(home, { recursive: true, force: true });
});

describe('GET /strategies/', () => {
  it('lists user and bundled strategies flat, with validity, symbols and timeframes', async () => {
    const { status, body } = await call('GET', '/strategies/');
    expect(status).toBe(200);
    expect(body.success).toBe(true);
    const byName = Object.fromEntries(body.strategies.map((s: any) => [s.name, s]));
    expect(byName.broken).toMatchObject({ valid: false, source: 'user', training_status: 'untrained' });
    expect(byName.multi_timeframe).toMatchObject({ valid: true, source: 'bundled', symbol: 'EURUSD', timeframe: '1h', timeframes: ['1h', '4h', '1d'] });
    expect(byName.neuro_mean_reversion.indicators.map((i: any) => i.id)).toEqual(['rsi_14', 'macd_12_26_9']);
    expect((await call('GET', '/strategies')).body.strategies.length).toBe(body.strategies.length);
  });
});

describe('GET /strategies/:name', () => {
  it('returns the parsed, defaulted config and the raw YAML', async () => {
    const { status, body } = await call('GET', '/strategies/minimal');
    expect(status).toBe(200);
    expect(body).toMatchObject({ success: true, name: 'minimal', valid: true });
    expect(body.config.training.data_split).toEqual({ train: 0.7, validation: 0.15, test: 0.15 });
    expect(body.yaml).toBe(readFileSync(join(__dirname, '../../../strategies/minimal.yaml'), 'utf8'));
  });

  it('404 for an unknown name, 400 for a path', async () => {
    expect((await call('GET', '/strategies/nope')).status).toBe(404);
    expect((await call('GET', '/strategies/nope')).body.detail).toBe("Strategy 'nope' not found");
    const traversal = await call('GET', `/strategies/${encodeURIComponent('../config')}`);
    expect(traversal.status).toBe(400);
  });
});

describe('POST /strategies/validate', () => {
  it('validates a saved file: every issue with line/column/path in details', async () => {
    const { status, body } = await call('POST', '/strategies/validate/broken');
    expect(status).toBe(200);
    expect(body).toMatchObject({ success: true, valid: false, strategy_name: 'broken' });
    expect(body.message).toMatch(/has 2 error\(s\)/);
    const period = body.issues.find((i: any) => i.details?.path === 'indicators.rsi_14.period');
    expect(period).toMatchObject({ severity: 'error', category: 'indicators', message: 'must be ≥ 2 (got 0)', details: { line: 8, column: 13 } });
    const ref = body.issues.find((i: any) => i.details?.path === 'fuzzy_sets.rsi_fs.indicator');
    expect(ref.details).toMatchObject({ line: 11, suggestion: "did you mean 'rsi_14'?" });
    expect(body.available_indicators).toContain('rsi');
  });

  it('validates unsaved text', async () => {
    const ok = await call('POST', '/strategies/validate', { yaml: readFileSync(join(__dirname, '../../../strategies/raw_inputs.yaml'), 'utf8') });
    expect(ok.body).toMatchObject({ success: true, valid: true, strategy_name: 'raw_inputs', features_count: 5 });
    const saved = await call('GET', '/strategies/raw_inputs/features');
    expect(ok.body.features).toEqual(saved.body.feature_names);
    const bad = await call('POST', '/strategies/validate', { yaml: 'name: [unclosed' });
    expect(bad.body.valid).toBe(false);
    expect(bad.body.issues[0]).toMatchObject({ severity: 'error', category: 'yaml' });
    expect(bad.body.features).toEqual([]);
    expect((await call('POST', '/strategies/validate', {})).status).toBe(422);
  });

  it('404 for a missing file', async () => {
    expect((await call('POST', '/strategies/validate/nope')).status).toBe(404);
  });
});

describe('GET /strategies/:name/features', () => {
  it('lists the resolved features in order', async () => {
    const { body } = await call('GET', '/strategies/multi_timeframe/features');
    expect(body.count).toBe(13);
    expect(body.features[0]).toEqual({ feature_id: '1h_rsi_zone_oversold', timeframe: '1h', fuzzy_set: 'rsi_zone', membership: 'oversold', indicator_id: 'rsi_14', indicator_output: 'value' });
    expect(body.feature_names.at(-1)).toBe('4h_macd_momentum_positive');
  });

  it('400 for an invalid strategy', async () => {
    const r = await call('GET', '/strategies/broken/features');
    expect(r.status).toBe(400);
    expect(r.body.issues.length).toBeGreaterThan(0);
  });
});

describe('PUT /strategies/:name', () => {
  it('saves a valid strategy into the user folder and refuses an invalid one with its issues', async () => {
    const yaml = readFileSync(join(__dirname, '../../../strategies/minimal.yaml'), 'utf8').replace('name: minimal', 'name: mine');
    const ok = await call('PUT', '/strategies/mine', { yaml });
    expect(ok.status).toBe(200);
    expect(readFileSync(join(home, 'strategies', 'mine.yaml'), 'utf8')).toBe(yaml);
    const bad = await call('PUT', '/strategies/mine2', { yaml: BROKEN });
    expect(bad.status).toBe(422);
    expect(bad.body.issues.filter((i: any) => i.severity === 'error').length).toBe(2);
    expect((await call('PUT', `/strategies/${encodeURIComponent('../x')}`, { yaml })).status).toBe(400);
  });
});

describe('indicators', () => {
  it('GET /indicators/ lists the catalogue with parameters', async () => {
    const { body } = await call('GET', '/indicators/');
    const rsi = body.data.find((d: any) => d.id === 'rsi');
    expect(rsi.parameters.find((p: any) => p.name === 'period')).toMatchObject({ type: 'int', default: 14, min_value: 2 });
    expect(rsi.outputs).toEqual(['value']);
  });

  it('POST /indicators/calculate computes over stored bars, keeps warm-up as null and pages', async () => {
    const { status, body } = await call('POST', '/indicators/calculate?page_size=100', {
      symbol: 'EURUSD',
      timeframe: '1h',
      indicators: [{ id: 'RSI', parameters: { period: 14 }, output_name: 'RSI_14' }, { type: 'macd' }],
    });
    expect(status).toBe(200);
    expect(body.dates).toHaveLength(100);
    expect(body.dates[0]).toBe('2024-01-01T00:00:00Z');
    expect(body.indicators.RSI_14.slice(0, 14).every((v: unknown) => v === null)).toBe(true);
    expect(typeof body.indicators.RSI_14[14]).toBe('number');
    expect(Object.keys(body.indicators)).toEqual(['RSI_14', 'macd_12_26_9.line', 'macd_12_26_9.signal', 'macd_12_26_9.histogram']);
    expect(body.metadata).toMatchObject({ total_items: 300, total_pages: 3, current_page: 1, has_next: true, has_prev: false });
  });

  it('start_date trims the answer but not the warm-up history', async () => {
    const { body } = await call('POST', '/indicators/calculate', {
      symbol: 'EURUSD',
      timeframe: '1h',
      start_date: '2024-01-02T00:00:00Z',
      indicators: [{ type: 'rsi', parameters: { period: 14 } }],
    });
    expect(body.dates[0]).toBe('2024-01-02T00:00:00Z');
    expect(body.indicators.rsi_14[0]).not.toBeNull();
  });

  it('inline bars work without a store', async () => {
    const { body } = await call('POST', '/indicators/calculate', {
      bars: { dates: ['2024-01-01', '2024-01-02', '2024-01-03'], close: [1, 2, 3] },
      indicators: [{ type: 'sma', parameters: { period: 2 } }],
    });
    expect(body.indicators.sma_2).toEqual([null, 1.5, 2.5]);
  });

  it('bad input is a 4xx with the field, never a 500', async () => {
    const bad = await call('POST', '/indicators/calculate', { symbol: 'EURUSD', timeframe: '1h', indicators: [{ type: 'rsi', parameters: { period: 0 } }, { type: 'nope' }] });
    expect(bad.status).toBe(422);
    expect(bad.body.error.details.map((d: any) => d.field)).toEqual(['indicators.0.parameters.period', 'indicators.1.type']);
    expect((await call('POST', '/indicators/calculate', { symbol: 'NOPE', timeframe: '1h', indicators: [{ type: 'rsi' }] })).status).toBe(404);
    expect((await call('POST', '/indicators/calculate', { indicators: [{ type: 'rsi' }] })).status).toBe(422);
  });
});
