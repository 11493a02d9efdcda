// GET /models: trained model versions on disk, newest first (KTRDR's list shape plus what it lacked:
// version, path and real metrics).
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { NAME_RE } from '../../../infra/models/registry';
import type { AppContext } from '../../context';

function num(v: unknown): number | null {
  return typeof v === 'number' && Number.isFinite(v) ? v : null;
}

export function modelsRoutes(ctx: AppContext) {
  return async (root: FastifyInstance) => {
    const app = root.withTypeProvider<ZodTypeProvider>();
    app.get(
      '/models',
      {
        schema: {
          tags: ['models'],
          summary: 'Trained models with strategy, timeframe, version, created_at and metrics',
          querystring: z.object({
            strategy: z.string().max(200).regex(NAME_RE, 'letters, digits, _ and - only').optional(),
            timeframe: z.string().max(10).optional(),
          }),
        },
      },
      async (req) => {
        const models = ctx.models
          .list(req.query)
          .map((m) => ({
            model_id: `${m.strategy_name}/${m.timeframe}_v${m.version}`,
            model_name: m.strategy_name,
            strategy_name: m.strategy_name,
            symbol: m.symbols.length > 1 ? 'MULTI' : (m.symbols[0] ?? null),
            symbols: m.symbols,
            timeframe: m.timeframe,
            version: m.version,
            model_path: m.model_path,
            created_at: m.created_at,
            training_accuracy: num(m.training_metrics?.final_train_accuracy),
            validation_accuracy: num(m.training_metrics?.best_val_accuracy),
            test_accuracy: num(m.test_metrics?.test_accuracy),
            metrics: { training: m.training_metrics ? { ...m.training_metrics, history: undefined } : null, test: m.test_metrics },
            description: `${m.strategy_name} ${m.timeframe} v${m.version}`,
          }));
        return { success: true, models, total_count: models.length };
      },
    );
  };
}
