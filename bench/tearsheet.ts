// The tearsheet of a 10-year hourly backtest (87,660 bars, round the clock: the largest such series)
// must be on screen in < 1 s (issue 27). Measured in two parts that add up to what the user waits:
//   server: what GET /backtests/{id}/tearsheet does — read equity.json, compute (core/tearsheet),
//           thin to 2,000 points, JSON.stringify; and the HTML report's tearsheet section;
//   browser: from the payload in the page to the first frame with both charts and both tables drawn
//           (the app's own TearsheetBody in headless chromium, #/bench/tearsheet), when chromium and
//           the built renderer are there (skipped with the reason otherwise).
// Run alone: `npx electron-vite build --logLevel warn && npx tsx bench/run.ts tearsheet`.
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { tearsheetSection } from '../src/core/report/tearsheet-section';
import { computeTearsheet } from '../src/core/tearsheet';
import { tearsheetPayload } from '../src/core/tearsheet/payload';
import { median, medianMs, round, seededRandom } from './stats';

const HOUR = 3_600_000;
const BARS = Math.round(10 * 365.25 * 24);
const TARGET_MS = 1000;
const CHROMIUM = process.env.KTRDR_CHROMIUM || '/usr/bin/chromium';

function equityCurve(n: number) {
  const rnd = seededRandom(27);
  const time = new Array<number>(n);
  const values = new Array<number>(n);
  let v = 100_000;
  for (let i = 0; i < n; i++) {
    time[i] = Date.UTC(2014, 0, 1) + i * HOUR;
    // Flat stretches (no position) and moving ones, like a strategy that trades now and then.
    const inMarket = Math.floor(i / 500) % 3 !== 0;
    if (inMarket) v *= 1 + (rnd() - 0.4985) * 0.004;
    values[i] = v;
  }
  return { time, values, drawdowns: values.map(() => 0), initial_capital: 100_000 };
}

async function browserRender(payloadJson: string, runs: number): Promise<{ ms_first_frame: number[]; skipped?: string }> {
  if (!existsSync(CHROMIUM)) return { ms_first_frame: [], skipped: `chromium not found at ${CHROMIUM}` };
  if (!existsSync(join(__dirname, '..', 'out', 'renderer', 'index.html'))) return { ms_first_frame: [], skipped: 'renderer not built (npx electron-vite build)' };
  const { startServer } = await import('../test/helpers/server');
  const { chromium } = await import('playwright-core');
  const server = await startServer({ built: true, env: { LOG_LEVEL: 'warn' } });
  const userDir = mkdtempSync(join(tmpdir(), 'ktrdr-bench-chromium-'));
  const context = await chromium.launchPersistentContext(userDir, { executablePath: CHROMIUM, headless: true, args: ['--headless', '--no-sandbox', '--disable-gpu'], viewport: { width: 1440, height: 900 } });
  const times: number[] = [];
  try {
    const page = context.pages()[0] ?? (await context.newPage());
    await page.addInitScript(`window.__tearsheetPayload = ${payloadJson};`);
    for (let i = 0; i <= runs; i++) {
      await page.goto('about:blank');
      await page.goto(`${server.url}/#/bench/tearsheet?n=${BARS}&run=${i}`);
      await page.waitForFunction(() => (window as unknown as { __renderTiming?: unknown }).__renderTiming, undefined, { timeout: 60_000 });
      const t = (await page.evaluate(() => (window as unknown as { __renderTiming: { ms_first_frame: number } }).__renderTiming)) as { ms_first_frame: number };
      const drawn = await page.locator('[data-testid="tearsheet-underwater"] canvas').count();
      if (!drawn) throw new Error('the underwater chart did not draw');
      if (i > 0) times.push(t.ms_first_frame); // the first load warms the code cache
    }
  } finally {
    await context.close().catch(() => undefined);
    rmSync(userDir, { recursive: true, force: true });
    await server.stop();
  }
  return { ms_first_frame: times };
}

export async function benchTearsheet() {
  const eq = equityCurve(BARS);
  const dir = mkdtempSync(join(tmpdir(), 'ktrdr-bench-tearsheet-'));
  const file = join(dir, 'equity.json');
  writeFileSync(file, JSON.stringify(eq));
  let payloadJson = '';
  const compute_ms = medianMs(7, () => computeTearsheet({ time: eq.time, values: eq.values, initial: eq.initial_capital, barsPerYear: 8766 }));
  const route_ms = medianMs(7, () => {
    const doc = JSON.parse(readFileSync(file, 'utf8')) as typeof eq;
    payloadJson = JSON.stringify(tearsheetPayload('bench', { time: doc.time, values: doc.values, initial: doc.initial_capital, barsPerYear: 8766 }));
  });
  const report_section_ms = medianMs(5, () => tearsheetSection(eq, 8766));
  rmSync(dir, { recursive: true, force: true });
  const browser = await browserRender(payloadJson, 5);
  const render = browser.ms_first_frame.length ? median(browser.ms_first_frame) : null;
  const total = render === null ? null : route_ms + render;
  return {
    name: 'tearsheet of 10 years of 1h bars',
    bars: BARS,
    compute_ms: round(compute_ms),
    route_ms: round(route_ms),
    payload_kib: round(payloadJson.length / 1024, 1),
    report_section_ms: round(report_section_ms),
    browser_first_frame_ms: render === null ? null : round(render),
    browser_runs_ms: browser.ms_first_frame.map((x) => round(x, 1)),
    ...(browser.skipped ? { browser_skipped: browser.skipped } : {}),
    total_ms: total === null ? null : round(total),
    target_ms: TARGET_MS,
    meets_target: total === null ? null : total < TARGET_MS,
  };
}

if (require.main === module) void benchTearsheet().then((r) => console.log(JSON.stringify(r, null, 2)));
