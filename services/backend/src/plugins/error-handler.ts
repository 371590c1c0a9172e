import type { FastifyError, FastifyInstance } from 'fastify';
import { hasZodFastifySchemaValidationErrors } from 'fastify-type-provider-zod';
import { isDatabaseUnavailable } from '@tributary/db';
import { AppError, JobClaimedError, UpstreamUnavailableError, type ErrorDetail } from '../errors.ts';

const CONTEXT_PREFIX: Record<string, string> = {
  body: '',
  querystring: 'query.',
  params: 'params.',
  headers: 'headers.',
};

/**
 * One place turns every error into the wire shape of DESIGN §5a. Bad input of any
 * kind is a 4xx naming the field; anything unexpected is a 500 whose internals stay
 * in the log, never in the answer.
 */
export function registerErrorHandler(app: FastifyInstance): void {
  app.setErrorHandler((error: FastifyError, request, reply) => {
    if (hasZodFastifySchemaValidationErrors(error)) {
      const prefix = CONTEXT_PREFIX[error.validationContext ?? 'body'] ?? '';
      const issues = error.validation as readonly { instancePath: string; message: string }[];
      const details: ErrorDetail[] = issues.map((issue) => ({
        path: prefix + issue.instancePath.replace(/^\//, '').replaceAll('/', '.'),
        message: issue.message,
      }));
      const first = details[0];
      const message = first ? `invalid ${first.path || 'body'}: ${first.message}` : 'invalid request';
      return reply.status(400).send(errorBody('VALIDATION_FAILED', message, details));
    }
    if (error instanceof AppError) {
      if (error.status >= 500) request.log.error({ err: error }, error.message);
      if (
        (error instanceof UpstreamUnavailableError || error instanceof JobClaimedError) &&
        error.retryAfterSeconds !== undefined
      ) {
        void reply.header('retry-after', String(error.retryAfterSeconds));
      }
      return reply.status(error.status).send(errorBody(error.code, error.message, error.details));
    }
    if (isDatabaseUnavailable(error)) {
      // Down, restarting or hung: a retryable 503 (the extractor's breaker counts it), not a 500.
      request.log.warn({ err: loggableError(error) }, 'database unavailable');
      return reply
        .status(503)
        .header('retry-after', '5')
        .send(errorBody('UNAVAILABLE', 'database unavailable; try again later'));
    }
    const status = error.statusCode ?? 500;
    if (status < 500) {
      return reply
        .status(status)
        .send(
          errorBody(
            codeForFastifyError(error, status),
            clientMessage(error, status, request.routeOptions.bodyLimit),
          ),
        );
    }
    request.log.error({ err: loggableError(error) }, 'unhandled error');
    return reply.status(500).send(errorBody('INTERNAL', 'internal error'));
  });

  app.setNotFoundHandler((request, reply) =>
    reply
      .status(404)
      .send(errorBody('NOT_FOUND', `route ${request.method} ${request.url.split('?')[0]} not found`)),
  );
}

/**
 * An unexpected error as it may be logged. A failed query's error (drizzle's DrizzleQueryError)
 * carries the statement's parameters — the values a client sent, secrets included — in its message
 * and a `params` field; the log keeps the statement and the driver's own error, never the values.
 */
function loggableError(error: Error): Record<string, unknown> {
  if (!('params' in error))
    return { type: error.constructor.name, message: error.message, stack: error.stack };
  const cause = error.cause instanceof Error ? error.cause : undefined;
  const query = 'query' in error && typeof error.query === 'string' ? error.query : undefined;
  return {
    type: error.constructor.name,
    message: cause ? `query failed: ${cause.message}` : 'query failed',
    query,
    code: (cause as { code?: unknown } | undefined)?.code,
  };
}

export function errorBody(code: string, message: string, details?: ErrorDetail[]) {
  return { error: { code, message, ...(details && details.length > 0 ? { details } : {}) } };
}

function codeForFastifyError(error: FastifyError, status: number): string {
  switch (error.code) {
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return 'MALFORMED_JSON';
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return 'PAYLOAD_TOO_LARGE';
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return 'UNSUPPORTED_MEDIA_TYPE';
    default:
      return status === 413 ? 'PAYLOAD_TOO_LARGE' : status === 400 ? 'BAD_REQUEST' : 'REQUEST_FAILED';
  }
}

function clientMessage(error: FastifyError, status: number, bodyLimit: number | undefined): string {
  if (error.code === 'FST_ERR_CTP_INVALID_JSON_BODY') return 'body is not valid JSON';
  if (error.code === 'FST_ERR_CTP_BODY_TOO_LARGE' || status === 413) {
    // Says what fits, so a client that batches (the extractor's pages) knows to send smaller parts.
    return bodyLimit
      ? `request body is too large: over this route's limit of ${bodyLimit} bytes; send it in smaller parts`
      : 'request body is too large';
  }
  // secure-json-parse: a body carrying __proto__ or constructor.prototype keys.
  if (error.message.includes('prototype'))
    return 'body contains a forbidden key (__proto__ or constructor.prototype)';
  return error.message;
}
