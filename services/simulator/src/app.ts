import Fastify from 'fastify';
import type { FastifyInstance, FastifyPluginAsync } from 'fastify';
import type { SimulatorConfig } from './config.ts';
import { resolveConfig } from './config.ts';
import { createState } from './state.ts';
import type { SimState } from './state.ts';
import { apiOf, githubError, registerGateway } from './faults/gateway.ts';
import { registerJiraRoutes } from './jira/routes.ts';
import { registerGithubRoutes } from './github/routes.ts';
import { registerControlRoutes } from './control/routes.ts';
import { registerOdditiesRoutes } from './control/oddities.ts';
import { jiraError } from './jira/serialize.ts';
import { DOCS } from './github/serialize.ts';
import { pathOf } from './http.ts';

/** The whole simulator as a plugin, so it can be mounted in another Fastify app if needed. */
export const simulatorPlugin: FastifyPluginAsync<{ state: SimState }> = async (app, { state }) => {
  registerGateway(app, state);
  registerJiraRoutes(app, state);
  registerGithubRoutes(app, state);
  registerControlRoutes(app, state);
  registerOdditiesRoutes(app, state);

  app.setNotFoundHandler(async (request, reply) => {
    const api = apiOf(pathOf(request.url));
    if (api === 'jira') return reply.code(404).send(jiraError('null for uri: ' + request.url));
    if (api === 'github') return reply.code(404).send(githubError(404, 'Not Found', DOCS));
    return reply.code(404).send({ error: 'unknown control route' });
  });

  app.setErrorHandler(async (error: { statusCode?: number; message: string }, request, reply) => {
    const status = error.statusCode && error.statusCode >= 400 ? error.statusCode : 500;
    if (status >= 500) request.log.error({ err: error }, 'simulator error');
    const message = status >= 500 ? 'Internal server error' : error.message;
    const api = apiOf(pathOf(request.url));
    if (api === 'jira') return reply.code(status).send(jiraError(message));
    if (api === 'github') return reply.code(status).send(githubError(status, message, DOCS));
    return reply.code(status).send({ error: message });
  });
};

export function buildSimulator(config: SimulatorConfig = {}): FastifyInstance {
  const resolved = resolveConfig(config);
  const app = Fastify({
    logger: resolved.logger,
    // `hang` faults keep sockets open on purpose; close() must not wait for them.
    forceCloseConnections: true,
    bodyLimit: 16 * 1024 * 1024,
  });
  const state = createState(resolved);
  // Skip encapsulation so the 404 and error handlers apply to the whole server.
  Object.assign(simulatorPlugin, { [Symbol.for('skip-override')]: true });
  void app.register(simulatorPlugin, { state });
  return app;
}
