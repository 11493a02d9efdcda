// Strategy authoring and the model registry over REST: save-as never shadows, delete only user files,
// model notes, delete, and identical re-runs recognised (same strategy hash, data hash, seed).
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp, type App } from '../../../src/main/app';
import { loadConfig } from '../../../src/main/config';

let home: string;
let app: App;
let base: string;

async function call(method: string, path: string, body?: unknown) {
  const res = await fetch(`${base}/api/v1${path}`, {
    method,
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json()) as any };
}

function fakeModel(version: number, created: string, hashes: { strategy: string; data: string; seed: number }) {
  const dir = join(home, 'models', 'mine', `1h_v${version}`);
  mkdirSync(dir, { recursive: true });
  writeFileSync(
    join(dir, 'metadata.json'),
    JSON.stringify({
      created_at: created,
      strategy_name: 'mine',
      strategy_hash: hashes.strategy,
      symbols: ['EURUSD'],
      timeframes: ['1h'],
      timeframe: '1h',
      data: { start_date: '2018-01-01', end_date: '2018-03-01', content_hash: hashes.data, samples: { train: 10, validation: 2, test: 2 } },
      seed: hashes.seed,
      training: { epochs: 3, batch_size: 32 },
      labels: { source: 'zigzag' },
      training_metrics: { best_epoch: 2, epochs_trained: 3 },
      test_metrics: { test_accuracy: 0.5 },
      model: { type: 'mlp', architecture: 'mlp 8-3', parameters_count: 30 },
      features: ['a', 'b'],
    }),
  );
  return dir;
}

beforeAll(async () => {
  home = mkdtempSync(join(tmpdir(), 'ktrdr-authoring-'));
  mkdirSync(join(home, 'strategies'), { recursive: true });
  app = await createApp({ config: loadConfig({ ...process.env, KTRDR_HOME: home, KTRDR_API_PORT: '0', LOG_LEVEL: 'warn' }) });
  base = await app.listen();
});

afterAll(async () => {
  await app?.close();
  rmSync(home, { recursive: true, force: true });
});

describe('strategy files', () => {
  it('"Save as" (overwrite:false) copies a bundled strategy under a new name and refuses an existing one', async () => {
    const bundled = await call('GET', '/strategies/minimal');
    expect(bundled.status).toBe(200);
    expect(bundled.body.source).toBe('bundled');
    expect((await call('PUT', '/strategies/minimal', { yaml: bundled.body.yaml, overwrite: false })).status).toBe(409);
    const copy = await call('PUT', '/strategies/my_copy', { yaml: bundled.body.yaml, overwrite: false });
    expect(copy.status).toBe(200);
    expect(readFileSync(join(home, 'strategies', 'my_copy.yaml'), 'utf8')).toBe(bundled.body.yaml);
    expect((await call('PUT', '/strategies/my_copy', { yaml: bundled.body.yaml, overwrite: false })).status).toBe(409);
  });

  it('DELETE removes user files only: bundled → 403, paths → 400, unknown → 404', async () => {
    const bundled = await call('DELETE', '/strategies/minimal');
    expect(bundled.status).toBe(403);
    expect(bundled.body.detail).toMatch(/read-only/);
    expect((await call('DELETE', `/strategies/${encodeURIComponent('../minimal')}`)).status).toBe(400);
    expect((await call('DELETE', '/strategies/nope_nothing')).status).toBe(404);
    const ok = await call('DELETE', '/strategies/my_copy');
    expect(ok.status).toBe(200);
    expect(existsSync(join(home, 'strategies', 'my_copy.yaml'))).toBe(false);
    expect((await call('GET', '/strategies/minimal')).status).toBe(200);
  });
});

describe('model registry', () => {
  it('lists settings, data range and best epoch, and marks identical re-runs', async () => {
    fakeModel(1, '2026-01-01T00:00:00Z', { strategy: 's1', data: 'd1', seed: 42 });
    fakeModel(2, '2026-01-02T00:00:00Z', { strategy: 's1', data: 'd1', seed: 42 });
    fakeModel(3, '2026-01-03T00:00:00Z', { strategy: 's1', data: 'd1', seed: 7 });
    const r = await call('GET', '/models?strategy=mine');
    expect(r.status).toBe(200);
    const byId = Object.fromEntries(r.body.models.map((m: any) => [m.model_id, m]));
    expect(byId['mine/1h_v1'].same_as).toBeNull();
    expect(byId['mine/1h_v2'].same_as).toBe('mine/1h_v1');
    expect(byId['mine/1h_v3'].same_as).toBeNull();
    expect(byId['mine/1h_v2']).toMatchObject({ best_epoch: 2, seed: 42, data_range: { start_date: '2018-01-01', end_date: '2018-03-01' }, settings: { epochs: 3, batch_size: 32 } });
  });

  it('saves notes next to the model and deletes one version', async () => {
    const n = await call('PUT', '/models/mine/1h_v1/notes', { notes: 'first try' });
    expect(n.status).toBe(200);
    expect(n.body.model.notes).toBe('first try');
    expect(JSON.parse(readFileSync(join(home, 'models', 'mine', '1h_v1', 'notes.json'), 'utf8')).notes).toBe('first try');
    expect((await call('PUT', '/models/mine/1h_v9/notes', { notes: 'x' })).status).toBe(404);
    expect((await call('DELETE', '/models/mine/1h_latest')).status).toBe(422);
    expect((await call('DELETE', '/models/mine/1h_v3')).status).toBe(200);
    expect(existsSync(join(home, 'models', 'mine', '1h_v3'))).toBe(false);
    expect((await call('GET', '/models/mine/1h_v3')).status).toBe(404);
  });
});

describe('ktrdr models train --strategy PATH', () => {
  const REPO = join(__dirname, '..', '..', '..');
  const cli = (...args: string[]) =>
    new Promise<{ code: number; stdout: string; stderr: string }>((resolve) =>
      execFile(process.execPath, [join(REPO, 'bin', 'ktrdr.js'), ...args], { cwd: home, env: { ...process.env, KTRDR_DEV: '1', KTRDR_API_URL: base } }, (err, stdout, stderr) =>
        resolve({ code: err ? Number((err as { code?: number }).code ?? 1) : 0, stdout, stderr }),
      ),
    );

  it('trains the file given, not a same-named strategy elsewhere, and never overwrites a different one silently', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ktrdr-path-strategy-'));
    const text = readFileSync(join(REPO, 'strategies', 'minimal.yaml'), 'utf8').replace('name: minimal', 'name: from_path').replace(/epochs: \d+/, 'epochs: 2');
    const file = join(dir, 'from_path.yaml');
    writeFileSync(file, text);
    const args = ['models', 'train', '--strategy', file, '--symbols', 'EURUSD', '--timeframes', '1h', '--start-date', '2018-01-01', '--end-date', '2018-03-01'];
    const r = await cli(...args);
    expect(r.stdout + r.stderr).toMatch(/Training started\. Operation ID: op_training_/);
    expect(readFileSync(join(home, 'strategies', 'from_path.yaml'), 'utf8')).toBe(text);
    // A different file with the same stem is refused unless --overwrite-strategy.
    writeFileSync(file, text.replace('epochs: 2', 'epochs: 3'));
    const refused = await cli(...args);
    expect(refused.code).not.toBe(0);
    expect(refused.stderr).toMatch(/--overwrite-strategy/);
    expect(readFileSync(join(home, 'strategies', 'from_path.yaml'), 'utf8')).toBe(text);
    const forced = await cli(...args, '--overwrite-strategy');
    expect(forced.stdout).toMatch(/Training started/);
    expect(readFileSync(join(home, 'strategies', 'from_path.yaml'), 'utf8')).toContain('epochs: 3');
    rmSync(dir, { recursive: true, force: true });
  });
});
