// Issue #17: every repro of the audit, against a real server. Each must answer 4xx in the error
// envelope (or succeed correctly) in under a second, with /health answering meanwhile.
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { encodeBarFile } from '../../../src/infra/bars/bar-file';
import { REPO, startServer, type TestServer } from '../../helpers/server';
import { budgetMs, csvFor, eventLoop, inEnvelope, loadFactor, probe, rawRequest, type Probe, type RawRequest } from './hostile';

const DEAD_PID = 2 ** 22 + 4321;
// Goals: < 1 s per answer, /health < 100 ms meanwhile; scaled by the machine's load factor (hostile.ts).
const HEALTH_GOAL_MS = 100;
const ANSWER_GOAL_MS = 1000;
let server: TestServer;
let home: string;
let worstHealth = 0;
/** Worst event-loop delay seen before a test reset the server's record (the closing line reports the whole suite). */
let worstLoop = 0;
/** Worst event-loop delay per test, for the closing line (which test stalled, if any did). */
const loopByTest: string[] = [];
const resetLoop = async () => {
  worstLoop = Math.max(worstLoop, (await eventLoop(server.url, true)).max_ms);
};
const timings: Array<[string, number]> = [];

const json = (method: string, path: string, body: unknown, headers: Record<string, string> = {}): RawRequest => ({ method, path: `/api/v1${path}`, body: JSON.stringify(body), headers });
const get = (path: string, headers: Record<string, string> = {}): RawRequest => ({ method: 'GET', path: path.startsWith('/api') ? path : `/api/v1${path}`, headers });

/** Sends a repro and checks the common promises: no 5xx, envelope, < 1 s, /health unaffected. */
async function repro(name: string, r: RawRequest): Promise<Probe> {
  const res = await probe(server.url, r);
  timings.push([name, res.ms]);
  worstHealth = Math.max(worstHealth, res.healthMaxMs);
  expect(res.status, `${name}: ${res.text.slice(0, 300)}`).toBeLessThan(500);
  expect(inEnvelope(res), `${name}: not in the envelope: ${res.text.slice(0, 200)}`).toBe(true);
  expect(res.ms, `${name} took ${res.ms.toFixed(0)} ms`).toBeLessThan(budgetMs(ANSWER_GOAL_MS));
  expect(res.healthMaxMs, `${name}: /health took ${res.healthMaxMs.toFixed(0)} ms meanwhile`).toBeLessThan(budgetMs(HEALTH_GOAL_MS));
  return res;
}

function badBarFile(): Buffer {
  const t = Float64Array.from([1.5778368e18]);
  const one = Float64Array.from([1]);
  return encodeBarFile({ symbol: 'BADNS', timeframe: '1d', time: t, open: one, high: one, low: one, close: one, volume: one }, { source: 'csv', synthetic: false });
}

beforeAll(async () => {
  home = mkdtempSync(join(tmpdir(), 'ktrdr-repro-'));
  // Left behind by the old server (#17.2, #17.7): an implausible series and a killed writer's temp file.
  mkdirSync(join(home, 'data', 'BADNS'), { recursive: true });
  writeFileSync(join(home, 'data', 'BADNS', '1d.bars'), badBarFile());
  writeFileSync(join(home, 'data', 'BADNS', `1d.bars.tmp-${DEAD_PID}-x-y`), 'half');
  writeFileSync(join(home, 'data', 'BADNS', '1h.bars.lock'), String(DEAD_PID));
  mkdirSync(join(home, 'imports'));
  writeFileSync(join(home, 'imports', 'bomb.csv.gz'), gzipSync(Buffer.alloc(80 * 1024 * 1024, 0x31)));
  server = await startServer({ home, cleanup: false, env: { KTRDR_TEST_MODE: '1', KTRDR_IMPORT_LIMIT: String(16 * 1024 * 1024) } });
  await eventLoop(server.url, true);
});

afterAll(async () => {
  if (server) {
    const loop = await eventLoop(server.url).catch(() => null);
    console.log(`[repros] ${timings.length} requests, slowest ${Math.max(...timings.map((t) => t[1])).toFixed(0)} ms (${timings.sort((a, b) => b[1] - a[1])[0]?.[0]}), worst /health ${worstHealth.toFixed(0)} ms, worst event-loop delay ${loop ? Math.max(worstLoop, loop.max_ms).toFixed(1) : '?'} ms (per test: ${loopByTest.join(', ')}); machine load factor ${loadFactor().toFixed(1)}`);
    await server.stop();
  }
  rmSync(home, { recursive: true, force: true });
});

describe('issue #17 repros', () => {
  afterEach(async (ctx) => {
    const loop = await eventLoop(server.url).catch(() => null);
    loopByTest.push(`${ctx.task.name.split(':')[0]} ${loop ? loop.max_ms.toFixed(0) : '?'} ms`);
    await resetLoop().catch(() => undefined);
  });

  it('1: deeply nested YAML is refused at once; validate, PUT and the editor path alike', async () => {
    const r = await repro('yaml 350 {', json('POST', '/strategies/validate', { yaml: 'a: ' + '{'.repeat(350) }));
    expect(r.status).toBe(200);
    expect(r.json.valid).toBe(false);
    expect(JSON.stringify(r.json)).toMatch(/nested deeper than 64/);
    await repro('yaml 800 {', json('POST', '/strategies/validate', { yaml: 'a: ' + '{'.repeat(800) }));
    const put = await repro('PUT yaml', json('PUT', '/strategies/nested_x', { yaml: 'a: ' + '['.repeat(800) }));
    expect(put.status).toBe(422);
    await repro('yaml errors', json('POST', '/strategies/validate', { yaml: 'a: b: c\n'.repeat(500) }));
  });

  it('1: 16 KiB of error-dense YAML is parsed off the main thread: the event loop stays free (validate and PUT)', async () => {
    // Parsing this text takes ~140 ms of CPU on an idle core; on the main thread it stalled every request meanwhile.
    const dense = 'a: b: c\n'.repeat(2000);
    await resetLoop();
    const v = await repro('yaml errors 16 KiB', json('POST', '/strategies/validate', { yaml: dense }));
    expect(v.status).toBe(200);
    expect(v.json.valid).toBe(false);
    expect(v.json.issues[0]).toMatchObject({ severity: 'error', category: 'yaml', message: expect.stringMatching(/^YAML syntax: /), details: { line: 1, column: expect.any(Number) } });
    const put = await repro('PUT yaml errors 16 KiB', json('PUT', '/strategies/dense_x', { yaml: dense.replace('a: b', 'x: y') }));
    expect(put.status).toBe(422);
    expect(put.json.issues[0].message).toMatch(/^YAML syntax: /);
    const loop = await eventLoop(server.url);
    console.log(`[repros] 16 KiB error-dense YAML (validate + PUT): worst event-loop delay ${loop.max_ms.toFixed(1)} ms (budget ${budgetMs(HEALTH_GOAL_MS)} ms)`);
    expect(loop.max_ms, 'worst event-loop delay while the YAML was parsed').toBeLessThan(budgetMs(HEALTH_GOAL_MS));
  });

  it('1: a hand-written error-dense strategy file is parsed off the main thread by every route that reads it', async () => {
    const dir = join(home, 'strategies');
    mkdirSync(dir, { recursive: true });
    // One file per route, so that each route parses its own (results are cached by text).
    const write = (name: string) => writeFileSync(join(dir, `${name}.yaml`), `# ${name}\n${'a: b: c\n'.repeat(1990)}`);
    for (const name of ['dense_train', 'dense_backtest', 'dense_get', 'dense_fuzzy']) write(name);
    await resetLoop();
    const train = await repro('training, dense file', json('POST', '/trainings/start', { strategy_name: 'dense_train', symbols: ['EURUSD'], timeframes: ['1d'] }));
    expect(train.status).toBe(400);
    expect(train.json.detail).toMatch(/dense_train is not valid: dense_train\.yaml:2:\d+ error.*YAML syntax/);
    const bt = await repro('backtest, dense file', json('POST', '/backtests/start', { strategy_name: 'dense_backtest', symbol: 'EURUSD', timeframe: '1d', start_date: '2020-01-01', end_date: '2021-01-01' }));
    expect(bt.status).toBe(400);
    expect(bt.json.detail).toMatch(/YAML syntax/);
    const one = await repro('get, dense file', get('/strategies/dense_get'));
    expect(one.json).toMatchObject({ valid: false, issues: expect.arrayContaining([expect.objectContaining({ category: 'yaml' })]) });
    expect((await repro('fuzzy, dense file', json('POST', '/fuzzy/evaluate', { strategy_name: 'dense_fuzzy', indicator: 'rsi', values: [50] }))).status).toBe(400);
    write('dense_list');
    const list = await repro('list, dense file', get('/strategies/'));
    expect(list.json.strategies.find((s: { name: string }) => s.name === 'dense_list')).toMatchObject({ valid: false, error_count: 50 });
    const loop = await eventLoop(server.url);
    console.log(`[repros] error-dense strategy files read by name and listed: worst event-loop delay ${loop.max_ms.toFixed(1)} ms (budget ${budgetMs(HEALTH_GOAL_MS)} ms)`);
    expect(loop.max_ms, 'worst event-loop delay while the files were parsed').toBeLessThan(budgetMs(HEALTH_GOAL_MS));
  });

  it('2: epoch-nanosecond CSV imports correctly; a bad file on disk never breaks the listing (also after a restart)', async () => {
    const imp = await repro('ns import', json('POST', '/data/import', { symbol: 'X', timeframe: '1d', csv: 'timestamp,open,high,low,close,volume\n1577836800000000000,1,1.1,0.9,1.05,1\n' }));
    expect(imp.status).toBe(200);
    expect(imp.json.data).toMatchObject({ imported: 1, start: '2020-01-01T00:00:00Z' });
    const us = await repro('µs import', json('POST', '/data/import', { symbol: 'XU', timeframe: '1d', csv: 'timestamp,open,high,low,close,volume\n1577836800000000,1,1.1,0.9,1.05,1\n' }));
    expect(us.json.data.start).toBe('2020-01-01T00:00:00Z');
    for (let round = 0; round < 2; round++) {
      const info = await repro('info', get('/data/info'));
      expect(info.status).toBe(200);
      expect(info.json.data.available_symbols).toContain('X');
      expect(info.json.data.available_symbols).not.toContain('BADNS');
      expect((await repro('symbols', get('/symbols'))).status).toBe(200);
      expect((await repro('series', get('/data/X/1d'))).json.data.dates).toEqual(['2020-01-01T00:00:00Z']);
      expect((await repro('gaps', get('/data/X/1d/gaps'))).status).toBe(200);
      expect((await repro('range', json('POST', '/data/range', { symbol: 'X', timeframe: '1d' }))).json.data.start_date).toBe('2020-01-01T00:00:00Z');
      // The bad series itself answers 409 naming what to do, never 500.
      const bad = await repro('bad series', get('/data/BADNS/1d'));
      expect(bad.status).toBe(409);
      expect(bad.json.detail).toMatch(/outside 1900–2200.*DELETE/);
      expect((await repro('bad gaps', get('/data/BADNS/1d/gaps'))).status).toBe(409);
      expect((await repro('bad range', json('POST', '/data/range', { symbol: 'BADNS', timeframe: '1d' }))).status).toBe(409);
      if (round === 0) {
        await resetLoop();
        await server.stop();
        server = await startServer({ home, cleanup: false, env: { KTRDR_TEST_MODE: '1', KTRDR_IMPORT_LIMIT: String(16 * 1024 * 1024) } });
        // Start-up work before the first request is not a request's stall: the record starts here.
        await eventLoop(server.url, true);
      }
    }
  });

  it('3: no file outside the import folders can be named, and no file content is echoed', async () => {
    for (const path of ['/etc/passwd', '/proc/self/environ', '../../../../etc/passwd', join(REPO, 'package.json')]) {
      const r = await repro(`path ${path}`, json('POST', '/data/import', { symbol: 'X', timeframe: '1d', path }));
      expect(r.status).toBe(403);
      expect(r.text).not.toMatch(/root:|PATH=|"name":/);
    }
    const load = await repro('data_load csv /etc/passwd', json('POST', '/data/acquire/download', { symbol: 'X', timeframe: '1d', source: 'csv', path: '/etc/passwd' }));
    expect(load.status).toBe(403);
    // Inside the folder, a file that is not CSV is refused without quoting it.
    writeFileSync(join(home, 'imports', 'secret.csv'), 'root:x:0:0:root:/root:/bin/bash\n');
    const own = await repro('non-csv in imports', json('POST', '/data/import', { symbol: 'X', timeframe: '1d', path: 'secret.csv' }));
    expect(own.status).toBe(400);
    expect(own.text).not.toMatch(/root:/);
  });

  it('4: a lock left by a killed writer is taken over at once; a live one is waited for without blocking', async () => {
    writeFileSync(join(home, 'data', 'X', '1d.bars.lock'), String(DEAD_PID));
    const r = await repro('stale lock import', json('POST', '/data/import', { symbol: 'X', timeframe: '1d', csv: 'timestamp,open,high,low,close,volume\n2020-01-02T00:00:00Z,1,1.1,0.9,1.05,1\n' }));
    expect(r.status).toBe(200);
    // A live holder (this test process): the import waits with timers, /health keeps answering, then 409.
    writeFileSync(join(home, 'data', 'X', '1d.bars.lock'), String(process.pid));
    const busy = await probe(server.url, json('POST', '/data/import', { symbol: 'X', timeframe: '1d', csv: 'timestamp,open,high,low,close,volume\n2020-01-03T00:00:00Z,1,1.1,0.9,1.05,1\n' }));
    expect(busy.status).toBe(409);
    expect(busy.healthPings).toBeGreaterThan(20);
    expect(busy.healthMaxMs).toBeLessThan(budgetMs(HEALTH_GOAL_MS));
    expect(inEnvelope(busy)).toBe(true);
    writeFileSync(join(home, 'data', 'X', '1d.bars.lock'), '');
  });

  it('5: far-future dates are refused at import; gaps over the widest allowed span stay fast', async () => {
    const r = await repro('year 275760', json('POST', '/data/import', { symbol: 'FAR', timeframe: '1d', csv: 'timestamp,open,high,low,close,volume\n8640000000000000,1,1.1,0.9,1.05,1\n' }));
    expect(r.status).toBe(400);
    expect(r.json.rejected).toEqual([{ line: 2, reason: expect.stringMatching(/outside 1900-01-01 to 2200-12-31/) }]);
    await repro('wide span', json('POST', '/data/import', { symbol: 'WIDE', timeframe: '1d', csv: 'timestamp,open,high,low,close,volume\n1900-01-01,1,1.1,0.9,1.05,1\n2200-12-31,1,1.1,0.9,1.05,1\n' }));
    for (const cal of ['us_equity', 'fx', '24x7']) expect((await repro(`gaps ${cal}`, get(`/data/WIDE/1d/gaps?calendar=${cal}`))).status).toBe(200);
  });

  it('6: a gzip bomb and an oversized body are refused with 413', async () => {
    const bomb = await repro('gzip bomb', json('POST', '/data/import', { symbol: 'X', timeframe: '1d', path: 'bomb.csv.gz' }));
    expect(bomb.status).toBe(413);
    const big = await repro('big body', { method: 'POST', path: '/api/v1/data/import', declaredLength: 17 * 1024 * 1024 });
    expect(big.status).toBe(413);
  });

  it('7: temp files and stale locks of killed writers were swept at start', () => {
    expect(existsSync(join(home, 'data', 'BADNS', `1d.bars.tmp-${DEAD_PID}-x-y`))).toBe(false);
    expect(existsSync(join(home, 'data', 'BADNS', '1h.bars.lock'))).toBe(false);
  });

  it('8: 500s become 4xx: empty timezone, epoch-ns end date, inline dates out of range', async () => {
    expect((await repro('timezone ""', json('POST', '/data/import', { symbol: 'X', timeframe: '1d', csv: 'a', timezone: '' }))).status).toBe(422);
    const ns = await repro('end_date ns', json('POST', '/data/acquire/download', { symbol: 'EURUSD', timeframe: '1d', source: 'synthetic', mode: 'full', start_date: '2019-12-01', end_date: '1577836800000000000' }));
    expect(ns.status).toBe(200);
    for (const d of [1e20, -1e20, 1e308, 8.64e15 + 1]) {
      const r = await repro(`inline ${d}`, json('POST', '/indicators/calculate', { indicators: [{ type: 'sma', parameters: { period: 2 } }], bars: { dates: [d], close: [1] } }));
      expect(r.status).toBe(422);
      expect(JSON.stringify(r.json)).toMatch(/bars\.dates/);
    }
  });

  it('9: impossible dates are refused the same way on every route, naming the field', async () => {
    for (const bad of ['2020-02-30', '-1', '2020-01-01T00:00:00+99:99']) {
      const q = encodeURIComponent(bad);
      const a = await repro(`data ${bad}`, get(`/data/EURUSD/1d?start_date=${q}`));
      expect(a.status).toBe(422);
      expect(a.json.error.details[0].field).toBe('querystring.start_date');
      const b = await repro(`gaps ${bad}`, get(`/data/EURUSD/1d/gaps?end_date=${q}`));
      expect(b.json.error.details[0].field).toBe('querystring.end_date');
      const c = await repro(`download ${bad}`, json('POST', '/data/acquire/download', { symbol: 'EURUSD', timeframe: '1d', source: 'synthetic', start_date: bad }));
      expect(c.json.error.details[0].field).toBe('start_date');
      const d = await repro(`indicators ${bad}`, json('POST', '/indicators/calculate', { symbol: 'EURUSD', timeframe: '1d', indicators: [{ type: 'sma' }], start_date: bad }));
      expect(d.status).toBe(422);
      expect(JSON.stringify(d.json)).toMatch(/start_date/);
      const e = await repro(`backtest ${bad}`, json('POST', '/backtests/start', { strategy_name: 'neuro_mean_reversion', symbol: 'EURUSD', timeframe: '1d', start_date: bad, end_date: '2023-01-01' }));
      expect(e.status).toBeGreaterThanOrEqual(400);
      const f = await repro(`training ${bad}`, json('POST', '/trainings/start', { symbols: ['EURUSD'], timeframes: ['1d'], strategy_name: 'neuro_mean_reversion', start_date: bad, end_date: '2022-12-31' }));
      expect(f.status).toBeGreaterThanOrEqual(400);
    }
  });

  it('10: only the own origin and host:port are served; OPTIONS by rule', async () => {
    const port = new URL(server.url).port;
    const other = await repro('other origin', get('/health', { origin: 'http://localhost:1' }));
    expect(other.status).toBe(403);
    expect(other.headers['access-control-allow-origin']).toBeUndefined();
    expect((await repro('other host port', get('/health', { host: 'localhost:1' }))).status).toBe(403);
    expect((await repro('no port', get('/health', { host: 'localhost' }))).status).toBe(403);
    for (const host of [`localhost:${port}`, `127.0.0.1:${port}`, `[::1]:${port}`]) expect((await repro(`host ${host}`, get('/health', { host }))).status).toBe(200);
    const own = await repro('own origin', get('/health', { origin: `http://127.0.0.1:${port}` }));
    expect(own.status).toBe(200);
    expect((await repro('preflight other', { method: 'OPTIONS', path: '/api/v1/data/import', headers: { origin: 'http://localhost:1', 'access-control-request-method': 'POST' } })).status).toBe(403);
    expect((await repro('preflight own', { method: 'OPTIONS', path: '/api/v1/data/import', headers: { origin: `http://localhost:${port}` } })).status).toBe(204);
  });

  it('12: an invalid setting stops the start with a message naming it', () => {
    const r = spawnSync(process.execPath, ['--import', 'tsx', join(REPO, 'src', 'cli', 'index.ts'), 'serve', '--port', '0'], {
      cwd: REPO,
      env: { ...process.env, KTRDR_HOME: mkdtempSync(join(tmpdir(), 'ktrdr-cfg-')), KTRDR_MAX_WORKERS: '-1' },
      encoding: 'utf8',
      timeout: 60_000,
    });
    expect(r.status).not.toBe(0);
    expect(`${r.stdout}${r.stderr}`).toMatch(/KTRDR_MAX_WORKERS=-1 is not valid/);
  });

  it('13: errors raised outside the routes use the same envelope', async () => {
    const enc = await repro('bad percent-encoding', get('/data/%E0%A4%A/1d'));
    expect(enc.status).toBe(400);
    expect(enc.json.detail).toMatch(/Bad request/);
    expect((await repro('long param', get(`/data/${'A'.repeat(5000)}/1d`))).status).toBeLessThan(500);
    const h = await repro('431', get('/health', { 'x-big': 'a'.repeat(20_000) }));
    expect(h.status).toBe(431);
    expect(h.json.detail).toMatch(/too large/);
    expect((await repro('malformed json', { method: 'POST', path: '/api/v1/data/range', body: '{"symbol":' })).status).toBe(400);
    expect((await repro('text/plain', { method: 'POST', path: '/api/v1/data/range', body: 'x', headers: { 'content-type': 'text/plain' } })).status).toBe(415);
  });

  it('15.5: preview, refusals with reasons, a timeframe mismatch with evidence, delete with model references', async () => {
    const hourly = ['timestamp,open,high,low,close,volume', ...Array.from({ length: 6 }, (_, i) => `2024-01-02T1${i}:00:00Z,1,2,0.5,1.5,1`)].join('\n');
    const pv = await repro('preview', json('POST', '/data/import/preview', { symbol: 'HR', timeframe: '1d', csv: `${hourly}\nbad,1,2,3,4,5` }));
    expect(pv.json.data).toMatchObject({ columns: ['timestamp', 'open', 'high', 'low', 'close', 'volume'], detected: { timestamp_format: 'iso8601' }, inferred_timeframe: '1h', row_count: 7, valid_count: 6, rejected: [{ line: 8, reason: "invalid timestamp 'bad'" }] });
    expect(pv.json.data.rows).toHaveLength(6);
    const mism = await repro('mismatch', json('POST', '/data/import', { symbol: 'HR', timeframe: '1d', csv: hourly }));
    expect(mism.status).toBe(400);
    expect(mism.json).toMatchObject({ inferred_timeframe: '1h' });
    expect(mism.json.detail).toMatch(/median spacing of 5 intervals is 1 h/);
    expect((await repro('range after refusal', json('POST', '/data/range', { symbol: 'HR', timeframe: '1d' }))).status).toBe(404);
    expect((await repro('import 1h', json('POST', '/data/import', { symbol: 'HR', timeframe: '1h', csv: hourly }))).status).toBe(200);
    // A model trained on HR 1h (its manifest lists the series) is named when the series is deleted.
    const mdir = join(home, 'models', 'demo', '1h_v1');
    mkdirSync(mdir, { recursive: true });
    writeFileSync(join(mdir, 'metadata.json'), JSON.stringify({ symbols: ['HR'], timeframes: ['1h'], strategy_name: 'demo', timeframe: '1h', created_at: new Date().toISOString() }));
    const del = await repro('delete', { method: 'DELETE', path: '/api/v1/data/HR/1h' });
    expect(del.json).toEqual({ success: true, data: { symbol: 'HR', timeframe: '1h', deleted: true, referenced_by_models: ['models/demo/1h_v1'] }, error: null });
    expect((await repro('delete again', { method: 'DELETE', path: '/api/v1/data/HR/1h' })).status).toBe(404);
    expect(readFileSync(join(mdir, 'metadata.json'), 'utf8')).toMatch(/HR/);
  });

  it('event loop: two concurrent 60k-row CSV imports and a preview are parsed off the main thread', async () => {
    const imports = ['BIGA', 'BIGB'].map((symbol) => ({ symbol, csv: csvFor(symbol, 60_000) }));
    await eventLoop(server.url, true);
    const post = (path: string, body: unknown) => rawRequest(server.url, { ...json('POST', path, body), timeoutMs: 60_000 });
    const [a, b, pv] = await Promise.all([
      ...imports.map((i) => post('/data/import', { symbol: i.symbol, timeframe: '1m', csv: i.csv })),
      post('/data/import/preview', { symbol: 'BIGA', timeframe: '1d', csv: imports[0].csv }),
    ]);
    const loop = await eventLoop(server.url);
    for (const r of [a, b]) {
      expect(r.status, r.text.slice(0, 300)).toBe(200);
      expect(r.json.data).toMatchObject({ rows: 60_000, imported: 60_000, skipped: 0, inferred_timeframe: '1m', start: '2021-01-04T00:00:00Z' });
    }
    expect(pv.status, pv.text.slice(0, 300)).toBe(200);
    expect(pv.json.data).toMatchObject({ row_count: 60_000, valid_count: 60_000, inferred_timeframe: '1m', timeframe_matches: false });
    console.log(`[repros] two concurrent 60k-row imports + a preview (${(imports[0].csv.length / 2 ** 20).toFixed(1)} MiB each): worst event-loop delay ${loop.max_ms.toFixed(1)} ms (budget ${budgetMs(HEALTH_GOAL_MS)} ms, load factor ${loadFactor().toFixed(1)})`);
    expect(loop.max_ms, 'worst event-loop delay while the CSVs were imported').toBeLessThan(budgetMs(HEALTH_GOAL_MS));
  });

  it('15.5: `ktrdr data import` shows the rejected rows and stores nothing; --keep-valid-rows stores the rest', () => {
    const file = join(home, 'cli.csv');
    writeFileSync(file, ['timestamp,open,high,low,close,volume', '2024-01-02T10:00:00Z,1,2,0.5,1.5,1', '2024-01-02T11:00:00Z,1,0.5,2,1.5,1', '2020-02-30T12:00:00Z,1,2,0.5,1.5,1'].join('\n'));
    const cli = (...extra: string[]) =>
      spawnSync(process.execPath, ['--import', 'tsx', join(REPO, 'src', 'cli', 'index.ts'), 'data', 'import', file, '--symbol', 'CLIX', '--timeframe', '1h', ...extra], {
        cwd: REPO,
        env: { ...process.env, KTRDR_API_URL: server.url },
        encoding: 'utf8',
        timeout: 60_000,
      });
    const refused = cli();
    expect(refused.status).toBe(1);
    expect(refused.stderr).toMatch(/2 of 3 rows were rejected/);
    expect(refused.stderr).toMatch(/\n {2}line 3: /);
    expect(refused.stderr).toMatch(/\n {2}line 4: invalid timestamp/);
    const kept = cli('--keep-valid-rows');
    expect(kept.status, kept.stderr).toBe(0);
    expect(kept.stdout).toMatch(/Imported CLIX 1h: 1 bars from 3 rows/);
  });
});
