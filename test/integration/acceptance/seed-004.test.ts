// Seed 004 ("local training with pull-based operations") in substance, under DESIGN.md §4's wire
// contract (envelopes, lower-case statuses): the legacy test_e2e.yaml trains as written through the
// CLI, progress grows, metrics come by cursor without duplicates, and the completed operation has
// results and a model on disk. (AAPL 1d in the bundled sample ends 2021-03-31, so the dates move.)
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { http, REPO, sleep, startServer, type TestServer } from '../../helpers/server';

describe('seed 004: legacy strategy through the CLI, pulled by cursor', () => {
  let s: TestServer;
  beforeAll(async () => {
    s = await startServer({ built: true });
  });
  afterAll(async () => {
    await s?.stop();
  });

  it('scenarios 1-4 and 6 on test_e2e.yaml (indicators as a list, an LSTM, validation_split)', async () => {
    const cli = spawnSync(
      process.execPath,
      [join(REPO, 'bin', 'ktrdr.js'), '--url', s.url, 'models', 'train', '--strategy', 'strategies/test_e2e.yaml', '--symbols', 'AAPL', '--timeframes', '1d', '--start-date', '2016-01-01', '--end-date', '2021-03-31'],
      { encoding: 'utf8', cwd: REPO },
    );
    expect(cli.status, cli.stderr).toBe(0);
    const id = /Training started\. Operation ID: (op_training_\S+)/.exec(cli.stdout)?.[1];
    expect(id, cli.stdout).toBeDefined();

    const first = (await http('GET', `${s.api}/operations/${id}`)).body.data;
    expect(first).toMatchObject({ operation_type: 'training', metadata: { parameters: expect.objectContaining({ symbols: ['AAPL'], timeframes: ['1d'] }) } });
    expect(['pending', 'running']).toContain(first.status);

    const percentages: number[] = [];
    const seenEpochs: number[] = [];
    let cursor = 0;
    for (;;) {
      const op = (await http('GET', `${s.api}/operations/${id}`)).body.data;
      percentages.push(op.progress.percentage);
      const m = (await http('GET', `${s.api}/operations/${id}/metrics?cursor=${cursor}`)).body;
      for (const rec of m.metrics) seenEpochs.push(rec.epoch);
      cursor = m.new_cursor;
      if (op.status !== 'running' && op.status !== 'pending') {
        expect(op.status, op.error_message).toBe('completed');
        expect(op.progress.percentage).toBe(100);
        break;
      }
      await sleep(500);
    }
    for (let i = 1; i < percentages.length; i++) expect(percentages[i]).toBeGreaterThanOrEqual(percentages[i - 1]);
    expect(seenEpochs.length).toBeGreaterThan(1);
    expect(seenEpochs).toEqual(seenEpochs.map((_, i) => i + 1)); // 1, 2, 3, … no gap, no duplicate
    const all = (await http('GET', `${s.api}/operations/${id}/metrics?cursor=0`)).body;
    expect(all.new_cursor).toBe(seenEpochs.length);
    expect(Object.keys(all.metrics[0]).sort()).toEqual(expect.arrayContaining(['epoch', 'train_loss', 'train_accuracy', 'val_loss', 'val_accuracy', 'learning_rate', 'duration', 'timestamp']));

    const results = (await http('GET', `${s.api}/operations/${id}/results`)).body.results;
    expect(results.model_path).toBe('models/test_e2e/1d_v1');
    expect(results.model_info.architecture).toMatch(/^lstm/);
    expect(existsSync(join(s.home, results.model_path, 'metadata.json'))).toBe(true);
    const op = (await http('GET', `${s.api}/operations/${id}`)).body.data;
    expect(op.warnings.join(' ')).toMatch(/Legacy \(v1\) strategy migrated/);
  });
});
