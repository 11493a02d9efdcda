// Serving `ktrdr mcp`: stdio, or Streamable HTTP on 127.0.0.1. Loaded only when `ktrdr mcp` runs, so
// other commands do not pay for the MCP SDK.
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import { isInitializeRequest } from '@modelcontextprotocol/sdk/types.js';
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

/** How many HTTP sessions live at once, and how long an unused one lives. */
export interface HttpSessionLimits {
  /** At this many sessions, a new one closes the least recently used (KTRDR_MCP_MAX_SESSIONS). */
  maxSessions: number;
  /** A session unused this long is closed (KTRDR_MCP_SESSION_IDLE_S). */
  idleMs: number;
}

export const DEFAULT_SESSION_LIMITS: HttpSessionLimits = { maxSessions: 32, idleMs: 30 * 60_000 };

/** The first request of a session carries an `initialize` body; nothing larger is read before a session exists. */
const MAX_INIT_BODY = 1024 * 1024;

interface Session {
  transport: StreamableHTTPServerTransport;
  mcp: KtrdrMcp;
  lastUsed: number;
}

function readJson(req: IncomingMessage, limit: number): Promise<unknown> {
  return new Promise((resolve, reject) => {
    let size = 0;
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > limit) {
        reject(new Error(`body larger than ${limit} bytes`));
        req.destroy();
      } else chunks.push(c);
    });
    req.on('end', () => {
      try {
        resolve(JSON.parse(Buffer.concat(chunks).toString('utf8')));
      } catch {
        reject(new Error('body is not JSON'));
      }
    });
    req.on('error', reject);
  });
}

/**
 * One MCP session (and one budget) per Mcp-Session-Id; the REST listener's Host/Origin rules apply.
 * A server is built only for an `initialize` request, and thrown away when that does not yield a
 * session; sessions are closed after `idleMs` unused, and the least recently used one makes room
 * when `maxSessions` are open. So memory stays flat whatever clients send or forget to close.
 */
export async function serveHttp(opts: McpOptions, port: number, limits: HttpSessionLimits = DEFAULT_SESSION_LIMITS): Promise<Server> {
  const sessions = new Map<string, Session>();
  const log = (line: string) => process.stderr.write(`ktrdr mcp: ${line}\n`);

  const close = async (id: string, why: string) => {
    const s = sessions.get(id);
    if (!s) return;
    sessions.delete(id);
    log(`closing session ${id.slice(0, 8)}… (${why})`);
    await s.transport.close().catch(() => undefined);
  };

  const sweep = setInterval(() => {
    const cutoff = Date.now() - limits.idleMs;
    for (const [id, s] of sessions) if (s.lastUsed < cutoff) void close(id, `unused for ${Math.round(limits.idleMs / 1000)} s`);
  }, Math.max(250, Math.min(60_000, limits.idleMs / 4)));
  sweep.unref();

  const http = createServer((req, res) => {
    void (async () => {
      const deny = (status: number, message: string) => {
        res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify({ jsonrpc: '2.0', error: { code: -32000, message }, id: null }));
      };
      if (!isLoopbackHost(req.headers.host)) return deny(403, 'Forbidden: only localhost Host headers');
      if (!isAllowedOrigin(req.headers.origin)) return deny(403, `Forbidden: cross-origin requests from ${req.headers.origin} are not allowed`);
      if ((req.url ?? '').split('?')[0] !== '/mcp') return deny(404, 'Not found: the MCP endpoint is /mcp');
      const sid = req.headers['mcp-session-id'];
      if (typeof sid === 'string') {
        const s = sessions.get(sid);
        if (!s) return deny(404, 'Session not found (closed, expired or never opened): send initialize without Mcp-Session-Id to open a new one');
        s.lastUsed = Date.now();
        // Delete the entry on close even when the client ends it (DELETE /mcp).
        return s.transport.handleRequest(req, res);
      }
      // No session yet: only an initialize request may open one; anything else costs nothing.
      if (req.method !== 'POST') return deny(400, 'Bad Request: no Mcp-Session-Id; open a session with a POST initialize request first');
      let body: unknown;
      try {
        body = await readJson(req, MAX_INIT_BODY);
      } catch (err) {
        return deny(400, `Bad Request: ${(err as Error).message}`);
      }
      if (!isInitializeRequest(body)) return deny(400, 'Bad Request: no Mcp-Session-Id; the first request of a session must be initialize');
      while (sessions.size >= limits.maxSessions) {
        const oldest = [...sessions].sort((a, b) => a[1].lastUsed - b[1].lastUsed)[0];
        await close(oldest[0], `${limits.maxSessions} sessions open (KTRDR_MCP_MAX_SESSIONS); this one was the least recently used`);
      }
      const mcp = createKtrdrMcpServer(opts);
      const transport: StreamableHTTPServerTransport = new StreamableHTTPServerTransport({
        sessionIdGenerator: () => randomUUID(),
        onsessioninitialized: (id) => void sessions.set(id, { transport, mcp, lastUsed: Date.now() }),
      });
      transport.onclose = () => {
        if (transport.sessionId) sessions.delete(transport.sessionId);
        mcp.dispose();
      };
      await mcp.server.connect(transport);
      await transport.handleRequest(req, res, body);
      // An initialize the SDK refused (bad version, malformed): no session, so nothing may stay behind.
      if (!transport.sessionId || !sessions.has(transport.sessionId)) await transport.close().catch(() => undefined);
    })().catch((err) => {
      if (!res.headersSent) res.writeHead(500, { 'content-type': 'application/json' }).end(JSON.stringify({ jsonrpc: '2.0', error: { code: -32603, message: (err as Error).message }, id: null }));
    });
  });
  http.on('close', () => {
    clearInterval(sweep);
    for (const id of [...sessions.keys()]) void close(id, 'server stopping');
  });
  await new Promise<void>((ok) => http.listen(port, '127.0.0.1', ok));
  const addr = http.address();
  log(`Streamable HTTP on http://127.0.0.1:${typeof addr === 'object' && addr ? addr.port : port}/mcp → ${opts.url} (at most ${limits.maxSessions} sessions, closed after ${Math.round(limits.idleMs / 1000)} s unused)`);
  return http;
}
