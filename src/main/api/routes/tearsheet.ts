// GET /backtests/{id}/tearsheet: rolling Sharpe, underwater curve, worst drawdowns with dates and the
// monthly-returns grid of a finished backtest (core/tearsheet), from its stored equity curve and its
// result (read through the contract). The app draws it; the HTML report prints the same numbers
// (core/report/tearsheet-section).
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { tearsheetPayload } from '../../../core/tearsheet/payload';
import type { AppContext } from '../../context';
import { idParams, readArtifact, readBacktestResult } from './backtests';

export function tearsheetRoutes(ctx: AppContext) {
  return async (root: FastifyInstance) => {
    const app = root.withTypeProvider<ZodTypeProvider>();
    app.get(
      '/backtests/:backtest_id/tearsheet',
      {
        schema: {
          tags: ['backtests'],
          summary: 'Tearsheet of a finished backtest: rolling Sharpe (6 months), underwater curve, top-5 drawdowns with dates, monthly returns',
          params: idParams,
          querystring: z.object({
            max_points: z.coerce.number().int().min(0).max(10_000_000).default(2000).describe('series thinned to this many points, extremes kept (0: every bar)'),
            window_bars: z.coerce.number().int().min(2).max(10_000_000).optional().describe('rolling Sharpe window in bars (default: half a year of bars)'),
          }),
        },
      },
      async (req) => {
        const id = req.params.backtest_id;
        const eq = readArtifact(ctx, id, 'equity.json'); // 404/400 with the reason when there is none
        const results = readBacktestResult(ctx, id).result;
        return tearsheetPayload(
          id,
          { time: eq.time, values: eq.values, initial: eq.initial_capital, barsPerYear: results.metrics.bars_per_year, windowBars: req.query.window_bars },
          req.query.max_points,
        );
      },
    );
  };
}
