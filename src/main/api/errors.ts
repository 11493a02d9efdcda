import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { hasZodFastifySchemaValidationErrors } from 'fastify-type-provider-zod';
import type { Logger } from '../logger';

/** An error with an HTTP status whose message is safe to show the caller as `{detail}`. */
export class HttpError extends Error {
  constructor(
    readonly statusCode: number,
    message: string,
    readonly extra: Record<string, unknown> = {},
    /** Response headers, e.g. Retry-After on 429/503. */
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }
}

export interface FieldProblem {
  field: string;
  message: string;
}

/** Request validation failure: answered as 422 with every problem, each naming its field. */
export class ValidationError extends Error {
  constructor(
    readonly details: FieldProblem[],
    message = details.map((d) => `${d.field}: ${d.message}`).join('; '),
  ) {
    super(message);
  }
}

export const notFound = (what: string) => new HttpError(404, what);
export const badRequest = (what: string) => new HttpError(400, what);

export function validationBody(details: FieldProblem[], message?: string) {
  return {
    success: false,
    error: {
      code: 'VALIDATION_ERROR',
      message: message ?? `Invalid request: ${details.map((d) => `${d.field}: ${d.message}`).join('; ')}`,
      details,
    },
  };
}

function fieldPath(instancePath: string | undefined, prefix: string | undefined): string {
  const path = (instancePath ?? '').replace(/^\//, '').replace(/\//g, '.');
  const where = prefix && prefix !== 'body' ? prefix : '';
  return [where, path].filter(Boolean).join('.') || prefix || 'body';
}

/** One error handler for the whole API: never a stack trace, never a 500 for a bad request. */
export function makeErrorHandler(log: Logger) {
  return (error: FastifyError | Error, request: FastifyRequest, reply: FastifyReply) => {
    if (error instanceof ValidationError) {
      return reply.status(422).send(validationBody(error.details, error.message));
    }
    if (hasZodFastifySchemaValidationErrors(error)) {
      const ctx = (error as FastifyError).validationContext;
      const details = error.validation.map((v) => ({
        field: fieldPath(v.instancePath, ctx),
        message: v.message ?? 'invalid',
      }));
      return reply.status(422).send(validationBody(details));
    }
    if (error instanceof HttpError) {
      return reply.status(error.statusCode).headers(error.headers).send({ detail: error.message, ...error.extra });
    }
    const fe = error as FastifyError;
    if (fe.code === 'FST_ERR_CTP_INVALID_JSON_BODY' || fe.code === 'FST_ERR_CTP_EMPTY_JSON_BODY' || error instanceof SyntaxError) {
      return reply.status(400).send({ detail: `Malformed JSON body: ${error.message}` });
    }
    if (fe.statusCode && fe.statusCode >= 400 && fe.statusCode < 500) {
      return reply.status(fe.statusCode).send({ detail: error.message });
    }
    log.error({ err: error, url: request.url, method: request.method }, 'unhandled error');
    return reply.status(500).send({ detail: 'Internal server error; see the server log for details.' });
  };
}
