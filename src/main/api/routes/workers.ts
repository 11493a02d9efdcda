// GET /workers in KTRDR's shape: a bare JSON array of WorkerEndpoint dicts (ktrdr/api/endpoints/workers.py),
// which `ktrdr workers` and `ktrdr status` read directly. Built on OperationsService.workers(), so the
// embedded pool and a scale-out host both answer here.
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { ktrdrWorker, WORKER_TYPE } from '../../../shared/ktrdr-compat';
import { OPERATION_TYPES } from '../../../shared/operations';
import type { AppContext } from '../../context';
import { HttpError } from '../errors';

/** KTRDR's worker types and the operation type each one runs here. */
const KTRDR_TYPE_TO_OPERATION: Record<string, string> = {
  backtesting: 'backtesting',
  training: 'training',
  cpu_training: 'training',
  gpu_host: 'training',
};

export function workersRoutes(ctx: AppContext) {
  function describe() {
    const workers = ctx.operations.workers();
    // Which operation each worker runs is known for the embedded pool only (one worker = this server).
    const running = workers.length === 1 && workers[0].kind === 'embedded' ? ctx.operations.list({ status: 'running', limit: 1, offset: 0, active_only: false }).items : [];
    // A worker whose heartbeat is late (or whose Redis is unreachable) may be gone: KTRDR's status for that.
    return workers.map((w) => {
      const k = ktrdrWorker(w, OPERATION_TYPES, running[0]?.operation_id ?? null);
      return w.stale ? { ...k, status: 'temporarily_unavailable' } : k;
    });
  }

  return async (root: FastifyInstance) => {
    const app = root.withTypeProvider<ZodTypeProvider>();

    app.get(
      '/workers',
      {
        schema: {
          tags: ['workers'],
          summary: 'Workers that run operations (KTRDR shape: a bare array)',
          querystring: z.object({ worker_type: z.string().max(40).optional(), status: z.string().max(40).optional() }),
        },
      },
      async (req) => {
        const { worker_type, status } = req.query;
        return describe().filter((w) => {
          if (worker_type && worker_type !== WORKER_TYPE && !w.capabilities.operation_types.includes(KTRDR_TYPE_TO_OPERATION[worker_type] ?? worker_type)) return false;
          return !status || w.status === status;
        });
      },
    );

    app.get(
      '/workers/:worker_id',
      { schema: { tags: ['workers'], summary: 'One worker', params: z.object({ worker_id: z.string().min(1).max(300) }) } },
      async (req) => {
        const w = describe().find((x) => x.worker_id === req.params.worker_id);
        if (!w) throw new HttpError(404, `Worker not found: ${req.params.worker_id}`);
        return w;
      },
    );

    app.post('/workers/register', { schema: { hide: true, tags: ['workers'], summary: 'Not used here: workers join through the job queue', body: z.unknown().optional() } }, async () => {
      throw new HttpError(501, 'Workers do not register over HTTP here: start `ktrdr worker` against the same Redis (scale-out mode) and it joins the job queue; GET /workers lists it.');
    });
  };
}
