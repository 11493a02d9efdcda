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

  it('renders the shell and switches views with clicks and Ctrl+1..6', async () => {
    const { page } = b;
    await page.goto(server.url + '/');
    await page.getByTestId('app-shell').waitFor();
    await page.getByTestId('view-operations').waitFor();
    await page.getByTestId('nav-data').click();
    await page.getByTestId('view-data').waitFor();
    await page.keyboard.press('Control+3');
    await page.getByTestId('view-strategies').waitFor();
    await page.keyboard.press('Control+4');
    await page.getByTestId('view-models').waitFor();
    await page.keyboard.press('Control+5');
    await page.getByTestId('view-training').waitFor();
    await page.keyboard.press('Control+6');
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
    // The id column shows the short id (the table fits its window, issue 27); the full one is its tooltip.
    expect(await row.getByTestId('op-id').textContent()).toBe(`…${id.slice(-8)}`);
    await row.click();
    await page.getByTestId('op-detail').waitFor();
    // Beside the detail pane the id column shows a short id; the full one is its tooltip.
    expect(await row.getByTestId('op-id').getAttribute('title')).toBe(id);
    expect((await row.getByTestId('op-id').textContent())!.length).toBeLessThan(id.length);
    await waitFor(async () => (await page.getByTestId('detail-step').textContent())!.startsWith('Iteration'), 10_000, 'the current step');
    // The metrics chart says what it plots: the dummy's value over its iteration, in a legend.
    await page.locator('[data-testid="op-metrics-chart"] .u-legend').waitFor();
    const legend = await page.locator('[data-testid="op-metrics-chart"] .u-legend').textContent();
    expect(legend).toContain('iteration');
    expect(legend).toContain('value');
    // With the detail pane open the table fits its column (Elapsed/ETA and Cancel are not clipped).
    const fit = await page.evaluate(() => {
      const wrap = document.querySelector('.table-wrap') as HTMLElement;
      return { scroll: wrap.scrollWidth, client: wrap.clientWidth };
    });
    expect(fit.scroll).toBeLessThanOrEqual(fit.client);
    await screenshot(page, 'operations-running');

    await row.getByTestId('cancel-op').click();
    await waitFor(async () => (await row.getAttribute('data-status')) === 'cancelled', 15_000, 'the row to show cancelled');
    expect(await page.getByTestId('detail-status').getAttribute('data-status')).toBe('cancelled');
    const after = await apiCall<{ data: { status: string } }>(server, 'GET', `/operations/${id}`);
    expect(after.body.data.status).toBe('cancelled');
    await screenshot(page, 'operations-cancelled');

    // Escape closes the detail pane and gives the focus back to the row; the × button does too.
    await page.keyboard.press('Escape');
    await waitFor(async () => (await page.getByTestId('op-detail').count()) === 0, 5_000, 'the detail pane to close on Escape');
    expect(await row.evaluate((el) => el === document.activeElement)).toBe(true);
    await page.keyboard.press('Enter');
    await page.getByTestId('op-detail').waitFor();
    await page.getByRole('button', { name: 'Close details' }).click();
    await waitFor(async () => (await page.getByTestId('op-detail').count()) === 0, 5_000, 'the detail pane to close on ×');
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
    // At once (no transition left running): a completed operation shows a full bar, labelled 100.0%.
    const bar = row.getByTestId('op-progress');
    expect(await bar.getAttribute('data-value')).toBe('100.0');
    const [track, fill] = await Promise.all([bar.boundingBox(), row.getByTestId('op-progress-fill').boundingBox()]);
    expect(Math.abs(track!.width - fill!.width)).toBeLessThanOrEqual(1);
    await page.waitForTimeout(1500); // let a last in-flight tick land
    const settled = opsRequests().length;
    await page.waitForTimeout(3500);
    expect(opsRequests().length - settled).toBe(0);
    await screenshot(page, 'operations-idle');
    console.log(`[e2e] polling rate with one running op: ${perSecond.toFixed(2)} requests/s; after terminal: 0 in 3.5 s`);
  });
});
