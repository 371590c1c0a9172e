import type { FastifyInstance, FastifyRequest } from 'fastify';

/** The request as a log line shows it: the path without its query string. */
function loggedRequest(request: FastifyRequest) {
  return { method: request.method, url: request.url.split('?')[0], host: request.host, remoteAddress: request.ip };
}

/**
 * Fastify's own request lines carry the full URL, and a client that puts its token in a query
 * string (`?token=…`, `?access_token=…`) would have it written to the log. These two lines replace
 * them (the app sets `disableRequestLogging`) and never include the query.
 */
export function registerRequestLog(app: FastifyInstance): void {
  app.addHook('onRequest', async (request) => {
    request.log.info({ req: loggedRequest(request) }, 'incoming request');
  });
  app.addHook('onResponse', async (request, reply) => {
    request.log.info({ res: { statusCode: reply.statusCode }, responseTime: reply.elapsedTime }, 'request completed');
  });
}
