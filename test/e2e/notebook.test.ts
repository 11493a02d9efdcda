// The desktop as a research notebook, in a real browser: copy a bundled strategy with Save as, edit and
// save it, train it from the editor, find it in the Models view with its settings, backtest it from
// there (benchmark and readable metrics), open the result from Operations, compare two runs; then
// every view at 1024×700 with no overlapping controls (checked by element boxes).
// Screenshots: test-output/screenshots/notebook-*.png.
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiCall, assertRendererBuilt, browserUnavailableReason, editorText, endpointExists, openBrowser, setEditorText, REPO, startServer, waitFor, type BrowserSession, type Server } from './harness';

const skipReason = browserUnavailableReason();
if (skipReason) console.warn(`[e2e] skipping notebook flows: ${skipReason}`);

const SHOTS = join(REPO, 'test-output', 'screenshots');
async function shot(page: Page, name: string) {
  mkdirSync(SHOTS, { recursive: true });
  await page.screenshot({ path: join(SHOTS, `notebook-${name}.png`) });
}


async function waitEnded(page: Page, timeout: number) {
  const live = page.getByTestId('op-live');
  await waitFor(async () => ['completed', 'failed', 'cancelled'].includes((await live.getAttribute('data-status').catch(() => null)) ?? ''), timeout, 'the operation to end');
  expect(`${await live.getAttribute('data-status')} ${await live.textContent()}`).toMatch(/^completed/);
}

/**
 * Visible controls whose boxes overlap each other, or that stick out of the window. Controls inside
 * the code editor and charts are their own widgets and are left out.
 */
async function layoutProblems(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const sel = 'button, input, select, textarea, summary, h1, h2';
    const els = [...document.querySelectorAll<HTMLElement>(sel)].filter((e) => {
      if (e.closest('.cm-editor, .uplot, .sr-only, .detail')) return false;
      const r = e.getBoundingClientRect();
      const style = getComputedStyle(e);
      return r.width > 0 && r.height > 0 && style.visibility !== 'hidden' && style.display !== 'none';
    });
    const name = (e: HTMLElement) => `${e.tagName.toLowerCase()}[${e.dataset.testid ?? e.id ?? ''}] "${(e.textContent ?? '').trim().slice(0, 24)}"`;
    const out: string[] = [];
    const W = window.innerWidth;
    const boxes = els.map((e) => ({ e, r: e.getBoundingClientRect() }));
    for (const { e, r } of boxes) {
      // Inside a horizontally scrolled table the control is reachable by scrolling that table only if it is not clipped by the window.
      if (r.right > W + 1) out.push(`${name(e)} sticks out of the window (right ${Math.round(r.right)} > ${W})`);
    }
    for (let i = 0; i < boxes.length; i++)
      for (let j = i + 1; j < boxes.length; j++) {
        const a = boxes[i];
        const b = boxes[j];
        if (a.e.contains(b.e) || b.e.contains(a.e)) continue;
        const w = Math.min(a.r.right, b.r.right) - Math.max(a.r.left, b.r.left);
        const h = Math.min(a.r.bottom, b.r.bottom) - Math.max(a.r.top, b.r.top);
        if (w > 1 && h > 1) out.push(`${name(a.e)} overlaps ${name(b.e)} (${Math.round(w)}×${Math.round(h)} px)`);
      }
    return out;
  });
}

/** Hourly bars (a made-up symbol) — imported as 1d they must be refused. */
function hourlyCsv(n: number): string {
  const rows = ['timestamp,open,high,low,close,volume'];
  for (let i = 0; i < n; i++) {
    const t = new Date(Date.UTC(2024, 0, 2) + i * 3_600_000).toISOString().replace('.000Z', 'Z');
    const p = 100 + Math.sin(i / 5);
    rows.push(`${t},${p.toFixed(3)},${(p + 0.5).toFixed(3)},${(p - 0.5).toFixed(3)},${(p + 0.1).toFixed(3)},${100 + i}`);
  }
  return rows.join('\n') + '\n';
}

/** Daily bars with three bad rows (lines 4, 7 and 9 of the file). */
function badRowsCsv(): string {
  const rows = ['timestamp,open,high,low,close,volume'];
  for (let i = 0; i < 12; i++) {
    const d = new Date(Date.UTC(2024, 0, 1) + i * 86_400_000).toISOString().slice(0, 10);
    rows.push(`${d},10,11,9,10.5,1000`);
  }
  rows[3] = rows[3].replace('10.5', 'abc');
  rows[6] = rows[6].replace(',11,9,', ',8,12,');
  rows[8] = rows[8].split(',').slice(0, 3).join(',');
  return rows.join('\n') + '\n';
}

describe.skipIf(!!skipReason)('research notebook (browser)', () => {
  let server: Server;
  let b: BrowserSession;
  const trainings: string[] = [];
  let backtestId = '';

  beforeAll(async () => {
    assertRendererBuilt();
    server = await startServer();
    b = await openBrowser();
  });

  afterAll(async () => {
    await b?.close();
    await server?.stop();
  });

  it('Save as copies a bundled strategy; edits show in the header, the diff and on disk after Save; switching asks first', async () => {
    const { page } = b;
    await page.goto(`${server.url}/#/strategies`);
    await page.getByTestId('strategy-minimal').click();
    await waitFor(async () => (await editorText(page)).includes('indicators'), 10_000, 'the YAML');
    // Bundled: Save and Delete are off, Save as copies.
    expect(await page.getByTestId('strategy-save').isDisabled()).toBe(true);
    expect(await page.getByTestId('strategy-delete').isDisabled()).toBe(true);
    // Save as asks in an in-app dialog (Electron has no window.prompt); the copy's name: is its file's.
    await page.getByTestId('strategy-save-as').click();
    await page.getByTestId('name-dialog-input').fill('nb_test');
    await page.getByTestId('name-dialog-ok').click();
    await page.locator('[data-testid="strategy-nb_test"][aria-current="true"]').waitFor({ timeout: 10_000 });
    await waitFor(async () => (await editorText(page)).includes('name: nb_test'), 10_000, 'the copy loaded');
    expect(await page.getByTestId('strategy-save').isDisabled()).toBe(true); // nothing to save yet

    // Edit: the header follows the YAML's name at once; the diff shows the change.
    const edited = (await editorText(page)).replace('name: nb_test', 'name: nb_renamed').replace(/epochs: \d+/, 'epochs: 3');
    await setEditorText(page, edited);
    await waitFor(async () => ((await page.getByTestId('strategy-title').textContent()) ?? '').startsWith('nb_renamed'), 5_000, 'the header to follow the YAML name');
    await page.getByTestId('strategy-dirty').waitFor();
    await page.getByTestId('strategy-diff').click();
    await page.locator('[data-testid="yaml-diff"] .cm-mergeView').waitFor();
    await shot(page, 'strategy-diff');
    await page.getByTestId('strategy-diff').click();

    // Switching strategy with unsaved edits asks; dismissing keeps the edits.
    page.once('dialog', (d) => void d.dismiss());
    await page.getByTestId('strategy-minimal').click();
    expect(await page.locator('[data-testid="strategy-nb_test"][aria-current="true"]').count()).toBe(1);
    expect(await editorText(page)).toBe(edited);

    await page.getByTestId('strategy-save').click();
    await waitFor(async () => (await page.getByTestId('strategy-dirty').count()) === 0, 10_000, 'the save');
    expect(readFileSync(join(server.home, 'strategies', 'nb_test.yaml'), 'utf8')).toBe(edited);
    expect(await page.getByTestId('strategy-note').textContent()).toContain('Saved nb_test.yaml');
    // Fuzzy sets are plotted over the indicator's real range on the strategy's own series.
    await page.locator('[data-testid="membership-rsi_momentum"] canvas').first().waitFor({ timeout: 15_000 });
    await waitFor(async () => /observed \d+\.\d\d … \d+\.\d\d/.test((await page.getByTestId('membership-rsi_momentum').textContent()) ?? ''), 15_000, 'the observed indicator range');
    await page.getByTestId('indicator-help').waitFor();
    await shot(page, 'strategy-saved');
  });

  it('trains the saved strategy from the editor; the best epoch is marked on the curves', async () => {
    const { page } = b;
    await page.getByTestId('strategy-train-start').fill('2018-01-01');
    await page.getByTestId('strategy-train-end').fill('2018-03-01');
    await page.getByTestId('strategy-train').click();
    await page.getByTestId('view-training').waitFor({ timeout: 10_000 });
    await waitEnded(page, 180_000);
    trainings.push((await page.getByTestId('recent-training').inputValue()) || '');
    await waitFor(async () => Number(await page.getByTestId('training-charts').getAttribute('data-best-epoch')) >= 1, 15_000, 'the best epoch mark');
    expect(await page.getByLabel(/best epoch \d+ \(saved model\)/).count()).toBeGreaterThan(0);
    // Readable metric names, units and the baseline.
    await page.getByTestId('test-metrics').waitFor();
    expect(await page.locator('[data-testid="test-metrics"] tr[data-key="test_accuracy"] th').textContent()).toBe('Test accuracy');
    expect(await page.locator('[data-testid="test-metrics"] tr[data-key="test_accuracy"] td').textContent()).toMatch(/^\d+\.\d\d%$/);
    expect(await page.locator('[data-testid="baseline-verdict"] li').count()).toBeGreaterThan(0);
    await shot(page, 'trained-from-editor');
  });

  it('lists the model with its settings in the Models view, keeps notes, and backtests it from there', async () => {
    const { page } = b;
    await page.getByTestId('nav-models').click();
    await page.getByTestId('models-strategy').selectOption('nb_test');
    const card = page.getByTestId('model-nb_test/1h_v1');
    await card.waitFor({ timeout: 10_000 });
    expect(await card.getByTestId('model-settings').textContent()).toContain('epochs ≤ 3');
    expect(await card.getByTestId('model-data').textContent()).toMatch(/EURUSD 1h · 2018-01-01 → 2018-03-01/);
    await card.getByTestId('model-notes').fill('first run, 3 epochs');
    await card.getByTestId('model-notes-save').click();
    const notesFile = join(server.home, 'models', 'nb_test', '1h_v1', 'notes.json');
    await waitFor(() => existsSync(notesFile) && JSON.parse(readFileSync(notesFile, 'utf8')).notes === 'first run, 3 epochs', 10_000, 'notes.json');
    await shot(page, 'models');

    await card.getByTestId('model-backtest').click();
    await page.getByTestId('view-backtests').waitFor();
    // The model picker holds only this strategy's models and the model sets the timeframe.
    expect(await page.getByTestId('bt-model_path').inputValue()).toBe('models/nb_test/1h_v1');
    expect(await page.getByTestId('bt-timeframe').inputValue()).toBe('1h');
    const options = await page.getByTestId('bt-model_path').locator('option').allTextContents();
    expect(options.filter((o) => o.startsWith('minimal'))).toEqual([]);
    await page.getByTestId('bt-start_date').fill('2018-03-01');
    await page.getByTestId('bt-end_date').fill('2018-06-30');
    await page.getByTestId('bt-submit').click();
    await waitEnded(page, 120_000);
    backtestId = (await page.getByTestId('recent-backtesting').inputValue()) || '';
    // The benchmark and readable metrics: labels from the catalogue, units, one holding-time row.
    await page.locator('[data-testid="bt-metrics"] tr[data-key="total_return_pct"]').waitFor({ timeout: 15_000 });
    expect(await page.locator('[data-testid="bt-metrics"] tr[data-key="total_return_pct"] th').textContent()).toBe('Total return %');
    expect(await page.locator('[data-testid="bt-metrics"] tr[data-key="total_return_pct"] th').getAttribute('title')).toMatch(/Final equity/);
    expect(await page.locator('[data-testid="bt-metrics"] tr[data-key="avg_holding_period"]').count()).toBe(0);
    expect(await page.locator('[data-testid="bt-benchmarks"] tr[data-key="total_return_pct"] td').last().textContent()).toMatch(/^-?\d+\.\d\d ?%$/);
    expect(await page.locator('[data-testid="bt-settings"] tr[data-key="position_size"] td').textContent()).toMatch(/%$/);
    // The trade count never contradicts the equity: heading, table and metrics agree, and a run
    // without trades ends at its capital (the other columns of the benchmark table are buy & hold).
    await page.getByTestId('bt-trades-loading').waitFor({ state: 'detached', timeout: 15_000 });
    const tradeCount = Number(/^Trades \((\d+)\)$/.exec((await page.getByTestId('bt-trades-heading').textContent()) ?? '')?.[1]);
    expect(String(tradeCount)).toBe((await page.locator('[data-testid="bt-metrics"] tr[data-key="total_trades"] td').textContent())?.replace(/,/g, ''));
    expect(await page.locator('[data-testid="trades-table"] tbody tr').count()).toBe(tradeCount);
    if (tradeCount === 0) expect(await page.locator('[data-testid="bt-benchmarks"] tr[data-key="final_equity"] td').first().textContent()).toMatch(/^100,000\.00 [A-Z]{3}$/);
    // The crosshair legend reads the bar under the cursor: ISO time, OHLC and volume.
    const plot = page.locator('[data-testid="bt-candles"] .u-over');
    await plot.waitFor({ timeout: 15_000 });
    await plot.scrollIntoViewIfNeeded();
    await plot.hover();
    const pb = (await plot.boundingBox())!;
    await page.mouse.move(pb.x + pb.width / 2 + 5, pb.y + pb.height / 2);
    await waitFor(async () => /^\d{4}-\d\d-\d\d \d\d:\d\d {2}O [\d.]+ H [\d.]+ L [\d.]+ C [\d.]+/.test((await page.getByTestId('bt-candles-readout').textContent()) ?? ''), 5_000, 'the crosshair readout');
    // Indicator overlays are picked from the strategy's indicators and read out at the crosshair.
    // The values arrive late on purpose (after the cursor has come to rest): the readout must
    // still pick them up without another mouse move.
    let releaseOverlay: () => void = () => {};
    const overlayHeld = new Promise<void>((r) => (releaseOverlay = r));
    await page.route('**/indicators/calculate**', async (route) => {
      await overlayHeld;
      await route.continue();
    });
    await page.getByTestId('bt-overlay-rsi_14').check();
    await plot.hover({ position: { x: pb.width / 2 + 25, y: pb.height / 2 } });
    await waitFor(async () => /^\d{4}-\d\d-\d\d \d\d:\d\d /.test((await page.getByTestId('bt-candles-readout').textContent()) ?? ''), 5_000, 'the readout at rest');
    expect(await page.getByTestId('bt-candles-readout').textContent()).not.toContain('rsi_14');
    releaseOverlay();
    await waitFor(async () => /rsi_14 \d/.test((await page.getByTestId('bt-candles-readout').textContent()) ?? ''), 10_000, 'the RSI value in the readout');
    await page.unroute('**/indicators/calculate**');
    await shot(page, 'backtest-from-model');
  });

  it('recognises an identical re-run, opens a result from Operations, and compares two runs', async () => {
    const { page } = b;
    // The same strategy, data and seed again.
    await page.getByTestId('nav-strategies').click();
    await page.getByTestId('strategy-nb_test').click();
    await waitFor(async () => (await editorText(page)).includes('name: nb_renamed'), 10_000, 'the YAML');
    await page.getByTestId('strategy-train-start').fill('2018-01-01');
    await page.getByTestId('strategy-train-end').fill('2018-03-01');
    await page.getByTestId('strategy-train').click();
    await page.getByTestId('view-training').waitFor();
    await waitEnded(page, 180_000);
    trainings.push((await page.getByTestId('recent-training').inputValue()) || '');
    await page.getByTestId('nav-models').click();
    await page.getByTestId('models-strategy').selectOption('nb_test');
    await page.getByTestId('model-nb_test/1h_v2').getByTestId('model-same-as').waitFor({ timeout: 10_000 });
    expect(await page.getByTestId('model-nb_test/1h_v2').getByTestId('model-same-as').textContent()).toContain('nb_test/1h_v1');

    // Operations: the run column names the strategy; one click opens the backtest's result.
    await page.getByTestId('nav-operations').click();
    const btRow = page.getByTestId(`op-row-${backtestId}`);
    await btRow.waitFor({ timeout: 10_000 });
    expect(await btRow.getByTestId('op-run').textContent()).toContain('nb_test');
    await btRow.getByTestId('op-open').click();
    await page.getByTestId('view-backtests').waitFor();
    await page.locator('[data-testid="bt-metrics"] tr[data-key="total_return"]').waitFor({ timeout: 15_000 });

    // Compare the two trainings side by side.
    await page.getByTestId('nav-operations').click();
    for (const id of trainings) await page.getByTestId(`op-row-${id}`).getByTestId('op-compare').check();
    await page.getByTestId('ops-compare').click();
    const cmp = page.getByTestId('run-comparison');
    await cmp.locator('[data-testid="comparison-metrics"] tr[data-key="test_accuracy"]').waitFor({ timeout: 15_000 });
    expect(await cmp.getByTestId('comparison-settings').textContent()).toContain('nb_test');
    await cmp.locator('[data-testid="comparison-curves"] canvas').first().waitFor({ timeout: 15_000 });
    // Identical re-runs: the same test accuracy on both sides.
    const cells = await cmp.locator('[data-testid="comparison-metrics"] tr[data-key="test_accuracy"] td').allTextContents();
    expect(cells[0]).toBe(cells[1]);
    await shot(page, 'compare-trainings');
    // The HTTP API lists both trainings with their strategy (CLI and Recent lists read the same).
    const list = await apiCall(server, 'GET', '/operations?operation_type=training');
    expect(list.status).toBe(200);
  });

  it('every view at 1024×700: no overlapping controls, nothing outside the window', async () => {
    const { page } = b;
    await page.setViewportSize({ width: 1024, height: 700 });
    const problems: Record<string, string[]> = {};
    for (const v of ['operations', 'data', 'strategies', 'models', 'training', 'backtests']) {
      await page.getByTestId(`nav-${v}`).click();
      await page.getByTestId(`view-${v}`).waitFor();
      await page.waitForTimeout(500);
      const p = await layoutProblems(page);
      if (p.length) problems[v] = p;
      await shot(page, `1024-${v}`);
    }
    // The operation details open as a drawer over the list; its own controls do not overlap.
    await page.getByTestId('nav-operations').click();
    await page.getByTestId(`op-row-${backtestId}`).click();
    const drawer = page.getByTestId('op-detail');
    await drawer.waitFor();
    const box = await drawer.boundingBox();
    expect(box!.x + box!.width).toBeLessThanOrEqual(1024 + 1);
    expect(box!.height).toBeLessThanOrEqual(700 + 1);
    await shot(page, '1024-operations-drawer');
    expect(problems).toEqual({});
    // The page has its own icon: no request for /favicon.ico (which answered 404).
    expect(b.requests.filter((r) => r.url.endsWith('/favicon.ico'))).toEqual([]);
  });

  it('import: a wrong timeframe and bad rows are refused with their reasons; nothing is stored until confirmed', async (ctx) => {
    const { page } = b;
    await page.getByTestId('nav-data').click();
    await page.getByTestId('view-data').waitFor();
    await page.getByTestId('csv-file').setInputFiles({ name: 'NBHOUR.csv', mimeType: 'text/csv', buffer: Buffer.from(hourlyCsv(48)) });
    await page.getByTestId('csv-symbol').fill('NBHOUR');
    await page.getByTestId('csv-timeframe').selectOption('1d');
    await page.getByTestId('csv-timezone').fill('UTC');
    await page.getByTestId('csv-preview').click();
    if (!(await endpointExists(server, 'POST', '/data/import/preview', { symbol: 'X', timeframe: '1d', csv: 'timestamp,close\n' }))) {
      // This server predates the safe-import backend: the form says so instead of failing.
      await page.getByTestId('csv-preview-note').waitFor();
      expect(await page.getByTestId('csv-preview-note').textContent()).toMatch(/no import preview/);
      await shot(page, 'import-no-preview');
      console.warn('[e2e] import refusals not checked: POST /data/import/preview is not on this server yet (the reliability branch adds it); the UI degrades with a message, checked above');
      ctx.skip();
      return;
    }
    await page.getByTestId('csv-preview-result').waitFor();
    expect(await page.getByTestId('csv-inferred-timeframe').textContent()).toBe('1h');
    await page.getByTestId('csv-timeframe-mismatch').waitFor();
    await page.getByTestId('csv-submit').click();
    await page.locator('[data-testid="csv-refusal-problems"] li[data-kind="timeframe"]').waitFor({ timeout: 10_000 });
    expect(await page.getByTestId('csv-fix').textContent()).toBe('Import as 1h');
    const info = await apiCall(server, 'GET', '/data/info');
    expect(JSON.stringify(info.body)).not.toContain('NBHOUR');
    await shot(page, 'import-wrong-timeframe');

    await page.getByTestId('csv-file').setInputFiles({ name: 'NBBAD.csv', mimeType: 'text/csv', buffer: Buffer.from(badRowsCsv()) });
    await page.getByTestId('csv-symbol').fill('NBBAD');
    await page.getByTestId('csv-timeframe').selectOption('1d');
    await page.getByTestId('csv-submit').click();
    await page.locator('[data-testid="csv-refusal-problems"] li[data-kind="rejected_rows"]').waitFor({ timeout: 10_000 });
    const reasons = await page.getByTestId('csv-rejected').locator('li').allTextContents();
    expect(reasons.length).toBe(3);
    for (const r of reasons) expect(r).toMatch(/^line \d+: \S/);
    expect(JSON.stringify((await apiCall(server, 'GET', '/data/info')).body)).not.toContain('NBBAD');
    await shot(page, 'import-bad-rows');
    await page.getByTestId('csv-fix').click();
    await waitFor(async () => /Imported/.test((await page.getByTestId('csv-message').textContent()) ?? ''), 10_000, 'the valid rows imported');
    expect(JSON.stringify((await apiCall(server, 'GET', '/data/info')).body)).toContain('NBBAD');
  });
});
