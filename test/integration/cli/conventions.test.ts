// The CLI's one convention against a real server (issue 27): inclusive --end on `data load`, the
// KTRDR spellings as hidden aliases, errors naming the flag typed, a missing-data hint whose commands
// work as printed, `--timeframes 1x` said plainly, a missing CSV in words, plain lines when following
// into a pipe, and synthetic bars marked wherever they are used.
import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { http, REPO, startServer, waitFor, type TestServer } from '../../helpers/server';

let server: TestServer;
function ktrdr(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, ['--import', 'tsx', join(REPO, 'src', 'cli', 'index.ts'), '--url', server.url, ...args], { cwd: REPO, env: { ...process.env, NO_COLOR: '1' } }, (err, stdout, stderr) =>
      resolve({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stdout, stderr }),
    );
  });
}
/** Terminal control sequences (cursor moves, line erases, carriage returns) have no place in a file. */
// eslint-disable-next-line no-control-regex -- the point is to find control characters
const CONTROL = /\x1b\[|\r/;

/** Hourly bars of a made-up symbol, 2024-01-01 onwards. */
function hourlyCsv(hours: number): string {
  const rows = ['timestamp,open,high,low,close,volume'];
  for (let i = 0; i < hours; i++) rows.push(`${new Date(Date.UTC(2024, 0, 1) + i * 3_600_000).toISOString()},1.1,1.2,1.0,1.15,10`);
  return `${rows.join('\n')}\n`;
}

describe('ktrdr conventions (real server)', () => {
  beforeAll(async () => {
    server = await startServer({ env: { LOG_LEVEL: 'warn' } });
  });
  afterAll(async () => server?.stop());

  it('data load: --end is inclusive, --follow into a pipe writes plain lines, the series is marked synthetic; --json answers JSON', async () => {
    const r = await ktrdr('data', 'load', 'SYNX', '1h', '--source', 'synthetic', '--start', '2024-01-01', '--end', '2024-01-10', '--follow');
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^Loaded \d+ bars/m);
    expect(r.stderr).not.toMatch(CONTROL);
    const range = await http('POST', `${server.api}/data/range`, { symbol: 'SYNX', timeframe: '1h' });
    // 2024-01-10 is loaded (an exclusive end stopped at the 9th), nothing of the 11th.
    expect(range.body.data.end_date).toMatch(/^2024-01-10T/);
    const list = await ktrdr('data', 'list');
    expect(list.stdout).toMatch(/SYNX\s+1h.*synthetic/);
    const json = await ktrdr('data', 'load', 'SYNX', '1h', '--source', 'synthetic', '--start-date', '2024-01-11', '--end-date', '2024-01-11', '--json');
    expect(json.code, json.stderr).toBe(0);
    expect(JSON.parse(json.stdout)).toMatchObject({ success: true, operation_id: expect.stringMatching(/^op_data_load_/) });
  });

  it('training on synthetic bars warns at once, on the operation too', async () => {
    const r = await ktrdr('train', 'minimal', '--symbols', 'SYNX', '--timeframes', '1h', '--start', '2024-01-01', '--end', '2024-01-10', '--json');
    expect(r.code, r.stderr).toBe(0);
    const started = JSON.parse(r.stdout);
    expect(started.warnings.join(' ')).toMatch(/SYNX 1h is SYNTHETIC/);
    const op = (await http('GET', `${server.api}/operations/${started.task_id}`)).body.data;
    expect(op.warnings.join(' ')).toMatch(/SYNTHETIC/);
    await http('DELETE', `${server.api}/operations/${started.task_id}`, {});
    const plain = await ktrdr('train', 'minimal', '--symbols', 'SYNX', '--timeframes', '1h', '--start', '2024-01-01', '--end', '2024-01-10');
    expect(plain.stderr).toMatch(/^warning: SYNX 1h is SYNTHETIC/m);
    const id = /Operation ID: (\S+)/.exec(plain.stdout)![1];
    await http('DELETE', `${server.api}/operations/${id}`, {});
  });

  it('errors name the flag as typed, with no HTTP status or API field', async () => {
    const a = await ktrdr('train', 'minimal', '--start', '2020-01-01', '--end', '2019-01-01');
    expect(a.code).toBe(1);
    expect(a.stderr.trim()).toBe('Error: --end: must be after --start (2020-01-01)');
    const b = await ktrdr('models', 'train', '--strategy', 'minimal', '--start-date', '2020-01-01', '--end-date', '2019-01-01');
    expect(b.stderr.trim()).toBe('Error: --end-date: must be after --start-date (2020-01-01)');
  });

  it('--timeframes 1x says what is wrong (CLI and API), nothing about a missing timeframe', async () => {
    const r = await ktrdr('train', 'minimal', '--timeframes', '1x');
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^Error: --timeframes: '1x' is not a timeframe: write a number and a unit/);
    const api = await http('POST', `${server.api}/trainings/start`, { strategy_name: 'minimal', timeframes: ['1x'] });
    expect(api.status).toBe(400);
    expect(api.body.detail).toMatch(/'1x' is not a timeframe/);
    expect(api.body.detail).not.toMatch(/no timeframe given/);
  });

  it('the missing-data hint prints commands that work as written', async () => {
    const r = await ktrdr('train', 'minimal', '--symbols', 'HINTX', '--timeframes', '1h');
    expect(r.code).toBe(1);
    const load = /`(ktrdr data load HINTX 1h [^`]*)`/.exec(r.stderr)?.[1];
    const imp = /`(ktrdr data import FILE\.csv --symbol HINTX --timeframe 1h)`/.exec(r.stderr)?.[1];
    expect(load, r.stderr).toBe('ktrdr data load HINTX 1h --start YYYY-MM-DD --follow');
    expect(imp, r.stderr).toBeDefined();
    const csv = join(mkdtempSync(join(tmpdir(), 'ktrdr-hint-')), 'bars.csv');
    writeFileSync(csv, hourlyCsv(48));
    const imported = await ktrdr(...imp!.replace('FILE.csv', csv).split(' ').slice(1));
    expect(imported.code, imported.stderr).toBe(0);
    expect(imported.stdout).toMatch(/Imported HINTX 1h: 48 bars/);
    // The load command as printed (a date filled in), from the synthetic source: no network here.
    const loaded = await ktrdr(...load!.replace('YYYY-MM-DD', '2024-02-01').split(' ').slice(1), '--source', 'synthetic', '--end', '2024-02-02');
    expect(loaded.code, loaded.stderr).toBe(0);
  });

  it('a CSV that is not there: one line in words, exit code 2', async () => {
    const r = await ktrdr('data', 'import', '/nonexistent/bars.csv', '--symbol', 'X', '--timeframe', '1d');
    expect(r.code).toBe(2);
    expect(r.stderr.trim()).toBe('Error: /nonexistent/bars.csv: no such file');
  });
});

describe('ktrdr operations resume (real server)', () => {
  beforeAll(async () => {
    // The tfjs loop is slower: the training is still running when it is cancelled.
    server = await startServer({ env: { LOG_LEVEL: 'warn', KTRDR_TRAINER: 'tfjs' } });
  });
  afterAll(async () => server?.stop());

  it('--follow follows the resumed training to its summary (exit code as every command); a finished one is refused in words', async () => {
    const started = await http('POST', `${server.api}/trainings/start`, { strategy_name: 'minimal', symbols: ['EURUSD'], timeframes: ['1h'], start_date: '2012-01-01', end_date: '2019-01-01' });
    expect(started.status, JSON.stringify(started.body)).toBe(200);
    const id: string = started.body.task_id;
    await waitFor(async () => (await http('GET', `${server.api}/operations/${id}`)).body.data.progress.steps_completed >= 1, 120_000, 50);
    expect((await http('DELETE', `${server.api}/operations/${id}`, { reason: 'test' })).status).toBe(200);
    // The cancellation checkpoint is there once the worker has written it and exited.
    await waitFor(async () => (await http('GET', `${server.api}/checkpoints/${id}`)).status === 200, 30_000, 100);
    const r = await ktrdr('operations', 'resume', id, '--follow');
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(new RegExp(`^Resumed ${id} \\(\\w+\\) from the cancellation checkpoint`, 'm'));
    expect(r.stderr).not.toMatch(CONTROL);
    expect(r.stdout).toMatch(/^Model saved: models\/minimal\//m);
    // Finished: nothing to resume any more, said in words (exit 1, no HTTP status).
    const again = await ktrdr('operations', 'resume', id, '--json');
    expect(again.code).toBe(1);
    expect(again.stderr).not.toMatch(/\b409\b/);
  });
});
