import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { OPERATION_STATUSES, OPERATION_TYPES } from '../../../shared/operations';
import type { AppContext } from '../../context';

const booleanQuery = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'])
  .transform((v) => v === 'true' || v === '1' || v === 'yes');

const idParams = z.object({ operation_id: z.string().min(1).max(200) });

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
          querystring: z.object({
            status: z.enum(OPERATION_STATUSES).optional(),
            operation_type: z.enum(OPERATION_TYPES).optional(),
            limit: z.coerce.number().int().min(1).max(1000).default(10),
            offset: z.coerce.number().int().min(0).default(0),
            active_only: booleanQuery.optional(),
            parent_id: z.string().min(1).max(200).optional(),
          }),
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
          querystring: z.object({ cursor: z.coerce.number().int().min(0).default(0) }),
        },
      },
      async (req) => {
        const id = req.params.operation_id;
        const m = ops.metrics(id, req.query.cursor);
        return { success: true, operation_id: id, operation_type: m.operation_type, metrics: m.metrics, new_cursor: m.new_cursor };
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
