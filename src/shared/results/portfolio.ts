// The portfolio backtest result contract (issue 26): what src/worker/jobs/portfolio-backtest.ts writes
// for a `backtesting` operation over N symbols with one cash account. It is the backtest contract's
// second variant: `kind: "portfolio"` tells it apart from a single-symbol result (which has no `kind`
// and keeps its shape), so every reader gets it through parseOperationResult as
// `{type: 'portfolio', result}` (index.ts) and shows it through the presenter (present.ts).
// Conventions: common.ts (null + null_reasons, never 0 or a sentinel).
//
// Versions:
//   1  first version: metrics of the portfolio equity (the backtest's metric keys), legs[] with their
//      PnL, costs, contribution, exposure and in-sample flags, the legs' correlation, the equal-weight
//      buy & hold benchmarks, random-entry significance at the portfolio level.
import { z } from 'zod';
import { sizingRuleSchema } from '../portfolio';
import {
  backtestMetricsSchema,
  costBreakdownSchema,
  costModelSchema,
  decisionsSchema,
  evaluationShape,
  holdShape,
  inSampleShape,
} from './backtest';
import { everyNullExplained, maybeNumber, nullReasons, parseWith, storedArtefacts, validateProduced } from './common';

export const PORTFOLIO_RESULT_VERSION = 1 as const;

const count = z.number().int().min(0);
const isoTime = z.string().min(1);

/** One leg's settings as the job resolved them: its model, its instrument's costs, its decision rules. */
export const portfolioLegConfigSchema = z.object({
  symbol: z.string(),
  model_path: z.string(),
  costs: costModelSchema,
  decisions: decisionsSchema,
});

export const portfolioConfigSchema = z.object({
  initial_capital: z.number().positive(),
  /** The one cash account's currency (every leg is quoted in it). */
  account_currency: z.string().min(1),
  sizing: sizingRuleSchema,
  /** Σ |position value| ≤ this × equity after an entry or a rebalance. */
  max_gross_exposure: z.number().positive(),
  /** Periodic resizing of open positions; null: none. */
  rebalance: z.enum(['day', 'week', 'month']).nullable(),
  min_rebalance_fraction: z.number().min(0),
  /** KTRDR's legacy fractions when the request gave them (every leg), else null (each instrument's costs apply). */
  commission: z.number().nullable(),
  slippage: z.number().nullable(),
  start_date: isoTime,
  end_date: isoTime,
  legs: z.array(portfolioLegConfigSchema).min(1),
});
export type PortfolioConfigResult = z.output<typeof portfolioConfigSchema>;

/** Why entries were not taken on a leg (counts). */
export const skippedEntriesSchema = z.object({ sizing: count, gross_exposure: count, too_small: count });

/** One leg of the book: what it traded, earned, paid and held (core/portfolio/analysis.ts), and its in-sample guard. */
export const portfolioLegSchema = z
  .object({
    symbol: z.string(),
    /** The leg's bars in the tested range, the first and last (open times). */
    bars: count,
    first_bar: isoTime,
    last_bar: isoTime,
    warmup_bars: count,
    /** The requested range was clipped to this leg's data. */
    clipped: z.boolean(),
    total_trades: count,
    winning_trades: count,
    losing_trades: count,
    /** null without trades. */
    win_rate: maybeNumber,
    /** null without trades or without a losing trade (unbounded). */
    profit_factor: maybeNumber,
    /** gross − commission − spread − slippage = net, in the account currency. */
    costs: costBreakdownSchema,
    /** Net PnL ÷ initial capital: the legs add up to the portfolio's total return. */
    contribution: z.number(),
    /** Net PnL ÷ the portfolio's net PnL; null when the portfolio made none. */
    share_of_pnl: maybeNumber,
    /** Mean over the portfolio's steps of |position value| ÷ equity. */
    capital_invested: maybeNumber,
    /** Share of the leg's own bars with a position. */
    time_in_market: z.number().min(0).max(1),
    /** Fills that resized an open position (rebalancing), not counted as trades. */
    rebalance_fills: count,
    skipped_entries: skippedEntriesSchema,
    /** Kelly sizing only: f* = mean(r) ÷ mean(r²) over the leg's last closed trades at the end of the run. */
    kelly_fraction: maybeNumber.optional(),
    model_path: z.string(),
    ...inSampleShape,
    null_reasons: nullReasons,
  })
  .superRefine(everyNullExplained);
export type PortfolioLeg = z.output<typeof portfolioLegSchema>;

/**
 * Pearson correlation of the legs' per-step contributions (Δ leg value ÷ equity at the step before).
 * `matrix` is null above the leg limit (reason `matrix`); a null entry (a leg that never moved) has its
 * reason under `"<row symbol>/<column symbol>"` (the upper triangle, diagonal included).
 */
export const legCorrelationSchema = z
  .object({
    symbols: z.array(z.string()),
    basis: z.literal('per_step_contribution'),
    matrix: z.array(z.array(maybeNumber)).nullable(),
    null_reasons: nullReasons,
  })
  .superRefine((c, ctx) => {
    everyNullExplained(c, ctx);
    if (!c.matrix) return;
    if (c.matrix.length !== c.symbols.length) ctx.addIssue({ code: 'custom', path: ['matrix'], message: `${c.matrix.length} rows for ${c.symbols.length} symbols` });
    c.matrix.forEach((row, i) =>
      row.forEach((v, j) => {
        const [a, b] = i <= j ? [i, j] : [j, i];
        if (v === null && !c.null_reasons[`${c.symbols[a]}/${c.symbols[b]}`]) ctx.addIssue({ code: 'custom', path: ['matrix', i, j], message: `correlation ${c.symbols[a]}/${c.symbols[b]} is null without a reason in null_reasons` });
      }),
    );
  });
export type LegCorrelationResult = z.output<typeof legCorrelationSchema>;

/** Equal-weight buy & hold of the legs with their costs (core/portfolio/benchmark.ts): units bought per leg instead of one quantity. */
export const portfolioHoldSchema = z.object({ ...holdShape, quantities: z.record(z.string(), z.number()) }).superRefine(everyNullExplained);
export type PortfolioHoldResult = z.output<typeof portfolioHoldSchema>;
export const portfolioBenchmarkSchema = z.object({ buy_and_hold: portfolioHoldSchema, exposure_matched: portfolioHoldSchema });

export const portfolioResultSchema = z
  .object({
    schema_version: z.literal(PORTFOLIO_RESULT_VERSION),
    kind: z.literal('portfolio'),
    strategy_name: z.string(),
    /** The legs' symbols joined with commas (where a reader of a single backtest looks for one). */
    symbol: z.string(),
    symbols: z.array(z.string()).min(1),
    timeframe: z.string(),
    /** First and last step (open times, ISO). */
    start_time: isoTime,
    end_time: isoTime,
    execution_time_seconds: z.number().min(0),
    config: portfolioConfigSchema,
    /** The catalogue's backtest metrics on the portfolio equity, one point per step (bars = steps). */
    metrics: backtestMetricsSchema,
    /** Equal-weight buy & hold of the legs, fully invested and at the strategy's average gross exposure (capped at 1). */
    benchmark: portfolioBenchmarkSchema,
    costs: costBreakdownSchema,
    legs: z.array(portfolioLegSchema).min(1),
    correlation: legCorrelationSchema,
    /** Mean over steps of Σ |position value| ÷ equity. */
    average_gross_exposure: z.number().min(0),
    /** Σ over legs; null when a leg's model range is unknown. */
    in_sample_bars: count.nullable(),
    /** true when every leg is out of sample, false when one is in sample, null when unknown. */
    out_of_sample: z.boolean().nullable(),
    ...evaluationShape,
    effective_range: z.object({ start: isoTime, end: isoTime, steps: count, clipped: z.boolean() }),
    /** The one model every leg used; null when the legs use different models (see model_paths). */
    model_path: z.string().nullable(),
    model_paths: z.record(z.string(), z.string()),
    inference: z.enum(['fused-js', 'tfjs']).optional(),
    inference_backend: z.string().optional(),
    artifacts: z.object({ trades: z.string(), equity_curve: z.string(), fills: z.string() }),
    artefacts: storedArtefacts,
    null_reasons: nullReasons,
  })
  .superRefine(everyNullExplained);
export type PortfolioResult = z.output<typeof portfolioResultSchema>;

/** Whether a stored `backtesting` result is a portfolio's (the variant's discriminator). */
export function isPortfolioResult(raw: unknown): boolean {
  return !!raw && typeof raw === 'object' && (raw as { kind?: unknown }).kind === 'portfolio';
}

/** Reader side: anything that does not match fails with the fields named (no older versions exist). */
export function parsePortfolioResult(raw: unknown): PortfolioResult {
  return parseWith('portfolio backtest', portfolioResultSchema, raw);
}

/** Producer side (the worker): validated, no undeclared field; the returned value is what is stored. */
export function validatePortfolioResult(value: unknown): PortfolioResult {
  return validateProduced('portfolio backtest', portfolioResultSchema, value);
}
