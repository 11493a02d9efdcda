import { beforeAll, describe, expect, it } from 'vitest';
import { escapeHtml } from '../../../src/common/escape';
import { exitReasons, histogramBins, monthlyReturns, yearlyFromMonthly } from '../../../src/common/equity-stats';
import { renderBacktestReport, type BacktestReportInput } from '../../../src/core/report/backtest-report';
import { equityCsv, resultCsv, toCsv, tradesCsv } from '../../../src/core/report/csv';
import { backtestTradeSchema, type BacktestResult } from '../../../src/shared/results/backtest';
import { backtestCurrency, presentBacktest } from '../../../src/shared/results/present';
import { produceBacktest, type ProducedBacktest } from '../../helpers/results';

const DAY = 86_400_000;
const t = (iso: string) => Date.parse(iso);
const cents = (v: number) => Math.round(v * 100);

/** RFC 4180 rows (quoted fields with commas and doubled quotes; no line breaks inside fields here). */
function rows(csv: string): Record<string, string>[] {
  const split = (line: string) => [...line.matchAll(/("(?:[^"]|"")*"|[^,]*)(,|$)/g)].slice(0, -1).map((m) => (m[1].startsWith('"') ? m[1].slice(1, -1).replace(/""/g, '"') : m[1]));
  const [head, ...lines] = csv.trim().split('\r\n');
  const cols = split(head);
  return lines.map((l) => Object.fromEntries(split(l).map((v, i) => [cols[i], v])));
}

describe('monthlyReturns', () => {
  it('chains month-end equities from the initial capital (hand values)', () => {
    const time = [t('2024-01-30'), t('2024-01-31'), t('2024-02-15'), t('2024-02-29'), t('2024-03-01')];
    const values = [101, 110, 90, 99, 108.9];
    const m = monthlyReturns(time, values, 100);
    expect(m.map((x) => [x.year, x.month])).toEqual([
      [2024, 1],
      [2024, 2],
      [2024, 3],
    ]);
    expect(m[0].return).toBeCloseTo(0.1, 12); // 110 / 100 − 1
    expect(m[1].return).toBeCloseTo(-0.1, 12); // 99 / 110 − 1
    expect(m[2].return).toBeCloseTo(0.1, 12); // 108.9 / 99 − 1
    expect(yearlyFromMonthly(m).get(2024)).toBeCloseTo(0.089, 12); // 108.9 / 100 − 1
  });

  it('histogram bins and exit reasons by hand', () => {
    expect(histogramBins([0, 1, 2, 3], 2)).toEqual([
      { lo: 0, hi: 1.5, count: 2 },
      { lo: 1.5, hi: 3, count: 2 },
    ]);
    expect(histogramBins([], 5)).toEqual([]);
    expect(exitReasons([{ exit_reason: 'signal', net_pnl: 5 }, { exit_reason: 'end_of_data', net_pnl: -2 }, { exit_reason: 'signal', net_pnl: -1 }])).toEqual([
      { reason: 'signal', trades: 2, net_pnl: 4, winners: 1 },
      { reason: 'end_of_data', trades: 1, net_pnl: -2, winners: 0 },
    ]);
  });
});

let run: ProducedBacktest;
let flat: ProducedBacktest;
beforeAll(async () => {
  run = await produceBacktest();
  flat = await produceBacktest({ trades: false });
});

const trades = (p: ProducedBacktest) => p.trades.map((x) => backtestTradeSchema.parse(x));
function input(p: ProducedBacktest, over: Partial<BacktestResult> = {}): BacktestReportInput {
  return { backtest_id: p.id, generated_at: '2026-12-01T00:00:00.000Z', results: { ...p.result, ...over }, trades: trades(p), equity: p.equity, manifest: null };
}

describe('CSV', () => {
  it('quotes commas, quotes and newlines, defuses formulas, leaves numbers alone', () => {
    expect(toCsv(['a', 'b'], [['x,y', 'say "hi"'], ['line\nbreak', -1.5], ['=cmd()', null]])).toBe('a,b\r\n"x,y","say ""hi"""\r\n"line\nbreak",-1.5\r\n\'=cmd(),\r\n');
    expect(equityCsv({ time: [0, DAY], values: [100, 101], drawdowns: [0, 0], position: [0, 1] })).toBe(
      'timestamp,equity,drawdown,position\r\n1970-01-01T00:00:00.000Z,100,0,0\r\n1970-01-02T00:00:00.000Z,101,0,1\r\n',
    );
  });

  it('the trades CSV has a spread column and reconciles with results.costs to the cent, row by row and in total', () => {
    const csv = rows(tradesCsv(trades(run)));
    const c = run.result.costs!;
    expect(csv.length).toBe(run.result.trade_count);
    expect(c.spread_cost).toBeGreaterThan(0); // EURUSD's spread: the column matters
    const sum = (k: string) => csv.reduce((a, r) => a + Number(r[k]), 0);
    expect(cents(sum('gross_pnl'))).toBe(cents(c.gross_pnl));
    expect(cents(sum('commission'))).toBe(cents(c.commission));
    expect(cents(sum('spread_cost'))).toBe(cents(c.spread_cost));
    expect(cents(sum('slippage_cost'))).toBe(cents(c.slippage_cost));
    expect(cents(sum('net_pnl'))).toBe(cents(c.net_pnl));
    for (const r of csv) expect(Number(r.gross_pnl) - Number(r.commission) - Number(r.spread_cost) - Number(r.slippage_cost)).toBeCloseTo(Number(r.net_pnl), 9);
    // The same two paths in the results agree: the metrics' cost totals are the breakdown's.
    expect(run.result.metrics.total_commission).toBeCloseTo(c.commission, 9);
    expect(run.result.metrics.total_spread_cost).toBeCloseTo(c.spread_cost, 9);
    expect(run.result.metrics.total_slippage).toBeCloseTo(c.slippage_cost, 9);
    expect(c.net_pnl).toBeCloseTo(run.result.metrics.total_return, 6);
  });

  it('the report as CSV carries every shown value at full precision: equal to the JSON at its path', () => {
    const csv = rows(resultCsv(presentBacktest(run.result), backtestCurrency(run.result)));
    expect(csv.length).toBeGreaterThan(50);
    const at = (path: string) => path.split('.').reduce<unknown>((o, k) => (o as Record<string, unknown>)[k], run.result);
    const sections = presentBacktest(run.result);
    let i = 0;
    for (const s of sections)
      for (const r of s.rows)
        for (const c of r.cells) {
          const line = csv[i++];
          expect(line.key).toBe(r.key);
          const v = at(c.path);
          if (typeof v === 'number') expect(Number(line.value), c.path).toBe(v);
          if (r.unit === 'currency') expect(line.currency).toBe('USD');
        }
  });
});

describe('renderBacktestReport', () => {
  it('escapes every string it prints', () => {
    expect(escapeHtml(`<a href="x">'&'</a>`)).toBe('&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;');
    const html = renderBacktestReport(input(run, { strategy_name: '<script>alert(1)</script>', warnings: ['<b>bold</b>'] }));
    expect(html).not.toContain('<script>');
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(html).toContain('&lt;b&gt;bold&lt;/b&gt;');
    expect(html).not.toMatch(/https?:\/\/|<script|<link|<img/);
  });

  it('prints every value of the shared presenter, with the catalogue’s text, and both benchmarks with their costs', () => {
    const html = renderBacktestReport(input(run));
    for (const s of presentBacktest(run.result)) {
      expect(html).toContain(`<h2>${escapeHtml(s.title)}</h2>`);
      for (const r of s.rows) for (const c of r.cells) expect(html, `${r.key}`).toContain(escapeHtml(c.text));
    }
    expect(html).toContain('Buy &amp; hold');
    expect(html).toContain('B&amp;H at same exposure');
    expect(html).not.toContain('no costs');
    expect(html).toContain('USD');
    expect(html).toContain('Monthly returns');
    expect(html).toContain('Exit reasons');
    // equity, drawdown, the tearsheet's rolling Sharpe and underwater curve, histogram, MFE/MAE
    expect((html.match(/<svg/g) ?? []).length).toBe(6);
    expect(html).toContain('aria-label="Rolling Sharpe ratio"');
    expect(html).toContain('aria-label="Underwater curve"');
    // Monthly returns once: the tearsheet's heatmap.
    expect(html.match(/Monthly returns/g)).toHaveLength(1);
    expect(html).toContain(`(${run.result.trade_count} trades)`);
  });

  it('a zero-trade backtest reads "No trades: no verdict", never "beats 50 %, p = 1"', () => {
    expect(flat.result.trade_count).toBe(0);
    const html = renderBacktestReport(input(flat));
    expect(html).toContain('<p class="verdict">No trades: no verdict</p>');
    expect(html).not.toMatch(/beats 50 %|p = 1\.0/);
    expect(html).toContain('no trades: the equity never moved'); // the Sharpe interval's reason
    expect(html).toContain('(0 trades)');
  });

  it('says when the in-sample check is unknown instead of calling it out of sample', async () => {
    const unknown = await produceBacktest({ modelRange: null, randomRuns: 0 });
    expect(unknown.result.out_of_sample).toBeNull();
    const html = renderBacktestReport(input(unknown));
    expect(html).toContain('In-sample check unknown');
    expect(html).toContain('random_runs = 0');
  });
});
