// KTRDR routes its clients call that this server answers differently or not at all (issue #18).
// Every route of KTRDR's list (kpiteira/ktrdr @ 2c5c717, ktrdr/api/endpoints/*.py) is in
// KTRDR_ROUTES with what it does here: implemented, an alias of our route, or 501 with the reason —
// never a bare 404. docs/design-notes.md holds the same table.
import { readdirSync, statSync } from 'node:fs';
import { join, relative, resolve, isAbsolute } from 'node:path';
import type { FastifyInstance, FastifyReply, FastifyRequest, HTTPMethods } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { INDICATORS } from '../../../core/indicators/registry';
import type { AppContext } from '../../context';
import { HttpError } from '../errors';
import { ResultContractError } from '../../../shared/results/common';
import { ktrdrPerformanceFields } from '../../../shared/results/ktrdr';
import { parseTrainingResult, type TrainingResult } from '../../../shared/results/training';

export type RouteFate = 'ours' | 'implemented' | 'alias' | 'experiments' | '501';

export interface KtrdrRoute {
  method: 'GET' | 'POST' | 'PUT' | 'DELETE' | 'PATCH';
  /** KTRDR's path (under /api/v1), fastify syntax for parameters. */
  path: string;
  fate: RouteFate;
  /** Where it lives here, or why it answers 501. */
  note: string;
}

const MCP_HINT = 'use the MCP server instead: run `ktrdr mcp` and register it in your agent (README, "Agent access")';

/** KTRDR's 66 routes and what each does here. */
export const KTRDR_ROUTES: KtrdrRoute[] = [
  // ktrdr/api/main.py: the one route outside /api/v1.
  { method: 'GET', path: '/', fate: 'ours', note: 'outside /api/v1: the UI in headless mode, or a page pointing at /api/v1/docs (KTRDR: a JSON pointer to the docs)' },
  { method: 'GET', path: '/health', fate: 'ours', note: 'health.ts' },
  // agent.py
  { method: 'POST', path: '/agent/trigger', fate: '501', note: `KTRDR's built-in research agent is not part of the workstation; ${MCP_HINT}` },
  { method: 'GET', path: '/agent/status', fate: '501', note: `no built-in agent; ${MCP_HINT}` },
  { method: 'DELETE', path: '/agent/cancel/:operation_id', fate: '501', note: `no built-in agent; cancel with DELETE /operations/{id}, or ${MCP_HINT} (cancel_operation tool)` },
  { method: 'GET', path: '/agent/budget', fate: '501', note: `no built-in agent; ${MCP_HINT}, which enforces a per-session budget (--max-concurrent, --max-training-minutes)` },
  // backtesting.py
  { method: 'POST', path: '/backtests/start', fate: 'ours', note: 'backtests.ts' },
  // checkpoints.py
  { method: 'GET', path: '/checkpoints', fate: 'implemented', note: 'checkpoints.ts: the latest valid checkpoint of each failed/cancelled training; empty list when none' },
  { method: 'POST', path: '/checkpoints/cleanup', fate: 'implemented', note: 'checkpoints.ts' },
  { method: 'GET', path: '/checkpoints/stats', fate: 'implemented', note: 'checkpoints.ts' },
  { method: 'GET', path: '/checkpoints/:operation_id', fate: 'implemented', note: 'checkpoints.ts (404 with the reason when that operation has none)' },
  { method: 'DELETE', path: '/checkpoints/:operation_id', fate: 'implemented', note: 'checkpoints.ts' },
  // data.py
  { method: 'GET', path: '/data/info', fate: 'ours', note: 'data.ts' },
  { method: 'GET', path: '/symbols', fate: 'ours', note: 'data.ts' },
  { method: 'GET', path: '/timeframes', fate: 'ours', note: 'data.ts' },
  { method: 'GET', path: '/data/:symbol/:timeframe', fate: 'ours', note: 'data.ts' },
  { method: 'POST', path: '/data/acquire/download', fate: 'ours', note: 'data.ts; mode "local" added (no provider call: reports what is cached, fails with the reason when nothing is)' },
  { method: 'POST', path: '/data/range', fate: 'ours', note: 'data.ts' },
  // dummy.py
  { method: 'POST', path: '/dummy/start', fate: 'ours', note: 'operations.ts' },
  // fuzzy.py
  { method: 'GET', path: '/fuzzy/indicators', fate: 'implemented', note: 'compat.ts: indicators a fuzzy set can be built on, with their outputs' },
  { method: 'GET', path: '/fuzzy/sets/:indicator', fate: 'implemented', note: 'fuzzy.ts: fuzzy sets built on that indicator (or with that id) in every valid strategy, or ?strategy_name=' },
  { method: 'GET', path: '/fuzzy/data', fate: 'implemented', note: "fuzzy.ts: KTRDR's FuzzyOverlayResponse from a strategy's fuzzy sets (strategy_name, or the first strategy with every requested set, said in warnings)" },
  { method: 'POST', path: '/fuzzy/evaluate', fate: 'implemented', note: 'fuzzy.ts: KTRDR body plus strategy_name (sets belong to strategies here) or inline memberships; 422 naming strategy_name when neither is given' },
  { method: 'POST', path: '/fuzzy/data', fate: 'implemented', note: 'fuzzy.ts: bars → indicator (or a bar column, source_column) → membership columns `<name>_<set>`' },
  // gap_analysis.py
  { method: 'GET', path: '/gap-analysis/data/:symbol/:timeframe/gaps', fate: 'alias', note: 'GET /data/{symbol}/{timeframe}/gaps' },
  { method: 'POST', path: '/gap-analysis/data/batch', fate: 'implemented', note: 'compat.ts: GET /data/{s}/{tf}/gaps for each symbol × timeframe' },
  { method: 'GET', path: '/gap-analysis/data/:symbol/:timeframe/summary', fate: 'implemented', note: 'compat.ts: counts from GET /data/{s}/{tf}/gaps' },
  { method: 'GET', path: '/gap-analysis/health', fate: 'implemented', note: 'compat.ts' },
  // ib.py (prefix /ib)
  ...['status', 'health', 'resilience', 'config', 'circuit-breakers', 'ranges', 'symbols/discovered'].map(
    (p): KtrdrRoute => ({ method: 'GET', path: `/ib/${p}`, fate: '501', note: 'no IB host service here: IB is one download source of POST /data/acquire/download (source "ib", host/port/client_id in the request)' }),
  ),
  { method: 'POST', path: '/ib/cleanup', fate: '501', note: 'no persistent IB connections to clean up: each download opens and closes its own' },
  { method: 'PUT', path: '/ib/config', fate: '501', note: 'IB host/port/client_id are per-request fields of POST /data/acquire/download' },
  { method: 'POST', path: '/ib/symbols/discover', fate: '501', note: 'symbol discovery needs a live IB session; GET /symbols lists what is stored' },
  // indicators.py (prefix /indicators)
  { method: 'GET', path: '/indicators/', fate: 'ours', note: 'indicators.ts' },
  { method: 'POST', path: '/indicators/calculate', fate: 'ours', note: 'indicators.ts' },
  { method: 'GET', path: '/indicators/categories', fate: 'implemented', note: 'compat.ts: from the indicator registry' },
  { method: 'GET', path: '/indicators/categories/:category', fate: 'implemented', note: 'compat.ts' },
  { method: 'GET', path: '/indicators/category-names', fate: 'implemented', note: 'compat.ts' },
  // models.py (prefix /models)
  { method: 'POST', path: '/models/save', fate: '501', note: 'training saves a new model version itself (models/<strategy>/<tf>_vN); GET /models lists them' },
  { method: 'POST', path: '/models/:model_name/load', fate: '501', note: 'models are loaded by the backtest worker that uses them; nothing is kept loaded in the server' },
  { method: 'POST', path: '/models/predict', fate: 'implemented', note: "models.ts: one bar through the model's own feature pipeline (strategy saved with the model, its normalisation), probabilities and the decision" },
  { method: 'GET', path: '/models', fate: 'ours', note: 'models.ts' },
  // operations.py
  { method: 'GET', path: '/operations', fate: 'ours', note: 'operations.ts' },
  { method: 'GET', path: '/operations/:operation_id', fate: 'ours', note: 'operations.ts' },
  { method: 'GET', path: '/operations/:operation_id/children', fate: 'experiments', note: 'parent/child operations (experiments engineer)' },
  { method: 'DELETE', path: '/operations/:operation_id', fate: 'ours', note: 'operations.ts' },
  { method: 'POST', path: '/operations/:operation_id/retry', fate: 'experiments', note: 'experiments engineer' },
  { method: 'POST', path: '/operations/:operation_id/resume', fate: 'implemented', note: 'resume.ts: trainings from their last checkpoint, experiments from their stored state' },
  { method: 'GET', path: '/operations/:operation_id/results', fate: 'ours', note: 'operations.ts' },
  { method: 'GET', path: '/operations/:operation_id/metrics', fate: 'ours', note: 'operations.ts: seed 004 cursor form at the top level + KTRDR dict form under data' },
  { method: 'POST', path: '/operations/:operation_id/metrics', fate: '501', note: 'workers report metrics over their process channel (or the job queue), never over HTTP' },
  { method: 'PATCH', path: '/operations/:operation_id/status', fate: '501', note: 'only the operations service moves an operation between statuses; cancel with DELETE /operations/{id}' },
  // strategies.py (prefix /strategies)
  { method: 'GET', path: '/strategies/', fate: 'ours', note: 'strategies.ts' },
  { method: 'GET', path: '/strategies/:name', fate: 'ours', note: 'strategies.ts' },
  { method: 'POST', path: '/strategies/validate/:name', fate: 'ours', note: 'strategies.ts' },
  { method: 'GET', path: '/strategies/:name/features', fate: 'ours', note: 'strategies.ts' },
  // training.py
  { method: 'POST', path: '/trainings/start', fate: 'ours', note: 'trainings.ts' },
  { method: 'GET', path: '/trainings/:task_id/performance', fate: 'implemented', note: 'compat.ts: training_metrics/test_metrics/model_info of the completed training' },
  // workers.py
  { method: 'POST', path: '/workers/register', fate: '501', note: 'workers join through the job queue (`ktrdr worker`), not over HTTP' },
  { method: 'GET', path: '/workers', fate: 'implemented', note: 'workers.ts: a bare array of KTRDR WorkerEndpoint dicts from OperationsService.workers()' },
  { method: 'GET', path: '/workers/:worker_id', fate: 'implemented', note: 'workers.ts' },
];

/**
 * Paths KTRDR's clients call that its server does not declare (they 404 against KTRDR itself);
 * answered here because the capability exists. ktrdr/cli/async_data_commands.py's `/data/cached`
 * is left out: that module is imported nowhere (dead code); `ktrdr data show` uses GET /data/{s}/{tf}.
 */
export const KTRDR_CLIENT_ONLY_ROUTES: KtrdrRoute[] = [
  { method: 'GET', path: '/trainings/:task_id', fate: 'implemented', note: "mcp/src/clients/training_client.py get_training_status: KTRDR's TrainingStatusResponse" },
  { method: 'GET', path: '/data/info/:symbol', fate: 'implemented', note: 'mcp/src/clients/data_client.py get_data_info: GET /data/info narrowed to one symbol' },
];

/** Bytes of a file or of every file under a folder. */
function diskSize(path: string): number {
  const st = statSync(path);
  if (!st.isDirectory()) return st.size;
  return readdirSync(path).reduce((a, n) => a + diskSize(join(path, n)), 0);
}

export function compatRoutes(ctx: AppContext) {
  const notImplemented = (note: string) => async (_req: FastifyRequest, _reply: FastifyReply) => {
    throw new HttpError(501, `Not implemented in KTRDR Workstation: ${note}`);
  };

  return async (root: FastifyInstance) => {
    const app = root.withTypeProvider<ZodTypeProvider>();

    const queryOf = (url: string) => (url.includes('?') ? url.slice(url.indexOf('?')) : '');

    // Every 501 of the table, one handler each (the reason is the answer). Hidden from the OpenAPI
    // document: it lists what this server does; KTRDR clients calling these still get the 501.
    for (const r of KTRDR_ROUTES) {
      if (r.fate !== '501' || r.path.startsWith('/workers')) continue;
      app.route({ method: r.method as HTTPMethods, url: r.path, schema: { hide: true, tags: ['compat'], summary: `KTRDR route, not available: ${r.note}` }, handler: notImplemented(r.note) });
    }

    app.get(
      '/trainings/:task_id/performance',
      { schema: { tags: ['training'], summary: 'Final metrics of a completed training (KTRDR PerformanceResponse)', params: z.object({ task_id: z.string().min(1).max(200) }) } },
      async (req) => {
        const id = req.params.task_id;
        const op = ctx.operations.get(id);
        if (op.operation_type !== 'training') throw new HttpError(404, `Training task ${id} not found (operation ${id} is ${op.operation_type})`);
        if (op.status !== 'completed') throw new HttpError(404, `Training task ${id} is not completed (status: ${op.status})`);
        let results: TrainingResult;
        try {
          results = parseTrainingResult(ctx.operations.results(id).results);
        } catch (err) {
          if (err instanceof ResultContractError) throw new HttpError(500, `Training ${id}: ${err.message}`);
          throw err;
        }
        const tm = results.training_metrics;
        const test = results.test_metrics;
        const mi = results.model_info;
        let size: number | null = null;
        const p = resolve(ctx.config.home, results.model_path);
        const rel = relative(ctx.config.home, p);
        try {
          if (!rel.startsWith('..') && !isAbsolute(rel)) size = diskSize(p);
        } catch {
          size = null; // the model folder was deleted since
        }
        const started = op.started_at ? Date.parse(op.started_at) : NaN;
        const ended = op.completed_at ? Date.parse(op.completed_at) : NaN;
        // KTRDR's CLI formats these numbers (`:.4f`): a value we do not have is left out, never null.
        return {
          success: true,
          task_id: id,
          status: op.status,
          training_metrics: ktrdrPerformanceFields({
            ...tm,
            history: undefined,
            epochs_completed: tm.epochs_trained,
            training_time_minutes: (ended - started) / 60_000,
          }),
          test_metrics: test ? ktrdrPerformanceFields(test) : {},
          model_info: ktrdrPerformanceFields({ ...mi, model_size_bytes: size }),
          model_path: results.model_path,
        };
      },
    );

    app.get(
      '/trainings/:task_id',
      { schema: { tags: ['training'], summary: 'Training status in KTRDR TrainingStatusResponse shape', params: z.object({ task_id: z.string().min(1).max(200) }) } },
      async (req) => {
        const op = ctx.operations.get(req.params.task_id);
        if (op.operation_type !== 'training') throw new HttpError(404, `Training task ${op.operation_id} not found (operation is ${op.operation_type})`);
        const params = op.metadata.parameters as { symbols?: string[]; timeframes?: string[]; total_epochs?: number };
        const epochs = (op.metrics.epochs ?? []) as Record<string, unknown>[];
        const last = epochs[epochs.length - 1];
        return {
          success: true,
          task_id: op.operation_id,
          status: op.status === 'running' ? 'training' : op.status,
          progress: Math.round(op.progress.percentage),
          current_epoch: op.progress.epoch_index ?? (last ? Number(last.epoch) : null),
          total_epochs: op.progress.total_epochs ?? params.total_epochs ?? null,
          symbols: params.symbols ?? [],
          timeframes: params.timeframes ?? [],
          started_at: op.started_at ?? op.created_at,
          estimated_completion: null,
          current_metrics: last ? { train_loss: last.train_loss ?? null, val_loss: last.val_loss ?? null, train_accuracy: last.train_accuracy ?? null, val_accuracy: last.val_accuracy ?? null } : null,
          error: op.error_message,
        };
      },
    );

    app.get(
      '/data/info/:symbol',
      { schema: { tags: ['data'], summary: 'What the bar store holds for one symbol', params: z.object({ symbol: z.string().min(1).max(64) }) } },
      async (req, reply) => {
        const res = await root.inject({ method: 'GET', url: '/api/v1/data/info' });
        if (res.statusCode !== 200) return reply.status(res.statusCode).send(res.json());
        const info = (res.json() as { data: { series: { symbol: string; timeframe: string }[] } }).data;
        const symbol = req.params.symbol.toUpperCase();
        const series = info.series.filter((x) => x.symbol.toUpperCase() === symbol);
        if (!series.length) throw new HttpError(404, `No stored data for ${req.params.symbol}: load it with POST /data/acquire/download or import a CSV`);
        return { success: true, data: { symbol, timeframes_available: series.map((x) => x.timeframe), series }, error: null };
      },
    );

    // Indicator categories (indicators.py): from the registry's `category`.
    const categories = () => {
      const by = new Map<string, typeof INDICATORS>();
      for (const d of INDICATORS) by.set(d.category, [...(by.get(d.category) ?? []), d]);
      return by;
    };
    app.get('/indicators/categories', { schema: { tags: ['indicators'], summary: 'Indicators grouped by category' } }, async () => {
      const by = categories();
      const data = Object.fromEntries([...by].map(([c, list]) => [c, { name: c, count: list.length, indicators: list.map((d) => d.type) }]));
      return { success: true, data, total_categories: by.size };
    });
    app.get('/indicators/category-names', { schema: { tags: ['indicators'], summary: 'Category names' } }, async () => ({ success: true, data: [...categories().keys()] }));
    app.get(
      '/indicators/categories/:category',
      { schema: { tags: ['indicators'], summary: 'Indicators of one category', params: z.object({ category: z.string().min(1).max(60) }) } },
      async (req) => {
        const list = categories().get(req.params.category);
        if (!list) throw new HttpError(404, `Unknown indicator category '${req.params.category}': one of ${[...categories().keys()].join(', ')}`);
        return { success: true, category: req.params.category, data: list.map((d) => ({ id: d.type, name: d.name, description: d.description, outputs: d.outputs })), count: list.length };
      },
    );

    app.get('/fuzzy/indicators', { schema: { tags: ['fuzzy'], summary: 'Indicators a fuzzy set can be built on (every one here)' } }, async () => ({
      success: true,
      data: INDICATORS.map((d) => ({ id: d.type, name: d.name, outputs: d.outputs, fuzzy_sets: [] })),
    }));

    // Gap analysis (gap_analysis.py): our gap report under KTRDR's paths.
    const gapsOf = async (symbol: string, timeframe: string, query: string) => {
      const res = await root.inject({ method: 'GET', url: `/api/v1/data/${encodeURIComponent(symbol)}/${encodeURIComponent(timeframe)}/gaps${query}` });
      return { status: res.statusCode, body: res.json() as Record<string, unknown> };
    };
    const gapParams = z.object({ symbol: z.string().min(1).max(64), timeframe: z.string().min(1).max(8) });
    app.get('/gap-analysis/data/:symbol/:timeframe/gaps', { schema: { tags: ['data'], summary: 'Alias of GET /data/{symbol}/{timeframe}/gaps', params: gapParams } }, async (req, reply) => {
      const r = await gapsOf(req.params.symbol, req.params.timeframe, queryOf(req.url));
      return reply.status(r.status).send(r.body);
    });
    app.get('/gap-analysis/data/:symbol/:timeframe/summary', { schema: { tags: ['data'], summary: 'Gap counts of a stored series', params: gapParams } }, async (req, reply) => {
      const r = await gapsOf(req.params.symbol, req.params.timeframe, queryOf(req.url));
      if (r.status !== 200) return reply.status(r.status).send(r.body);
      const d = r.body.data as Record<string, unknown>;
      const { gaps: _gaps, ...rest } = d;
      return { success: true, data: rest };
    });
    app.post(
      '/gap-analysis/data/batch',
      {
        schema: {
          tags: ['data'],
          summary: 'Gap reports for several symbols × timeframes',
          body: z.object({ symbols: z.array(z.string().min(1).max(64)).min(1).max(100), timeframes: z.array(z.string().min(1).max(8)).min(1).max(20) }),
        },
      },
      async (req) => {
        const results = [];
        for (const symbol of req.body.symbols)
          for (const timeframe of req.body.timeframes) {
            const r = await gapsOf(symbol, timeframe, '');
            results.push({ symbol, timeframe, status: r.status, ...(r.status === 200 ? { data: r.body.data } : { error: r.body.detail ?? r.body.error ?? r.body }) });
          }
        return { success: true, data: results };
      },
    );
    app.get('/gap-analysis/health', { schema: { tags: ['data'], summary: 'Gap analysis is available' } }, async () => ({ success: true, status: 'healthy', service: 'gap-analysis' }));
  };
}
