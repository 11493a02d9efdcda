// The tearsheet as JSON for the API: series thinned to at most `maxPoints` (each bucket keeps its
// lowest and highest point, so a peak Sharpe or the deepest drawdown is never dropped).
import { downsampleIndices } from '../backtest/downsample';
import { isoUtc } from '../bars/time';
import type { TearsheetPayload, TearsheetSeries } from '../../shared/tearsheet';
import { computeTearsheet, type TearsheetInput } from './index';

function thin(time: ArrayLike<number>, values: ArrayLike<number>, maxPoints: number): TearsheetSeries {
  // NaN (undefined Sharpe) never wins a bucket; it is kept only where the whole bucket is undefined.
  const finite = Float64Array.from(values, (v) => (Number.isFinite(v) ? v : 0));
  const keep = maxPoints > 0 ? downsampleIndices(finite, finite, maxPoints) : Array.from({ length: values.length }, (_, i) => i);
  return { time: keep.map((i) => isoUtc(time[i])), values: keep.map((i) => (Number.isFinite(values[i]) ? values[i] : null)) };
}

export function tearsheetPayload(backtestId: string, input: TearsheetInput, maxPoints = 2000): TearsheetPayload {
  const t = computeTearsheet(input);
  const n = input.values.length;
  const null_reasons: Record<string, string> = {};
  if (n - 1 < t.window_bars) null_reasons.rolling_sharpe = `the backtest has ${Math.max(0, n - 1)} bar returns, fewer than the ${t.window_bars}-bar window`;
  else if (t.rolling_sharpe.some((v) => Number.isNaN(v))) null_reasons.rolling_sharpe = 'undefined before the window fills and where equity did not move over a whole window (flat: no position)';
  if (!t.drawdowns.length) null_reasons.drawdowns = 'equity never fell below its running peak';
  // Rolling Sharpe t belongs to the bar that closes return t (bar t + 1).
  const rsTime = Array.from({ length: Math.max(0, n - 1) }, (_, i) => input.time[i + 1]);
  return {
    success: true,
    backtest_id: backtestId,
    bars: n,
    bars_per_year: t.bars_per_year,
    window_bars: t.window_bars,
    window_months: Math.round((12 * t.window_bars) / t.bars_per_year),
    rolling_sharpe: thin(rsTime, t.rolling_sharpe, maxPoints),
    underwater: thin(input.time, t.underwater, maxPoints),
    drawdowns: t.drawdowns.map((d) => ({
      rank: d.rank,
      depth: d.depth,
      peak: isoUtc(d.peak_time),
      valley: isoUtc(d.valley_time),
      recovery: d.recovery_time === null ? null : isoUtc(d.recovery_time),
      decline_days: d.decline_days,
      duration_days: d.duration_days,
      decline_bars: d.decline_bars,
      duration_bars: d.duration_bars,
    })),
    monthly: t.monthly,
    yearly: t.yearly,
    null_reasons,
  };
}
