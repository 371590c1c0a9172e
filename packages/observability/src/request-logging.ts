import { LogController, type FastifyInstance, type FastifyRequest } from 'fastify';

/**
 * Routes a person does not need to see at info: the extractor's internal calls
 * (heartbeats, progress, pages — most of the lines when a job runs) and health and
 * metrics probes. Their access lines go to debug.
 */
export function isQuietRoute(url: string): boolean {
  const path = pathOnly(url);
  return path.startsWith('/internal/') || path === '/healthz' || path === '/readyz' || path === '/metrics';
}

/** The path without its query string: a client that puts a token there (`?access_token=…`) must not have it logged. */
export const pathOnly = (url: string): string => url.split('?')[0] ?? url;

const routeOf = (request: FastifyRequest) => request.routeOptions.url ?? pathOnly(request.url);

/**
 * Pass as Fastify's `logController`: turns off its own per-request lines (ours replace them;
 * Fastify's carry the full URL, query string included).
 */
export function quietLogController(): LogController {
  return new LogController({ disableRequestLogging: true });
}

/**
 * One access line per request, when it completes (Fastify's own lines are turned off with
 * {@link quietLogController}): info for the API, debug for quiet routes; the path is logged
 * without its query string.
 */
export function registerRequestLogging(app: FastifyInstance): void {
  app.addHook('onResponse', async (request, reply) => {
    const level = isQuietRoute(request.url) ? 'debug' : reply.statusCode >= 500 ? 'error' : 'info';
    request.log[level](
      {
        req: { method: request.method, url: pathOnly(request.url), route: routeOf(request) },
        res: { statusCode: reply.statusCode },
        responseTime: reply.elapsedTime,
      },
      'request completed',
    );
  });
}
