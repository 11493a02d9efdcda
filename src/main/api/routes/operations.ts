import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { metricsQuery, operationIdParams, operationsListQuery } from '../../../shared/api-schemas';
import type { OperationType } from '../../../shared/operations';
import { ktrdrMetricsDict } from '../../../shared/ktrdr-compat';
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

    app.get(
      '/operations/:operation_id',
      { schema: { tags: ['operations'], summary: 'One operation with progress, metadata and metrics', params: idParams } },
      async (req, reply) => reply.type('application/json; charset=utf-8').send(ops.getJson(req.params.operation_id)),
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
      { schema: { tags: ['operations'], summary: 'Results of a finished operation (400 while it runs)', params: idParams } },
      async (req) => {
        const id = req.params.operation_id;
        const r = ops.results(id);
        return { success: true, operation_id: id, operation_type: r.operation_type, status: r.status, results: r.results };
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
