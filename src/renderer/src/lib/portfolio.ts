// What the Backtests view needs to show a portfolio run (issue 26): whether an operation is one, its
// in-sample guard per leg in words, each leg's PnL curve on one time axis, and its trades with ids
// that stay unique across legs. Pure: the component draws what these return.
import type { LegCurveResponse } from '../../../shared/results/backtest';
import type { PortfolioResult } from '../../../shared/results/portfolio';
import type { InSampleNotice } from './backtest-evaluation';
import { toUnixSeconds } from './format';
import type { Trade } from './shapes';

/** A `backtesting` operation started by POST /backtests/portfolio/start (its params say so). */
export function isPortfolioOperation(op: { metadata?: { parameters?: Record<string, unknown> } | null } | null | undefined): boolean {
  return op?.metadata?.parameters?.portfolio === true;
}

/** The in-sample guard of every leg: a banner naming the legs inside their model's data, "unknown" said as such. */
export function portfolioInSampleNotice(r: Pick<PortfolioResult, 'legs' | 'allow_in_sample'> | null): InSampleNotice | null {
  if (!r) return null;
  const unknown = r.legs.filter((l) => l.out_of_sample === null);
  const inside = r.legs.filter((l) => l.out_of_sample === false);
  const parts: string[] = [];
  if (inside.length) parts.push(`${inside.map((l) => `${l.symbol}: ${l.in_sample_bars} of ${l.bars} bars`).join('; ')} lie inside their model's training data: these results are not out of sample.`);
  if (unknown.length) parts.push(`In-sample check unknown for ${unknown.map((l) => l.symbol).join(', ')}: ${unknown[0].null_reasons.out_of_sample ?? 'not recorded'}.`);
  if (!parts.length) return null;
  return { level: inside.length && !r.allow_in_sample ? 'banner' : 'note', text: parts.join(' ') };
}

export interface LegCurvesChart {
  /** Unix seconds: the union of the legs' bar times. */
  x: number[];
  /** Per leg: its PnL so far at each time (its last value between its bars; null before its first). */
  series: { label: string; values: (number | null)[] }[];
}

/** Every leg's PnL curve on one time axis, each carried across the times it has no bar at (as the book marks it). */
export function legCurvesChart(legs: readonly LegCurveResponse[]): LegCurvesChart {
  const times = legs.map((l) => l.timestamps.map(toUnixSeconds));
  const x = [...new Set(times.flat())].sort((a, b) => a - b);
  const series = legs.map((l, i) => {
    const t = times[i];
    const values: (number | null)[] = new Array<number | null>(x.length).fill(null);
    let k = -1;
    for (let s = 0; s < x.length; s++) {
      while (k + 1 < t.length && t[k + 1] <= x[s]) k++;
      values[s] = k < 0 ? null : l.values[k];
    }
    return { label: `${l.symbol} PnL`, values };
  });
  return { x, series };
}

/** A portfolio's trades: each leg numbers its own from 1, so the table's ids carry the symbol. */
export function portfolioTrades(trades: readonly Trade[]): Trade[] {
  return trades.map((t) => ({ ...t, id: `${t.raw?.symbol ?? '?'} ${t.id}` }));
}
