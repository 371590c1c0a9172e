import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { ForbiddenError, NotFoundError, UpstreamUnavailableError } from '../errors.ts';
import { tenantHasIntegration } from '../db/tenant-has-integration.ts';
import type { Viewer } from '../events/event-types.ts';
import type { LiveEvents } from '../events/live-events.ts';
import { integrationOfBreaker } from '../events/system-health.ts';
import type { RouteContext } from './route-context.ts';
import { errorMessage } from '@tributary/contracts';

function viewerOf(request: FastifyRequest): Viewer {
  const principal = request.principal;
  if (principal.kind === 'tenant') return { kind: 'tenant', tenantId: principal.tenantId };
  return { kind: 'admin' };
}

/** System health for the dashboard (also what it polls when the WebSocket is down) and breaker resets. */
export function registerSystemRoutes(app: FastifyInstance, ctx: RouteContext, live: LiveEvents): void {
  const r = app.withTypeProvider<ZodTypeProvider>();

  r.get(
    '/api/v1/session',
    {
      config: { auth: 'tenant_or_admin' },
      schema: { tags: ['system'], summary: 'Who this token is: a tenant (with its id) or the operator' },
    },
    async (request) => {
      const viewer = viewerOf(request);
      return viewer.kind === 'admin'
        ? { kind: 'admin', tenant_id: null }
        : { kind: 'tenant', tenant_id: viewer.tenantId };
    },
  );

  r.get(
    '/api/v1/system/health',
    {
      config: { auth: 'tenant_or_admin' },
      schema: {
        tags: ['system'],
        summary: 'Database, broker, queue depths and the breakers this caller may see',
      },
    },
    async (request) => live.healthFor(viewerOf(request)),
  );

  r.post(
    '/api/v1/system/breakers/:name/reset',
    {
      config: { auth: 'tenant_or_admin' },
      schema: {
        tags: ['system'],
        summary: "Close a circuit breaker now (a tenant: its own integrations' breakers)",
        // The names the extract service gives its breakers: `backend`, or `<source>:<integration id>`.
        params: z.object({
          name: z
            .string()
            .regex(/^(backend|(jira|github):[1-9][0-9]{0,15})$/, 'must be backend, jira:<id> or github:<id>'),
        }),
      },
    },
    async (request) => {
      const { name } = request.params;
      const viewer = viewerOf(request);
      if (viewer.kind === 'tenant') {
        const integrationId = integrationOfBreaker(name);
        if (integrationId === null)
          throw new ForbiddenError(`breaker ${name} is shared; only the operator may reset it`);
        if (!(await tenantHasIntegration(ctx.pool, viewer.tenantId, integrationId)))
          throw new NotFoundError(`breaker ${name}`);
      }
      let response: Response;
      try {
        response = await fetch(
          new URL(`/breakers/${encodeURIComponent(name)}/reset`, ctx.config.EXTRACT_URL),
          {
            method: 'POST',
            headers: { authorization: `Bearer ${ctx.config.TRIBUTARY_EXTRACT_TOKEN}` },
            signal: AbortSignal.timeout(5000),
          },
        );
      } catch (error) {
        throw new UpstreamUnavailableError(`extract service unreachable: ${errorMessage(error)}`);
      }
      if (response.status === 404) throw new NotFoundError(`breaker ${name}`);
      if (!response.ok) throw new UpstreamUnavailableError(`extract service answered ${response.status}`);
      request.log.info(
        { breaker: name, actor: viewer.kind === 'admin' ? 'admin' : `tenant:${viewer.tenantId}` },
        'breaker reset',
      );
      return { reset: name };
    },
  );
}
