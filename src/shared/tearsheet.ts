// The tearsheet as the API serves it (GET /backtests/{id}/tearsheet) and the app draws it: series
// down-sampled for drawing (extremes kept), times ISO 8601 UTC, undefined values null.

export interface TearsheetSeries {
  time: string[];
  values: (number | null)[];
}

export interface TearsheetDrawdown {
  rank: number;
  /** Fall from the peak to the valley, a fraction (0.12 = 12 %). */
  depth: number;
  peak: string;
  valley: string;
  /** null: still under water when the backtest ended. */
  recovery: string | null;
  decline_days: number;
  duration_days: number | null;
  decline_bars: number;
  duration_bars: number | null;
}

export interface TearsheetPayload {
  success: true;
  backtest_id: string;
  bars: number;
  bars_per_year: number;
  /** Rolling Sharpe window, in bars and in (approximate) calendar months. */
  window_bars: number;
  window_months: number;
  rolling_sharpe: TearsheetSeries;
  underwater: TearsheetSeries;
  drawdowns: TearsheetDrawdown[];
  monthly: { year: number; month: number; return: number }[];
  yearly: { year: number; return: number }[];
  /** Why a series is empty or partly null (e.g. fewer bars than the rolling window). */
  null_reasons: Record<string, string>;
}

/** How the monthly-returns heatmap's numbers are made (common/equity-stats.ts monthlyReturns). */
export const MONTHLY_RETURNS_NOTE = 'A month’s return is its last equity ÷ the previous month’s last equity − 1 (UTC months); the year column compounds them.';

export const MONTH_NAMES = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'] as const;

/**
 * A heatmap cell's shading: green above 0, red below, stronger the larger |r| is against the largest
 * |return| of the grid (the same scale for the app and the report). `alpha` ∈ [0.08, 0.7].
 */
export function heatShade(r: number, maxAbs: number): { sign: 'pos' | 'neg' | 'zero'; alpha: number } {
  if (!Number.isFinite(r) || r === 0 || !(maxAbs > 0)) return { sign: 'zero', alpha: 0 };
  return { sign: r > 0 ? 'pos' : 'neg', alpha: Math.round((0.08 + 0.62 * Math.min(1, Math.abs(r) / maxAbs)) * 100) / 100 };
}

/** The largest |monthly return|: the heatmap's full-colour value. */
export function heatScale(months: readonly { return: number }[]): number {
  return months.reduce((m, x) => (Number.isFinite(x.return) ? Math.max(m, Math.abs(x.return)) : m), 0);
}
