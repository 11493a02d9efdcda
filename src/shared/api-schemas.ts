// Request schemas shared by the REST routes (src/main/api/routes/*) and the MCP server's tools
// (src/cli/mcp), so an agent's tool inputs are the route's own validation, as JSON Schema.
// Checks that need core/infra (date boundaries, strategy lookup) stay in the routes, which extend these.
import { z } from 'zod';
import { OPERATION_STATUSES, OPERATION_TYPES, RESUMING_FILTER } from './operations';
import { checkpointOverrideSchema } from './checkpoints';

/** Model/strategy names usable everywhere (models/<name>/…): letters, digits, _ and -. */
export const NAME_RE = /^[A-Za-z0-9][A-Za-z0-9_-]*$/;

const nonEmptyList = (what: string) => z.array(z.string().min(1).max(40)).min(1, `At least one ${what} must be specified`).max(50);

/** POST /trainings/start (KTRDR's TrainingRequest). */
export const trainingStartBody = z.object({
  strategy_name: z.string().min(1).max(200),
  symbols: nonEmptyList('symbol').nullish(),
  timeframes: nonEmptyList('timeframe').nullish(),
  start_date: z.string().max(40).nullish(),
  end_date: z.string().max(40).nullish(),
  task_id: z.string().max(200).nullish(),
  detailed_analytics: z.boolean().optional(),
  /** Overrides the strategy's training.checkpoints for this run (any subset of its fields). */
  checkpoints: checkpointOverrideSchema.nullish(),
});

/** POST /backtests/start; the route refines start_date/end_date (date boundaries live in core). */
export const backtestStartBody = z.object({
  strategy_name: z.string().min(1).max(200).regex(NAME_RE, 'letters, digits, _ and - only'),
  symbol: z.string().min(1).max(40).nullish(),
  timeframe: z.string().min(1).max(10).nullish(),
  start_date: z.string().min(1).max(40),
  end_date: z.string().min(1).max(40),
  model_path: z.string().max(500).nullish(),
  initial_capital: z.number().positive().max(1e12).default(100_000),
  // KTRDR's legacy fractions: when either is given, the KTRDR cost model applies; absent, the instrument's costs.
  commission: z.number().min(0).max(0.5).nullish(),
  slippage: z.number().min(0).max(0.5).nullish(),
  /** Overrides of the instrument's costs (spread_pips, slippage, commission model; checked by the server). */
  costs: z.record(z.string(), z.unknown()).nullish(),
  position_size: z.number().gt(0).max(1).default(0.25),
  /** The range may overlap the model's data on purpose: keep the fields, drop the warning. */
  allow_in_sample: z.boolean().default(false),
  /** Random-entry runs for results.significance (0 disables; server default 200). */
  random_runs: z.number().int().min(0).max(5000).optional(),
  random_seed: z.number().int().min(0).max(0xffffffff).optional(),
  /** Are the bars split-adjusted? Per-share costs apply to the shares really traded; auto reads the data (docs/instruments.md). */
  price_adjustment: z.enum(['auto', 'split_adjusted', 'as_traded']).optional(),
});

export const MAX_STRATEGY_YAML = 1_000_000;

/** POST /strategies/validate: unsaved YAML text. */
export const strategyValidateBody = z.object({ yaml: z.string().max(MAX_STRATEGY_YAML), name: z.string().max(200).optional() });

/** PUT /strategies/{name}. */
export const strategySaveBody = z.object({ yaml: z.string().min(1).max(MAX_STRATEGY_YAML), overwrite: z.boolean().default(true) });

export const booleanQuery = z.enum(['true', 'false', '1', '0', 'yes', 'no']).transform((v) => v === 'true' || v === '1' || v === 'yes');

/** GET /operations. */
export const operationsListQuery = z.object({
  /**
   * A status, or KTRDR's `resuming` (`ktrdr ops --status resuming`): resumed operations no worker has
   * started yet, which this server reports as `pending` with `metadata.resumed_from`.
   */
  status: z.enum([...OPERATION_STATUSES, RESUMING_FILTER]).optional(),
  operation_type: z.enum(OPERATION_TYPES).optional(),
  limit: z.coerce.number().int().min(1).max(1000).default(10),
  offset: z.coerce.number().int().min(0).default(0),
  active_only: booleanQuery.optional(),
  /** Children of an experiment (walk_forward, sweep). */
  parent_id: z.string().min(1).max(200).optional(),
});

/** GET /operations/{id}/metrics. */
export const metricsQuery = z.object({ cursor: z.coerce.number().int().min(0).default(0) });

export const operationIdParams = z.object({ operation_id: z.string().min(1).max(200) });

/** Who made a request (header X-KTRDR-Client); operations it starts carry it as metadata.started_by. */
export const CLIENT_KINDS = ['mcp', 'cli', 'ui'] as const;
export type ClientKind = (typeof CLIENT_KINDS)[number];
export const CLIENT_HEADER = 'x-ktrdr-client';
