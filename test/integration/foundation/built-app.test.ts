// The built bundles (npm run build → out/) are what users run: check them, the CLI entry, the
// headless UI page, and an Electron launch where an Electron binary exists.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { APP_VERSION } from '../../../src/shared/version';
import { http, REPO, startServer, waitFor, type TestServer } from '../../helpers/server';
import { csvFor } from '../reliability/hostile';

const out = (p: string) => join(REPO, 'out', p);

describe('built application', () => {
  let s: TestServer;
  beforeAll(async () => {
    for (const f of ['main/index.js', 'main/cli.js', 'main/worker.js', 'main/parse-thread.js', 'main/compute-thread.js', 'preload/index.js', 'renderer/index.html']) {
      if (!existsSync(out(f))) throw new Error(`out/${f} is missing: run "npm run build" first (npm test does)`);
    }
    s = await startServer({ built: true });
  });
  afterAll(async () => {
    await s?.stop();
  });

  it('`ktrdr --version` and `--help` work from the bin entry', () => {
    const v = spawnSync(process.execPath, [join(REPO, 'bin', 'ktrdr.js'), '--version'], { encoding: 'utf8' });
    expect(v.status).toBe(0);
    expect(v.stdout.trim()).toBe(APP_VERSION);
    const h = spawnSync(process.execPath, [join(REPO, 'bin', 'ktrdr.js'), '--help'], { encoding: 'utf8' });
    expect(h.stdout).toMatch(/serve/);
    expect(h.stdout).toMatch(/operations/);
  });

  it('the CLI says clearly when no server is reachable (exit 3)', () => {
    const r = spawnSync(process.execPath, [join(REPO, 'bin', 'ktrdr.js'), '--url', 'http://127.0.0.1:9', 'operations', 'list'], { encoding: 'utf8' });
    expect(r.status).toBe(3);
    expect(r.stderr).toMatch(/Cannot reach the KTRDR server at http:\/\/127\.0\.0\.1:9/);
  });

  it('the CLI lists operations and shows one as JSON', async () => {
    const id = (await http('POST', `${s.api}/dummy/start`, { duration_seconds: 0, iterations: 2 })).body.operation_id;
    const list = spawnSync(process.execPath, [join(REPO, 'bin', 'ktrdr.js'), '--url', s.url, 'operations', 'list'], { encoding: 'utf8' });
    expect(list.status).toBe(0);
    expect(list.stdout).toContain(id);
    const follow = spawnSync(process.execPath, [join(REPO, 'bin', 'ktrdr.js'), '--url', s.url, 'follow', id, '--json'], { encoding: 'utf8' });
    expect(follow.status).toBe(0);
    expect(JSON.parse(follow.stdout)).toMatchObject({ operation_id: id, status: 'completed' });
  });

  it('Ctrl+C during `ktrdr follow` cancels the operation without asking', async () => {
    const id = (await http('POST', `${s.api}/dummy/start`, { duration_seconds: 60, iterations: 60 })).body.operation_id;
    const child = spawn(process.execPath, [join(REPO, 'bin', 'ktrdr.js'), '--url', s.url, 'follow', id], { stdio: ['ignore', 'pipe', 'pipe'] });
    let err = '';
    child.stderr.on('data', (d) => (err += d));
    await waitFor(async () => (await http('GET', `${s.api}/operations/${id}`)).body.data.progress.percentage > 0, 30_000, 200);
    await waitFor(async () => err.length > 0, 10_000, 100); // following: it has printed progress
    child.kill('SIGINT');
    const code = await new Promise<number | null>((r) => child.on('exit', (c) => r(c)));
    expect(err).toMatch(new RegExp(`Cancelling ${id}`));
    expect(code).toBe(130);
    expect((await http('GET', `${s.api}/operations/${id}`)).body.data.status).toBe('cancelled');
  });

  it('strategy YAML is parsed on the bundled parse thread (validate, PUT, read by name, list)', async () => {
    const dense = await http('POST', `${s.api}/strategies/validate`, { yaml: 'a: b: c\n'.repeat(2000) });
    expect(dense.status).toBe(200);
    expect(dense.body).toMatchObject({ valid: false, issues: expect.arrayContaining([expect.objectContaining({ category: 'yaml', message: expect.stringMatching(/^YAML syntax: /) })]) });
    const text = readFileSync(join(REPO, 'strategies', 'minimal.yaml'), 'utf8').replace('name: minimal', 'name: built_copy');
    const put = await http('PUT', `${s.api}/strategies/built_copy`, { yaml: text });
    expect(put.status).toBe(200);
    expect(put.body).toMatchObject({ valid: true, features: ['1h_rsi_momentum_oversold', '1h_rsi_momentum_overbought'] });
    // Read by name and listed: the file is parsed on the thread too.
    expect((await http('GET', `${s.api}/strategies/built_copy`)).body).toMatchObject({ valid: true, source: 'user', config: { name: 'built_copy' } });
    expect((await http('GET', `${s.api}/strategies/`)).body.strategies.find((x: { name: string }) => x.name === 'built_copy')).toMatchObject({ valid: true, timeframe: '1h' });
    expect(s.output()).not.toMatch(/parse thread/);
  });

  it('CSV imports and large JSON bodies are parsed on the bundled parse thread, refusals unchanged', async () => {
    const csv = csvFor('BLTA', 20_000); // a body over 1 MiB: decoded and parsed on the thread too
    expect(csv.length).toBeGreaterThan(2 ** 20);
    const imp = await http('POST', `${s.api}/data/import`, { symbol: 'BLTA', timeframe: '1m', csv });
    expect(imp.status).toBe(200);
    expect(imp.body.data).toMatchObject({ rows: 20_000, imported: 20_000, inferred_timeframe: '1m', start: '2021-01-04T00:00:00Z' });
    const bad = await http('POST', `${s.api}/data/import`, { symbol: 'BLTA', timeframe: '1m', csv: `${csv}\nbad,1,2,3,4,5` });
    expect(bad.status).toBe(400);
    expect(bad.body).toMatchObject({ detail: expect.stringMatching(/^1 of 20001 rows were rejected \(line 20002: invalid timestamp 'bad'\)/), skipped: 1, rows: 20_001, valid_count: 20_000, rejected: [{ line: 20_002 }] });
    const header = await http('POST', `${s.api}/data/import/preview`, { symbol: 'BLTA', timeframe: '1m', csv: 'when,price\n2024-01-02,1\n' });
    expect(header).toMatchObject({ status: 400, body: { detail: expect.stringMatching(/^CSV header "when,price" lacks column\(s\): timestamp, open/), rejected: [] } });
    const truncated = `{"csv":"${'x'.repeat(2 ** 21)}`;
    let message = '';
    try {
      JSON.parse(truncated);
    } catch (err) {
      message = (err as Error).message;
    }
    const res = await fetch(`${s.api}/data/import`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: truncated });
    expect(res.status).toBe(400);
    expect(await res.json()).toEqual({ detail: `Malformed JSON body: ${message}` });
    expect(s.output()).not.toMatch(/parse thread/);
  });

  it('headless mode serves the built renderer at / next to the API', async () => {
    const res = await fetch(`${s.url}/`);
    expect(res.status).toBe(200);
    const html = await res.text();
    expect(html).toMatch(/<div id="root"><\/div>/);
    expect((await http('GET', `${s.api}/health`)).body.status).toBe('ok');
  });

  it('launches the Electron app where an Electron binary exists', (ctx) => {
    let binary: string | null = null;
    try {
      const p = require('electron') as unknown;
      binary = typeof p === 'string' && existsSync(p) ? p : null;
    } catch {
      binary = null;
    }
    const xvfb = spawnSync('sh', ['-c', 'command -v xvfb-run'], { encoding: 'utf8' }).stdout.trim();
    if (!binary || (!process.env.DISPLAY && !xvfb)) {
      const why = !binary ? 'no Electron binary is installed (ELECTRON_SKIP_BINARY_DOWNLOAD, no network for its download)' : 'no display and no xvfb-run';
      console.warn(`SKIP Electron launch test: ${why}`);
      ctx.skip();
      return;
    }
    const cmd = process.env.DISPLAY ? binary : xvfb;
    const args = process.env.DISPLAY ? [REPO, '--no-sandbox'] : ['-a', binary, REPO, '--no-sandbox'];
    const r = spawnSync(cmd, args, { encoding: 'utf8', timeout: 60_000, env: { ...process.env, KTRDR_SMOKE_TEST: '1', KTRDR_API_PORT: '0', KTRDR_HOME: join(s.home, 'electron') } });
    expect(r.stdout).toMatch(/KTRDR_SMOKE_OK KTRDR Workstation/);
  });
});
