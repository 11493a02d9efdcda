// The seed documents' curl/jq scenarios (../shared/seeds 000 and 001), run as shell scripts against a
// real server built as users run it. Pre-flight (the seeds' own checks) loads the data they assume.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { http, REPO, startServer, waitFor, type TestServer } from '../../helpers/server';

function runScript(name: string, port: string, env: Record<string, string> = {}) {
  const r = spawnSync('bash', [join(REPO, 'test', 'acceptance', name)], { encoding: 'utf8', env: { ...process.env, KTRDR_API_PORT: port, ...env }, timeout: 240_000 });
  return { code: r.status, out: `${r.stdout}\n${r.stderr}` };
}

async function finished(s: TestServer, id: string) {
  return waitFor(async () => {
    const d = (await http('GET', `${s.api}/operations/${id}`)).body.data;
    return d.status === 'completed' || d.status === 'failed' || d.status === 'cancelled' ? d : null;
  }, 240_000, 500);
}

async function download(s: TestServer, body: Record<string, unknown>) {
  const r = await http('POST', `${s.api}/data/acquire/download`, { mode: 'full', source: 'synthetic', ...body });
  expect(r.status, JSON.stringify(r.body)).toBe(200);
  const d = await finished(s, r.body.operation_id);
  expect(d.status, d.error_message).toBe('completed');
}

const tools = spawnSync('sh', ['-c', 'command -v curl && command -v jq'], { encoding: 'utf8' });

describe.skipIf(tools.status !== 0)('seed acceptance scenarios (curl + jq, verbatim)', () => {
  let s: TestServer;
  let port: string;
  beforeAll(async () => {
    s = await startServer({ built: true });
    port = new URL(s.url).port;
  });
  afterAll(async () => {
    await s?.stop();
  });

  it('000 training/cancellation on EURUSD 5m', async () => {
    // Pre-flight: "EURUSD 5m has sufficient data (2+ years)" — ten years, so that training is still
    // running after the seed's 10 s wait — and EURUSD 1d through 2024 for step 5.
    await download(s, { symbol: 'EURUSD', timeframe: '5m', start_date: '2015-01-01', end_date: '2025-01-01' });
    await download(s, { symbol: 'EURUSD', timeframe: '1d', start_date: '2023-09-11', end_date: '2025-01-01' });
    const r = runScript('seed-000-training-cancellation.sh', port, { START_DATE: '2015-01-01', END_DATE: '2025-01-01' });
    expect(r.out).toContain('SEED 000 PASSED');
    expect(r.code, r.out).toBe(0);
    // The second training of step 5 runs to the end: a completed model on disk.
    const id = /NEW_TASK_ID=(\S+)/.exec(r.out)![1];
    const done = await finished(s, id);
    expect(done.status, done.error_message).toBe('completed');
  });

  it('001 backtest/cancellation with a model trained from the sample data', async () => {
    // A long range of 1m bars keeps the backtest running past the seed's 5 s wait (the sample has
    // two weeks of real 1m bars; the rest is labelled synthetic).
    await download(s, { symbol: 'EURUSD', timeframe: '1m', start_date: '2016-01-01', end_date: '2024-12-31' });
    const train = await http('POST', `${s.api}/trainings/start`, { strategy_name: 'neuro_mean_reversion', symbols: ['EURUSD'], timeframes: ['1m'], start_date: '2016-01-01', end_date: '2016-04-30' });
    expect(train.status, JSON.stringify(train.body)).toBe(200);
    const trained = await finished(s, train.body.operation_id);
    expect(trained.status, trained.error_message).toBe('completed');
    const results = (await http('GET', `${s.api}/operations/${train.body.operation_id}/results`)).body.results;
    const r = runScript('seed-001-backtest-cancellation.sh', port, { MODEL_PATH: results.model_path, TIMEFRAME: '1m', START_DATE: '2016-01-01', END_DATE: '2024-12-31' });
    expect(r.out).toContain('SEED 001 PASSED');
    expect(r.code, r.out).toBe(0);
  });
});
