// The portfolio backtest request (POST /backtests/portfolio/start, the MCP tool and the job's own
// parameters parse with it): N symbols, one model for all (or one per symbol), one cash account,
// a sizing rule (src/core/portfolio/sizing.ts), a cap on gross exposure, optional rebalancing.
import { z } from 'zod';
import { NAME_RE } from './api-schemas';

const symbol = z.string().min(1).max(40).regex(/^[A-Za-z0-9._-]+$/, 'letters, digits, ., _ and - only');

export const sizingRuleSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('fixed_fraction'), fraction: z.number().gt(0).max(1).default(0.25) }).strict(),
  z.object({ type: z.literal('equal_weight') }).strict(),
  z.object({ type: z.literal('volatility_target'), annual_volatility: z.number().gt(0).max(5).default(0.1), lookback_bars: z.number().int().min(2).max(100_000).default(60) }).strict(),
  z
    .object({
      type: z.literal('kelly'),
      fraction: z.number().gt(0).max(1).default(0.5),
      cap: z.number().gt(0).max(1).default(0.25),
      min_trades: z.number().int().min(1).max(100_000).default(20),
      lookback_trades: z.number().int().min(1).max(100_000).default(100),
      warmup_fraction: z.number().min(0).max(1).default(0.1),
    })
    .strict(),
]);

export type SizingRuleType = z.output<typeof sizingRuleSchema>['type'];

/**
 * Each sizing rule's headline parameter, the one a client asks for (the CLI's `rule:value`, the app's
 * value field); null: the rule has none. The other parameters keep their schema defaults.
 */
export const SIZING_PARAMETER: Record<SizingRuleType, { key: string; label: string; default: number; max: number } | null> = {
  equal_weight: null,
  fixed_fraction: { key: 'fraction', label: 'Fraction of equity per position', default: 0.25, max: 1 },
  volatility_target: { key: 'annual_volatility', label: 'Annual volatility per leg', default: 0.1, max: 5 },
  kelly: { key: 'fraction', label: 'Fraction of Kelly f*', default: 0.5, max: 1 },
};

/** The request's fields (strict: an unknown key is refused by name); the route extends it with server-side checks. */
export const portfolioStartFields = z
  .object({
    strategy_name: z.string().min(1).max(200).regex(NAME_RE, 'letters, digits, _ and - only'),
    symbols: z
      .array(symbol)
      .min(1, 'give at least one symbol')
      .max(1000)
      .refine((s) => new Set(s.map((x) => x.toUpperCase())).size === s.length, { message: 'each symbol once' }),
    /** One timeframe for every leg (default: the strategy's base timeframe). */
    timeframe: z.string().min(1).max(10).nullish(),
    start_date: z.string().min(1).max(40),
    end_date: z.string().min(1).max(40),
    /** One model for every leg (default: the strategy's latest for the timeframe, e.g. trained across the symbols). */
    model_path: z.string().max(500).nullish(),
    /** A model per symbol, overriding model_path for those legs. */
    model_paths: z.record(symbol, z.string().min(1).max(500)).nullish(),
    initial_capital: z.number().positive().max(1e12).default(100_000),
    // KTRDR's legacy fractions, applied to every leg (either given: KTRDR's cost model).
    commission: z.number().min(0).max(0.5).nullish(),
    slippage: z.number().min(0).max(0.5).nullish(),
    /** Overrides of every leg's instrument costs (checked by the server; pips use each leg's pip size). */
    costs: z.record(z.string(), z.unknown()).nullish(),
    sizing: sizingRuleSchema.default({ type: 'equal_weight' }),
    /** Σ |position value| ≤ this × equity after an entry or a rebalance (1 = no leverage). */
    max_gross_exposure: z.number().gt(0).max(10).default(1),
    rebalance: z.enum(['day', 'week', 'month']).nullish(),
    /** Rebalances smaller than this share of the position are skipped. */
    min_rebalance_fraction: z.number().min(0).max(0.99).default(0.1),
    allow_in_sample: z.boolean().default(false),
    random_runs: z.number().int().min(0).max(5000).optional(),
    random_seed: z.number().int().min(0).max(0xffffffff).optional(),
    price_adjustment: z.enum(['auto', 'split_adjusted', 'as_traded']).optional(),
  })
  .strict();

/** Checks across fields, for every schema built on portfolioStartFields. */
export function checkPortfolioBody(b: { sizing: z.output<typeof sizingRuleSchema> }, ctx: z.RefinementCtx): void {
  if (b.sizing.type === 'kelly' && b.sizing.lookback_trades < b.sizing.min_trades) ctx.addIssue({ code: 'custom', message: 'lookback_trades must be ≥ min_trades', path: ['sizing', 'lookback_trades'] });
}

export const portfolioStartBody = portfolioStartFields.superRefine(checkPortfolioBody);

/**
 * An experiment's backtests as portfolios (`backtest.portfolio` of POST /experiments/walk-forward/start
 * and /experiments/sweeps/start): every fold's or trial's backtest runs these symbols (default: the
 * trained ones) as one book with this sizing, cap and rebalancing; costs and capital come from the
 * `backtest` section as for a single symbol.
 */
export const experimentPortfolioBody = z
  .object({
    symbols: portfolioStartFields.shape.symbols.optional(),
    ...portfolioStartFields.pick({ sizing: true, max_gross_exposure: true, rebalance: true, min_rebalance_fraction: true }).shape,
  })
  .strict()
  .superRefine(checkPortfolioBody);
export type ExperimentPortfolioBody = z.output<typeof experimentPortfolioBody>;

export type PortfolioStartBody = z.output<typeof portfolioStartBody>;
