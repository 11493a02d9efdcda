import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { metricsQuery, operationIdParams, operationsListQuery } from '../../../shared/api-schemas';
import type { OperationType } from '../../../shared/operations';
import { ktrdrMetricsDict } from '../../../shared/ktrdr-compat';
import { resultFormQuery } from '../../../shared/results/envelope';
import { ResultContractError } from '../../../shared/results/common';
import { resultInForm } from '../../../shared/results/ktrdr';
import { HttpError } from '../errors';
import type { AppContext } from '../../context';
import { metricsKey } from '../../operations/repository';

const idParams = operationIdParams;

export function operationsRoutes(ctx: AppContext) {
  return async (root: FastifyInstance) => {
    const app = root.withTypeProvider<ZodTypeProvider>();
    const ops = ctx.operations;

    app.get(
      '/operations',
      {
        schema: {
          tags: ['operations'],
          summary: 'List operations, newest first (from the store: survives restarts)',
          querystring: operationsListQuery,
        },
      },
      async (req) => {
        const { items, total, active } = ops.list({ ...req.query, active_only: req.query.active_only ?? false });
        return { success: true, data: items, operations: items, total_count: total, active_count: active };
      },
    );

    /** A stored result in the form asked for; a result that does not match its schema is a 500 naming the fields. */
    const inForm = (type: string, raw: unknown, form: 'ktrdr' | 'contract') => {
      try {
        return resultInForm(type, raw, form);
      } catch (err) {
        if (err instanceof ResultContractError) throw new HttpError(500, err.message);
        throw err;
      }
    };

    app.get(
      '/operations/:operation_id',
      { schema: { tags: ['operations'], summary: 'One operation with progress, metadata and metrics', params: idParams, querystring: resultFormQuery } },
      async (req, reply) => {
        const json = ops.getJson(req.params.operation_id);
        // KTRDR's clients read result_summary.metrics of a finished backtest: their form, by the one adapter.
        if (req.query.form === 'ktrdr' && json.includes('"operation_type":"backtesting"') && !json.includes('"result_summary":null')) {
          const body = JSON.parse(json) as { data: { operation_type: string; status: string; result_summary: unknown } };
          if (body.data.status === 'completed') body.data.result_summary = inForm(body.data.operation_type, body.data.result_summary, 'ktrdr');
          return body;
        }
        return reply.type('application/json; charset=utf-8').send(json);
      },
    );

    app.delete(
      '/operations/:operation_id',
      {
        schema: {
          tags: ['operations'],
          summary: 'Cancel a pending or running operation',
          params: idParams,
          body: z.object({ reason: z.string().max(1000).nullish(), force: z.boolean().optional() }).nullish(),
        },
      },
      async (req) => ({ success: true, data: ops.cancel(req.params.operation_id, req.body?.reason) }),
    );

    app.get(
      '/operations/:operation_id/metrics',
      {
        schema: {
          tags: ['operations'],
          summary: 'Metrics history from a cursor (an index into the append-only list)',
          params: idParams,
          querystring: metricsQuery,
        },
      },
      async (req) => {
        const id = req.params.operation_id;
        const m = ops.metrics(id, req.query.cursor);
        // Two readers (docs/design-notes.md): seed 004's cursor form at the top level, KTRDR's MCP
        // client's dict form (whole history + trend flags) under `data`.
        const all = req.query.cursor === 0 ? m : ops.metrics(id, 0);
        const data = { operation_id: id, operation_type: m.operation_type, metrics: ktrdrMetricsDict(m.operation_type, all.metrics, metricsKey(m.operation_type as OperationType)) };
        // `attempt` changes when a scale-out takeover replaced the history: a reader then starts again from cursor 0.
        return { success: true, operation_id: id, operation_type: m.operation_type, metrics: m.metrics, new_cursor: m.new_cursor, attempt: m.attempt, data };
      },
    );

    app.get(
      '/operations/:operation_id/results',
      {
        schema: {
          tags: ['operations'],
          summary: 'Results of a finished operation (400 while it runs); ?form=contract for null + null_reasons instead of KTRDR’s 0 / 999999',
          params: idParams,
          querystring: resultFormQuery,
        },
      },
      async (req) => {
        const id = req.params.operation_id;
        const r = ops.results(id);
        // A failed or cancelled operation keeps whatever partial summary it has: only completed ones carry a contract result.
        const results = r.status === 'completed' ? inForm(r.operation_type, r.results, req.query.form) : r.results;
        return { success: true, operation_id: id, operation_type: r.operation_type, status: r.status, results };
      },
    );

    app.post(
      '/dummy/start',
      {
        schema: {
          tags: ['operations'],
          summary: 'Start a dummy operation (no data): progress, a metric per iteration, cancellation',
          body: z
            .object({
              duration_seconds: z.number().min(0).max(86_400).default(200),
              iterations: z.number().int().min(1).max(100_000).default(100),
              fail_at: z.number().int().min(1).optional(),
              crash_at: z.number().int().min(1).optional(),
            })
            .nullish(),
        },
      },
      async (req) => {
        const params = req.body ?? { duration_seconds: 200, iterations: 100 };
        const info = ops.start({ type: 'dummy', params, metadata: { parameters: params } });
        const data = { operation_id: info.operation_id, status: 'started', message: 'Dummy task started' };
        return { success: true, data, operation_id: info.operation_id, status: 'started', message: data.message };
      },
    );
  };
}
