import type { FastifyInstance } from 'fastify';
import type { AppContext } from '../../context';
import { backtestsRoutes } from './backtests';
import { backtestReportRoutes } from './backtest-report';
import { checkpointsRoutes } from './checkpoints';
import { resumeRoutes } from './resume';
import { compatRoutes } from './compat';
import { dataRoutes } from './data';
import { fuzzyRoutes } from './fuzzy';
import { experimentsRoutes } from './experiments';
import { healthRoutes } from './health';
import { indicatorsRoutes } from './indicators';
import { modelsRoutes } from './models';
import { operationsRoutes } from './operations';
import { portfolioRoutes } from './portfolio';
import { schemasRoutes } from './schemas';
import { strategiesRoutes } from './strategies';
import { tearsheetRoutes } from './tearsheet';
import { trainingsRoutes } from './trainings';
import { workersRoutes } from './workers';

/** Every route group is its own plugin; this list is the only place they are put together. */
export function apiRoutes(ctx: AppContext) {
  return async (app: FastifyInstance) => {
    await app.register(healthRoutes(ctx));
    await app.register(operationsRoutes(ctx));
    await app.register(strategiesRoutes(ctx));
    await app.register(indicatorsRoutes(ctx));
    await app.register(dataRoutes(ctx));
    await app.register(backtestsRoutes(ctx));
    await app.register(portfolioRoutes(ctx));
    await app.register(backtestReportRoutes(ctx));
    await app.register(tearsheetRoutes(ctx));
    await app.register(trainingsRoutes(ctx));
    await app.register(modelsRoutes(ctx));
    await app.register(workersRoutes(ctx));
    await app.register(checkpointsRoutes(ctx));
    await app.register(resumeRoutes(ctx));
    await app.register(compatRoutes(ctx));
    await app.register(schemasRoutes(ctx));
    await app.register(fuzzyRoutes(ctx));
    await app.register(experimentsRoutes(ctx));
  };
}
