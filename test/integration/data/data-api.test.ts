import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp, type App } from '../../../src/main/app';
import { loadConfig } from '../../../src/main/config';
import { naiveRows, SAMPLE_FILES, sampleText } from '../../unit/data/helpers';

const ROOT = resolve(__dirname, '..', '..', '..');
let app: App;
let base: string;
let home: string;

async function api(method: string, path: string, body?: unknown): Promise<{ status: number; json: any }> {
  const res = await fetch(`${base}/api/v1${path}`, {
    method,
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: res.status, json: await res.json() };
}

async function waitTerminal(id: string) {
  for (;;) {
    const { json } = await api('GET', `/operations/${id}`);
    if (['completed', 'failed', 'cancelled'].includes(json.data.status)) return json.data;
    await new Promise((r) => setTimeout(r, 150));
  }
}

beforeAll(async () => {
  home = mkdtempSync(join(tmpdir(), 'ktrdr-data-it-'));
  app = await createApp({ config: loadConfig({ ...process.env, KTRDR_HOME: home, KTRDR_API_PORT: '0', LOG_LEVEL: 'silent' }) });
  base = await app.listen();
});

afterAll(async () => {
  await app?.close();
  rmSync(home, { recursive: true, force: true });
});

describe('a fresh install serves the bundled samples', () => {
  it('GET /data/EURUSD/1h?limit=5 is the last five rows of the sample, with KTRDR metadata', async () => {
    const { status, json } = await api('GET', '/data/EURUSD/1h?limit=5');
    expect(status).toBe(200);
    const rows = naiveRows(sampleText('EURUSD_H1_oanda_bid_2007-2018.csv')).slice(-5);
    expect(json.data.dates).toEqual(rows.map((r) => new Date(r[0]).toISOString().replace('.000Z', 'Z')));
    expect(json.data.ohlcv).toEqual(rows.map((r) => r.slice(1)));
    expect(json.data.metadata).toMatchObject({ symbol: 'EURUSD', timeframe: '1h', point_count: 5, start_date: '2018-12-31T17:00:00Z', end_date: '2018-12-31T21:00:00Z', original_points: 74439 });
  });

  it('`ktrdr data show EURUSD 1h --limit 5` prints those five bars', async () => {
    // Asynchronous: the server runs in this process and must keep answering.
    const out = await promisify(execFile)(process.execPath, ['--import', 'tsx', join(ROOT, 'src/cli/index.ts'), '--url', base, 'data', 'show', 'EURUSD', '1h', '--limit', '5'], { encoding: 'utf8', cwd: ROOT });
    expect(out.stdout).toContain('EURUSD (1h)');
    expect(out.stdout).toContain('Showing: 5');
    const lines = out.stdout.trim().split('\n').slice(-5);
    expect(lines[4]).toMatch(/^2018-12-31 21:00:00\s+1\.14558\s+1\.14662\s+1\.14552\s+1\.14607\s+0$/);
    expect(lines[0]).toMatch(/^2018-12-31 17:00:00/);
  });

  it('lists symbols, timeframes and info; gaps on EURUSD 1h find the 2016-12 hole only', async () => {
    const symbols = (await api('GET', '/symbols')).json.data;
    expect(symbols.map((s: any) => s.symbol)).toEqual(['AAPL', 'EURUSD', 'SPY']);
    expect(symbols.find((s: any) => s.symbol === 'EURUSD').available_timeframes).toEqual(['1m', '1h', '1d']);
    expect((await api('GET', '/timeframes')).json.data.map((t: any) => t.id)).toContain('4h');
    const info = (await api('GET', '/data/info')).json.data;
    expect(info).toMatchObject({ total_symbols: 3, total_series: 6 });
    const gaps = (await api('GET', '/data/EURUSD/1h/gaps')).json.data;
    expect(gaps.gaps).toHaveLength(1);
    expect(gaps.gaps[0]).toMatchObject({ last_bar_before: '2016-12-09T21:00:00Z', end: '2016-12-16T05:00:00Z' });
  });

  it('4h is resampled from the stored 1h and says so; range and missing series answer like KTRDR', async () => {
    const { json } = await api('GET', '/data/EURUSD/4h?start_date=2018-01-01&end_date=2018-01-31');
    expect(json.data.metadata).toMatchObject({ source_timeframe: '1h', resampled: true });
    // FX is closed on 1 January: the first 2018 bar is 2 January 00:00.
    expect(json.data.dates[0]).toBe('2018-01-02T00:00:00Z');
    const range = await api('POST', '/data/range', { symbol: 'aapl', timeframe: '1d' });
    expect(range.json.data).toMatchObject({ symbol: 'AAPL', timeframe: '1d', start_date: '1998-01-02T00:00:00Z', end_date: '2021-03-31T00:00:00Z', point_count: 5849 });
    expect((await api('POST', '/data/range', { symbol: 'NOPE', timeframe: '1d' })).status).toBe(404);
    const empty = await api('GET', '/data/NOPE/1h');
    expect(empty.status).toBe(200);
    expect(empty.json.data).toMatchObject({ dates: [], ohlcv: [], metadata: { point_count: 0 } });
    expect((await api('GET', '/data/..%2Fetc/1h')).status).toBe(422);
    expect((await api('GET', '/data/EURUSD/7x')).status).toBe(422);
    expect((await api('GET', '/data/EURUSD/1h?start_date=yesterday')).status).toBe(422);
  });
});

describe('CSV import round trip through the API', () => {
  it.each(SAMPLE_FILES)('%s: POST /data/import then GET returns every value and timestamp exactly', async (file, symbol, tf) => {
    const text = sampleText(file);
    const sym = `IMP.${symbol}`;
    const imp = await api('POST', '/data/import', { symbol: sym, timeframe: tf, csv: text, mode: 'replace' });
    expect(imp.status, JSON.stringify(imp.json)).toBe(200);
    const rows = naiveRows(text);
    expect(imp.json.data).toMatchObject({ symbol: sym, timeframe: tf, rows: rows.length, imported: rows.length, skipped: 0, duplicates: 0, total_bars: rows.length });
    const got = await api('GET', `/data/${sym}/${tf}`);
    const d = got.json.data;
    expect(d.dates.length).toBe(rows.length);
    for (let i = 0; i < rows.length; i++) {
      if (Date.parse(d.dates[i]) !== rows[i][0]) throw new Error(`${file} row ${i + 2}: date ${d.dates[i]}`);
      const o = d.ohlcv[i];
      for (let c = 0; c < 5; c++) if (o[c] !== rows[i][c + 1]) throw new Error(`${file} row ${i + 2} col ${c}: ${o[c]} != ${rows[i][c + 1]}`);
    }
  });

  it('bad rows are reported by line and never stored; an all-bad file stores nothing', async () => {
    const csv = ['timestamp,open,high,low,close,volume', '2024-01-01T00:00:00Z,1,2,0.5,1.5,1', '2024-01-01T01:00:00Z,1,0.5,0.4,0.9,1', '2024-01-01T02:00:00Z,1,2,0.5,,1', '2024-01-01T03:00:00Z,1,2,0.5,1.5,1'].join('\n');
    // Any rejected row refuses the whole import unless the caller keeps the valid rows (#15.5).
    const refused = await api('POST', '/data/import', { symbol: 'BAD', timeframe: '1h', csv });
    expect(refused.status).toBe(400);
    expect(refused.json).toMatchObject({ rejected: [{ line: 3 }, { line: 4 }] });
    expect(refused.json.detail).toMatch(/nothing was stored/);
    expect((await api('POST', '/data/range', { symbol: 'BAD', timeframe: '1h' })).status).toBe(404);
    const r = await api('POST', '/data/import', { symbol: 'BAD', timeframe: '1h', csv, keep_valid_rows: true });
    expect(r.status).toBe(200);
    expect(r.json.data).toMatchObject({ imported: 2, skipped: 2, rejected: [{ line: 3 }, { line: 4 }] });
    const stored = (await api('GET', '/data/BAD/1h')).json.data;
    expect(stored.dates).toEqual(['2024-01-01T00:00:00Z', '2024-01-01T03:00:00Z']);
    const allBad = await api('POST', '/data/import', { symbol: 'WORSE', timeframe: '1h', csv: 'timestamp,open,high,low,close,volume\nx,1,2,3,4,5\n' });
    expect(allBad.status).toBe(400);
    expect(allBad.json.detail).toMatch(/line 2: invalid timestamp/);
    expect((await api('POST', '/data/range', { symbol: 'WORSE', timeframe: '1h' })).status).toBe(404);
    expect((await api('POST', '/data/import', { symbol: 'X', timeframe: '1h' })).status).toBe(422);
    expect((await api('POST', '/data/import', { symbol: 'X', timeframe: '1h', csv: 'a', timezone: 'Mars/Base' })).status).toBe(422);
  });
});

describe('POST /data/acquire/download', () => {
  it('starts a data_load operation that stores labelled synthetic bars (end date inclusive, issue 27)', async () => {
    const start = await api('POST', '/data/acquire/download', { symbol: 'EURUSD', timeframe: '5m', mode: 'full', start_date: '2023-01-01', end_date: '2023-02-28', source: 'synthetic' });
    expect(start.status).toBe(200);
    expect(start.json).toMatchObject({ success: true, status: 'started', message: 'Started full download for EURUSD 5m from synthetic' });
    expect(start.json.operation_id).toMatch(/^op_data_load_/);
    const op = await waitTerminal(start.json.operation_id);
    expect(op.status, op.error_message).toBe('completed');
    expect(op.result_summary).toMatchObject({ symbol: 'EURUSD', timeframe: '5m', source: 'synthetic', segments: 2, synthetic: true });
    const metrics = (await api('GET', `/operations/${start.json.operation_id}/metrics`)).json.metrics;
    expect(metrics.map((m: any) => m.label)).toEqual(['2023-01', '2023-02']);
    const bars = (await api('GET', '/data/EURUSD/5m?limit=1')).json.data.metadata;
    expect(bars).toMatchObject({ synthetic: true, original_points: op.result_summary.bars_loaded });
  });

  it('an offline provider fails the operation fast with a clear message and keeps stored data', async () => {
    const before = (await api('POST', '/data/range', { symbol: 'EURUSD', timeframe: '1h' })).json.data;
    const start = await api('POST', '/data/acquire/download', { symbol: 'EURUSD', timeframe: '1h', mode: 'tail', source: 'ib', port: 1, timeout_ms: 600_000 });
    const op = await waitTerminal(start.json.operation_id);
    expect(op.status).toBe('failed');
    expect(op.error_message).toMatch(/Cannot connect to IB TWS\/Gateway at 127\.0\.0\.1:1/);
    expect((await api('POST', '/data/range', { symbol: 'EURUSD', timeframe: '1h' })).json.data).toEqual(before);
  });

  it('validates before creating any operation', async () => {
    const count = async () => (await api('GET', '/operations?limit=1')).json.total_count;
    const n = await count();
    const bad = [
      { symbol: '../x', timeframe: '1h' },
      { symbol: 'EURUSD', timeframe: '3x' },
      { symbol: 'EURUSD', timeframe: '1h', mode: 'everything' },
      { symbol: 'EURUSD', timeframe: '1h', source: 'yahoo' },
      { symbol: 'EURUSD', timeframe: '1h', start_date: 'soon' },
      { symbol: 'EURUSD', timeframe: '1h', start_date: '2024-02-01', end_date: '2024-01-01' },
      { symbol: 'EURUSD', timeframe: '1h', source: 'csv' },
    ];
    for (const body of bad) {
      const r = await api('POST', '/data/acquire/download', body);
      expect(r.status, JSON.stringify(body)).toBe(422);
      expect(r.json.error.code).toBe('VALIDATION_ERROR');
    }
    expect(await count()).toBe(n);
  });
});
