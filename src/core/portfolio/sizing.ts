// Sizing rules (types.ts SizingRule): the budget, in account currency, an entry or a rebalance puts
// into one leg. Everything they read is known at the fill: equity marked at closes up to the fill's
// open, the leg's closes before that open, the leg's trades closed before it.
import type { PortfolioConfig, SizingRule } from './types';

export function checkSizing(rule: SizingRule): void {
  const bad = (m: string) => {
    throw new Error(`sizing ${rule.type}: ${m}`);
  };
  switch (rule.type) {
    case 'fixed_fraction':
      if (!(rule.fraction > 0 && rule.fraction <= 1)) bad(`fraction must be in (0, 1] (got ${rule.fraction})`);
      break;
    case 'equal_weight':
      break;
    case 'volatility_target':
      if (!(rule.annual_volatility > 0 && rule.annual_volatility <= 5)) bad(`annual_volatility must be in (0, 5] (got ${rule.annual_volatility})`);
      if (!(Number.isInteger(rule.lookback_bars) && rule.lookback_bars >= 2)) bad(`lookback_bars must be a whole number ≥ 2 (got ${rule.lookback_bars})`);
      break;
    case 'kelly':
      if (!(rule.fraction > 0 && rule.fraction <= 1)) bad(`fraction must be in (0, 1] (got ${rule.fraction})`);
      if (!(rule.cap > 0 && rule.cap <= 1)) bad(`cap must be in (0, 1] (got ${rule.cap})`);
      if (!(rule.warmup_fraction >= 0 && rule.warmup_fraction <= 1)) bad(`warmup_fraction must be in [0, 1] (got ${rule.warmup_fraction})`);
      if (!(Number.isInteger(rule.min_trades) && rule.min_trades >= 1)) bad(`min_trades must be a whole number ≥ 1 (got ${rule.min_trades})`);
      if (!(Number.isInteger(rule.lookback_trades) && rule.lookback_trades >= rule.min_trades)) bad(`lookback_trades must be a whole number ≥ min_trades (got ${rule.lookback_trades})`);
      break;
    default:
      bad('unknown rule');
  }
}

/** Annualised standard deviation (population) of the last `lookback` close-to-close returns ending at close[end − 1]; NaN when fewer. */
export function trailingVolatility(close: Float64Array, end: number, lookback: number, barsPerYear: number): number {
  const from = end - 1 - lookback;
  if (from < 0) return NaN;
  let sum = 0;
  for (let k = from + 1; k < end; k++) sum += close[k] / close[k - 1] - 1;
  const mean = sum / lookback;
  let sq = 0;
  for (let k = from + 1; k < end; k++) {
    const d = close[k] / close[k - 1] - 1 - mean;
    sq += d * d;
  }
  return Math.sqrt(sq / lookback) * Math.sqrt(barsPerYear);
}

/** f* = mean(r) / mean(r²) over returns[from, to) (NaN when empty or all zero). */
export function kellyFraction(returns: ArrayLike<number>, from: number, to: number): number {
  let m1 = 0;
  let m2 = 0;
  for (let k = from; k < to; k++) {
    m1 += returns[k];
    m2 += returns[k] * returns[k];
  }
  return m2 > 0 ? m1 / m2 : NaN;
}

/** What the sizing rule reads about one leg at a fill. */
export interface SizingContext {
  legs: number;
  equity: number;
  close: Float64Array;
  /** The fill bar: closes before it are known. */
  bar: number;
  barsPerYear: number;
  /** The leg's closed trades' returns (net PnL ÷ entry notional), oldest first, and their count. */
  tradeReturns: Float64Array;
  tradeCount: number;
}

/** The budget (≥ 0; 0 = no entry) before the gross exposure cap. */
export function sizingBudget(cfg: PortfolioConfig, c: SizingContext): number {
  const rule = cfg.sizing;
  const equity = c.equity;
  if (!(equity > 0)) return 0;
  switch (rule.type) {
    case 'fixed_fraction':
      return equity * rule.fraction;
    case 'equal_weight':
      return (equity * cfg.max_gross_exposure) / c.legs;
    case 'volatility_target': {
      const vol = trailingVolatility(c.close, c.bar, rule.lookback_bars, c.barsPerYear);
      return vol > 0 ? (equity * (rule.annual_volatility / c.legs)) / vol : 0;
    }
    case 'kelly': {
      if (c.tradeCount < rule.min_trades) return equity * rule.warmup_fraction;
      const f = kellyFraction(c.tradeReturns, Math.max(0, c.tradeCount - rule.lookback_trades), c.tradeCount);
      return f > 0 ? equity * Math.min(rule.cap, rule.fraction * f) : 0;
    }
  }
}
