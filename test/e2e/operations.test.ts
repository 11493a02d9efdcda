// The shell and the Operations view in a real browser against a real headless server.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiCall, assertRendererBuilt, browserUnavailableReason, openBrowser, screenshot, startServer, waitFor, type BrowserSession, type Server } from './harness';

const skipReason = browserUnavailableReason();
if (skipReason) console.warn(`[e2e] skipping browser tests: ${skipReason}`);

describe.skipIf(!!skipReason)('shell and operations view (browser)', () => {
  let server: Server;
  let b: BrowserSession;

  beforeAll(async () => {
    assertRendererBuilt();
    server = await startServer();
    b = await openBrowser();
  });

  afterAll(async () => {
    await b?.close();
    await server?.stop();
  });

  it('renders the shell and switches views with clicks and Ctrl+1..5', async () => {
    const { page } = b;
    await page.goto(server.url + '/');
    await page.getByTestId('app-shell').waitFor();
    await page.getByTestId('view-operations').waitFor();
    await page.getByTestId('nav-data').click();
    await page.getByTestId('view-data').waitFor();
    await page.keyboard.press('Control+3');
    await page.getByTestId('view-strategies').waitFor();
    await page.keyboard.press('Control+4');
    await page.getByTestId('view-training').waitFor();
    await page.keyboard.press('Control+5');
    await page.getByTestId('view-backtests').waitFor();
    expect(page.url()).toContain('#/backtests');
    await page.keyboard.press('Control+1');
    await page.getByTestId('view-operations').waitFor();
    await screenshot(page, 'shell');
    expect(b.consoleErrors.filter((e) => !/Failed to load resource/.test(e))).toEqual([]);
  });

  it('shows a running dummy operation with a progress bar, and Cancel turns it cancelled', async () => {
    const { page } = b;
    const started = await apiCall<{ operation_id: string }>(server, 'POST', '/dummy/start', { duration_seconds: 60, iterations: 60 });
    expect(started.status).toBe(200);
    const id = started.body.operation_id;
    await page.getByTestId('ops-refresh').click();
    const row = page.getByTestId(`op-row-${id}`);
    await row.waitFor();
    await waitFor(async () => (await row.getAttribute('data-status')) === 'running', 15_000, 'the row to show running');
    // The bar moves while it runs (the dummy advances ~1 %/s).
    const bar = row.getByTestId('op-progress');
    const first = Number(await bar.getAttribute('aria-valuenow'));
    await waitFor(async () => Number(await bar.getAttribute('aria-valuenow')) > first, 10_000, 'the progress bar to advance');
    await row.click();
    await page.getByTestId('op-detail').waitFor();
    await waitFor(async () => (await page.getByTestId('detail-step').textContent())!.startsWith('Iteration'), 10_000, 'the current step');
    await screenshot(page, 'operations-running');

    await row.getByTestId('cancel-op').click();
    await waitFor(async () => (await row.getAttribute('data-status')) === 'cancelled', 15_000, 'the row to show cancelled');
    expect(await page.getByTestId('detail-status').getAttribute('data-status')).toBe('cancelled');
    const after = await apiCall<{ data: { status: string } }>(server, 'GET', `/operations/${id}`);
    expect(after.body.data.status).toBe('cancelled');
    await screenshot(page, 'operations-cancelled');
  });

  it('polls ~1 request per second per running operation and makes none once all are terminal', async () => {
    const { page } = b;
    await page.goto(server.url + '/#/operations');
    await page.getByTestId('view-operations').waitFor();
    const started = await apiCall<{ operation_id: string }>(server, 'POST', '/dummy/start', { duration_seconds: 8, iterations: 16 });
    const id = started.body.operation_id;
    await page.getByTestId('ops-refresh').click();
    const row = page.getByTestId(`op-row-${id}`);
    await row.waitFor();

    const opsRequests = () => b.requests.filter((r) => r.url.includes('/api/v1/operations'));
    // Measure over a window while it runs.
    await waitFor(async () => (await row.getAttribute('data-status')) === 'running', 10_000, 'running');
    const t0 = Date.now();
    const n0 = opsRequests().length;
    await page.waitForTimeout(4000);
    const perSecond = (opsRequests().length - n0) / ((Date.now() - t0) / 1000);
    expect(perSecond).toBeGreaterThan(0.5); // it does poll
    expect(perSecond).toBeLessThanOrEqual(1.5); // ~1/s for one running op

    await waitFor(async () => (await row.getAttribute('data-status')) === 'completed', 20_000, 'completed');
    await page.waitForTimeout(1500); // let a last in-flight tick land
    const settled = opsRequests().length;
    await page.waitForTimeout(3500);
    expect(opsRequests().length - settled).toBe(0);
    await screenshot(page, 'operations-idle');
    console.log(`[e2e] polling rate with one running op: ${perSecond.toFixed(2)} requests/s; after terminal: 0 in 3.5 s`);
  });
});
