// The Resume button in a real browser: a cancelled training with a checkpoint offers "Resume from
// epoch N" in the Operations view's detail; clicking it runs the training again under its id.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiCall, assertRendererBuilt, browserUnavailableReason, openBrowser, REPO, screenshot, startServer, waitFor, type BrowserSession, type Server } from './harness';

const skipReason = browserUnavailableReason();
if (skipReason) console.warn(`[e2e] skipping browser tests: ${skipReason}`);

describe.skipIf(!!skipReason)('resume a training (browser)', () => {
  let server: Server;
  let b: BrowserSession;

  beforeAll(async () => {
    assertRendererBuilt();
    server = await startServer({ KTRDR_TF_BACKEND: 'wasm' });
    b = await openBrowser();
  });

  afterAll(async () => {
    await b?.close();
    await server?.stop();
  });

  it('a cancelled training shows "Resume from epoch N"; clicking it runs the training again', async () => {
    // A long run (no early stopping) so that it is still training when cancelled, then when resumed.
    const yaml = readFileSync(join(REPO, 'strategies', 'neuro_mean_reversion.yaml'), 'utf8')
      .replace(/^name: .*$/m, 'name: e2e_resume')
      .replace('epochs: 30', 'epochs: 3000')
      .replace(/ {2}early_stopping:\n {4}patience: 8\n {4}min_delta: 0.0005\n/, '');
    expect((await apiCall(server, 'PUT', '/strategies/e2e_resume', { yaml })).status).toBe(200);
    const t = await apiCall<{ task_id: string }>(server, 'POST', '/trainings/start', { strategy_name: 'e2e_resume', symbols: ['EURUSD'], timeframes: ['1d'], start_date: '2010-01-01', end_date: '2019-12-31', checkpoints: { every_epochs: 1 } });
    expect(t.status).toBe(200);
    const id = t.body.task_id;
    await waitFor(async () => (await apiCall<{ new_cursor: number }>(server, 'GET', `/operations/${id}/metrics`)).body.new_cursor >= 3, 60_000, 'three epochs');
    await apiCall(server, 'DELETE', `/operations/${id}`, { reason: 'e2e' });

    const { page } = b;
    await page.goto(`${server.url}/#/operations`);
    await page.getByTestId('ops-refresh').click();
    const row = page.getByTestId(`op-row-${id}`);
    await row.waitFor();
    await row.click();
    const resume = page.getByTestId('detail-resume');
    await resume.waitFor({ timeout: 20_000 }); // appears once the cancelled worker has written its checkpoint
    expect(await resume.textContent()).toMatch(/^Resume from epoch \d+ of 3000/);
    await screenshot(page, 'resume-button');
    await resume.click();
    await waitFor(async () => (await page.getByTestId('detail-status').textContent())?.toLowerCase().includes('running') ?? false, 20_000, 'the training to run again');
    expect(await page.getByTestId('detail-resume').count()).toBe(0);
    const op = (await apiCall<{ data: { status: string; metadata: { resumed_from?: { checkpoint_type: string } } } }>(server, 'GET', `/operations/${id}`)).body.data;
    expect(op.status).toBe('running');
    expect(op.metadata.resumed_from?.checkpoint_type).toBe('cancellation');
    await apiCall(server, 'DELETE', `/operations/${id}`, { reason: 'e2e done' });
    expect(b.consoleErrors.filter((e) => !/Failed to load resource/.test(e))).toEqual([]);
  }, 120_000);
});
