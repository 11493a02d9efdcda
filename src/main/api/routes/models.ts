// GET /models: trained model versions on disk, newest first (KTRDR's list shape plus what it lacked:
// version, path, real metrics, data range, settings, hashes, notes and which earlier version an
// identical re-run repeats). One version: GET/DELETE /models/{strategy}/{tf_vN}, notes: PUT …/notes.
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { ModelNotFoundError, ModelPathError, NAME_RE, type ModelEntry } from '../../../infra/models/registry';
import type { AppContext } from '../../context';
import { parseStrictDate } from '../../../core/bars/user-date';
import { badRequest, HttpError, ValidationError } from '../errors';

function num(v: unknown): number | null {
  return typeof v === 'number' && Number.isFinite(v) ? v : null;
}

function dto(m: ModelEntry) {
  return {
    model_id: `${m.strategy_name}/${m.timeframe}_v${m.version}`,
    model_name: m.strategy_name,
    strategy_name: m.strategy_name,
    symbol: m.symbols.length > 1 ? 'MULTI' : (m.symbols[0] ?? null),
    symbols: m.symbols,
    timeframe: m.timeframe,
    timeframes: m.timeframes,
    version: m.version,
    model_path: m.model_path,
    created_at: m.created_at,
    training_accuracy: num(m.training_metrics?.final_train_accuracy),
    validation_accuracy: num(m.training_metrics?.best_val_accuracy),
    test_accuracy: num(m.test_metrics?.test_accuracy),
    best_epoch: num(m.training_metrics?.best_epoch),
    epochs_trained: num(m.training_metrics?.epochs_trained),
    metrics: { training: m.training_metrics ? { ...m.training_metrics, history: undefined } : null, test: m.test_metrics },
    data_range: m.data_range,
    samples: m.samples,
    settings: m.settings,
    model: m.model_summary,
    strategy_hash: m.strategy_hash,
    data_hash: m.data_hash,
    seed: m.seed,
    same_as: m.same_as,
    notes: m.notes,
    description: `${m.strategy_name} ${m.timeframe} v${m.version}`,
  };
}

const versionParams = z.object({
  strategy: z.string().max(200).regex(NAME_RE, 'letters, digits, _ and - only'),
  version: z.string().max(40).regex(/^[0-9]+[A-Za-z]+_v[0-9]+$/, 'expected <timeframe>_v<N>, e.g. 1h_v2'),
});

export function modelsRoutes(ctx: AppContext) {
  function fail(err: unknown): never {
    if (err instanceof ModelNotFoundError) throw new HttpError(404, err.message, { available: err.available });
    if (err instanceof ModelPathError) throw badRequest(err.message);
    throw err;
  }
  function one(strategy: string, version: string) {
    const [tf, v] = version.split('_v');
    const m = ctx.models.list({ strategy, timeframe: tf }).find((x) => x.version === Number(v));
    if (!m) fail(new ModelNotFoundError(`Model ${strategy}/${version} not found`, []));
    return m;
  }

  return async (root: FastifyInstance) => {
    const app = root.withTypeProvider<ZodTypeProvider>();
    app.get(
      '/models',
      {
        schema: {
          tags: ['models'],
          summary: 'Trained models with strategy, timeframe, version, created_at, metrics, settings and data range',
          querystring: z.object({
            strategy: z.string().max(200).regex(NAME_RE, 'letters, digits, _ and - only').optional(),
            timeframe: z.string().max(10).optional(),
          }),
        },
      },
      async (req) => {
        const models = ctx.models.list(req.query).map(dto);
        return { success: true, models, total_count: models.length };
      },
    );

    // KTRDR's POST /models/predict (a placeholder there): one bar scored by the model for real.
    app.post(
      '/models/predict',
      {
        schema: {
          tags: ['models'],
          summary: "Score one bar with a trained model: its strategy's features up to that bar, class probabilities and the decision from flat",
          body: z.object({
            model_name: z.string().min(1).max(300).describe('strategy name (newest model for `timeframe`), or a model path <strategy>/<tf>_v<N>'),
            symbol: z.string().min(1).max(64),
            timeframe: z.string().min(1).max(8).default('1h'),
            test_date: z.string().max(40).nullish().describe('score the last bar opening at or before this date/time (a bare date: that whole day); default the last stored bar'),
            model_path: z.string().min(1).max(300).optional(),
          }),
        },
      },
      async (req) => {
        const b = req.body;
        let at: number | undefined;
        if (b.test_date) {
          const r = parseStrictDate(b.test_date, 'end');
          if (!r.ok) throw new ValidationError([{ field: 'test_date', message: `invalid date: ${r.message}` }]);
          at = r.ms;
        }
        let model;
        try {
          model = ctx.models.resolve(b.model_path ?? (b.model_name.includes('/') ? b.model_name : `${b.model_name}/${b.timeframe}_latest`));
        } catch (err) {
          fail(err);
        }
        // Loaded on first use: the inference library stays out of the server until a notebook asks.
        const { predictOneBar, PredictInputError } = await import('../../../infra/models/predict');
        let p;
        try {
          p = await predictOneBar(model!, ctx.bars, { symbol: b.symbol, at });
        } catch (err) {
          if (err instanceof PredictInputError) throw new HttpError(err.status, err.message);
          throw err;
        }
        return {
          success: true,
          model_name: b.model_name,
          model_path: p.model_path,
          symbol: p.symbol,
          timeframe: p.timeframe,
          test_date: b.test_date ?? p.bar_time,
          bar_time: p.bar_time,
          prediction: {
            signal: p.signal,
            raw_signal: p.raw_signal,
            confidence: p.confidence,
            confidence_threshold: p.confidence_threshold,
            signal_strength: p.signal_strength,
            probabilities: p.probabilities,
            // KTRDR's placeholder keys, filled from the class probabilities.
            fuzzy_outputs: { bullish: p.probabilities.BUY ?? 0, bearish: p.probabilities.SELL ?? 0, neutral: p.probabilities.HOLD ?? 0 },
          },
          input_features: p.input_features,
        };
      },
    );

    app.get('/models/:strategy/:version', { schema: { tags: ['models'], summary: 'One model version with its settings, metrics and notes', params: versionParams } }, async (req) => {
      return { success: true, model: dto(one(req.params.strategy, req.params.version)) };
    });

    app.put(
      '/models/:strategy/:version/notes',
      { schema: { tags: ['models'], summary: 'Save free-text notes next to a model version (notes.json)', params: versionParams, body: z.object({ notes: z.string().max(20_000) }) } },
      async (req) => {
        try {
          ctx.models.setNotes(`${req.params.strategy}/${req.params.version}`, req.body.notes);
        } catch (err) {
          fail(err);
        }
        return { success: true, model: dto(one(req.params.strategy, req.params.version)) };
      },
    );

    app.delete('/models/:strategy/:version', { schema: { tags: ['models'], summary: 'Delete one model version folder', params: versionParams } }, async (req) => {
      try {
        const r = ctx.models.remove(`${req.params.strategy}/${req.params.version}`);
        return { success: true, model_id: `${r.strategy_name}/${req.params.version}`, deleted: true };
      } catch (err) {
        fail(err);
      }
    });
  };
}
