import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import { jsonSchemaTransform, validatorCompiler } from 'fastify-type-provider-zod';
import { API_PREFIX, APP_VERSION } from '../../shared/version';
import type { AppContext } from '../context';
import { HttpError, makeErrorHandler } from './errors';
import { registerLocalSecurity } from './security';
import { registerRequestContext } from '../request-context';
import { apiRoutes } from './routes';

export type Api = FastifyInstance;

/** Builds the REST API (not listening yet): security hooks, JSON-only bodies, OpenAPI, routes. */
export async function buildApi(ctx: AppContext): Promise<FastifyInstance> {
  const app = Fastify({
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
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (_req, body, done) => {
    const text = String(body);
    if (text.trim() === '') return done(null, undefined);
    try {
      done(null, JSON.parse(text));
    } catch (err) {
      done(new HttpError(400, `Malformed JSON body: ${(err as Error).message}`), undefined);
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
  return app;
}
