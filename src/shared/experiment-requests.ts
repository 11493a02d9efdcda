// Request bodies of POST /experiments/walk-forward/start and /experiments/sweeps/start, shared by the
// REST routes and the MCP tools (an agent's tool input is the route's own validation). The routes
// refine what needs core (cost overrides, windows, search-space specs). Pure: zod only.
import { z } from 'zod';
import { experimentPortfolioBody } from './portfolio';

const nonEmptyList = (what: string) => z.array(z.string().min(1).max(40)).min(1, `At least one ${what} must be specified`).max(50);
const windowField = z.union([z.string().max(20), z.number().int().positive()]);

/**
 * How each child backtest runs. Costs resolve exactly as POST /backtests/start does: the
 * instrument's costs → the strategy's `costs:` → KTRDR's legacy `commission`/`slippage` fractions
 * (only when given) → `costs` (spread_pips, slippage, commission model…).
 */
export const experimentBacktestFields = z
  .object({
    symbol: z.string().min(1).max(40).optional(),
    initial_capital: z.number().positive().max(1e12).default(100_000),
    commission: z.number().min(0).max(0.5).nullish(),
    slippage: z.number().min(0).max(0.5).nullish(),
    /** Overrides of the instrument's costs; the server checks the keys (as for /backtests/start). */
    costs: z.record(z.string(), z.unknown()).nullish(),
    position_size: z.number().gt(0).max(1).default(0.25),
    /** Walk-forward: also backtest each fold's model on its own training window (Sharpe degradation). */
    in_sample: z.boolean().default(false),
    /** Backtest portfolios instead of one symbol: the legs (default: the trained symbols), sizing, cap, rebalancing. */
    portfolio: experimentPortfolioBody.nullish(),
  })
  .strict();

/** Checks across the section's fields (a refined object cannot be extended: the route extends the fields, then refines). */
export function checkExperimentBacktest(b: { symbol?: string; portfolio?: unknown }, ctx: z.RefinementCtx): void {
  if (b.portfolio && b.symbol) ctx.addIssue({ code: 'custom', path: ['symbol'], message: 'give either backtest.symbol (one symbol) or backtest.portfolio (several), not both' });
}

export const experimentBacktestBody = experimentBacktestFields.superRefine(checkExperimentBacktest);

export const experimentCommon = {
  strategy_name: z.string().min(1).max(200),
  symbols: nonEmptyList('symbol').nullish(),
  timeframes: nonEmptyList('timeframe').nullish(),
  start_date: z.string().min(1).max(40),
  end_date: z.string().min(1).max(40),
  max_parallel: z.number().int().min(1).max(64).optional(),
};

export const walkForwardStartBody = z.object({
  ...experimentCommon,
  backtest: experimentBacktestBody.prefault({}),
  train_window: windowField,
  test_window: windowField,
  /** How far each fold moves; at least the test window (overlapping test windows are refused). */
  step: windowField.nullish(),
  anchored: z.boolean().default(false),
  embargo_bars: z.number().int().min(0).max(100_000).default(0),
});

/** Sweep objectives (all maximised): the source says where the number is measured. */
export const SWEEP_OBJECTIVES = {
  val_accuracy: { source: 'train', metric: 'val_accuracy', label: 'Validation accuracy (best epoch)' },
  test_accuracy: { source: 'train', metric: 'test_accuracy', label: 'Test-split accuracy inside the training range' },
  oos_sharpe: { source: 'selection', metric: 'sharpe_ratio', label: 'Sharpe ratio of the selection-window backtest (annualised)' },
  oos_return: { source: 'selection', metric: 'total_return_pct', label: 'Total return of the selection-window backtest' },
  oos_sortino: { source: 'selection', metric: 'sortino_ratio', label: 'Sortino ratio of the selection-window backtest' },
  oos_calmar: { source: 'selection', metric: 'calmar_ratio', label: 'Calmar ratio of the selection-window backtest' },
  oos_profit_factor: { source: 'selection', metric: 'profit_factor', label: 'Profit factor of the selection-window backtest' },
} as const;
export type SweepObjective = keyof typeof SWEEP_OBJECTIVES;
export const SWEEP_OBJECTIVE_NAMES = Object.keys(SWEEP_OBJECTIVES) as [SweepObjective, ...SweepObjective[]];

export const sweepStartBody = z.object({
  ...experimentCommon,
  backtest: experimentBacktestBody.prefault({}),
  space: z.record(z.string(), z.unknown()),
  sampler: z.enum(['grid', 'random', 'tpe']).default('random'),
  trials: z.number().int().min(1).max(1000),
  objective: z.enum(SWEEP_OBJECTIVE_NAMES).default('val_accuracy'),
  seed: z.number().int().min(0).max(2 ** 31 - 1).default(0),
  /** Share of the bars at the end of the range never seen by any trial: only the chosen trial is backtested there, once. */
  holdout: z.number().min(0).max(0.5).default(0.2),
  /** Share of the bars before the final holdout on which every trial is backtested and ranked. */
  selection: z.number().min(0).max(0.5).default(0.2),
  embargo_bars: z.number().int().min(0).max(100_000).default(0),
  tpe_startup_trials: z.number().int().min(1).max(1000).optional(),
});

export type WalkForwardStartBody = z.infer<typeof walkForwardStartBody>;
export type SweepStartBody = z.infer<typeof sweepStartBody>;
