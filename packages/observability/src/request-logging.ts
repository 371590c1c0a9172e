import { LogController, type FastifyInstance, type FastifyRequest } from 'fastify';

/**
 * Routes a person does not need to see at info: the extractor's internal calls
 * (heartbeats, progress, pages — most of the lines when a job runs) and health and
 * metrics probes. Their access lines go to debug.
 */
export function isQuietRoute(url: string): boolean {
  const path = url.split('?')[0] ?? url;
  return path.startsWith('/internal/') || path === '/healthz' || path === '/readyz' || path === '/metrics';
}

const routeOf = (request: FastifyRequest) => request.routeOptions.url ?? request.url;

/** Pass as Fastify's `logController`: turns off its own two lines per request (ours replace them). */
export function quietLogController(): LogController {
  return new LogController({ disableRequestLogging: true });
}

/**
 * One access line per request, when it completes (Fastify's own lines are turned off with
 * {@link quietLogController}): info for the API, debug for quiet routes.
 */
export function registerRequestLogging(app: FastifyInstance): void {
  app.addHook('onResponse', async (request, reply) => {
    const level = isQuietRoute(request.url) ? 'debug' : reply.statusCode >= 500 ? 'error' : 'info';
    request.log[level](
      {
        req: { method: request.method, url: request.url, route: routeOf(request) },
        res: { statusCode: reply.statusCode },
        responseTime: reply.elapsedTime,
      },
      'request completed',
    );
  });
}
