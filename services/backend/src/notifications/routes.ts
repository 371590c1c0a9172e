import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { createNotificationTargetBodySchema, idParamSchema } from '@tributary/contracts';
import { tenantOf } from '../plugins/auth.ts';
import { NotFoundError, ValidationError } from '../errors.ts';
import { checkIntegrationUrl } from '../security/url-policy.ts';
import type { RouteContext } from '../api/route-context.ts';
import type { NotificationTargetRow } from '../db/notification-target-row.ts';
import { insertNotificationTarget } from '../db/insert-notification-target.ts';
import { listNotificationTargets } from '../db/list-notification-targets.ts';
import { deleteNotificationTarget } from '../db/delete-notification-target.ts';
import { tenantHasNotificationTarget } from '../db/tenant-has-notification-target.ts';
import { listNotificationDeliveries } from '../db/list-notification-deliveries.ts';

const view = (row: NotificationTargetRow) => ({
  ...row,
  id: Number(row.id),
  created_at: row.created_at.toISOString(),
});

/** Webhook targets per tenant (Slack incoming webhooks or generic JSON), and what was sent to them. */
export function registerNotificationRoutes(app: FastifyInstance, ctx: RouteContext): void {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const policy = {
    hostAllowlist: ctx.config.INTEGRATION_HOST_ALLOWLIST,
    allowPrivateHosts: ctx.config.ALLOW_PRIVATE_INTEGRATION_HOSTS,
  };

  r.post(
    '/api/v1/notification-targets',
    {
      config: { auth: 'tenant' },
      schema: { tags: ['notifications'], body: createNotificationTargetBodySchema },
    },
    async (request, reply) => {
      const body = request.body;
      try {
        // The same outbound policy as integrations' base URLs: a tenant must not aim us at internal hosts.
        await checkIntegrationUrl(body.url, policy);
      } catch (error) {
        if (!(error instanceof ValidationError)) throw error;
        const message = error.message.replace(/^base_url /, '');
        throw new ValidationError(`url ${message}`, [{ path: 'url', message }]);
      }
      return reply.status(201).send(view(await insertNotificationTarget(ctx.pool, tenantOf(request), body)));
    },
  );

  r.get(
    '/api/v1/notification-targets',
    { config: { auth: 'tenant' }, schema: { tags: ['notifications'] } },
    async (request) => {
      const targets = await listNotificationTargets(ctx.pool, tenantOf(request));
      return { notification_targets: targets.map(view) };
    },
  );

  r.delete(
    '/api/v1/notification-targets/:id',
    { config: { auth: 'tenant' }, schema: { tags: ['notifications'], params: idParamSchema } },
    async (request, reply) => {
      if (!(await deleteNotificationTarget(ctx.pool, tenantOf(request), request.params.id)))
        throw new NotFoundError(`notification target ${request.params.id}`);
      return reply.status(204).send();
    },
  );

  r.get(
    '/api/v1/notification-targets/:id/deliveries',
    { config: { auth: 'tenant' }, schema: { tags: ['notifications'], params: idParamSchema } },
    async (request) => {
      // Another tenant's target (or none) is a 404, as on every other id route, not an empty list.
      const tenantId = tenantOf(request);
      if (!(await tenantHasNotificationTarget(ctx.pool, tenantId, request.params.id)))
        throw new NotFoundError(`notification target ${request.params.id}`);
      const deliveries = await listNotificationDeliveries(ctx.pool, tenantId, request.params.id);
      return {
        deliveries: deliveries.map((row) => ({
          ...row,
          id: Number(row.id),
          created_at: row.created_at.toISOString(),
          delivered_at: row.delivered_at ? row.delivered_at.toISOString() : null,
        })),
      };
    },
  );
}
