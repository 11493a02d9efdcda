import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { APP_VERSION } from '../../../shared/version';
import type { AppContext } from '../../context';

export function healthRoutes(ctx: AppContext) {
  return async (app: FastifyInstance) => {
    app.get(
      '/health',
      {
        schema: {
          tags: ['system'],
          summary: 'Liveness check: `degraded` (still 200) when the job host cannot take jobs, e.g. scale-out Redis unreachable or no worker',
          response: {
            200: z.object({
              status: z.enum(['ok', 'degraded']),
              version: z.string(),
              reason: z.string().nullable().optional(),
              job_host: z.record(z.string(), z.unknown()).optional(),
            }),
          },
        },
      },
      async () => {
        // Reads stay up whatever the job host says: the server answers, so it is alive (200).
        const host = ctx.operations.hostHealth();
        if (!host) return { status: 'ok' as const, version: APP_VERSION };
        return { status: host.status, version: APP_VERSION, reason: host.reason, job_host: host.details };
      },
    );
  };
}
