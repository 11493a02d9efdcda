// `ktrdr mcp`: the MCP server for LLM agents (src/cli/mcp/server.ts), over stdio (what desktop
// assistants and IDEs launch) or Streamable HTTP on 127.0.0.1 (--http PORT).
import { dirname, resolve } from 'node:path';
import type { Command } from 'commander';
import { KtrdrHttpClient } from '../http';
import type { McpOptions } from '../mcp/server';

function positive(name: string, raw: string): number {
  const n = Number(raw);
  if (!Number.isFinite(n) || n < 0) throw new Error(`--${name} must be a number ≥ 0 (got '${raw}')`);
  return n;
}

/** KTRDR_HOME of the server: --home, else KTRDR_HOME, else asked from the server (its data folder's parent). */
async function resolveHome(url: string, given: string | undefined): Promise<string> {
  if (given) return resolve(given);
  if (process.env.KTRDR_HOME) return resolve(process.env.KTRDR_HOME);
  const info = await new KtrdrHttpClient(url).get<{ data: { data_directory: string } }>('/data/info');
  return dirname(resolve(info.data.data_directory));
}

export function registerMcpCommand(program: Command): void {
  program
    .command('mcp')
    .description('Serve the research loop to LLM agents over the Model Context Protocol (stdio; --http for Streamable HTTP on 127.0.0.1)')
    .option('--home <dir>', 'KTRDR_HOME of the server: path arguments must stay inside it (default: env KTRDR_HOME, else asked from the server)')
    .option('--max-concurrent <n>', 'operations this session may run at once (env KTRDR_MCP_MAX_CONCURRENT)', process.env.KTRDR_MCP_MAX_CONCURRENT ?? '2')
    .option('--max-training-minutes <m>', 'total training minutes per session (env KTRDR_MCP_MAX_TRAINING_MINUTES)', process.env.KTRDR_MCP_MAX_TRAINING_MINUTES ?? '60')
    .option('--http <port>', 'serve Streamable HTTP on 127.0.0.1:<port>/mcp instead of stdio')
    .option('--max-sessions <n>', '--http: sessions open at once; a new one closes the least recently used (env KTRDR_MCP_MAX_SESSIONS)', process.env.KTRDR_MCP_MAX_SESSIONS ?? '32')
    .option('--session-idle <s>', '--http: seconds an unused session lives (env KTRDR_MCP_SESSION_IDLE_S)', process.env.KTRDR_MCP_SESSION_IDLE_S ?? '1800')
    .action(async (o: { home?: string; maxConcurrent: string; maxTrainingMinutes: string; http?: string; maxSessions: string; sessionIdle: string }) => {
      const url: string = program.opts().url;
      const opts: McpOptions = {
        url,
        home: await resolveHome(url, o.home),
        maxConcurrent: Math.floor(positive('max-concurrent', o.maxConcurrent)),
        maxTrainingMinutes: positive('max-training-minutes', o.maxTrainingMinutes),
      };
      const run = await import('../mcp/run');
      if (o.http !== undefined) {
        const maxSessions = Math.floor(positive('max-sessions', o.maxSessions));
        const idle = positive('session-idle', o.sessionIdle);
        if (maxSessions < 1) throw new Error(`--max-sessions must be at least 1 (got '${o.maxSessions}')`);
        await run.serveHttp(opts, Math.floor(positive('http', o.http)), { maxSessions, idleMs: Math.max(1, idle) * 1000 });
        return;
      }
      await run.serveStdio(opts);
    });
}
