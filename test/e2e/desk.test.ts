// The research desk in a real Chromium (issue 27), one test per desktop item:
//   first launch (bundled data, sample strategies, train → backtest) and the tearsheet; the system's
//   light/dark preference; in-app dialogs for New / Save as / Duplicate (a copy's name: follows its
//   file); lint as you type and a readable lint tooltip in the dark theme; training splits, the
//   empty split's cause and the baseline box; the strategy choice replacing symbols/timeframes; the
//   cancel note in a browser; import refusals; keyboard legend/crosshair/definitions/zoom; experiment
//   children under their parent with results and Open; synthetic marks; and every view at 1024×700
//   and 1440×900 in both themes without overlap (bounding boxes). Screenshots: test-output/e2e/screens
//   (and docs/screens with KTRDR_SAVE_SCREENS=1).
import { copyFileSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  apiCall,
  assertRendererBuilt,
  browserUnavailableReason,
  editorText,
  openBrowser,
  OUTPUT_DIR,
  REPO,
  runToEnd,
  setEditorText,
  startServer,
  waitFor,
  waitOperationEnd,
  type BrowserSession,
  type Server,
} from './harness';
import { layoutReport } from './layout';

const skipReason = browserUnavailableReason();
if (skipReason) console.warn(`[e2e] skipping the desk tests: ${skipReason}`);

const SHOTS = join(OUTPUT_DIR, 'screens');
const DOCS = join(REPO, 'docs', 'screens');
const saveScreens = process.env.KTRDR_SAVE_SCREENS === '1';

/** The status an operation's live panel shows, once it has ended. */
async function waitLiveEnded(page: Page, timeout: number): Promise<string> {
  const live = page.getByTestId('op-live').first();
  await waitFor(async () => ['completed', 'failed', 'cancelled'].includes((await live.getAttribute('data-status').catch(() => null)) ?? ''), timeout, 'the operation to end');
  return (await live.getAttribute('data-status')) ?? '';
}

/** WCAG contrast ratio of an element's text against the first opaque background behind it. */
async function contrast(page: Page, selector: string): Promise<number> {
  return page.locator(selector).first().evaluate((el) => {
    const rgb = (c: string) => (c.match(/[\d.]+/g) ?? []).map(Number);
    const lum = ([r, g, b]: number[]) => {
      const f = (v: number) => ((v /= 255) <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4);
      return 0.2126 * f(r) + 0.7152 * f(g) + 0.0722 * f(b);
    };
    let bg: number[] = [255, 255, 255];
    for (let e: Element | null = el; e; e = e.parentElement) {
      const c = rgb(getComputedStyle(e).backgroundColor);
      if (c.length >= 3 && (c.length < 4 || c[3] > 0.9)) {
        bg = c;
        break;
      }
    }
    const fg = lum(rgb(getComputedStyle(el).color));
    const b = lum(bg);
    return (Math.max(fg, b) + 0.05) / (Math.min(fg, b) + 0.05);
  });
}

async function setTheme(page: Page, theme: 'light' | 'dark'): Promise<void> {
  if ((await page.getByTestId('theme-toggle').getAttribute('data-theme')) !== theme) await page.getByTestId('theme-toggle').click();
  await waitFor(async () => (await page.evaluate(() => document.documentElement.dataset.theme)) === theme, 5000, `the ${theme} theme`);
}

describe.skipIf(!!skipReason)('first launch (browser)', () => {
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

  it('follows the system light/dark preference until a theme is chosen', async () => {
    const { page } = b;
    await page.emulateMedia({ colorScheme: 'dark' });
    await page.goto(`${server.url}/#/operations`);
    await page.getByTestId('view-operations').waitFor();
    expect(await page.evaluate(() => document.documentElement.dataset.theme)).toBe('dark');
    // The system switches: the app follows at once, without a reload.
    await page.emulateMedia({ colorScheme: 'light' });
    await waitFor(async () => (await page.evaluate(() => document.documentElement.dataset.theme)) === 'light', 5000, 'the app to follow the system to light');
    // Chosen with the toggle: that choice stays, whatever the system says next, also after a reload.
    await page.getByTestId('theme-toggle').click();
    expect(await page.evaluate(() => document.documentElement.dataset.theme)).toBe('dark');
    await page.emulateMedia({ colorScheme: 'light' });
    await page.reload();
    await page.getByTestId('view-operations').waitFor();
    expect(await page.evaluate(() => document.documentElement.dataset.theme)).toBe('dark');
    await page.evaluate(() => localStorage.removeItem('ktrdr.theme'));
    await page.reload();
    await page.getByTestId('view-operations').waitFor();
    expect(await page.evaluate(() => document.documentElement.dataset.theme)).toBe('light');
  });

  it('shows the bundled data and sample strategies and walks train → backtest in two clicks; the tearsheet shows the API’s numbers', async () => {
    const { page } = b;
    await page.goto(`${server.url}/#/operations`);
    const gs = page.getByTestId('getting-started');
    await gs.waitFor();
    await waitFor(async () => /EURUSD 1h/.test((await page.getByTestId('gs-data').textContent()) ?? ''), 15_000, 'the bundled series');
    expect(await page.getByTestId('gs-data').textContent()).toMatch(/AAPL 1d/);
    await page.getByTestId('gs-strategy-minimal').waitFor();
    expect(await page.getByTestId('first-backtest').isDisabled()).toBe(true); // nothing trained yet
    await page.getByTestId('first-train').click();
    await page.getByTestId('view-training').waitFor();
    expect(await waitLiveEnded(page, 180_000)).toBe('completed');
    await page.getByTestId('nav-operations').click();
    await waitFor(async () => !(await page.getByTestId('first-backtest').isDisabled()), 15_000, 'step 2 to open once the training is done');
    await page.getByTestId('first-backtest').click();
    await page.getByTestId('view-backtests').waitFor();
    expect(await waitLiveEnded(page, 180_000)).toBe('completed');
    // The tearsheet: rolling Sharpe, underwater, the worst drawdowns with dates, the monthly heatmap.
    const body = page.getByTestId('tearsheet-body');
    await body.waitFor({ timeout: 30_000 });
    const id = await page.getByTestId('recent-backtesting').inputValue();
    const api = (await apiCall(server, 'GET', `/backtests/${id}/tearsheet`)).body;
    await page.locator('[data-testid="tearsheet-underwater"] canvas').first().waitFor();
    const rows = page.locator('[data-testid="tearsheet-drawdowns"] tbody tr');
    expect(await rows.count()).toBe(api.drawdowns.length);
    expect(api.drawdowns.length).toBeGreaterThan(0);
    expect(api.drawdowns.length).toBeLessThanOrEqual(5);
    const first = await rows.first().locator('td').allTextContents();
    expect(first.slice(0, 4)).toEqual(['1', `${(-api.drawdowns[0].depth * 100).toFixed(2)}%`, api.drawdowns[0].peak.slice(0, 10), api.drawdowns[0].valley.slice(0, 10)]);
    const months = await page.locator('[data-testid="tearsheet-heatmap"] td[data-month]').count();
    expect(months).toBe(api.monthly.length);
    const jan = api.monthly[0];
    expect(await page.locator(`[data-testid="tearsheet-heatmap"] td[data-month="${jan.year}-${jan.month}"]`).textContent()).toBe((jan.return * 100).toFixed(1));
    // With a backtest done, the first-launch panel steps aside.
    await page.getByTestId('nav-operations').click();
    await page.getByTestId('view-operations').waitFor();
    expect(await page.getByTestId('getting-started').count()).toBe(0);
  });
});

describe.skipIf(!!skipReason)('research desk (browser)', () => {
  let server: Server;
  let b: BrowserSession;
  let trainingId = '';
  let backtestId = '';
  let syntheticTrainingId = '';
  let novalId = '';
  let sweepId = '';

  beforeAll(async () => {
    assertRendererBuilt();
    server = await startServer();
    ({ id: trainingId } = await runToEnd(server, '/trainings/start', { strategy_name: 'minimal', symbols: ['EURUSD'], timeframes: ['1h'], start_date: '2015-01-01', end_date: '2016-06-30' }));
    ({ id: backtestId } = await runToEnd(server, '/backtests/start', { strategy_name: 'minimal', symbol: 'EURUSD', timeframe: '1h', start_date: '2016-07-01', end_date: '2017-12-31', random_runs: 20 }));
    await runToEnd(server, '/data/acquire/download', { symbol: 'SYNTH', timeframe: '1h', source: 'synthetic', mode: 'full', start_date: '2020-01-01', end_date: '2020-06-30' });
    ({ id: syntheticTrainingId } = await runToEnd(server, '/trainings/start', { strategy_name: 'minimal', symbols: ['SYNTH'], timeframes: ['1h'], start_date: '2020-01-01', end_date: '2020-06-30' }));
    // No validation split at all: the Training view must say why it is empty.
    const minimal = readFileSync(join(REPO, 'strategies', 'minimal.yaml'), 'utf8');
    const noval = minimal.replace('name: minimal', 'name: noval').replace('learning_rate: 0.001', 'learning_rate: 0.001\n  data_split:\n    train: 0.8\n    validation: 0\n    test: 0.2');
    expect((await apiCall(server, 'PUT', '/strategies/noval', { yaml: noval, overwrite: true })).status).toBe(200);
    ({ id: novalId } = await runToEnd(server, '/trainings/start', { strategy_name: 'noval', symbols: ['EURUSD'], timeframes: ['1h'], start_date: '2015-01-01', end_date: '2015-12-31' }));
    const sweep = await apiCall(server, 'POST', '/experiments/sweeps/start', {
      strategy_name: 'minimal',
      start_date: '2015-01-01',
      end_date: '2015-12-31',
      space: { 'indicators.rsi_14.period': { values: [7, 14] } },
      sampler: 'grid',
      trials: 2,
      objective: 'oos_return',
      seed: 1,
    });
    expect(sweep.status, JSON.stringify(sweep.body)).toBe(200);
    sweepId = sweep.body.operation_id;
    expect((await waitOperationEnd(server, sweepId, 300_000)).status).toBe('completed');
    b = await openBrowser();
    await b.page.goto(`${server.url}/#/operations`);
    await b.page.getByTestId('view-operations').waitFor();
    mkdirSync(SHOTS, { recursive: true });
    if (saveScreens) mkdirSync(DOCS, { recursive: true });
  }, 600_000);

  afterAll(async () => {
    await b?.close();
    await server?.stop();
  });

  it('Operations: experiment children sit under their parent; results show; Open opens the experiment', async () => {
    const { page } = b;
    await page.getByTestId('nav-operations').click();
    const parent = page.getByTestId(`op-row-${sweepId}`);
    await parent.waitFor();
    const children = page.locator(`tr[data-parent="${sweepId}"]`);
    expect(await children.count()).toBe(0); // folded
    const toggle = parent.getByTestId('op-children-toggle');
    // Two trials, each trained and backtested on the selection window, and the chosen one's single
    // backtest on the final holdout (issue 22).
    expect(await toggle.textContent()).toMatch(/sweep \(5\)/);
    await toggle.click();
    await waitFor(async () => (await children.count()) === 5, 5000, 'the five children under the sweep');
    // They come right after their parent, each named by its trial.
    const order = await page.locator('[data-testid="ops-table"] tbody tr').evaluateAll((trs) => trs.map((t) => t.getAttribute('data-testid')));
    const at = order.indexOf(`op-row-${sweepId}`);
    const kids = await children.evaluateAll((trs) => trs.map((t) => t.getAttribute('data-testid')));
    expect(order.slice(at + 1, at + 6)).toEqual(kids);
    expect(await children.first().textContent()).toMatch(/trial 1/);
    expect(await children.last().textContent()).toMatch(/final holdout, trial [12]/);
    // Results: the backtest's return and Sharpe, the sweep's best objective.
    const bt = page.getByTestId(`op-row-${backtestId}`).getByTestId('op-result');
    expect(await bt.textContent()).toMatch(/return -?\d+\.\d\d%.*Sharpe -?\d+\.\d\d.*trades \d+/);
    expect(await parent.getByTestId('op-result').textContent()).toMatch(/best OOS return -?\d+\.\d\d%/);
    await parent.getByTestId('op-open').click();
    await page.getByTestId('view-experiments').waitFor();
    await page.getByTestId('experiment-panel').waitFor();
    // The select shows it once the list of experiments (loaded on its own) has its option.
    await waitFor(async () => (await page.getByTestId('experiment-select').inputValue()) === sweepId, 10_000, 'the sweep chosen in the Experiments view');
  });

  it('Strategies: New / Save as / Duplicate ask in an in-app dialog; a copy’s name: follows its file', async () => {
    const { page } = b;
    const nativeDialogs: string[] = [];
    page.on('dialog', (d) => {
      nativeDialogs.push(d.type());
      void d.dismiss();
    });
    await page.getByTestId('nav-strategies').click();
    await page.getByTestId('strategy-minimal').click();
    await waitFor(async () => (await editorText(page)).includes('name: minimal'), 10_000, 'the YAML');
    // Save as: a taken name is refused inside the dialog, which stays open.
    await page.getByTestId('strategy-save-as').click();
    const dialog = page.getByTestId('name-dialog');
    await dialog.waitFor();
    await page.getByTestId('name-dialog-input').fill('minimal');
    await page.getByTestId('name-dialog-ok').click();
    expect(await page.getByTestId('name-dialog-error').textContent()).toMatch(/already exists/);
    await page.getByTestId('name-dialog-input').fill('desk copy!');
    await page.getByTestId('name-dialog-ok').click();
    expect(await page.getByTestId('name-dialog-error').textContent()).toMatch(/not a valid name/);
    await page.getByTestId('name-dialog-input').fill('desk_copy');
    await page.keyboard.press('Enter');
    await page.locator('[data-testid="strategy-desk_copy"][aria-current="true"]').waitFor({ timeout: 10_000 });
    await waitFor(async () => (await editorText(page)).includes('name: desk_copy'), 10_000, 'the copy with its own name');
    const saved = await apiCall(server, 'GET', '/strategies/desk_copy');
    expect(String(saved.body.yaml)).toMatch(/^name: desk_copy$/m);
    expect(String(saved.body.yaml)).not.toMatch(/^name: minimal$/m);
    // Duplicate: the same, from the saved file; Escape cancels without writing.
    await page.getByTestId('strategy-duplicate').click();
    await dialog.waitFor();
    expect(await page.getByTestId('name-dialog-input').inputValue()).toBe('desk_copy_copy');
    await page.keyboard.press('Escape');
    await waitFor(async () => (await dialog.count()) === 0, 5000, 'the dialog to close on Escape');
    expect((await apiCall(server, 'GET', '/strategies/desk_copy_copy')).status).toBe(404);
    await page.getByTestId('strategy-duplicate').click();
    await page.getByTestId('name-dialog-ok').click();
    await page.locator('[data-testid="strategy-desk_copy_copy"][aria-current="true"]').waitFor({ timeout: 10_000 });
    expect(String((await apiCall(server, 'GET', '/strategies/desk_copy_copy')).body.yaml)).toMatch(/^name: desk_copy_copy$/m);
    // New: a template under the name given.
    await page.getByTestId('strategy-new').click();
    await page.getByTestId('name-dialog-input').fill('desk_new');
    await page.getByTestId('name-dialog-ok').click();
    await page.locator('[data-testid="strategy-desk_new"][aria-current="true"]').waitFor({ timeout: 10_000 });
    expect(String((await apiCall(server, 'GET', '/strategies/desk_new')).body.yaml)).toMatch(/^name: desk_new$/m);
    expect(nativeDialogs).toEqual([]);
  });

  it('Strategies: lint runs as you type (no Validate click), and its tooltip is readable in the dark theme', async () => {
    const { page } = b;
    await setTheme(page, 'dark');
    await page.getByTestId('strategy-desk_new').click();
    await waitFor(async () => (await editorText(page)).includes('name: desk_new'), 10_000, 'the YAML');
    const validations = () => b.requests.filter((r) => r.method === 'POST' && r.url.endsWith('/strategies/validate')).length;
    const before = validations();
    await setEditorText(page, (await editorText(page)).replace('period: 14', 'period: 0'));
    await page.locator('.cm-lintRange-error').first().waitFor({ timeout: 10_000 });
    await page.getByTestId('validation-result').waitFor();
    expect(await page.getByTestId('validation-result').textContent()).toMatch(/1 error/);
    // Debounced: one check for one burst of typing.
    expect(validations() - before).toBe(1);
    await page.locator('.cm-lintRange-error').first().hover();
    await page.locator('.cm-tooltip-lint').waitFor({ timeout: 10_000 });
    expect(await page.locator('.cm-tooltip-lint').textContent()).toMatch(/must be ≥ 2 \(got 0\)/);
    expect(await contrast(page, '.cm-tooltip-lint .cm-diagnostic')).toBeGreaterThanOrEqual(4.5);
    await page.screenshot({ path: join(SHOTS, 'lint-tooltip-dark.png') });
    // Fixed: the markers go as the text is typed back.
    await setEditorText(page, (await editorText(page)).replace('period: 0', 'period: 14'));
    await waitFor(async () => (await page.getByTestId('validation-result').textContent()) === 'valid', 10_000, 'the check of the fixed text');
    expect(await page.locator('.cm-lintRange-error').count()).toBe(0);
  });

  it('Training: split sizes and labels per split; an empty validation split says why; the baseline box colour follows every split', async () => {
    const { page } = b;
    await page.getByTestId('nav-training').click();
    await page.getByTestId('recent-training').selectOption(novalId);
    const splits = page.getByTestId('split-table');
    await splits.waitFor({ timeout: 15_000 });
    expect(await splits.locator('tr[data-split="validation"] td').first().textContent()).toBe('0');
    expect(Number((await splits.locator('tr[data-split="train"] td').first().textContent())!.replace(/,/g, ''))).toBeGreaterThan(100);
    await waitFor(async () => /data_split\.validation is 0/.test((await page.getByTestId('split-notes').textContent()) ?? ''), 10_000, 'the cause of the empty validation split');
    for (const id of [novalId, trainingId]) {
      await page.getByTestId('recent-training').selectOption(id);
      const box = page.getByTestId('baseline-verdict');
      await box.waitFor({ timeout: 15_000 });
      const beats = await box.locator('li').evaluateAll((lis) => lis.map((li) => ({ beats: li.getAttribute('data-beats') === 'true', text: li.textContent ?? '' })));
      const want = beats.every((x) => x.beats) ? 'good' : beats.some((x) => /worse than a constant/.test(x.text)) ? 'bad' : 'warn';
      expect(await box.getAttribute('data-tone')).toBe(want);
      expect(await box.getAttribute('class')).toContain(want);
    }
  });

  it('Training form: choosing another strategy replaces symbols and timeframes; Cancel in a browser says so', async () => {
    const { page } = b;
    await page.getByTestId('nav-training').click();
    await page.getByTestId('train-strategy_name').fill('minimal');
    await waitFor(async () => (await page.getByTestId('train-timeframes').inputValue()) === '1h', 10_000, 'minimal’s timeframes');
    await page.getByTestId('train-strategy_name').fill('multi_timeframe');
    await waitFor(async () => (await page.getByTestId('train-timeframes').inputValue()) !== '1h', 10_000, 'the timeframes to follow the strategy');
    expect(await page.getByTestId('train-timeframes').inputValue()).toMatch(/1h.*4h|4h.*1h/);
    // A long run, cancelled from its live panel: the reason names the browser, not the desktop app.
    await page.getByTestId('train-strategy_name').fill('minimal');
    await page.getByTestId('train-start_date').fill('2007-01-01');
    await page.getByTestId('train-end_date').fill('2018-12-31');
    await page.getByTestId('train-submit').click();
    await page.getByTestId('live-cancel').click({ timeout: 20_000 });
    expect(await waitLiveEnded(page, 60_000)).toBe('cancelled');
    const id = await page.getByTestId('recent-training').inputValue();
    const op = (await apiCall(server, 'GET', `/operations/${id}`)).body.data;
    expect(op.error_message).toBe('Cancelled from the web UI in a browser');
  });

  it('Import: bad rows and a wrong timeframe are refused together, in words; one fix keeps both choices; a repeated timestamp is reported', async () => {
    const { page } = b;
    await page.getByTestId('nav-data').click();
    const rows = ['timestamp,open,high,low,close,volume'];
    for (let i = 0; i < 48; i++) rows.push(`${new Date(Date.UTC(2024, 0, 2, i)).toISOString()},1.1,1.2,1.0,1.15,10`);
    rows.push(rows[10].replace(',1.15,', ',1.16,')); // a repeated timestamp, later in the file
    rows.push('not-a-date,1,1,1,1,1');
    await page.getByTestId('csv-file').setInputFiles({ name: 'DESKIMP.csv', mimeType: 'text/csv', buffer: Buffer.from(`${rows.join('\n')}\n`) });
    await page.getByTestId('csv-symbol').fill('DESKIMP');
    await page.getByTestId('csv-timeframe').selectOption('1d');
    await page.getByTestId('csv-submit').click();
    const problems = page.getByTestId('csv-refusal-problems');
    await problems.waitFor({ timeout: 15_000 });
    expect(await problems.locator('li').evaluateAll((lis) => lis.map((l) => l.getAttribute('data-kind')))).toEqual(['rejected_rows', 'timeframe']);
    const panel = (await page.getByTestId('csv-import').textContent()) ?? '';
    expect(panel).not.toMatch(/\b400\b|keep_valid_rows|inferred_timeframe/);
    expect(await page.getByTestId('csv-fix').textContent()).toBe('Import the 48 valid rows as 1h');
    await page.getByTestId('csv-fix').click();
    await waitFor(async () => /Imported 48 bars into DESKIMP 1h/.test((await page.getByTestId('csv-message').textContent()) ?? ''), 15_000, 'the import');
    expect(await page.getByTestId('csv-message').textContent()).toMatch(/1 row repeated a timestamp of another row \(2024-01-02T09:00:00Z\): the later row of each was kept/);
  });

  it('Keyboard: legend toggles, a crosshair readout, metric definitions and range zoom without a mouse', async () => {
    const { page } = b;
    // Crosshair and range zoom on the price chart.
    await page.getByTestId('nav-data').click();
    await page.getByTestId('series-EURUSD-1d').click();
    const chart = page.getByTestId('data-candles');
    await chart.locator('canvas').first().waitFor();
    await chart.focus();
    const readout = page.getByTestId('data-candles-readout');
    const before = await readout.textContent();
    await page.keyboard.press('Shift+ArrowRight');
    await waitFor(async () => (await readout.textContent()) !== before, 5000, 'the readout to follow the keyboard crosshair');
    expect(await readout.textContent()).toMatch(/O\s*[\d.]+.*H\s*[\d.]+.*L\s*[\d.]+.*C\s*[\d.]+/);
    // The visible window in unix seconds, written on the chart's element (CandleChart).
    const span = async () => Number(await chart.getAttribute('data-x-max')) - Number(await chart.getAttribute('data-x-min'));
    const full = await span();
    await page.keyboard.press('Home');
    await page.keyboard.press('BracketLeft');
    for (let i = 0; i < 3; i++) await page.keyboard.press('PageDown');
    await page.keyboard.press('BracketRight');
    await waitFor(async () => (await span()) < full / 10, 5000, 'the window to narrow to the keyboard range');
    await page.keyboard.press('0');
    await waitFor(async () => (await span()) === full, 5000, 'the reset');

    // Legend: a series switched off and on with the keyboard.
    await page.getByTestId('nav-training').click();
    await page.getByTestId('recent-training').selectOption(trainingId);
    // The charts are rebuilt once the results mark the best epoch: take the legend after that.
    await page.getByTestId('training-results').waitFor({ timeout: 15_000 });
    await waitFor(async () => Number(await page.getByTestId('training-charts').getAttribute('data-best-epoch')) >= 1, 15_000, 'the best epoch mark');
    const row = page.locator('[data-testid="training-charts"] .u-legend .u-series[role="switch"]').first();
    await row.waitFor({ timeout: 15_000 });
    await row.focus();
    expect(await row.getAttribute('aria-checked')).toBe('true');
    await page.keyboard.press('Space');
    await waitFor(async () => (await row.getAttribute('aria-checked')) === 'false', 5000, 'the series to switch off');
    expect(await row.getAttribute('class')).toContain('u-off');
    await page.keyboard.press('Enter');
    await waitFor(async () => (await row.getAttribute('aria-checked')) === 'true', 5000, 'the series to switch on again');

    // A metric's definition from the keyboard: Tab reaches the term (a button), Enter opens the
    // definition under its row, Escape closes it.
    const term = page.locator('[data-testid="test-metrics"] button.metric-term').first();
    await term.waitFor({ timeout: 15_000 });
    const key = (await term.getAttribute('data-testid'))!.replace('metric-term-', '');
    await term.focus();
    await page.keyboard.press('Enter');
    expect(await term.getAttribute('aria-expanded')).toBe('true');
    const definition = page.getByTestId('test-metrics').getByTestId(`metric-definition-${key}`);
    const text = (await definition.textContent()) ?? '';
    expect(text.length).toBeGreaterThan(10);
    // The same definition the row shows on hover.
    expect(await page.locator(`[data-testid="test-metrics"] tr[data-key="${key}"] th`).getAttribute('title')).toBe(`${text} (${key})`);
    await page.keyboard.press('Escape');
    expect(await definition.count()).toBe(0);
  });

  it('Synthetic bars are marked in the data list and on the chart, and warned about in the training that used them', async () => {
    const { page } = b;
    await page.getByTestId('nav-data').click();
    const row = page.getByTestId('series-SYNTH-1h');
    await row.waitFor();
    expect(await row.getByTestId('series-synthetic').count()).toBe(1);
    expect(await page.getByTestId('series-EURUSD-1h').getByTestId('series-synthetic').count()).toBe(0);
    await row.click();
    await page.getByTestId('chart-synthetic').waitFor();
    await page.getByTestId('nav-training').click();
    await page.getByTestId('recent-training').selectOption(syntheticTrainingId);
    await page.getByTestId('training-warnings').waitFor({ timeout: 15_000 });
    expect(await page.getByTestId('training-warnings').textContent()).toMatch(/SYNTH 1h is SYNTHETIC/);
  });

  for (const size of [
    { width: 1024, height: 700 },
    { width: 1440, height: 900 },
  ] as const)
    for (const theme of ['light', 'dark'] as const)
      it(`at ${size.width}×${size.height} (${theme}) no view has overlapping blocks or sticks out of the window`, async () => {
        const { page } = b;
        await page.setViewportSize(size);
        await setTheme(page, theme);
        // Each view with content: the trained model, the backtest (tearsheet), a series, a strategy, the sweep.
        const ready: Record<string, () => Promise<void>> = {
          operations: async () => page.getByTestId(`op-row-${backtestId}`).waitFor(),
          data: async () => {
            await page.getByTestId('series-EURUSD-1h').click();
            await page.locator('[data-testid="data-candles"] canvas').first().waitFor();
          },
          strategies: async () => {
            await page.getByTestId('strategy-minimal').click();
            await page.locator('.cm-editor').waitFor();
          },
          models: async () => {
            await page.getByTestId('models-strategy').selectOption('minimal');
            await page.getByTestId('model-minimal/1h_v1').waitFor();
          },
          training: async () => {
            await page.getByTestId('recent-training').selectOption(trainingId);
            await page.getByTestId('training-results').waitFor();
          },
          backtests: async () => {
            await page.getByTestId('recent-backtesting').selectOption(backtestId);
            await page.getByTestId('tearsheet-body').waitFor({ timeout: 30_000 });
          },
          experiments: async () => {
            await page.getByTestId('experiment-select').selectOption(sweepId);
            await page.getByTestId('experiment-panel').waitFor();
          },
        };
        const problems: string[] = [];
        for (const [view, wait] of Object.entries(ready)) {
          await page.getByTestId(`nav-${view}`).click();
          await page.getByTestId(`view-${view}`).waitFor();
          await wait();
          // Charts size themselves on the next frames (ResizeObserver): let layout settle.
          await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
          const r = await layoutReport(page);
          problems.push(...r.overlaps.map((o) => `${view}: ${o}`), ...r.overflows.map((o) => `${view}: ${o}`));
          const shoot = async (name: string) => {
            const file = join(SHOTS, `${name}-${size.width}x${size.height}-${theme}.png`);
            await page.screenshot({ path: file });
            if (saveScreens) copyFileSync(file, join(DOCS, `${name}-${size.width}x${size.height}-${theme}.png`));
          };
          await shoot(view);
          // Below the form: the results a quant reads (the training's splits and baseline, the backtest's tearsheet).
          const below: Record<string, string> = { training: 'training-results', backtests: 'tearsheet' };
          if (below[view]) {
            await page.getByTestId(below[view]).evaluate((el) => el.scrollIntoView({ block: 'start' }));
            await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
            await shoot(`${view}-${below[view]}`);
            await page.locator('main.content').evaluate((el) => el.scrollTo(0, 0));
          }
        }
        expect(problems).toEqual([]);
      });
});
