import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { APP_VERSION } from '../../../shared/version';
import type { AppContext } from '../../context';

export function healthRoutes(_ctx: AppContext) {
  return async (app: FastifyInstance) => {
    app.get(
      '/health',
      {
        schema: {
          tags: ['system'],
          summary: 'Liveness check',
          response: { 200: z.object({ status: z.literal('ok'), version: z.string() }) },
        },
      },
      async () => ({ status: 'ok' as const, version: APP_VERSION }),
    );
  };
}
