// Contract tests for issue #18: each test replays the request one of KTRDR's own clients makes
// (kpiteira/ktrdr @ 2c5c717; the file is cited above each test) against a real server and asserts
// the fields that client reads.
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BarStore } from '../../../src/infra/bars/bar-store';
import { importCsvText } from '../../../src/infra/bars/import';
import { KTRDR_ROUTES } from '../../../src/main/api/routes/compat';
import { http, REPO, startServer, waitFor, type TestServer } from '../../helpers/server';

let s: TestServer;
let trainingId = '';

async function waitTerminal(id: string) {
  return waitFor(
    async () => {
      const d = (await http('GET', `${s.api}/operations/${id}`)).body.data;
      return ['completed', 'failed', 'cancelled'].includes(d.status) ? d : null;
    },
    120_000,
    200,
  );
}

beforeAll(async () => {
  const home = mkdtempSync(join(tmpdir(), 'ktrdr-compat-it-'));
  const raw = readFileSync(join(REPO, 'data', 'samples', 'EURUSD_D1_dukascopy_2007-2023.csv.gz'));
  importCsvText(new BarStore(join(home, 'data')), gunzipSync(raw).toString('utf8'), { symbol: 'EURUSD', timeframe: '1d', mode: 'replace', source: 'sample' });
  mkdirSync(join(home, 'strategies'), { recursive: true });
  const base = readFileSync(join(REPO, 'strategies', 'test_e2e_local_pull.yaml'), 'utf8');
  writeFileSync(join(home, 'strategies', 'tiny_compat.yaml'), base.replace('name: test_e2e_local_pull', 'name: tiny_compat').replace('epochs: 15', 'epochs: 3'));
  s = await startServer({ home, cleanup: true, env: { KTRDR_TF_BACKEND: 'wasm', LOG_LEVEL: 'warn' } });
  // ktrdr/cli/operation_adapters.py TrainingOperationAdapter.get_start_payload
  const start = await http('POST', `${s.api}/trainings/start`, { strategy_name: 'tiny_compat', symbols: ['EURUSD'], timeframes: ['1d'], start_date: '2019-01-01', end_date: '2023-12-31', detailed_analytics: false });
  expect(start.status).toBe(200);
  trainingId = start.body.task_id;
  expect((await waitTerminal(trainingId)).status).toBe('completed');
}, 180_000);

afterAll(async () => {
  await s?.stop();
});

describe('ktrdr status / ktrdr workers', () => {
  // ktrdr/cli/commands/workers.py: result if isinstance(result, list); worker_type, status,
  // capabilities.gpu_type, endpoint_url (len() taken), current_operation_id.
  // ktrdr/cli/commands/status.py: len(workers) of the bare list, ops_result["data"] statuses.
  it('GET /workers answers a bare array of KTRDR worker dicts', async () => {
    const r = await http('GET', `${s.api}/workers`);
    expect(r.status).toBe(200);
    expect(Array.isArray(r.body)).toBe(true);
    expect(r.body.length).toBeGreaterThanOrEqual(1);
    for (const w of r.body) {
      expect(typeof w.worker_type).toBe('string');
      expect(['available', 'busy']).toContain(w.status);
      expect(w.capabilities).toBeTypeOf('object');
      expect('gpu_type' in w.capabilities).toBe(true);
      expect(typeof w.endpoint_url).toBe('string');
      expect('current_operation_id' in w).toBe(true);
    }
    const one = await http('GET', `${s.api}/workers/${encodeURIComponent(r.body[0].worker_id)}`);
    expect(one.body.worker_id).toBe(r.body[0].worker_id);
    expect((await http('GET', `${s.api}/workers?status=busy`)).body).toEqual([]); // nothing runs now
    const ops = await http('GET', `${s.api}/operations`);
    expect(ops.body.data.some((o: { status: string }) => o.status === 'completed')).toBe(true);
  });
});

describe('training results', () => {
  // ktrdr/cli/operation_adapters.py TrainingOperationAdapter.display_results and mcp/src/clients/training_client.py:
  // success; training_metrics.{final_train_accuracy, final_val_accuracy, epochs_completed, training_time_minutes};
  // test_metrics.{test_accuracy, precision, recall, f1_score}; model_info.{parameters_count, model_size_bytes}
  it('GET /trainings/{id}/performance answers KTRDR PerformanceResponse', async () => {
    const r = await http('GET', `${s.api}/trainings/${trainingId}/performance`);
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ success: true, task_id: trainingId, status: 'completed' });
    const tm = r.body.training_metrics;
    for (const k of ['final_train_accuracy', 'final_val_accuracy', 'training_time_minutes']) expect(tm[k]).toBeTypeOf('number');
    expect(tm.epochs_completed).toBe(3);
    for (const k of ['test_accuracy', 'precision', 'recall', 'f1_score']) expect(r.body.test_metrics[k]).toBeTypeOf('number');
    expect(r.body.model_info.parameters_count).toBeGreaterThan(0);
    expect(r.body.model_info.model_size_bytes).toBeGreaterThan(0);
    const missing = await http('GET', `${s.api}/trainings/op_training_nope/performance`);
    expect(missing.status).toBe(404);
    expect(missing.body.detail).toMatch(/not found/i);
  });

  // mcp/src/clients/operations_client.py get_operation_metrics: metrics["data"]["metrics"]["is_overfitting"],
  // ["epochs"], best_epoch…; seed 004 reads the top-level cursor form.
  it('GET /operations/{id}/metrics serves both the cursor form and KTRDR dict form', async () => {
    const full = (await http('GET', `${s.api}/operations/${trainingId}/metrics`)).body;
    expect(full.success).toBe(true);
    expect(full.metrics).toHaveLength(3);
    expect(full.new_cursor).toBe(3);
    expect(full.data).toMatchObject({ operation_id: trainingId, operation_type: 'training' });
    const m = full.data.metrics;
    expect(m.epochs).toHaveLength(3);
    expect(m.total_epochs_completed).toBe(3);
    expect(m.is_overfitting).toBe(false); // fewer than 10 epochs: KTRDR never flags
    expect(typeof m.is_plateaued).toBe('boolean');
    const best = m.epochs.reduce((b: number, e: { val_loss: number }, i: number, a: { val_loss: number }[]) => (e.val_loss < a[b].val_loss ? i : b), 0);
    expect(m.best_epoch).toBe(best);
    const tail = (await http('GET', `${s.api}/operations/${trainingId}/metrics?cursor=2`)).body;
    expect(tail.metrics).toHaveLength(1);
    expect(tail.metrics[0].epoch).toBe(3);
    expect(tail.data.metrics.epochs).toHaveLength(3); // the dict form is always the whole history
  });
});

describe('routes KTRDR clients call but KTRDR does not declare', () => {
  // mcp/src/clients/training_client.py get_training_status → GET /trainings/{task_id} (flat answer).
  it('GET /trainings/{id} answers TrainingStatusResponse', async () => {
    const r = await http('GET', `${s.api}/trainings/${trainingId}`);
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ success: true, task_id: trainingId, status: 'completed', progress: 100, current_epoch: 3, total_epochs: 3, symbols: ['EURUSD'], timeframes: ['1d'], error: null });
    expect(r.body.current_metrics.train_loss).toBeTypeOf('number');
  });
  // mcp/src/clients/data_client.py get_data_info → GET /data/info/{symbol}.
  it('GET /data/info/{symbol} narrows the store listing to one symbol', async () => {
    const r = await http('GET', `${s.api}/data/info/eurusd`);
    expect(r.body.data.timeframes_available).toContain('1d');
    expect((await http('GET', `${s.api}/data/info/NOPE`)).status).toBe(404);
  });
});

describe('data loading', () => {
  // mcp/src/clients/data_client.py load_data_operation: {"symbol","timeframe","mode":"local"} and
  // _extract_or_raise(response) takes response["data"]; ktrdr/cli/data_commands.py polls
  // GET /operations/{id} and prints data.errors.
  it('mode "local" is accepted and reports the cached series', async () => {
    const r = await http('POST', `${s.api}/data/acquire/download`, { symbol: 'EURUSD', timeframe: '1d', mode: 'local' });
    expect(r.status).toBe(200);
    expect(r.body.data.operation_id).toBe(r.body.operation_id);
    const op = await waitTerminal(r.body.operation_id);
    expect(op.status).toBe('completed');
    const res = (await http('GET', `${s.api}/operations/${r.body.operation_id}/results`)).body.results;
    expect(res).toMatchObject({ mode: 'local', bars_loaded: 0, segments: 0 });
    expect(res.merged.total_bars).toBeGreaterThan(1000);
  });

  it('a failed load puts its reason in error_message and in data.errors', async () => {
    const r = await http('POST', `${s.api}/data/acquire/download`, { symbol: 'GBPJPY', timeframe: '1h', mode: 'local' });
    const op = await waitTerminal(r.body.operation_id);
    expect(op.status).toBe('failed');
    expect(op.error_message).toMatch(/No cached data for GBPJPY 1h/);
    expect(op.errors).toEqual([op.error_message]);
  });
});

describe('checkpoints and agent', () => {
  // ktrdr/cli/commands/list_cmd.py (list checkpoints): result.get("data", []) with operation_id,
  // created_at, state_summary, artifacts_size_bytes, checkpoint_type; checkpoints_commands.py show: data.state.
  it('GET /checkpoints lists nothing resumable as an empty list, one unknown checkpoint is a 404 with the reason', async () => {
    const r = await http('GET', `${s.api}/checkpoints`);
    expect(r.status).toBe(200);
    expect(r.body).toEqual({ success: true, data: [], total_count: 0 });
    const one = await http('GET', `${s.api}/checkpoints/${trainingId}`);
    expect(one.status).toBe(404);
    expect(one.body.detail).toMatch(/No checkpoint for operation/);
    expect((await http('GET', `${s.api}/checkpoints/stats`)).body.total_checkpoints).toBe(0);
  });

  // ktrdr/cli/commands/agent.py calls /agent/status and /agent/trigger.
  it('/agent/* answers 501 naming the MCP server', async () => {
    for (const [m, p] of [['GET', '/agent/status'], ['POST', '/agent/trigger'], ['GET', '/agent/budget']] as const) {
      const r = await http(m, `${s.api}${p}`, m === 'POST' ? {} : undefined);
      expect(r.status).toBe(501);
      expect(r.body.detail).toMatch(/ktrdr mcp/);
    }
  });
});

describe('fuzzy routes (ktrdr/api/endpoints/fuzzy.py)', () => {
  it('POST /fuzzy/evaluate fuzzifies values with a strategy’s set (hand-computed degrees)', async () => {
    // test_e2e_local_pull: rsi_zone on rsi_14, oversold [0,25,40], neutral [30,50,70], overbought [60,75,100].
    const r = await http('POST', `${s.api}/fuzzy/evaluate`, { indicator: 'rsi_14', values: [10, 30, 50, 65, 75], strategy_name: 'test_e2e_local_pull' });
    expect(r.status).toBe(200);
    expect(r.body.data.fuzzy_sets).toEqual(['oversold', 'neutral', 'overbought']);
    const v = r.body.data.values;
    const close = (got: number[], want: number[]) => want.forEach((w, i) => expect(got[i]).toBeCloseTo(w, 12));
    close(v.rsi_14_oversold, [0.4, 10 / 15, 0, 0, 0]);
    close(v.rsi_14_neutral, [0, 0, 1, 0.25, 0]);
    close(v.rsi_14_overbought, [0, 0, 0, 5 / 15, 1]);
    const inline = await http('POST', `${s.api}/fuzzy/evaluate`, { indicator: 'x', values: [5], memberships: { low: [0, 0, 10], mid: { type: 'gaussian', parameters: [5, 1] } } });
    expect(inline.body.data.values.x_low[0]).toBeCloseTo(0.5, 12);
    expect(inline.body.data.values.x_mid[0]).toBe(1);
    const none = await http('POST', `${s.api}/fuzzy/evaluate`, { indicator: 'rsi', values: [30] }); // KTRDR's bare request
    expect(none.status).toBe(422);
    expect(none.body.error.details[0].field).toBe('strategy_name');
  });

  it('GET /fuzzy/sets/{indicator} lists the sets built on it', async () => {
    const r = await http('GET', `${s.api}/fuzzy/sets/rsi_14?strategy_name=test_e2e_local_pull`);
    expect(r.body.data.sets).toEqual([expect.objectContaining({ strategy_name: 'test_e2e_local_pull', fuzzy_set: 'rsi_zone' })]);
  });
});

describe('KTRDR route list', () => {
  it('lists all 66 routes of ktrdr/api/main.py and ktrdr/api/endpoints/*.py', () => {
    expect(KTRDR_ROUTES).toHaveLength(66);
    expect(new Set(KTRDR_ROUTES.map((r) => `${r.method} ${r.path}`)).size).toBe(66);
  });

  it('no KTRDR route answers a bare 404', async () => {
    const pending: string[] = [];
    for (const r of KTRDR_ROUTES) {
      const url = (r.path === '/' ? s.url : s.api) + r.path.replace(':operation_id', trainingId).replace(':task_id', trainingId).replace(':symbol', 'EURUSD').replace(':timeframe', '1d').replace(/:[a-z_]+/g, 'x');
      const res = await http(r.method, url, ['POST', 'PUT', 'PATCH'].includes(r.method) ? {} : undefined);
      const bare = res.status === 404 && typeof res.body?.detail === 'string' && res.body.detail.startsWith('Not found:');
      if (bare && r.fate === 'experiments') {
        pending.push(`${r.method} ${r.path}`);
        continue;
      }
      expect(bare, `${r.method} ${r.path} → ${res.status} ${JSON.stringify(res.body)}`).toBe(false);
      if (r.fate === '501') expect(res.status, `${r.method} ${r.path}`).toBe(501);
    }
    if (pending.length) console.log(`[compat] not in this branch yet (arrive with the experiments merge): ${pending.join(', ')}`);
  });
});

describe('X-KTRDR-Client → metadata.started_by (what the MCP server sends)', () => {
  it('tags operations started with the header, leaves others untagged, refuses unknown values', async () => {
    const start = (client?: string) =>
      fetch(`${s.api}/dummy/start`, { method: 'POST', headers: { 'content-type': 'application/json', ...(client ? { 'x-ktrdr-client': client } : {}) }, body: JSON.stringify({ duration_seconds: 0, iterations: 1 }) });
    const tagged = await (await start('mcp')).json();
    const plain = await (await start()).json();
    expect((await http('GET', `${s.api}/operations/${tagged.operation_id}`)).body.data.metadata.started_by).toBe('mcp');
    expect((await http('GET', `${s.api}/operations/${plain.operation_id}`)).body.data.metadata.started_by).toBeUndefined();
    const list = (await http('GET', `${s.api}/operations?limit=50`)).body.data;
    expect(list.find((o: { operation_id: string }) => o.operation_id === tagged.operation_id).metadata.started_by).toBe('mcp');
    const before = (await http('GET', `${s.api}/operations?limit=1`)).body.total_count;
    const bad = await start('robot');
    expect(bad.status).toBe(400);
    expect((await bad.json()).detail).toMatch(/x-ktrdr-client/i);
    expect((await http('GET', `${s.api}/operations?limit=1`)).body.total_count).toBe(before);
  });
});
