// Issue 25 end to end against real servers: a training killed with the server (SIGKILL) is failed and
// resumable after the restart, resumes from its last checkpoint and ends with the same model and
// metrics as an uninterrupted run; a cancelled one resumes from its cancellation checkpoint, one stopped
// with the server from its shutdown checkpoint; a resume
// is refused when the strategy or the data changed; KTRDR's own clients (`ktrdr resume`, `ktrdr ops
// --resumable`, `ktrdr checkpoints show/delete`, `ktrdr list checkpoints`) read the answers they expect.
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BarStore } from '../../../src/infra/bars/bar-store';
import { importCsvText } from '../../../src/infra/bars/import';
import { http, pidAlive, REPO, startServer, waitFor, workerPids, type TestServer } from '../../helpers/server';

const ENV = { KTRDR_TF_BACKEND: 'wasm', LOG_LEVEL: 'warn' };
const STRATEGY = 'ckpt_lstm';
const START = { strategy_name: STRATEGY, symbols: ['EURUSD'], timeframes: ['1d'], start_date: '2010-01-01', end_date: '2023-12-31' };
let home: string;
let csv: string;
let s: TestServer | undefined;

function strategyText(): string {
  const base = readFileSync(join(REPO, 'strategies', 'test_e2e_local_pull.yaml'), 'utf8');
  return base
    .replace('name: test_e2e_local_pull', `name: ${STRATEGY}`)
    .replace(/model:\n {2}type: mlp\n {2}architecture:\n {4}hidden_layers: \[32, 16\]/, 'model:\n  type: lstm\n  architecture:\n    sequence_length: 16\n    hidden_size: 24\n    num_layers: 2')
    .replace('epochs: 15', 'epochs: 14');
}

const importBars = (text: string) => importCsvText(new BarStore(join(home, 'data')), text, { symbol: 'EURUSD', timeframe: '1d', mode: 'replace', source: 'sample' });

async function op(id: string) {
  return (await http('GET', `${s!.api}/operations/${id}`)).body.data;
}

async function waitEnd(id: string) {
  return waitFor(async () => {
    const d = await op(id);
    return ['completed', 'failed', 'cancelled'].includes(d.status) ? d : null;
  }, 180_000, 300);
}

async function train(body: Record<string, unknown> = {}): Promise<string> {
  const r = await http('POST', `${s!.api}/trainings/start`, { ...START, ...body });
  expect(r.status, JSON.stringify(r.body)).toBe(200);
  return r.body.task_id;
}

/** Resume, waiting out the short window in which a cancelled worker is still writing its checkpoint. */
async function resume(id: string) {
  return waitFor(async () => {
    const r = await http('POST', `${s!.api}/operations/${id}/resume`);
    return r.status === 409 && /still stopping/.test(r.body.detail) ? null : r;
  }, 20_000, 200);
}

const ckptFiles = (id: string) => (existsSync(join(home, 'checkpoints', id)) ? readdirSync(join(home, 'checkpoints', id)).filter((f) => f.endsWith('.ckpt')) : []);

/** What must be identical between a resumed and an uninterrupted run. */
async function fingerprint(id: string) {
  const results = (await http('GET', `${s!.api}/operations/${id}/results`)).body.results;
  const metrics = (await http('GET', `${s!.api}/operations/${id}/metrics`)).body.metrics as Record<string, number>[];
  return {
    weights: readFileSync(join(home, results.model_path, 'weights.bin')).toString('base64'),
    history: results.training_metrics.history,
    best_epoch: results.training_metrics.best_epoch,
    test_metrics: results.test_metrics,
    epochs: metrics.map((m) => [m.epoch, m.train_loss, m.train_accuracy, m.val_loss, m.val_accuracy]),
  };
}

let reference: Awaited<ReturnType<typeof fingerprint>>;

beforeAll(async () => {
  home = mkdtempSync(join(tmpdir(), 'ktrdr-ckpt-it-'));
  csv = gunzipSync(readFileSync(join(REPO, 'data', 'samples', 'EURUSD_D1_dukascopy_2007-2023.csv.gz'))).toString('utf8');
  importBars(csv);
  mkdirSync(join(home, 'strategies'), { recursive: true });
  writeFileSync(join(home, 'strategies', `${STRATEGY}.yaml`), strategyText());
  s = await startServer({ home, cleanup: false, env: ENV });
  const id = await train();
  const done = await waitEnd(id);
  expect(done.status, done.error_message).toBe('completed');
  expect(ckptFiles(id)).toEqual([]); // a completed training leaves no checkpoint
  reference = await fingerprint(id);
  expect(reference.epochs.length).toBeGreaterThanOrEqual(6);
}, 240_000);

afterAll(async () => {
  await s?.stop();
  rmSync(home, { recursive: true, force: true });
});

describe('training checkpoints and resume', () => {
  it('SIGKILL of the server mid-training: after the restart the training is failed and resumable, and the resumed run equals the uninterrupted one', async () => {
    const id = await train({ checkpoints: { every_epochs: 1, keep: 2 } });
    await waitFor(async () => (await http('GET', `${s!.api}/operations/${id}/metrics`)).body.new_cursor >= 3 && ckptFiles(id).length > 0, 120_000, 100);
    const workers = workerPids(s!.proc.pid!);
    await s!.kill();
    await waitFor(async () => workers.every((p) => !pidAlive(p)), 10_000);
    expect(ckptFiles(id).length).toBeGreaterThan(0);
    expect(ckptFiles(id).length).toBeLessThanOrEqual(2); // pruned to `keep`

    s = await startServer({ home, cleanup: false, env: ENV });
    const failed = await op(id);
    expect(failed.status).toBe('failed');
    expect(failed.error_message).toMatch(/Interrupted by restart.*checkpoint available \(epoch \d+/);
    // Metrics are stored as they arrive; the kill may have lost the last epoch's, never a checkpoint's.
    const stored = failed.metrics.epochs.length;
    expect(stored).toBeGreaterThanOrEqual(3);

    // `ktrdr ops --resumable`: GET /operations, then GET /checkpoints/{id} per row; `success` marks it, state.epoch summarises it.
    const ops = (await http('GET', `${s.api}/operations?limit=50&offset=0`)).body.data as { operation_id: string }[];
    const resumable: string[] = [];
    for (const o of ops) {
      const c = await http('GET', `${s.api}/checkpoints/${o.operation_id}`);
      if (c.status === 200 && c.body.success) resumable.push(o.operation_id);
    }
    expect(resumable).toEqual([id]);
    const shown = (await http('GET', `${s.api}/checkpoints/${id}`)).body.data;
    expect(shown).toMatchObject({ operation_id: id, checkpoint_type: 'periodic' });
    expect(shown.state.epoch).toBeGreaterThanOrEqual(1);
    expect(shown.state.epoch).toBeLessThanOrEqual(stored + 1);
    expect(typeof shown.state.train_loss).toBe('number'); // ktrdr checkpoints show formats it with :.4f
    expect(shown.state.total_epochs).toBe(14);
    expect(existsSync(shown.artifacts_path)).toBe(true);

    // `ktrdr resume ID`: POST without a body; it prints data.status and data.resumed_from.{epoch, checkpoint_type}.
    const r = await http('POST', `${s.api}/operations/${id}/resume`);
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    expect(r.body).toMatchObject({ success: true, data: { operation_id: id, resumed_from: { checkpoint_type: 'periodic', epoch: shown.state.epoch, created_at: shown.created_at } } });
    expect(['pending', 'running']).toContain(r.body.data.status);
    const done = await waitEnd(id);
    expect(done.status, done.error_message).toBe('completed');
    expect(done.metadata.resumed_from.epoch).toBe(shown.state.epoch);
    expect(await fingerprint(id)).toEqual(reference);
    expect(ckptFiles(id)).toEqual([]);
    expect((await http('GET', `${s.api}/checkpoints/${id}`)).status).toBe(404);
  }, 300_000);

  it('cancel mid-epoch, resume from the cancellation checkpoint: same result; a changed strategy or changed data is refused with 409 naming it', async () => {
    const id = await train();
    await waitFor(async () => (await op(id)).progress.steps_completed >= 40, 120_000, 50);
    expect((await http('DELETE', `${s!.api}/operations/${id}`, { reason: 'test' })).status).toBe(200);
    // GET /checkpoints/{id} answers once the worker has written its cancellation checkpoint and exited.
    const shown = await waitFor(async () => {
      const c = await http('GET', `${s!.api}/checkpoints/${id}`);
      return c.status === 200 ? c.body.data : null;
    }, 20_000, 100);
    expect((await op(id)).status).toBe('cancelled');
    expect(shown.checkpoint_type).toBe('cancellation');
    expect(shown.state.batch).toBeGreaterThanOrEqual(0);
    // `ktrdr list checkpoints`: data[].{operation_id, checkpoint_type, created_at, state_summary.epoch, artifacts_size_bytes}.
    const list = (await http('GET', `${s!.api}/checkpoints`)).body;
    expect(list.total_count).toBe(1);
    expect(list.data[0]).toMatchObject({ operation_id: id, checkpoint_type: 'cancellation', state_summary: { epoch: shown.state.epoch } });
    expect(list.data[0].artifacts_size_bytes).toBeGreaterThan(1000);

    const path = join(home, 'strategies', `${STRATEGY}.yaml`);
    writeFileSync(path, `${strategyText()}\n# edited\n`);
    let refused = await resume(id);
    expect(refused.status).toBe(409);
    expect(refused.body.detail).toMatch(new RegExp(`strategy ${STRATEGY} changed since the checkpoint`));
    writeFileSync(path, strategyText());

    const rows = csv.trimEnd().split('\n');
    const last = rows[rows.length - 1].split(',');
    last[4] = last[3]; // one close changed (to that bar's low)
    importBars([...rows.slice(0, -1), last.join(',')].join('\n'));
    refused = await resume(id);
    expect(refused.status).toBe(409);
    expect(refused.body.detail).toMatch(/the training data changed since the checkpoint.*EURUSD 1d \(same \d+ bars, different values\)/);
    expect((await op(id)).status).toBe('cancelled'); // a refusal changes nothing
    importBars(csv);

    const r = await resume(id);
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    expect(r.body.data.resumed_from.checkpoint_type).toBe('cancellation');
    const done = await waitEnd(id);
    expect(done.status, done.error_message).toBe('completed');
    expect(await fingerprint(id)).toEqual(reference);
    expect((await http('POST', `${s!.api}/operations/${id}/resume`)).status).toBe(409); // completed: nothing to resume
  }, 300_000);

  it('a graceful server stop lets a running training write a `shutdown` checkpoint; it resumes after the restart', async () => {
    // No periodic checkpoints: only the one written as the server stops.
    const id = await train({ checkpoints: { every_epochs: 0, every_seconds: 0 } });
    await waitFor(async () => (await op(id)).progress.steps_completed >= 60, 120_000, 50);
    expect(ckptFiles(id)).toEqual([]);
    await s!.stop();
    s = await startServer({ home, cleanup: false, env: ENV });
    const failed = await op(id);
    expect(failed.status).toBe('failed');
    expect(failed.error_message).toMatch(/Interrupted: the server was stopped.*resume continues from it/);
    const shown = (await http('GET', `${s.api}/checkpoints/${id}`)).body.data;
    expect(shown.checkpoint_type).toBe('shutdown');
    const r = await resume(id);
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    const done = await waitEnd(id);
    expect(done.status, done.error_message).toBe('completed');
    expect(await fingerprint(id)).toEqual(reference);
  }, 300_000);

  it('`ktrdr checkpoints delete`: the checkpoint goes, the training is no longer resumable (404 naming retry)', async () => {
    const id = await train({ checkpoints: { every_epochs: 1 } });
    await waitFor(async () => ckptFiles(id).length > 0, 120_000, 100);
    await http('DELETE', `${s!.api}/operations/${id}`);
    await waitFor(async () => ((await http('GET', `${s!.api}/checkpoints/${id}`)).status === 200 ? true : null), 20_000, 100);
    const del = await http('DELETE', `${s!.api}/checkpoints/${id}`);
    expect(del.body).toEqual({ success: true, message: 'Checkpoint deleted' });
    expect(ckptFiles(id)).toEqual([]);
    const again = await http('GET', `${s!.api}/checkpoints/${id}`);
    expect(again.status).toBe(404);
    expect(again.body.detail).toMatch(/No checkpoint for operation/);
    const r = await resume(id);
    expect(r.status).toBe(404);
    expect(r.body.detail).toMatch(/No checkpoint for operation .*retry starts it again from epoch 1/);
    // Bad checkpoint settings are refused before any operation exists, naming the field.
    const before = (await http('GET', `${s!.api}/operations?limit=1`)).body.total_count;
    for (const checkpoints of [{ keep: 0 }, { every: 1 }, { every_seconds: -5 }]) {
      const bad = await http('POST', `${s!.api}/trainings/start`, { ...START, checkpoints });
      expect(bad.status, JSON.stringify(checkpoints)).toBe(422);
      expect(bad.body.error.details[0].field).toMatch(/^checkpoints/);
    }
    expect((await http('GET', `${s!.api}/operations?limit=1`)).body.total_count).toBe(before);
    // Other operation types are not resumable from checkpoints.
    const dummy = (await http('POST', `${s!.api}/dummy/start`, { duration_seconds: 0, iterations: 1 })).body.operation_id;
    await waitEnd(dummy);
    expect((await http('POST', `${s!.api}/operations/${dummy}/resume`)).body.detail).toMatch(/only trainings and experiments can be resumed/);
  }, 240_000);
});
