// `ktrdr mcp`: the MCP server for LLM agents (src/cli/mcp/server.ts), over stdio (what desktop
// assistants and IDEs launch) or Streamable HTTP on 127.0.0.1 (--http PORT).
import { randomUUID } from 'node:crypto';
import { createServer } from 'node:http';
import { dirname, resolve } from 'node:path';
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import type { Command } from 'commander';
import { isAllowedOrigin, isLoopbackHost } from '../../shared/loopback';
import { KtrdrHttpClient } from '../http';
import { createKtrdrMcpServer, type KtrdrMcp, type McpOptions } from '../mcp/server';

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
    .action(async (o: { home?: string; maxConcurrent: string; maxTrainingMinutes: string; http?: string }) => {
      const url: string = program.opts().url;
      const opts: McpOptions = {
        url,
        home: await resolveHome(url, o.home),
        maxConcurrent: Math.floor(positive('max-concurrent', o.maxConcurrent)),
        maxTrainingMinutes: positive('max-training-minutes', o.maxTrainingMinutes),
      };
      if (o.http !== undefined) return serveHttp(opts, Math.floor(positive('http', o.http)));
      const mcp = createKtrdrMcpServer(opts);
      const transport = new StdioServerTransport();
      transport.onclose = () => {
        mcp.dispose();
        process.exit(0);
      };
      process.stdin.on('end', () => void transport.close());
      await mcp.server.connect(transport);
      process.stderr.write(`ktrdr mcp: serving ${url} (home ${opts.home}) over stdio\n`);
    });
}

/** One MCP session (and one budget) per Mcp-Session-Id; the REST listener's Host/Origin rules apply. */
async function serveHttp(opts: McpOptions, port: number): Promise<void> {
  const sessions = new Map<string, { transport: StreamableHTTPServerTransport; mcp: KtrdrMcp }>();
  const http = createServer((req, res) => {
    void (async () => {
      const deny = (status: number, message: string) => {
        res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify({ jsonrpc: '2.0', error: { code: -32000, message }, id: null }));
      };
      if (!isLoopbackHost(req.headers.host)) return deny(403, 'Forbidden: only localhost Host headers');
      if (!isAllowedOrigin(req.headers.origin)) return deny(403, `Forbidden: cross-origin requests from ${req.headers.origin} are not allowed`);
      if ((req.url ?? '').split('?')[0] !== '/mcp') return deny(404, 'Not found: the MCP endpoint is /mcp');
      const sid = req.headers['mcp-session-id'];
      let entry = typeof sid === 'string' ? sessions.get(sid) : undefined;
      if (!entry) {
        if (sid) return deny(404, 'Session not found');
        const mcp = createKtrdrMcpServer(opts);
        const transport: StreamableHTTPServerTransport = new StreamableHTTPServerTransport({
          sessionIdGenerator: () => randomUUID(),
          onsessioninitialized: (id) => void sessions.set(id, { transport, mcp }),
        });
        transport.onclose = () => {
          if (transport.sessionId) sessions.delete(transport.sessionId);
          mcp.dispose();
        };
        await mcp.server.connect(transport);
        entry = { transport, mcp };
      }
      await entry.transport.handleRequest(req, res);
    })().catch((err) => {
      if (!res.headersSent) res.writeHead(500, { 'content-type': 'application/json' }).end(JSON.stringify({ jsonrpc: '2.0', error: { code: -32603, message: (err as Error).message }, id: null }));
    });
  });
  await new Promise<void>((ok) => http.listen(port, '127.0.0.1', ok));
  const addr = http.address();
  process.stderr.write(`ktrdr mcp: Streamable HTTP on http://127.0.0.1:${typeof addr === 'object' && addr ? addr.port : port}/mcp → ${opts.url}\n`);
}
