import { Command, CommanderError } from 'commander';
import { APP_VERSION } from '../shared/version';
import { ApiError, ConnectionError, KtrdrHttpClient } from './http';
import { describeApiProblem, flagsFor, UsageError } from './options';
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

/** `onAction` hears which (sub)command is about to run: errors are then worded in its flags. */
export function buildProgram(onAction?: (cmd: Command) => void): Command {
  const program = new Command();
  if (onAction) program.hook('preAction', (_root, cmd) => onAction(cmd));
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

/** The one line (or lines) a failed command prints, and its exit code. */
export function describeFailure(err: unknown, ran: Command | null, argv: readonly string[]): { message: string; code: number } {
  if (err instanceof ApiError) {
    const text = describeApiProblem(err.body, err.message, flagsFor(ran, argv));
    return { message: err.status >= 500 ? `the server failed (HTTP ${err.status}): ${text}` : text, code: 1 };
  }
  if (err instanceof ConnectionError) return { message: err.message, code: 3 };
  if (err instanceof UsageError) return { message: err.message, code: 2 };
  const e = err as NodeJS.ErrnoException;
  // A file the command was asked to read: say which and why in words, not as a raw ENOENT.
  if (e && typeof e.path === 'string' && (e.code === 'ENOENT' || e.code === 'EACCES' || e.code === 'EISDIR')) {
    const why = e.code === 'ENOENT' ? 'no such file' : e.code === 'EACCES' ? 'permission denied' : 'is a folder, not a file';
    return { message: `cannot read ${e.path}: ${why}`, code: 1 };
  }
  return { message: e instanceof Error ? e.message : String(err), code: 1 };
}

export async function main(argv: string[]): Promise<void> {
  let ran: Command | null = null;
  try {
    await buildProgram((cmd) => (ran = cmd)).parseAsync(argv);
  } catch (err) {
    if (err instanceof CommanderError) process.exit(err.exitCode);
    const { message, code } = describeFailure(err, ran, argv);
    process.stderr.write(`Error: ${message}\n`);
    process.exit(code);
  }
}

if (require.main === module) void main(process.argv);
