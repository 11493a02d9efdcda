import type { FastifyInstance } from 'fastify';

const LOOPBACK_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]', '::1']);

function hostnameOf(hostHeader: string): string {
  const h = hostHeader.trim().toLowerCase();
  if (h.startsWith('[')) return h.slice(0, h.indexOf(']') + 1);
  return h.split(':')[0];
}

export function isLoopbackHost(hostHeader: string | undefined): boolean {
  return hostHeader !== undefined && LOOPBACK_HOSTS.has(hostnameOf(hostHeader));
}

/** A browser page may call the API only from a loopback origin (our renderer or a dev server). */
export function isAllowedOrigin(origin: string | undefined): boolean {
  if (origin === undefined) return true; // curl, scripts, same-origin GETs
  try {
    const url = new URL(origin);
    return (url.protocol === 'http:' || url.protocol === 'https:') && LOOPBACK_HOSTS.has(url.hostname.toLowerCase());
  } catch {
    return false;
  }
}

/**
 * Local-port defences (DESIGN.md §4): a foreign Host header means DNS rebinding, a foreign Origin
 * means a web page trying cross-site requests; both are refused before any route runs.
 */
export function registerLocalSecurity(app: FastifyInstance): void {
  app.addHook('onRequest', async (request, reply) => {
    if (!isLoopbackHost(request.headers.host)) {
      return reply.status(403).send({ detail: 'Forbidden: the API answers only to localhost Host headers' });
    }
    const origin = request.headers.origin;
    if (!isAllowedOrigin(origin)) {
      return reply.status(403).send({ detail: `Forbidden: cross-origin requests from ${origin} are not allowed` });
    }
    if (origin) {
      reply.header('Access-Control-Allow-Origin', origin);
      reply.header('Vary', 'Origin');
    }
  });
}
