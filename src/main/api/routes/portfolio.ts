// POST /backtests/portfolio/start: one backtest over N symbols with one cash account (issue 26).
// Everything a portfolio can be refused for is checked before the operation exists: the strategy,
// the timeframe, every symbol's data over the range (the error names the symbol), every model, the
// cost overrides. The operation is a `backtesting` one (params.portfolio = true), so its trades,
// equity curve and report are read where a single backtest's are. KTRDR's single-symbol
// /backtests/start is unchanged.
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { DEFAULT_RANDOM_RUNS, DEFAULT_RANDOM_SEED, MAX_RANDOM_RUNS } from '../../../core/evaluation/significance';
import { costOverrides } from '../../../core/instruments';
import { checkPortfolioBody, portfolioStartFields } from '../../../shared/portfolio';
import type { AppContext } from '../../context';
import { HttpError, ValidationError } from '../errors';
import { legsCsv } from '../../../core/report/portfolio-section';
import { barMsOf, dateField, idParams, modelRangeOverlap, readBacktestResult, requestedRange, resolveModelRef, storedRange, strategyDefaults, validStrategy } from './backtests';

// The shared schema (REST + MCP) refined with what only the server knows: strict dates, the
// instrument cost overrides and the significance defaults.
const startBody = portfolioStartFields
  .extend({
    start_date: dateField('start'),
    end_date: dateField('end'),
    costs: costOverrides(true).nullish(),
    random_runs: z.number().int().min(0).max(MAX_RANDOM_RUNS).default(DEFAULT_RANDOM_RUNS),
    random_seed: z.number().int().min(0).max(0xffffffff).default(DEFAULT_RANDOM_SEED),
  })
  .superRefine(checkPortfolioBody);

const iso = (ms: number) => new Date(ms).toISOString();

export function portfolioRoutes(ctx: AppContext) {
  return async (root: FastifyInstance) => {
    const app = root.withTypeProvider<ZodTypeProvider>();
    app.post(
      '/backtests/portfolio/start',
      {
        schema: {
          tags: ['backtests'],
          summary: 'Start a portfolio backtest: N symbols, one cash account, a sizing rule (validated before the operation is created)',
          body: startBody,
        },
      },
      async (req) => {
        const b = req.body;
        const requested = requestedRange(b);
        const strategy = await validStrategy(ctx, b.strategy_name);
        const timeframe = b.timeframe ?? strategyDefaults(strategy.parsed).timeframe;
        if (!timeframe) throw new HttpError(400, `timeframe is required (strategy ${b.strategy_name} names none)`);
        const barMs = barMsOf(timeframe);
        const unknown = Object.keys(b.model_paths ?? {}).filter((s) => !b.symbols.some((x) => x.toUpperCase() === s.toUpperCase()));
        if (unknown.length) throw new ValidationError([{ field: 'model_paths', message: `names symbols that are not legs: ${unknown.join(', ')}` }]);

        // Every leg's data over the range, and its model (one per distinct reference).
        const legs = b.symbols.map((raw, i) => {
          const { info, range } = storedRange(ctx, raw, timeframe, barMs, requested, `symbols.${i}`);
          const ref = Object.entries(b.model_paths ?? {}).find(([k]) => k.toUpperCase() === raw.toUpperCase())?.[1] ?? b.model_path ?? `${b.strategy_name}/${timeframe}_latest`;
          return { symbol: info.symbol, range, model: resolveModelRef(ctx, ref) };
        });
        const symbols = legs.map((l) => l.symbol);
        const warnings: string[] = [];
        for (const leg of legs) {
          const overlap = modelRangeOverlap(leg.model.dir, leg.range.start, leg.range.end);
          if (overlap && !b.allow_in_sample) warnings.push(`${leg.symbol}: ${overlap}`);
        }
        const models = [...new Set(legs.map((l) => l.model.model_path))];
        const params = {
          ...b,
          portfolio: true,
          symbols,
          timeframe,
          model_path: models.length === 1 ? models[0] : (b.model_path ?? null),
          model_paths: Object.fromEntries(legs.map((l) => [l.symbol, l.model.model_path])),
          price_adjustment: b.price_adjustment ?? 'auto',
          strategy_path: strategy.path,
        };
        const op = ctx.operations.start({
          type: 'backtesting',
          params,
          metadata: {
            symbol: symbols.join(','),
            timeframe,
            start_date: iso(requested.start),
            end_date: iso(requested.end),
            strategy_name: b.strategy_name,
            parameters: { ...params, requested_start_date: b.start_date, requested_end_date: b.end_date },
          },
        });
        return {
          success: true,
          operation_id: op.operation_id,
          status: 'started',
          message: `Portfolio backtest started for ${symbols.join(', ')} ${timeframe}`,
          symbols,
          symbol: symbols.join(','),
          timeframe,
          mode: 'local',
          model_path: params.model_path,
          model_paths: params.model_paths,
          effective_start_date: iso(Math.min(...legs.map((l) => l.range.start))),
          effective_end_date: iso(Math.max(...legs.map((l) => l.range.end))),
          clipped: legs.some((l) => l.range.clipped),
          ...(warnings.length ? { warnings } : {}),
        };
      },
    );

    app.get(
      '/backtests/:backtest_id/legs',
      {
        schema: {
          tags: ['backtests'],
          summary: 'The legs of a finished portfolio backtest: PnL, costs, contribution, exposure, in-sample flag (?format=csv for a CSV download)',
          params: idParams,
          querystring: z.object({ format: z.enum(['json', 'csv']).default('json') }),
        },
      },
      async (req, reply) => {
        const id = req.params.backtest_id;
        const op = ctx.operations.get(id);
        if (op.operation_type !== 'backtesting') throw new HttpError(404, `Operation ${id} is not a backtest`);
        if (op.status !== 'completed') throw new HttpError(400, `Backtest ${id} is ${op.status}; its legs are available when it completes`);
        const typed = readBacktestResult(ctx, id);
        if (typed.type !== 'portfolio') throw new HttpError(400, `Backtest ${id} is a single-symbol backtest: it has no legs (see /backtests/${id}/trades)`);
        const results = typed.result;
        if (req.query.format === 'csv') return reply.header('content-type', 'text/csv; charset=utf-8').header('content-disposition', `attachment; filename="${id}_legs.csv"`).send(legsCsv(results));
        return { success: true, backtest_id: id, symbols: results.symbols, legs: results.legs, correlation: results.correlation };
      },
    );
  };
}
