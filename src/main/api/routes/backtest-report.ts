// GET /backtests/{id}/report: one self-contained HTML file (src/core/report) from the operation's
// results (parsed by the result contract), its trades and equity curve and the model's manifest.
// `?download=1` asks the browser to save it instead of showing it; `?format=csv` gives the report's
// numbers as CSV (one row per shown value, at full precision: they reconcile with the JSON).
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { renderBacktestReport } from '../../../core/report/backtest-report';
import { resultCsv } from '../../../core/report/csv';
import { backtestCurrency, presentResult } from '../../../shared/results/present';
import { readManifestIfAny } from '../../../infra/models/registry';
import type { AppContext } from '../../context';
import { idParams, readArtifact, readBacktestResult } from './backtests';

function manifestOf(ctx: AppContext, modelPath: unknown): Record<string, unknown> | null {
  if (typeof modelPath !== 'string' || !modelPath) return null;
  try {
    return readManifestIfAny(ctx.models.resolve(modelPath).dir) as Record<string, unknown> | null;
  } catch {
    return null; // the model was deleted since: the report says so
  }
}

export function backtestReportRoutes(ctx: AppContext) {
  return async (root: FastifyInstance) => {
    const app = root.withTypeProvider<ZodTypeProvider>();
    app.get(
      '/backtests/:backtest_id/report',
      {
        schema: {
          tags: ['backtests'],
          summary: 'A self-contained HTML report of a finished backtest (metrics, charts, significance, provenance); ?format=csv: its numbers as CSV',
          params: idParams,
          querystring: z.object({ download: z.enum(['0', '1', 'true', 'false']).optional(), format: z.enum(['html', 'csv']).default('html') }),
        },
      },
      async (req, reply) => {
        const id = req.params.backtest_id;
        const trades = readArtifact(ctx, id, 'trades.json'); // 404/400 with the reason when there is none
        const equity = readArtifact(ctx, id, 'equity.json');
        const typed = readBacktestResult(ctx, id);
        const results = typed.result;
        const download = req.query.download === '1' || req.query.download === 'true';
        if (req.query.format === 'csv') {
          reply.header('content-type', 'text/csv; charset=utf-8');
          reply.header('content-disposition', `${download ? 'attachment' : 'inline'}; filename="${id}_report.csv"`);
          return reply.send(resultCsv(presentResult(typed), backtestCurrency(results)));
        }
        const html = renderBacktestReport({
          backtest_id: id,
          generated_at: new Date().toISOString(),
          results,
          trades: trades.trades,
          equity,
          manifest: manifestOf(ctx, results.model_path),
        });
        reply.header('content-type', 'text/html; charset=utf-8');
        reply.header('content-disposition', `${download ? 'attachment' : 'inline'}; filename="${id}_report.html"`);
        return reply.send(html);
      },
    );
  };
}
