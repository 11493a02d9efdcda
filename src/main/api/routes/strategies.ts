// Strategy files over REST (KTRDR shapes): list, read, validate (saved or unsaved text), features, save.
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { resolveFeatures } from '../../../core/features/resolver';
import { INDICATORS } from '../../../core/indicators/registry';
import type { ParseResult, StrategyConfig, StrategyIssue } from '../../../core/strategy/types';
import { ModelRegistry } from '../../../infra/models/registry';
import { deleteUserStrategy, InvalidStrategyNameError, StrategyNotDeletableError, StrategyValidationFailedError, type StrategySummary } from '../../../infra/strategies';
import { strategySaveBody, strategyValidateBody } from '../../../shared/api-schemas';
import type { AppContext } from '../../context';
import { badRequest, HttpError, notFound } from '../errors';

const nameParams = z.object({ name: z.string().min(1).max(200) });

/** KTRDR issue shape: position, path and hint go into `details`. */
function issueDto(i: StrategyIssue) {
  const details: Record<string, unknown> = {};
  if (i.line !== undefined) details.line = i.line;
  if (i.column !== undefined) details.column = i.column;
  if (i.path) details.path = i.path;
  if (i.suggestion) details.suggestion = i.suggestion;
  return { severity: i.severity, category: i.category, message: i.message, details: Object.keys(details).length ? details : null };
}

function validationBody(name: string, r: ParseResult) {
  const errors = r.issues.filter((i) => i.severity === 'error').length;
  const warnings = r.issues.filter((i) => i.severity === 'warning').length;
  return {
    success: true,
    valid: r.valid,
    strategy_name: name,
    issues: r.issues.map(issueDto),
    available_indicators: INDICATORS.map((d) => d.type),
    message: r.valid
      ? `Strategy '${name}' is valid${warnings ? ` (${warnings} warning(s))` : ''}`
      : `Strategy '${name}' has ${errors} error(s)${warnings ? ` and ${warnings} warning(s)` : ''}`,
    features_count: r.strategy ? resolveFeatures(r.strategy).length : null,
    // The model inputs this text resolves to, so an editor can show them before the file is saved.
    features: r.strategy ? resolveFeatures(r.strategy).map((f) => f.feature_id) : [],
  };
}

function featureDtos(s: StrategyConfig) {
  return resolveFeatures(s).map((f) => ({
    feature_id: f.feature_id,
    timeframe: f.timeframe,
    fuzzy_set: f.fuzzy_set_id,
    membership: f.membership_name,
    indicator_id: f.indicator_id,
    indicator_output: f.indicator_output,
  }));
}

export function strategiesRoutes(ctx: AppContext) {
  const catalog = ctx.strategies;
  const models = ctx.models;

  /** KTRDR StrategyInfo fields plus validity and where the file is. */
  function info(s: StrategySummary, config?: StrategyConfig) {
    let trained: ReturnType<ModelRegistry['list']> = [];
    try {
      trained = models.list({ strategy: s.name });
    } catch {
      // a name the model store does not accept has no models
    }
    const latest = trained[0];
    return {
      name: s.name,
      strategy_name: s.strategy_name,
      description: s.description,
      valid: s.valid,
      error_count: s.error_count,
      warning_count: s.warning_count,
      symbol: s.symbols[0] ?? null,
      timeframe: s.timeframes[0] ?? null,
      symbols: s.symbols,
      timeframes: s.timeframes,
      indicators: config ? Object.values(config.indicators).map((i) => ({ id: i.id, type: i.type, params: i.params })) : [],
      fuzzy_config: config ? Object.fromEntries(Object.values(config.fuzzy_sets).map((f) => [f.id, { indicator: f.indicator, memberships: f.memberships }])) : {},
      training_status: trained.length ? 'trained' : 'untrained',
      available_versions: [...new Set(trained.map((m) => m.version))].sort((a, b) => a - b),
      latest_version: latest?.version ?? null,
      latest_training_date: latest?.created_at ?? null,
      latest_metrics: latest?.test_metrics ?? latest?.training_metrics ?? null,
      path: s.path,
      source: s.source,
      modified_at: s.modified_at,
    };
  }

  /** The strategy file, parsed on a parse thread (a hand-written file may be slow to parse). */
  async function load(name: string) {
    try {
      const s = await catalog.loadAsync(name);
      if (!s) throw notFound(`Strategy '${name}' not found`);
      return s;
    } catch (err) {
      if (err instanceof InvalidStrategyNameError) throw badRequest(err.message);
      throw err;
    }
  }

  return async (root: FastifyInstance) => {
    const app = root.withTypeProvider<ZodTypeProvider>();

    for (const path of ['/strategies', '/strategies/'])
      app.get(path, { schema: { tags: ['strategies'], summary: 'All strategies (user folder first, then the bundled samples)', hide: path === '/strategies' } }, async () => {
        await catalog.warmAll();
        const list = catalog.list();
        return {
          success: true,
          strategies: list.map((s) => {
            const loaded = s.valid ? catalog.load(s.name) : null;
            return info(s, loaded?.result.strategy);
          }),
        };
      });

    app.get(
      '/strategies/:name',
      { schema: { tags: ['strategies'], summary: 'One strategy: summary, parsed configuration (defaults filled) and the YAML text', params: nameParams } },
      async (req) => {
        const s = await load(req.params.name);
        // Its own summary only: the file's parse is cached by load().
        const summary = catalog.summaryOf(s);
        const base = summary ? info(summary, s.result.strategy) : { name: s.name };
        return { success: true, ...base, valid: s.result.valid, config: s.result.strategy ?? null, yaml: s.yaml, issues: s.result.issues.map(issueDto) };
      },
    );

    app.post(
      '/strategies/validate/:name',
      { schema: { tags: ['strategies'], summary: 'Validate a saved strategy: every problem with line:column', params: nameParams, body: z.unknown().optional() } },
      async (req) => {
        const s = await load(req.params.name);
        return validationBody(s.name, s.result);
      },
    );

    app.post(
      '/strategies/validate',
      {
        schema: {
          tags: ['strategies'],
          summary: 'Validate unsaved YAML text',
          body: strategyValidateBody,
        },
      },
      async (req) => {
        const name = req.body.name ?? 'strategy.yaml';
        // Parsed on a thread: 16 KiB of error-dense text costs the YAML library ~140 ms of CPU.
        const r = await catalog.parseAsync(req.body.yaml, name);
        return validationBody(r.strategy?.name ?? name.replace(/\.ya?ml$/i, ''), r);
      },
    );

    app.get(
      '/strategies/:name/features',
      { schema: { tags: ['strategies'], summary: 'Resolved model inputs, in order (<tf>_<fuzzy_set>_<membership>, <tf>_<indicator>_raw)', params: nameParams } },
      async (req) => {
        const s = await load(req.params.name);
        if (!s.result.strategy)
          throw new HttpError(400, `Strategy '${s.name}' is invalid; validate it to see why`, { issues: s.result.issues.map(issueDto) });
        const features = featureDtos(s.result.strategy);
        return { success: true, strategy_name: s.name, features, feature_names: features.map((f) => f.feature_id), count: features.length };
      },
    );

    app.put(
      '/strategies/:name',
      {
        schema: {
          tags: ['strategies'],
          summary: 'Save a strategy into the user folder (validated first; atomic write)',
          params: nameParams,
          body: strategySaveBody,
        },
      },
      async (req) => {
        try {
          const { path, result } = await catalog.saveAsync(req.params.name, req.body.yaml, { overwrite: req.body.overwrite });
          return { ...validationBody(req.params.name, result), path };
        } catch (err) {
          if (err instanceof StrategyValidationFailedError)
            throw new HttpError(422, `Not saved: ${err.message}`, { valid: false, issues: err.result.issues.map(issueDto) });
          if (err instanceof InvalidStrategyNameError) throw /already exists/.test(err.message) ? new HttpError(409, err.message) : badRequest(err.message);
          throw err;
        }
      },
    );

    app.delete(
      '/strategies/:name',
      { schema: { tags: ['strategies'], summary: 'Delete a strategy file of the user folder (bundled samples are read-only: 403)', params: nameParams } },
      async (req) => {
        try {
          const s = catalog.find(req.params.name);
          if (!s) throw notFound(`Strategy '${req.params.name}' not found`);
          const { path } = deleteUserStrategy(catalog, s.name);
          return { success: true, name: s.name, deleted: true, path };
        } catch (err) {
          if (err instanceof InvalidStrategyNameError) throw badRequest(err.message);
          if (err instanceof StrategyNotDeletableError) throw new HttpError(403, err.message);
          throw err;
        }
      },
    );
  };
}
