// Training: POST /trainings/start (KTRDR's flat answer). Everything checkable is checked BEFORE the
// operation exists: strategy found (404) and valid (400 with line:column), dates (422 naming the field),
// data present for every symbol/timeframe and overlapping the range (404/400 saying what to load).
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { trainingStartBody } from '../../../shared/api-schemas';
import { checkTrainingData, parseDateBound, parseForTraining, syntheticWarning } from '../../../infra/models/training-inputs';
import { locateStrategy } from './strategy-lookup';
import type { AppContext } from '../../context';
import { HttpError, ValidationError } from '../errors';

const startBody = trainingStartBody;

export function trainingsRoutes(ctx: AppContext) {
  return async (root: FastifyInstance) => {
    const app = root.withTypeProvider<ZodTypeProvider>();

    app.post(
      '/trainings/start',
      { schema: { tags: ['training'], summary: 'Start training a strategy (validated before the operation is created)', body: startBody } },
      async (req) => {
        const b = req.body;
        const start = parseDateBound(b.start_date, false);
        const end = parseDateBound(b.end_date, true);
        const dateProblems = [];
        if (start === 'invalid') dateProblems.push({ field: 'start_date', message: `'${b.start_date}' is not a date (YYYY-MM-DD or ISO 8601)` });
        if (end === 'invalid') dateProblems.push({ field: 'end_date', message: `'${b.end_date}' is not a date (YYYY-MM-DD or ISO 8601)` });
        if (dateProblems.length) throw new ValidationError(dateProblems);
        if (typeof start === 'number' && typeof end === 'number' && start >= end) throw new ValidationError([{ field: 'end_date', message: `must be after start_date (${b.start_date})` }]);

        const file = await locateStrategy(ctx, b.strategy_name);
        const parsed = parseForTraining(file.text, b.strategy_name, { symbols: b.symbols ?? undefined, timeframes: b.timeframes ?? undefined }, file.parsed);
        if (!('strategy' in parsed)) {
          throw new HttpError(400, `Strategy ${b.strategy_name} is not valid: ${parsed.errors.join('; ')}`, { errors: parsed.errors });
        }
        const s = parsed.strategy;
        const symbols = s.training_data.symbols.list;
        const timeframes = s.training_data.timeframes.list;
        if (!symbols.length) throw new HttpError(400, `No symbols: the request names none and strategy ${b.strategy_name} has no training_data.symbols`);

        const problems = checkTrainingData(ctx.bars, symbols, timeframes, start as number | null, end as number | null);
        if (problems.length) {
          const status = problems.some((p) => p.status === 404) ? 404 : 400;
          throw new HttpError(status, problems.map((p) => p.message).join('; '));
        }

        // Generated bars are said so at once, on the operation and in the answer (issue 27).
        const synthetic = syntheticWarning(ctx.bars, symbols, timeframes);
        const warnings = synthetic ? [synthetic, ...parsed.warnings] : parsed.warnings;
        const params = {
          strategy_name: b.strategy_name,
          strategy_path: file.path,
          strategy_yaml: file.text,
          symbols,
          timeframes,
          start_date: b.start_date ?? null,
          end_date: b.end_date ?? null,
          // This run's override of the strategy's training.checkpoints (the job merges them).
          ...(b.checkpoints ? { checkpoints: b.checkpoints } : {}),
        };
        const info = ctx.operations.start({
          type: 'training',
          params,
          ...(synthetic ? { warnings: [synthetic] } : {}),
          metadata: {
            symbol: symbols.join(','),
            timeframe: timeframes.join(','),
            start_date: b.start_date ?? null,
            end_date: b.end_date ?? null,
            parameters: {
              strategy_name: b.strategy_name,
              strategy_path: file.path,
              symbols,
              timeframes,
              total_epochs: s.training.epochs,
              model_type: s.model.type,
              ...(b.task_id ? { requested_task_id: b.task_id } : {}),
            },
          },
        });
        const message = `Neural network training started for ${symbols.join(', ')} using ${b.strategy_name} strategy`;
        return {
          success: true,
          task_id: info.operation_id,
          operation_id: info.operation_id,
          status: 'training_started',
          message,
          symbols,
          timeframes,
          strategy_name: b.strategy_name,
          warnings,
        };
      },
    );
  };
}
