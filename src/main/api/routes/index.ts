import type { FastifyInstance } from 'fastify';
import type { AppContext } from '../../context';
import { backtestsRoutes } from './backtests';
import { dataRoutes } from './data';
import { experimentsRoutes } from './experiments';
import { healthRoutes } from './health';
import { indicatorsRoutes } from './indicators';
import { modelsRoutes } from './models';
import { operationsRoutes } from './operations';
import { strategiesRoutes } from './strategies';
import { trainingsRoutes } from './trainings';

/** Every route group is its own plugin; this list is the only place they are put together. */
export function apiRoutes(ctx: AppContext) {
  return async (app: FastifyInstance) => {
    await app.register(healthRoutes(ctx));
    await app.register(operationsRoutes(ctx));
    await app.register(strategiesRoutes(ctx));
    await app.register(indicatorsRoutes(ctx));
    await app.register(dataRoutes(ctx));
    await app.register(backtestsRoutes(ctx));
    await app.register(trainingsRoutes(ctx));
    await app.register(modelsRoutes(ctx));
    await app.register(experimentsRoutes(ctx));
  };
}
