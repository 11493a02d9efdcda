import { DEFAULT_DECISIONS, type DecisionConfig } from '../../../src/core/backtest/decisions';
import type { EngineBars } from '../../../src/core/backtest/types';
import { instrumentFor } from '../../../src/core/instruments';
import { DEFAULT_PORTFOLIO_CONFIG, type LegInput, type PortfolioConfig, type SizingRule } from '../../../src/core/portfolio/types';
import { mulberry32 } from '../../../src/core/random';
import { naiveRows, sampleText } from '../data/helpers';

export const HOUR = 3_600_000;
export const DAY = 86_400_000;
export const NO_SEPARATION: DecisionConfig = { ...DEFAULT_DECISIONS, min_signal_separation: 0 };
export const SHORTS: DecisionConfig = { ...NO_SEPARATION, allow_short_from_flat: true };

export function bookConfig(sizing: SizingRule, extra: Partial<PortfolioConfig> = {}): PortfolioConfig {
  return { ...DEFAULT_PORTFOLIO_CONFIG, initial_capital: 100_000, sizing, ...extra };
}

/** Bars of a real bundled sample between two ISO times (open times, inclusive start, exclusive end). */
export function sampleBars(file: string, from: string, to: string): EngineBars {
  const a = Date.parse(from);
  const z = Date.parse(to);
  const rows = naiveRows(sampleText(file)).filter((r) => r[0] >= a && r[0] < z);
  const col = (j: number) => Float64Array.from(rows, (r) => r[j]);
  return { time: col(0), open: col(1), high: col(2), low: col(3), close: col(4) };
}

/** Random actions (BUY/HOLD/SELL codes 0/1/2) with HOLD most of the time, and confidences. */
export function randomSignals(n: number, seed: number, pTrade = 0.15) {
  const r = mulberry32(seed);
  const action = new Uint8Array(n);
  const confidence = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    const u = r();
    action[i] = u < pTrade / 2 ? 0 : u < pTrade ? 2 : 1;
    confidence[i] = 0.5 + r() / 2;
  }
  return { action, confidence };
}

/** A leg on `bars` with the instrument's default costs. */
export function legOf(symbol: string, bars: EngineBars, signals: LegInput['signals'], decisions: DecisionConfig = SHORTS, bar_ms = HOUR): LegInput {
  return { symbol, bars, bar_ms, signals, costs: instrumentFor(symbol).costs, decisions };
}

export const cents = (x: number) => Math.round(x * 100) / 100;
