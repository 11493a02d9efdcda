// The portfolio section of the HTML report and the legs CSV: the presenter's numbers (the same the
// app, the CLI and the MCP server show), one row per leg in the CSV, nothing of it on a single-symbol
// report.
import { rmSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { renderBacktestReport } from '../../../src/core/report/backtest-report';
import { legsCsv, legsSection } from '../../../src/core/report/portfolio-section';
import { backtestTradeSchema } from '../../../src/shared/results/backtest';
import { producePortfolio, type ProducedPortfolio } from '../../helpers/portfolio-results';
import { produceBacktest } from '../../helpers/results';

let pf: ProducedPortfolio;
beforeAll(async () => {
  pf = await producePortfolio({ params: { random_runs: 0, sizing: { type: 'equal_weight' }, rebalance: null } });
});
afterAll(() => rmSync(pf.home, { recursive: true, force: true }));

const report = () => renderBacktestReport({ backtest_id: pf.id, generated_at: '2024-01-01T00:00:00Z', results: pf.result, trades: pf.trades.map((t) => backtestTradeSchema.parse(t)), equity: pf.equity, manifest: null });

describe('portfolio report and CSV', () => {
  it('the legs CSV: one row per leg, the results’ numbers at full precision, net PnL adding up to the portfolio’s', () => {
    const lines = legsCsv(pf.result).trim().split('\r\n');
    const head = lines[0].split(',');
    expect(head.slice(0, 3)).toEqual(['symbol', 'first_bar', 'last_bar']);
    expect(head.slice(3, -1)).toEqual(legsSection(pf.result).rows.map((r) => r.key));
    expect(lines).toHaveLength(4);
    const col = (name: string) => lines.slice(1).map((l) => l.split(',')[head.indexOf(name)]);
    expect(col('symbol')).toEqual(['EURUSD', 'GBPUSD', 'AUDUSD']);
    const net = col('net_pnl').map(Number);
    expect(net).toEqual(pf.result.legs.map((l) => l.costs.net_pnl));
    expect(Math.round(net.reduce((a, b) => a + b, 0) * 100)).toBe(Math.round(pf.result.costs.net_pnl * 100));
    expect(col('total_trades').map(Number)).toEqual(pf.result.legs.map((l) => l.total_trades));
    expect(col('total_trades')[2]).toBe('0'); // AUDUSD's model never decides
    // Its undefined values are empty, with the reason in the last column.
    expect(col('win_rate')[2]).toBe('');
    expect(lines[3]).toMatch(/win_rate: no trades; profit_factor: no trades/);
  });

  it('the report has the legs table, the correlation (— and the reason for the idle leg), the gross exposure and a PnL chart per leg', () => {
    const html = report();
    expect(html).toContain('<h1>Portfolio backtest fx3 · EURUSD, GBPUSD, AUDUSD 1h</h1>');
    expect(html).toMatch(/<h2>Portfolio: 3 legs, one cash account in USD<\/h2>/);
    expect(html).toContain('sizing: equal weight (max gross exposure ÷ legs)');
    for (const s of ['EURUSD', 'GBPUSD', 'AUDUSD']) expect(html).toContain(`<th>${s}</th>`);
    expect(html).toContain('<h2>Correlation of the legs</h2>');
    expect(html).toContain('<th scope="row">AUDUSD</th><td class="num">—<span class="reason">AUDUSD never changed value (no trades): correlation undefined</span>');
    expect(html).toContain('<h3>Gross exposure</h3>');
    expect(html.match(/PnL so far/g)).toHaveLength(3);
    // The benchmark table is the equal-weight buy & hold of the legs, fully invested and at the same exposure.
    expect(html).toContain('<h2>Against equal-weight buy &amp; hold (same costs)</h2>');
    expect(html).not.toMatch(/https?:\/\//);
  });

  it('nothing of it on a single-symbol backtest', async () => {
    const single = await produceBacktest({ randomRuns: 0 });
    const html = renderBacktestReport({ backtest_id: single.id, generated_at: '2024-01-01T00:00:00Z', results: single.result, trades: single.trades.map((t) => backtestTradeSchema.parse(t)), equity: single.equity, manifest: null });
    expect(html).not.toContain('data-section="portfolio"');
    expect(html).not.toContain('data-section="legs"');
    expect(html).toContain('<h2>Against buy &amp; hold (same costs)</h2>');
    rmSync(single.home, { recursive: true, force: true });
  });
});
