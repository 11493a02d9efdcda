// A tearsheet at the depth pyfolio/quantstats give: rolling Sharpe, the underwater curve, the
// monthly-returns heatmap and the worst drawdown periods with their dates. Pure numbers from an
// equity curve; the app (renderer Tearsheet) and the HTML report (core/report/tearsheet-section)
// draw the same object.
import { estimateBarsPerYear } from '../backtest/metrics';
import { monthlyReturns, yearlyFromMonthly, type MonthlyReturn } from '../../common/equity-stats';
import { topDrawdowns, underwater } from './drawdowns';
import { barReturns, rollingSharpe } from './rolling';

export { barReturns, rollingSharpe } from './rolling';
export { topDrawdowns, underwater, type DrawdownPeriod } from './drawdowns';

export interface TearsheetInput {
  /** Bar times, UTC ms, ascending. */
  time: ArrayLike<number>;
  /** Equity at each bar's close. */
  values: ArrayLike<number>;
  initial: number;
  /** Bars per year for annualising (the backtest's metrics.bars_per_year); estimated from the span when absent. */
  barsPerYear?: number;
  /** Rolling Sharpe window in bars (default: half a year of bars, pyfolio's 6 months). */
  windowBars?: number;
  /** Drawdown periods listed (default 5). */
  top?: number;
}

export interface DrawdownRow {
  rank: number;
  depth: number;
  peak_time: number;
  valley_time: number;
  /** null: not recovered by the end of the backtest. */
  recovery_time: number | null;
  /** Peak to valley, and peak to recovery (null when not recovered), in calendar days. */
  decline_days: number;
  duration_days: number | null;
  /** The same in bars. */
  decline_bars: number;
  duration_bars: number | null;
}

export interface Tearsheet {
  bars_per_year: number;
  window_bars: number;
  /** Rolling Sharpe at each bar from the second on (time[t + 1] ↔ rolling_sharpe[t]); NaN where undefined. */
  rolling_sharpe: Float64Array;
  underwater: Float64Array;
  drawdowns: DrawdownRow[];
  monthly: MonthlyReturn[];
  yearly: { year: number; return: number }[];
}

/** Bars per year as the backtest metrics measure it, the bar length being the shortest step (gaps only lengthen steps). */
function barsPerYearOf(time: ArrayLike<number>): number {
  let step = Infinity;
  for (let i = 1; i < time.length; i++) if (time[i] - time[i - 1] > 0) step = Math.min(step, time[i] - time[i - 1]);
  return estimateBarsPerYear(Float64Array.from(time), Number.isFinite(step) ? step : DAY_MS);
}

const DAY_MS = 86_400_000;

export function computeTearsheet(input: TearsheetInput): Tearsheet {
  const { time, values, initial } = input;
  const bpy = input.barsPerYear && input.barsPerYear > 0 ? input.barsPerYear : barsPerYearOf(time);
  const window = Math.max(2, Math.round(input.windowBars ?? bpy / 2));
  const uw = underwater(values, initial);
  // A peak at index −1 is the initial capital, just before the first bar.
  const at = (i: number) => (i < 0 ? time[0] - (time.length > 1 ? time[1] - time[0] : 0) : time[i]);
  const drawdowns = topDrawdowns(uw, input.top ?? 5).map((d, k) => ({
    rank: k + 1,
    depth: d.depth,
    peak_time: at(d.peak),
    valley_time: time[d.valley],
    recovery_time: d.recovery === null ? null : time[d.recovery],
    decline_days: (time[d.valley] - at(d.peak)) / DAY_MS,
    duration_days: d.recovery === null ? null : (time[d.recovery] - at(d.peak)) / DAY_MS,
    decline_bars: d.valley - d.peak,
    duration_bars: d.recovery === null ? null : d.recovery - d.peak,
  }));
  const monthly = monthlyReturns(time, values, initial);
  return {
    bars_per_year: bpy,
    window_bars: window,
    rolling_sharpe: rollingSharpe(barReturns(values), window, bpy),
    underwater: uw,
    drawdowns,
    monthly,
    yearly: [...yearlyFromMonthly(monthly)].map(([year, r]) => ({ year, return: r })),
  };
}
