import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { createNotificationTargetBodySchema, idParamSchema } from '@tributary/contracts';
import { tenantOf } from '../plugins/auth.ts';
import { NotFoundError, ValidationError } from '../errors.ts';
import { checkIntegrationUrl } from '../security/url-policy.ts';
import type { RouteContext } from '../api/route-context.ts';

interface TargetRow {
  id: number;
  kind: string;
  url: string;
  events: string[];
  dead_letter_threshold: number;
  breaker_open_minutes: number;
  enabled: boolean;
  created_at: Date;
}

const view = (row: TargetRow) => ({ ...row, id: Number(row.id), created_at: row.created_at.toISOString() });

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
      const { rows } = await ctx.pool.query<TargetRow>(
        `insert into notification_targets (tenant_id, kind, url, events, dead_letter_threshold, breaker_open_minutes)
         values ($1, $2, $3, $4, $5, $6)
         returning id, kind, url, events, dead_letter_threshold, breaker_open_minutes, enabled, created_at`,
        [
          tenantOf(request),
          body.kind,
          body.url,
          body.events,
          body.dead_letter_threshold,
          body.breaker_open_minutes,
        ],
      );
      return reply.status(201).send(view(rows[0]!));
    },
  );

  r.get(
    '/api/v1/notification-targets',
    { config: { auth: 'tenant' }, schema: { tags: ['notifications'] } },
    async (request) => {
      const { rows } = await ctx.pool.query<TargetRow>(
        `select id, kind, url, events, dead_letter_threshold, breaker_open_minutes, enabled, created_at
       from notification_targets where tenant_id = $1 order by id`,
        [tenantOf(request)],
      );
      return { notification_targets: rows.map(view) };
    },
  );

  r.delete(
    '/api/v1/notification-targets/:id',
    { config: { auth: 'tenant' }, schema: { tags: ['notifications'], params: idParamSchema } },
    async (request, reply) => {
      const { rowCount } = await ctx.pool.query(
        'delete from notification_targets where id = $1 and tenant_id = $2',
        [request.params.id, tenantOf(request)],
      );
      if (rowCount === 0) throw new NotFoundError(`notification target ${request.params.id}`);
      return reply.status(204).send();
    },
  );

  r.get(
    '/api/v1/notification-targets/:id/deliveries',
    { config: { auth: 'tenant' }, schema: { tags: ['notifications'], params: idParamSchema } },
    async (request) => {
      // Another tenant's target (or none) is a 404, as on every other id route, not an empty list.
      const { rowCount: owned } = await ctx.pool.query(
        'select 1 from notification_targets where id = $1 and tenant_id = $2',
        [request.params.id, tenantOf(request)],
      );
      if (owned === 0) throw new NotFoundError(`notification target ${request.params.id}`);
      const { rows } = await ctx.pool.query<{
        id: number;
        event: string;
        status: string;
        attempts: number;
        response_status: number | null;
        error: string | null;
        payload: unknown;
        created_at: Date;
        delivered_at: Date | null;
      }>(
        `select id, event, status, attempts, response_status, error, payload, created_at, delivered_at
         from notification_deliveries where target_id = $1 and tenant_id = $2 order by id desc limit 200`,
        [request.params.id, tenantOf(request)],
      );
      return {
        deliveries: rows.map((row) => ({
          ...row,
          id: Number(row.id),
          created_at: row.created_at.toISOString(),
          delivered_at: row.delivered_at ? row.delivered_at.toISOString() : null,
        })),
      };
    },
  );
}
