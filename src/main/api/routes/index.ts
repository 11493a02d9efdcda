import type { FastifyInstance } from 'fastify';
import type { AppContext } from '../../context';
import { healthRoutes } from './health';
import { operationsRoutes } from './operations';

/** Every route group is its own plugin; this list is the only place they are put together. */
export function apiRoutes(ctx: AppContext) {
  return async (app: FastifyInstance) => {
    await app.register(healthRoutes(ctx));
    await app.register(operationsRoutes(ctx));
  };
}
