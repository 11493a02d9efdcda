import type { FastifyInstance, FastifyRequest } from 'fastify';

const LOOPBACK_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]', '::1']);

function splitHost(hostHeader: string): { name: string; port: string | null } {
  const h = hostHeader.trim().toLowerCase();
  if (h.startsWith('[')) {
    const close = h.indexOf(']');
    const rest = h.slice(close + 1);
    return { name: h.slice(0, close + 1), port: rest.startsWith(':') ? rest.slice(1) : null };
  }
  const [name, port] = h.split(':');
  return { name, port: port ?? null };
}

export function isLoopbackHost(hostHeader: string | undefined): boolean {
  return hostHeader !== undefined && LOOPBACK_HOSTS.has(splitHost(hostHeader).name);
}

/**
 * The Host header names this server: a loopback name and the port it listens on. A request
 * injected in-process (Electron IPC, tests) has no socket port: the loopback name suffices there.
 */
export function isOwnHost(hostHeader: string | undefined, ownPort: number | null): boolean {
  if (hostHeader === undefined) return false;
  const { name, port } = splitHost(hostHeader);
  if (!LOOPBACK_HOSTS.has(name)) return false;
  if (ownPort === null) return true;
  return port !== null && /^\d{1,5}$/.test(port) && Number(port) === ownPort;
}

/** An Origin is allowed only when it is this server's own origin (http, loopback name, same port). */
export function isAllowedOrigin(origin: string | undefined, ownPort: number | null = null): boolean {
  if (origin === undefined) return true; // curl, scripts, same-origin GETs
  try {
    const url = new URL(origin);
    if (url.protocol !== 'http:' || !LOOPBACK_HOSTS.has(url.hostname.toLowerCase())) return false;
    if (ownPort === null) return false; // injected requests carry no browser origin
    return Number(url.port || '80') === ownPort;
  } catch {
    return false;
  }
}

/** The port this request arrived on, or null for in-process injection (light-my-request). */
function ownPortOf(request: FastifyRequest): number | null {
  if ('_lightMyRequest' in request.raw) return null;
  return request.socket?.localPort ?? null;
}

/**
 * Local-port defences (DESIGN.md §4, issue #17.10): a Host other than this server's own loopback
 * host:port means DNS rebinding; an Origin other than the server's own means a page of another
 * site or another local app. Both are refused before any route runs. Same-origin requests need no
 * CORS headers, so none are ever sent: no other origin can read an answer. Preflights (OPTIONS)
 * are answered by the same rule: 204 for the own origin, 403 otherwise.
 */
export function registerLocalSecurity(app: FastifyInstance): void {
  app.addHook('onRequest', async (request, reply) => {
    const ownPort = ownPortOf(request);
    if (!isOwnHost(request.headers.host, ownPort)) {
      return reply.status(403).send({ detail: "Forbidden: the API answers only to its own Host (localhost, 127.0.0.1 or [::1] with the server's port)" });
    }
    const origin = request.headers.origin;
    if (!isAllowedOrigin(origin, ownPort)) {
      return reply.status(403).send({ detail: `Forbidden: cross-origin requests from ${String(origin).slice(0, 100)} are not allowed` });
    }
    if (request.method === 'OPTIONS') {
      return reply.status(204).header('Allow', 'GET, POST, PUT, DELETE, OPTIONS').send();
    }
  });
}
