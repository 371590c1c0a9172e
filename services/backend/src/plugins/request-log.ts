import { LogController, type FastifyRequest } from 'fastify';

/** The request as a log line shows it: the path without its query string. */
function loggedRequest(request: FastifyRequest) {
  return { method: request.method, url: request.url.split('?')[0], host: request.host, remoteAddress: request.ip };
}

/**
 * Fastify's own request lines carry the full URL, and a client that puts its token in a query
 * string (`?token=…`, `?access_token=…`) would have it written to the log. This controller logs
 * the same lines with the path only.
 */
export class PathOnlyLogController extends LogController {
  override incomingRequest(request: FastifyRequest): void {
    if (this.isLogDisabled(request)) return;
    request.log.info({ req: loggedRequest(request) }, 'incoming request');
  }

  override defaultErrorLog(error: Error, request: FastifyRequest): void {
    // 5xx are logged by the error handler (plugins/error-handler.ts) without query values.
    request.log.info({ req: loggedRequest(request), err: { type: error.name, message: error.message } }, 'request failed');
  }

  override routeNotFound(request: FastifyRequest): void {
    request.log.info(`Route ${request.method}:${request.url.split('?')[0]} not found`);
  }
}
