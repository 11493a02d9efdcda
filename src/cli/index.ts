import { Command } from 'commander';
import { APP_VERSION } from '../shared/version';
import { ApiError, ConnectionError, KtrdrHttpClient } from './http';
import { registerBacktestCommands } from './commands/backtest';
import { registerDataCommands } from './commands/data';
import { registerExperimentCommands } from './commands/experiment';
import { registerIndicatorsCommands } from './commands/indicators';
import { registerMcpCommand } from './commands/mcp';
import { registerOperationsCommands } from './commands/operations';
import { registerServeCommand } from './commands/serve';
import { registerStrategiesCommands } from './commands/strategies';
import { registerTrainCommands } from './commands/train';
import { registerWorkerCommand } from './commands/worker';

export interface CliContext {
  client(): KtrdrHttpClient;
}

export function buildProgram(): Command {
  const program = new Command();
  program
    .name('ktrdr')
    .description('KTRDR Workstation: research neuro-fuzzy trading strategies (data, strategies, training, backtests)')
    .version(APP_VERSION, '-V, --version')
    .option('--url <url>', 'KTRDR server URL (env KTRDR_API_URL)', process.env.KTRDR_API_URL || `http://127.0.0.1:${process.env.KTRDR_API_PORT || 8000}`)
    .showHelpAfterError();
  const ctx: CliContext = { client: () => new KtrdrHttpClient(program.opts().url) };
  registerServeCommand(program);
  registerWorkerCommand(program);
  registerOperationsCommands(program, ctx);
  registerDataCommands(program, ctx);
  registerBacktestCommands(program, ctx);
  registerTrainCommands(program, ctx);
  registerStrategiesCommands(program, ctx);
  registerIndicatorsCommands(program, ctx);
  registerMcpCommand(program);
  registerExperimentCommands(program, ctx);
  return program;
}

export async function main(argv: string[]): Promise<void> {
  try {
    await buildProgram().parseAsync(argv);
  } catch (err) {
    if (err instanceof ApiError || err instanceof ConnectionError) {
      process.stderr.write(`Error: ${err.message}\n`);
      process.exit(err instanceof ConnectionError ? 3 : 1);
    }
    process.stderr.write(`Error: ${(err as Error).message}\n`);
    process.exit(1);
  }
}

if (require.main === module) void main(process.argv);
