// The tearsheet as the API serves it and as the report prints it: the same numbers, thinned for
// drawing without losing the extremes, never a NaN in the markup.
import { describe, expect, it } from 'vitest';
import { renderBacktestReport } from '../../../src/core/report/backtest-report';
import { tearsheetSection } from '../../../src/core/report/tearsheet-section';
import { mulberry32 } from '../../../src/core/random';
import { computeTearsheet } from '../../../src/core/tearsheet';
import { tearsheetPayload } from '../../../src/core/tearsheet/payload';
import { heatShade } from '../../../src/shared/tearsheet';
import { produceBacktest } from '../../helpers/results';

const HOUR = 3_600_000;
function series(n: number, seed = 11) {
  const rnd = mulberry32(seed);
  const time: number[] = [];
  const values: number[] = [];
  let v = 100_000;
  for (let i = 0; i < n; i++) {
    time.push(Date.UTC(2015, 0, 5) + i * HOUR);
    values.push((v *= 1 + (rnd() - 0.495) * 0.004));
  }
  return { time, values };
}

describe('tearsheet payload', () => {
  it('thins to max_points keeping the deepest underwater point and the highest Sharpe; dates ISO; nulls with a reason', () => {
    const { time, values } = series(20_000);
    const full = computeTearsheet({ time, values, initial: 100_000, barsPerYear: 6200 });
    const p = tearsheetPayload('bt1', { time, values, initial: 100_000, barsPerYear: 6200 }, 500);
    expect(p.underwater.values.length).toBeLessThanOrEqual(500);
    expect(Math.min(...p.underwater.values.map((v) => v ?? 0))).toBe(Math.min(...full.underwater));
    const finite = Array.from(full.rolling_sharpe).filter(Number.isFinite);
    expect(Math.max(...p.rolling_sharpe.values.map((v) => v ?? -Infinity))).toBe(Math.max(...finite));
    expect(p.rolling_sharpe.values[0]).toBeNull(); // the window is not full yet
    expect(p.null_reasons.rolling_sharpe).toMatch(/window/);
    expect(p.underwater.time[0]).toBe('2015-01-05T00:00:00Z');
    expect(p.drawdowns[0].depth).toBe(full.drawdowns[0].depth);
    expect(p.drawdowns[0].peak).toMatch(/^\d{4}-\d\d-\d\dT/);
    expect(p.window_months).toBe(6);
    expect(JSON.stringify(p)).not.toMatch(/NaN|Infinity/);
  });

  it('says why there is no rolling Sharpe on a short backtest', () => {
    const { time, values } = series(100);
    const p = tearsheetPayload('bt2', { time, values, initial: 100_000, barsPerYear: 6200 });
    expect(p.rolling_sharpe.values.every((v) => v === null)).toBe(true);
    expect(p.null_reasons.rolling_sharpe).toBe('the backtest has 99 bar returns, fewer than the 3100-bar window');
  });
});

describe('tearsheet in the HTML report', () => {
  it('prints rolling Sharpe, underwater, the drawdown table with dates and a shaded monthly heatmap', () => {
    const time = [0, 1, 2, 3, 4, 5].map((m) => Date.UTC(2021, m, 15));
    const values = [100, 110, 99, 105, 121, 110];
    const html = tearsheetSection({ time, values, initial_capital: 100 }, 12);
    expect(html).toContain('<h2>Tearsheet</h2>');
    expect(html).toContain('aria-label="Underwater curve"');
    // The worst period: peak Feb 15 (110), valley Mar 15 (99), first back above it May 15 (121).
    expect(html).toMatch(/<td>1<\/td><td class="num neg">-10\.00%<\/td><td>2021-02-15<\/td><td>2021-03-15<\/td><td>2021-05-15<\/td>/);
    expect(html).toContain('not recovered');
    // Monthly: Feb +10 %, Mar −10 %, Apr +6.1 %, May +15.2 % (the largest |return|: full green), Jun −9.1 %.
    expect(html).toContain('style="background:rgba(26,127,55,0.7)">15.2%</td>');
    expect(html).toContain(`style="background:rgba(198,40,40,${(Math.round((0.08 + (0.62 * 0.1) / (121 / 105 - 1)) * 100) / 100).toString()})">-10.0%</td>`);
    expect(html).not.toMatch(/NaN/);
    expect(heatShade(0.05, 0.1)).toEqual({ sign: 'pos', alpha: 0.39 });
    expect(heatShade(0, 0.1)).toEqual({ sign: 'zero', alpha: 0 });
  });

  it('is part of the whole report, its window from the result’s bars per year', async () => {
    const p = await produceBacktest();
    const html = renderBacktestReport({ backtest_id: p.id, generated_at: '2024-01-01T00:00:00Z', results: p.result, trades: [], equity: p.equity, manifest: null });
    expect(html).toContain('<h2>Tearsheet</h2>');
    expect(html).toContain('Worst drawdowns');
    const t = computeTearsheet({ time: p.equity.time, values: p.equity.values, initial: p.equity.initial_capital, barsPerYear: p.result.metrics.bars_per_year });
    expect(html).toContain(`${t.window_bars} bars)`);
  });
});
