// Who is asking, for the length of one REST request: the X-KTRDR-Client header, kept in an
// AsyncLocalStorage so OperationsService.start can tag every operation it creates
// (metadata.started_by) without each start route passing it along.
import { AsyncLocalStorage } from 'node:async_hooks';
import type { FastifyInstance } from 'fastify';
import { CLIENT_HEADER, CLIENT_KINDS, type ClientKind } from '../shared/api-schemas';

interface RequestContext {
  client: ClientKind | null;
}

const storage = new AsyncLocalStorage<RequestContext>();

/** The client kind of the request being handled, or null (no header, or outside a request). */
export function currentClient(): ClientKind | null {
  return storage.getStore()?.client ?? null;
}

/** Runs `fn` as if a request from `client` were being handled (tests, in-process callers). */
export function runAsClient<T>(client: ClientKind | null, fn: () => T): T {
  return storage.run({ client }, fn);
}

/** Reads the header on every request; an unknown value is refused (400) before any route runs. */
export function registerRequestContext(app: FastifyInstance): void {
  app.addHook('onRequest', (request, reply, done) => {
    const raw = request.headers[CLIENT_HEADER];
    const value = Array.isArray(raw) ? raw[0] : raw;
    if (value !== undefined && !(CLIENT_KINDS as readonly string[]).includes(value.trim().toLowerCase())) {
      reply.status(400).send({ detail: `Unknown ${CLIENT_HEADER} header '${value}': one of ${CLIENT_KINDS.join(', ')}` });
      return;
    }
    storage.run({ client: value ? (value.trim().toLowerCase() as ClientKind) : null }, done);
  });
}
