// Trains a real strategy through a real server (worker process, bar store, model store) and checks
// the REST contract: start validation before any operation exists, progress/metrics, results, /models,
// and cancellation leaving no model version behind.
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BarStore } from '../../../src/infra/bars/bar-store';
import { importCsvText } from '../../../src/infra/bars/import';
import { http, REPO, startServer, waitFor, type TestServer } from '../../helpers/server';

let s: TestServer;

function seedEurusdDaily(home: string) {
  const raw = readFileSync(join(REPO, 'data', 'samples', 'EURUSD_D1_dukascopy_2007-2023.csv.gz'));
  importCsvText(new BarStore(join(home, 'data')), gunzipSync(raw).toString('utf8'), { symbol: 'EURUSD', timeframe: '1d', mode: 'replace', source: 'sample' });
}

beforeAll(async () => {
  const home = mkdtempSync(join(tmpdir(), 'ktrdr-train-it-'));
  seedEurusdDaily(home);
  mkdirSync(join(home, 'strategies'), { recursive: true });
  const base = readFileSync(join(REPO, 'strategies', 'test_e2e_local_pull.yaml'), 'utf8');
  writeFileSync(join(home, 'strategies', 'long_run.yaml'), base.replace('name: test_e2e_local_pull', 'name: long_run').replace('epochs: 15', 'epochs: 5000'));
  writeFileSync(join(home, 'strategies', 'broken.yaml'), base.replace('name: test_e2e_local_pull', 'name: broken').replace('indicator: rsi_14', 'indicator: rsi_99'));
  s = await startServer({ home, cleanup: true, env: { KTRDR_TF_BACKEND: 'wasm', LOG_LEVEL: 'warn' } });
}, 120_000);

afterAll(async () => {
  await s?.stop();
});

async function operationCount(): Promise<number> {
  return (await http('GET', `${s.api}/operations?limit=1`)).body.total_count;
}

async function waitTerminal(id: string, timeoutMs = 150_000) {
  return waitFor(
    async () => {
      const r = await http('GET', `${s.api}/operations/${id}`);
      return ['completed', 'failed', 'cancelled'].includes(r.body.data.status) ? r.body.data : null;
    },
    timeoutMs,
    250,
  );
}

describe('POST /trainings/start → a trained model', () => {
  it('trains test_e2e_local_pull on EURUSD 1d and reports KTRDR-shaped results, per-epoch metrics and the model', async () => {
    const start = await http('POST', `${s.api}/trainings/start`, {
      symbols: ['EURUSD'],
      timeframes: ['1d'],
      strategy_name: 'test_e2e_local_pull',
      start_date: '2015-01-01',
      end_date: '2023-12-31',
    });
    expect(start.status).toBe(200);
    expect(start.body).toMatchObject({ success: true, status: 'training_started', symbols: ['EURUSD'], timeframes: ['1d'], strategy_name: 'test_e2e_local_pull' });
    expect(start.body.task_id).toMatch(/^op_training_\d{8}_\d{6}_[0-9a-f]{8}$/);
    expect(start.body.operation_id).toBe(start.body.task_id);
    const id = start.body.task_id;

    const seen: number[] = [];
    const op = await waitFor(
      async () => {
        const r = (await http('GET', `${s.api}/operations/${id}`)).body.data;
        seen.push(r.progress.percentage);
        return ['completed', 'failed', 'cancelled'].includes(r.status) ? r : null;
      },
      150_000,
      100,
    );
    expect(op.error_message).toBeNull();
    expect(op.status).toBe('completed');
    expect(op.progress.percentage).toBe(100);
    for (let i = 1; i < seen.length; i++) expect(seen[i]).toBeGreaterThanOrEqual(seen[i - 1]);

    const res = (await http('GET', `${s.api}/operations/${id}/results`)).body.results;
    expect(res.model_path).toBe('models/test_e2e_local_pull/1d_v1');
    expect(res.training_metrics.epochs_trained).toBeGreaterThan(0);
    expect(res.training_metrics.history.train_loss).toHaveLength(res.training_metrics.epochs_trained);
    expect(res.test_metrics.test_accuracy).toBeGreaterThan(0);
    expect(res.test_metrics).toHaveProperty('f1_score');
    expect(res.model_info.parameters_count).toBe(5 * 32 + 32 + 32 * 16 + 16 + 16 * 3 + 3);
    expect(res.model_info.backend).toBe('wasm');
    expect(res.data_summary).toMatchObject({ symbols: ['EURUSD'], timeframes: ['1d'], feature_count: 5, start_date: '2015-01-01' });
    expect(res.data_summary.samples.train).toBeGreaterThan(1000);
    expect(typeof res.beats_baseline).toBe('boolean');
    expect(res.baseline.test).toEqual(expect.objectContaining({ best_constant_class: expect.any(String), p_value: expect.any(Number), beats: res.beats_baseline }));

    const metrics = (await http('GET', `${s.api}/operations/${id}/metrics?cursor=0`)).body;
    expect(metrics.metrics).toHaveLength(res.training_metrics.epochs_trained);
    expect(metrics.metrics.map((m: any) => m.epoch)).toEqual(Array.from({ length: metrics.metrics.length }, (_, i) => i + 1));
    expect(metrics.metrics[0]).toEqual(expect.objectContaining({ train_loss: expect.any(Number), val_loss: expect.any(Number), learning_rate: 0.001 }));

    const dir = join(s.home, 'models', 'test_e2e_local_pull', '1d_v1');
    expect(readdirSync(dir).sort()).toEqual(['features.json', 'metadata.json', 'model.json', 'strategy.yaml', 'weights.bin']);
    const manifest = JSON.parse(readFileSync(join(dir, 'metadata.json'), 'utf8'));
    expect(manifest.features).toEqual([
      '1d_rsi_zone_oversold',
      '1d_rsi_zone_neutral',
      '1d_rsi_zone_overbought',
      '1d_macd_momentum_negative',
      '1d_macd_momentum_positive',
    ]);
    expect(manifest.data.content_hash).toMatch(/^[0-9a-f]{64}$/);
    expect(manifest.backend.name).toBe('wasm');

    const models = (await http('GET', `${s.api}/models`)).body;
    expect(models.models[0]).toMatchObject({ strategy_name: 'test_e2e_local_pull', timeframe: '1d', version: 1, model_path: 'models/test_e2e_local_pull/1d_v1' });
    expect(models.models[0].test_accuracy).toBeCloseTo(res.test_metrics.test_accuracy, 10);
  });
});

describe('POST /trainings/start validation happens before an operation exists', () => {
  const body = { symbols: ['EURUSD'], timeframes: ['1d'], strategy_name: 'test_e2e_local_pull', start_date: '2015-01-01', end_date: '2020-12-31' };
  const cases: [string, Record<string, unknown>, number, RegExp][] = [
    ['unknown strategy', { strategy_name: 'no_such_strategy' }, 404, /Strategy file not found: no_such_strategy\.yaml/],
    ['invalid strategy', { strategy_name: 'broken' }, 400, /broken\.yaml:\d+:\d+ error .*rsi_99/],
    ['bad start date', { start_date: '2015-13-45' }, 422, /start_date/],
    ['start after end', { start_date: '2021-01-01' }, 422, /end_date/],
    ['no data for the symbol', { symbols: ['GBPUSD'] }, 404, /No data for GBPUSD 1d: load it first/],
    ['range outside the data', { start_date: '2030-01-01', end_date: '2031-01-01' }, 400, /does not overlap/],
    ['empty symbols list', { symbols: [] }, 422, /symbol/],
  ];
  for (const [name, over, status, message] of cases) {
    it(`${name} → ${status}`, async () => {
      const before = await operationCount();
      const r = await http('POST', `${s.api}/trainings/start`, { ...body, ...over });
      expect(r.status).toBe(status);
      expect(JSON.stringify(r.body)).toMatch(message);
      expect(await operationCount()).toBe(before);
    });
  }
});

describe('cancelling a training', () => {
  it('ends cancelled between batches and leaves no model version behind', async () => {
    const start = await http('POST', `${s.api}/trainings/start`, { strategy_name: 'long_run', symbols: ['EURUSD'], timeframes: ['1d'], start_date: '2010-01-01', end_date: '2023-12-31' });
    expect(start.status).toBe(200);
    const id = start.body.task_id;
    await waitFor(async () => (await http('GET', `${s.api}/operations/${id}/metrics?cursor=0`)).body.metrics.length >= 1, 120_000, 200);
    const del = await http('DELETE', `${s.api}/operations/${id}`, { reason: 'test' });
    expect(del.status).toBe(200);
    const op = await waitTerminal(id);
    expect(op.status).toBe('cancelled');
    // give the worker its grace period to exit, then check nothing was saved
    await new Promise((r) => setTimeout(r, 1500));
    const dir = join(s.home, 'models', 'long_run');
    expect(existsSync(dir) ? readdirSync(dir) : []).toEqual([]);
    const models = (await http('GET', `${s.api}/models?strategy=long_run`)).body.models;
    expect(models).toEqual([]);
  });
});

describe('CLI', () => {
  const cli = (...args: string[]) =>
    new Promise<{ code: number | null; stdout: string; stderr: string }>((resolveRun) => {
      const p = spawn(process.execPath, ['--import', 'tsx', join(REPO, 'src', 'cli', 'index.ts'), '--url', s.url, ...args], { cwd: REPO, env: { ...process.env, NO_COLOR: '1' } });
      let stdout = '';
      let stderr = '';
      p.stdout.on('data', (d) => (stdout += d));
      p.stderr.on('data', (d) => (stderr += d));
      p.on('close', (code) => resolveRun({ code, stdout, stderr }));
    });

  it('ktrdr models train --strategy FILE prints "Training started. Operation ID: <id>"', async () => {
    const r = await cli('models', 'train', '--strategy', './strategies/test_e2e_local_pull.yaml', '--symbols', 'EURUSD', '--timeframes', '1d', '--start-date', '2020-01-01', '--end-date', '2023-12-31');
    expect(r.stderr).not.toMatch(/Error/);
    const m = /^Training started\. Operation ID: (op_training_\w+)$/m.exec(r.stdout);
    expect(m).not.toBeNull();
    expect((await waitTerminal(m![1])).status).toBe('completed');
  });

  it('ktrdr train NAME --follow prints a line per epoch and the saved model; ktrdr models list shows it', async () => {
    const r = await cli('train', 'test_e2e_local_pull', '--symbols', 'EURUSD', '--timeframes', '1d', '--start', '2019-01-01', '--end', '2023-12-31', '--follow');
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/Epoch 1\/15 {2}loss \d\.\d{4} {2}acc [\d.]+% {2}val_loss \d\.\d{4}/);
    const saved = /Model saved: (models\/test_e2e_local_pull\/1d_v\d+)/.exec(r.stdout);
    expect(saved).not.toBeNull();
    const list = await cli('models', 'list');
    expect(list.stdout).toContain(saved![1]);
  });
});
