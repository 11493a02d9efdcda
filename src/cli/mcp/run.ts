// Serving `ktrdr mcp`: stdio, or Streamable HTTP on 127.0.0.1. Loaded only when `ktrdr mcp` runs, so
// other commands do not pay for the MCP SDK.
import { randomUUID } from 'node:crypto';
import { createServer } from 'node:http';
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import { isAllowedOrigin, isLoopbackHost } from '../../shared/loopback';
import { createKtrdrMcpServer, type KtrdrMcp, type McpOptions } from './server';

export async function serveStdio(opts: McpOptions): Promise<void> {
  const mcp = createKtrdrMcpServer(opts);
  const transport = new StdioServerTransport();
  transport.onclose = () => {
    mcp.dispose();
    process.exit(0);
  };
  process.stdin.on('end', () => void transport.close());
  await mcp.server.connect(transport);
  process.stderr.write(`ktrdr mcp: serving ${opts.url} (home ${opts.home}) over stdio\n`);
}

/** One MCP session (and one budget) per Mcp-Session-Id; the REST listener's Host/Origin rules apply. */
export async function serveHttp(opts: McpOptions, port: number): Promise<void> {
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
