// Backtests: start one (validated before the operation exists), then read its trades and equity curve.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { FastifyInstance, FastifyReply } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { clipRange, parseDateBoundary } from '../../../core/backtest/dates';
import { downsampleIndices } from '../../../core/backtest/downsample';
import { equityCsv, tradesCsv } from '../../../core/report/csv';
import { DEFAULT_RANDOM_RUNS, DEFAULT_RANDOM_SEED, MAX_RANDOM_RUNS } from '../../../core/evaluation/significance';
import { timeframeMs } from '../../../core/timeframes';
import { costOverrides } from '../../../core/instruments';
import { InvalidSeriesNameError } from '../../../infra/bars/bar-store';
import { locateStrategy } from './strategy-lookup';
import { ModelNotFoundError, ModelPathError, readManifestIfAny } from '../../../infra/models/registry';
import { backtestStartBody } from '../../../shared/api-schemas';
import { backtestEquityDocSchema, backtestFillsDocSchema, backtestTradesDocSchema } from '../../../shared/results/backtest';
import { parseOperationResult, type TypedResult } from '../../../shared/results/index';
import { parseWith, ResultContractError } from '../../../shared/results/common';
import { missingDataHint, syntheticDataWarning } from '../../../shared/data-hints';
import { formatIssue } from '../../../core/strategy/format';
import type { ParseResult } from '../../../core/strategy/types';
import type { AppContext } from '../../context';
import { HttpError, ValidationError } from '../errors';

export const dateField = (side: 'start' | 'end') =>
  z
    .string()
    .min(1)
    .max(40)
    .refine((s) => parseDateBoundary(s, side) !== null, { message: 'must be an ISO date (YYYY-MM-DD) or date-time' });

// The shared schema (REST + MCP) refined with what only the server knows: strict dates, the
// instrument cost overrides and the significance defaults.
const startBody = backtestStartBody.extend({
  start_date: dateField('start'),
  end_date: dateField('end'),
  /** Overrides of the instrument's costs (spread, slippage, commission model). */
  costs: costOverrides(true).nullish(),
  random_runs: z.number().int().min(0).max(MAX_RANDOM_RUNS).default(DEFAULT_RANDOM_RUNS),
  random_seed: z.number().int().min(0).max(0xffffffff).default(DEFAULT_RANDOM_SEED),
});

export const idParams = z.object({ backtest_id: z.string().min(1).max(200).regex(/^[A-Za-z0-9_-]+$/, 'not an operation id') });
/** `?format=csv` on the trades and equity endpoints: text/csv with a header row, as a download. */
const formatQuery = { format: z.enum(['json', 'csv']).default('json') };
const sendCsv = (reply: FastifyReply, filename: string, text: string) =>
  reply.header('content-type', 'text/csv; charset=utf-8').header('content-disposition', `attachment; filename="${filename}"`).send(text);

/** The strategy file, parsed: 400 with every error when it is not valid. */
export async function validStrategy(ctx: AppContext, name: string) {
  const strategy = await locateStrategy(ctx, name);
  if (!strategy.parsed.valid) {
    const errors = strategy.parsed.issues.filter((i) => i.severity === 'error').map((i) => formatIssue(i, `${strategy.name}.yaml`));
    throw new HttpError(400, `Strategy ${strategy.name} is not valid: ${errors.join('; ')}`, { errors });
  }
  return strategy;
}

/** First symbol and base timeframe the strategy trains on (after legacy migration). */
export function strategyDefaults(parsed: ParseResult): { symbol: string | null; timeframe: string | null } {
  const td = parsed.strategy?.training_data;
  return {
    symbol: td?.symbols.list[0] ?? null,
    timeframe: td?.timeframes.base_timeframe ?? td?.timeframes.list[0] ?? null,
  };
}

const iso = (ms: number) => new Date(ms).toISOString();

/** A finished backtest's result parsed by its contract: a single backtest or a portfolio (the contract's variant). */
export type TypedBacktest = Extract<TypedResult, { type: 'backtesting' | 'portfolio' }>;

/** A finished backtest's typed result (404 when the operation is not a backtest; a result that does not parse is a 500 naming the fields). */
export function readBacktestResult(ctx: AppContext, id: string): TypedBacktest {
  const op = ctx.operations.results(id);
  if (op.operation_type !== 'backtesting') throw new HttpError(404, `Operation ${id} is not a backtest`);
  let typed;
  try {
    typed = parseOperationResult(op.operation_type, op.results);
  } catch (err) {
    if (err instanceof ResultContractError) throw new HttpError(500, `Backtest ${id}: ${err.message}`);
    throw err;
  }
  if (typed?.type !== 'backtesting' && typed?.type !== 'portfolio') throw new HttpError(404, `Backtest ${id} has no result`);
  return typed;
}

/** A model reference → its folder: 404 with the versions there are, 400 for a path outside the models. */
export function resolveModelRef(ctx: AppContext, ref: string) {
  try {
    return ctx.models.resolve(ref);
  } catch (err) {
    if (err instanceof ModelNotFoundError) throw new HttpError(404, err.message, { available_versions: err.available });
    if (err instanceof ModelPathError) throw new HttpError(400, err.message);
    throw err;
  }
}

/** A start request's dates as times (the end day inclusive) and as typed. */
export interface RequestedRange {
  start: number;
  end: number;
  startText: string;
  endText: string;
}

/** The request's start_date/end_date (validated by the body schema); 422 naming end_date when it is before start_date. */
export function requestedRange(b: { start_date: string; end_date: string }): RequestedRange {
  const start = parseDateBoundary(b.start_date, 'start')!;
  const end = parseDateBoundary(b.end_date, 'end')!;
  if (start > end) throw new ValidationError([{ field: 'end_date', message: 'must not be before start_date' }]);
  return { start, end, startText: b.start_date, endText: b.end_date };
}

/** The bar length of `timeframe`; 422 naming the timeframe field when it is not one. */
export function barMsOf(timeframe: string): number {
  const barMs = timeframeMs(timeframe);
  if (barMs === null) throw new ValidationError([{ field: 'timeframe', message: `'${timeframe}' is not a timeframe (e.g. 1h, 4h, 1d)` }]);
  return barMs;
}

/**
 * The stored series (or the one it resamples from) and the requested range clipped to it: 422 on a
 * bad symbol (naming `field`), 404 without data, 400 when the range misses the data.
 */
export function storedRange(ctx: AppContext, symbol: string, timeframe: string, barMs: number, req: RequestedRange, field: string) {
  const store = ctx.bars;
  let info;
  try {
    info = store.info(symbol, timeframe);
    if (!info) {
      const source = store.resampleSource(symbol, timeframe);
      info = source ? store.info(symbol, source) : null;
    }
  } catch (err) {
    if (err instanceof InvalidSeriesNameError) throw new ValidationError([{ field, message: err.message }]);
    throw err;
  }
  if (!info || info.start === null || info.end === null) throw new HttpError(404, `No data for ${symbol} ${timeframe}: ${missingDataHint(symbol, timeframe)}`);
  const range = clipRange(req.start, req.end, info.start, info.end + barMs - 1);
  if (!range) throw new HttpError(400, `Requested range ${req.startText} .. ${req.endText} does not overlap the ${symbol} ${timeframe} data (${iso(info.start)} .. ${iso(info.end)})`);
  return { info, range };
}

const ARTIFACTS = { 'trades.json': backtestTradesDocSchema, 'equity.json': backtestEquityDocSchema, 'fills.json': backtestFillsDocSchema } as const;
type Artifact = keyof typeof ARTIFACTS;

/** A finished backtest's trades or equity curve, parsed by the result contract (a broken file is a 500 naming the fields). */
export function readArtifact<F extends Artifact>(ctx: AppContext, id: string, file: F): z.output<(typeof ARTIFACTS)[F]> {
  const path = join(ctx.config.home, 'backtests', id, file);
  if (existsSync(path)) {
    try {
      return parseWith(`backtest ${file}`, ARTIFACTS[file], JSON.parse(readFileSync(path, 'utf8'))) as z.output<(typeof ARTIFACTS)[F]>;
    } catch (err) {
      if (err instanceof ResultContractError || err instanceof SyntaxError) throw new HttpError(500, `Backtest ${id}: ${file} cannot be read: ${err.message}`);
      throw err;
    }
  }
  const op = ctx.operations.get(id); // 404 when unknown
  if (op.operation_type !== 'backtesting') throw new HttpError(404, `Operation ${id} is not a backtest`);
  if (op.status === 'pending' || op.status === 'running') throw new HttpError(400, `Backtest ${id} is ${op.status}; results are available when it completes`);
  throw new HttpError(404, `Backtest ${id} ended ${op.status} and has no ${file.replace('.json', '')}`);
}

/** A sentence when [start, end] overlaps the rows the model was trained/validated/tested on. */
export function modelRangeOverlap(modelDir: string, start: number, end: number): string | null {
  const m = readManifestIfAny(modelDir);
  const d = (m?.data ?? {}) as Record<string, unknown>;
  const a = typeof d.first_row_time === 'string' ? parseDateBoundary(d.first_row_time, 'start') : null;
  const z = typeof d.last_row_time === 'string' ? parseDateBoundary(d.last_row_time, 'end') : null;
  if (a === null || z === null || end < a || start > z) return null;
  return `In-sample backtest: the range overlaps the model's training data (${iso(a).slice(0, 10)} .. ${iso(z).slice(0, 10)}); results there are not out of sample (allow_in_sample: true silences this)`;
}

export function backtestsRoutes(ctx: AppContext) {
  return async (root: FastifyInstance) => {
    const app = root.withTypeProvider<ZodTypeProvider>();

    app.post(
      '/backtests/start',
      { schema: { tags: ['backtests'], summary: 'Start a backtest of a trained model (validated before the operation is created)', body: startBody } },
      async (req) => {
        const b = req.body;
        const requested = requestedRange(b);

        const strategy = await validStrategy(ctx, b.strategy_name);
        const defaults = strategyDefaults(strategy.parsed);
        const symbol = b.symbol ?? defaults.symbol;
        const timeframe = b.timeframe ?? defaults.timeframe;
        if (!symbol || !timeframe) throw new HttpError(400, `symbol and timeframe are required (strategy ${b.strategy_name} names none)`);
        const barMs = barMsOf(timeframe);

        const model = resolveModelRef(ctx, b.model_path ?? `${b.strategy_name}/${timeframe}_latest`);

        const { info, range } = storedRange(ctx, symbol, timeframe, barMs, requested, 'symbol');

        const params = {
          strategy_name: b.strategy_name,
          symbol: info.symbol,
          timeframe,
          start_date: iso(range.start),
          end_date: iso(range.end),
          model_path: model.model_path,
          initial_capital: b.initial_capital,
          commission: b.commission ?? null,
          slippage: b.slippage ?? null,
          costs: b.costs ?? null,
          position_size: b.position_size,
          allow_in_sample: b.allow_in_sample,
          random_runs: b.random_runs,
          random_seed: b.random_seed,
          price_adjustment: b.price_adjustment ?? 'auto',
          strategy_path: strategy.path,
        };
        // Said at once (dates only; the job counts the bars): the range overlaps the model's data.
        const warnings: string[] = [];
        const overlap = modelRangeOverlap(model.dir, range.start, range.end);
        if (overlap && !b.allow_in_sample) warnings.push(overlap);
        if (info.synthetic) warnings.unshift(syntheticDataWarning([`${info.symbol} ${timeframe}`]));
        const op = ctx.operations.start({
          type: 'backtesting',
          params,
          ...(info.synthetic ? { warnings: [syntheticDataWarning([`${info.symbol} ${timeframe}`])] } : {}),
          metadata: {
            symbol: info.symbol,
            timeframe,
            start_date: params.start_date,
            end_date: params.end_date,
            strategy_name: b.strategy_name,
            parameters: { ...params, requested_start_date: b.start_date, requested_end_date: b.end_date, clipped: range.clipped },
          },
        });
        return {
          success: true,
          operation_id: op.operation_id,
          status: 'started',
          message: `Backtest started for ${info.symbol} ${timeframe}`,
          symbol: info.symbol,
          timeframe,
          mode: 'local',
          model_path: model.model_path,
          effective_start_date: params.start_date,
          effective_end_date: params.end_date,
          clipped: range.clipped,
          ...(warnings.length ? { warnings } : {}),
        };
      },
    );

    app.get(
      '/backtests/:backtest_id/trades',
      {
        schema: {
          tags: ['backtests'],
          summary: 'Trades of a finished backtest (?format=csv for a CSV download whose money columns sum to results.costs: gross − commission − spread − slippage = net)',
          params: idParams,
          querystring: z.object(formatQuery),
        },
      },
      async (req, reply) => {
        const id = req.params.backtest_id;
        const doc = readArtifact(ctx, id, 'trades.json');
        if (req.query.format === 'csv') return sendCsv(reply, `${id}_trades.csv`, tradesCsv(doc.trades));
        return { success: true, backtest_id: id, operation_id: id, symbol: doc.symbol, timeframe: doc.timeframe, total_count: doc.trades.length, trades: doc.trades };
      },
    );

    app.get(
      '/backtests/:backtest_id/equity_curve',
      {
        schema: {
          tags: ['backtests'],
          summary: 'Equity curve of a finished backtest; max_points down-samples it keeping extremes. A portfolio adds its gross exposure per step, and with ?legs=true each leg’s PnL curve (down-sampled the same way)',
          params: idParams,
          querystring: z.object({ max_points: z.coerce.number().int().min(2).max(10_000_000).optional(), legs: z.enum(['true', 'false', '1', '0']).optional(), ...formatQuery }),
        },
      },
      async (req, reply) => {
        const id = req.params.backtest_id;
        const doc = readArtifact(ctx, id, 'equity.json');
        if (req.query.format === 'csv') return sendCsv(reply, `${id}_equity.csv`, equityCsv(doc));
        const max = req.query.max_points;
        const keep = max ? downsampleIndices(doc.values, doc.drawdowns, max) : null;
        const pick = <T>(xs: T[]) => (keep ? keep.map((i) => xs[i]) : xs);
        const withLegs = req.query.legs === 'true' || req.query.legs === '1';
        if (withLegs && !doc.legs) throw new HttpError(400, `Backtest ${id} is a single-symbol backtest: it has no legs`);
        return {
          success: true,
          backtest_id: id,
          initial_capital: doc.initial_capital,
          total_points: doc.values.length,
          timestamps: pick(doc.time).map(iso),
          values: pick(doc.values),
          drawdowns: pick(doc.drawdowns),
          positions: doc.position ? pick(doc.position) : null,
          ...(doc.gross_exposure ? { gross_exposure: pick(doc.gross_exposure) } : {}),
          ...(withLegs && doc.legs
            ? {
                legs: doc.legs.map((l) => {
                  const k = max ? downsampleIndices(l.value, new Float64Array(l.value.length), max) : null;
                  const at = <T>(xs: T[]) => (k ? k.map((i) => xs[i]) : xs);
                  return { symbol: l.symbol, timestamps: at(l.time).map(iso), values: at(l.value), positions: at(l.position) };
                }),
              }
            : {}),
        };
      },
    );
  };
}
