import type { OperationType } from '../../shared/operations';
import { dummyJob } from './dummy';
import type { Job } from './types';

/** Job registry: the worker runs the job named by the operation type. Later issues add theirs here. */
export const JOBS: Partial<Record<OperationType, () => Promise<Job>>> = {
  dummy: async () => dummyJob,
  training: async () => (await import('./training')).trainingJob,
  data_load: async () => (await import('./data-load')).dataLoadJob,
  // One operation type for both: params with `portfolio: true` run the N-leg book (portfolio-backtest.ts).
  backtesting: async () => {
    const [single, portfolio] = await Promise.all([import('./backtest'), import('./portfolio-backtest')]);
    return (ctx) => (portfolio.isPortfolioParams(ctx.params) ? portfolio.portfolioBacktestJob(ctx) : single.backtestJob(ctx));
  },
};
