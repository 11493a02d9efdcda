import type { IntervalHistogram } from 'node:perf_hooks';
import Fastify, { type FastifyBaseLogger, type FastifyInstance, type FastifyReply } from 'fastify';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import { jsonSchemaTransform, validatorCompiler } from 'fastify-type-provider-zod';
import { API_PREFIX, APP_VERSION } from '../../shared/version';
import type { AppContext } from '../context';
import { ParseAbandonedError } from '../../infra/threads/parse-pool';
import { HttpError, makeErrorHandler } from './errors';
import { registerLocalSecurity } from './security';
import { registerRequestContext } from '../request-context';
import { apiRoutes } from './routes';

export type Api = FastifyInstance;

/** Builds the REST API (not listening yet): security hooks, JSON-only bodies, OpenAPI, routes. */
export interface ApiExtras {
  /** Event-loop delay histogram of the main process (served at /debug/event-loop in test mode). */
  loopDelay?: IntervalHistogram;
}

/** JSON bodies larger than this are decoded and parsed on a parse thread, smaller ones inline (~2–4 ms per MiB). */
export const JSON_THREAD_BYTES = 1024 * 1024;

/** A status line for raw socket answers (431, 400) in the API's `{detail}` envelope. */
function rawErrorResponse(status: number, reason: string, detail: string): string {
  const body = JSON.stringify({ detail });
  return `HTTP/1.1 ${status} ${reason}\r\nContent-Type: application/json; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`;
}

export async function buildApi(ctx: AppContext, extras: ApiExtras = {}): Promise<FastifyInstance> {
  const app = Fastify({
    // Errors raised before routing (bad percent-encoding) get the same envelope as every other error.
    frameworkErrors: (error, _req, reply) => {
      const status = (error as { statusCode?: number }).statusCode ?? 400;
      const r = reply as unknown as FastifyReply;
      r.status(status >= 400 && status < 500 ? status : 400).send({ detail: `Bad request: ${error.message}` });
    },
    // Errors the HTTP parser finds (oversized headers → 431, malformed requests → 400) never reach routing.
    clientErrorHandler: (err, socket) => {
      if (!socket.writable) return;
      const code = (err as NodeJS.ErrnoException).code;
      const tooLarge = code === 'HPE_HEADER_OVERFLOW';
      socket.end(
        tooLarge
          ? rawErrorResponse(431, 'Request Header Fields Too Large', 'Request header fields too large')
          : rawErrorResponse(400, 'Bad Request', 'Bad request: the HTTP request could not be parsed'),
      );
    },
    // Request/response lines are logged at info by fastify: keep them for LOG_LEVEL=debug only.
    loggerInstance: ctx.log.child({ component: 'http' }, { level: ctx.log.isLevelEnabled('debug') ? ctx.log.level : 'warn' }) as FastifyBaseLogger,
    bodyLimit: ctx.config.bodyLimit,
    return503OnClosing: true,
  });

  app.setValidatorCompiler(validatorCompiler);
  // Responses are plain JSON: response schemas exist for the docs only.
  app.setSerializerCompiler(() => (data) => JSON.stringify(data));
  app.setErrorHandler(makeErrorHandler(ctx.log));
  app.setNotFoundHandler((request, reply) => {
    reply.status(404).send({ detail: `Not found: ${request.method} ${request.url.split('?')[0]}` });
  });

  // JSON only: text/plain (fastify's other default) is refused with 415. An empty JSON body is "no body".
  app.removeAllContentTypeParsers();
  // Bodies over JSON_THREAD_BYTES (large CSV imports) are decoded and parsed on a parse thread: UTF-8
  // decoding and JSON.parse of a 64 MiB body take ~250 ms, all of it a stall of every other request.
  const pool = ctx.parsePool;
  const malformed = (err: unknown) => new HttpError(400, `Malformed JSON body: ${(err as Error).message}`);
  app.addContentTypeParser('application/json', { parseAs: 'buffer' }, (_req, body, done) => {
    const bytes = body as Buffer;
    if (bytes.length > JSON_THREAD_BYTES && pool) {
      // The buffer is fastify's own copy of the body: it moves to the thread.
      pool.parseJson(bytes).then(
        (value) => done(null, value),
        (err: unknown) => {
          if (err instanceof ParseAbandonedError) done(new HttpError(err.reason === 'memory' ? 413 : 503, err.message), undefined);
          else if (err instanceof SyntaxError) done(malformed(err), undefined);
          else done(err as Error, undefined);
        },
      );
      return;
    }
    const text = bytes.toString('utf8');
    if (text.trim() === '') return done(null, undefined);
    try {
      done(null, JSON.parse(text));
    } catch (err) {
      done(malformed(err), undefined);
    }
  });

  registerLocalSecurity(app);
  registerRequestContext(app);

  await app.register(swagger, {
    openapi: {
      info: { title: 'KTRDR Workstation API', version: APP_VERSION, description: 'Local research API: data, strategies, training, backtests, operations.' },
    },
    transform: jsonSchemaTransform,
  });
  await app.register(swaggerUi, { routePrefix: `${API_PREFIX}/docs` });
  app.get(`${API_PREFIX}/openapi.json`, { schema: { hide: true } }, async () => app.swagger());

  await app.register(apiRoutes(ctx), { prefix: API_PREFIX });
  const loop = extras.loopDelay;
  if (ctx.config.testMode && loop) {
    // Test mode only: the reliability suites read the worst stall of the main event loop.
    app.get(`${API_PREFIX}/debug/event-loop`, { schema: { hide: true } }, async (req) => {
      const out = { max_ms: loop.max / 1e6, p99_ms: loop.percentile(99) / 1e6, mean_ms: loop.mean / 1e6, count: loop.count };
      if ((req.query as Record<string, string>).reset === '1') loop.reset();
      return out;
    });
  }
  return app;
}
