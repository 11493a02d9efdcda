import type { Command } from 'commander';
import { ConfigError } from '../../main/config';
import { runWorkerCommand, WorkerUsageError } from '../../main/scaleout/worker-main';

export function registerWorkerCommand(program: Command): void {
  program
    .command('worker')
    .description('Run jobs of a scale-out KTRDR server: takes trainings, backtests and data loads from its Redis queue')
    .option('--redis <url>', 'Redis URL, e.g. redis://:password@host:6379 or rediss://… (env KTRDR_REDIS_URL)')
    .option('--concurrency <n>', 'jobs run at once (default 1)')
    .option('--home <dir>', 'this worker\'s scratch folder (env KTRDR_WORKER_HOME, default ~/.ktrdr-worker)')
    .action(async (opts: { redis?: string; concurrency?: string; home?: string }) => {
      try {
        await runWorkerCommand(opts);
      } catch (err) {
        process.stderr.write(`ktrdr worker: ${(err as Error).message}\n`);
        process.exit(err instanceof WorkerUsageError || err instanceof ConfigError ? 2 : 1);
      }
    });
}
