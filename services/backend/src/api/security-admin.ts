import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { idParamSchema } from '@tributary/contracts';
import { tenantOf } from '../plugins/auth.ts';
import { NotFoundError } from '../errors.ts';
import { findIntegration } from '../db/integrations.ts';
import { revokeTenantTokens, rotateTenantToken } from '../db/tenant-tokens.ts';
import { rotateCredentials } from '../security/rotate-keys.ts';
import type { RouteContext } from './route-context.ts';

/** The extract service's breaker status (JSON: dates as strings), as the tenant sees it. */
const tenantParamSchema = z.object({
  tenant_id: z.coerce.number().int().positive().max(Number.MAX_SAFE_INTEGER),
});
/** Why the operator acts; kept in the log line, and a body is what a stray POST lacks. */
const tokenActionBodySchema = z.strictObject({ reason: z.string().trim().min(1).max(500) });

const breakerSchema = z.object({
  name: z.string(),
  state: z.enum(['CLOSED', 'OPEN', 'HALF_OPEN']),
  failures: z.number(),
  halfOpenAt: z.string().nullable(),
  lastError: z.object({ message: z.string(), at: z.string() }).nullable(),
});

/**
 * Operator tools (admin token): re-encrypt credentials with the current key, revoke or rotate a
 * tenant's API tokens. And the tenant's window on its own integrations' breakers, which live in
 * the extract service whose `/breakers` is not for tenants (it lists every tenant's).
 */
export function registerSecurityAdminRoutes(app: FastifyInstance, ctx: RouteContext): void {
  const r = app.withTypeProvider<ZodTypeProvider>();

  r.post(
    '/api/v1/admin/keys/rotate',
    {
      config: { auth: 'admin' },
      schema: {
        tags: ['admin'],
        summary: 'Re-encrypt every credential with the current key (then older keys can be removed)',
        response: { 200: z.object({ rotated: z.number(), unchanged: z.number(), key_id: z.string() }) },
      },
    },
    async (request) => {
      const result = await rotateCredentials(ctx.pool, ctx.cipher);
      request.log.info(result, 'credentials re-encrypted with the current key');
      return result;
    },
  );

  r.post(
    '/api/v1/admin/tenants/:tenant_id/tokens/revoke',
    {
      config: { auth: 'admin' },
      schema: {
        tags: ['tenants'],
        summary: 'Revoke every API token of a tenant (it can do nothing until given a new one)',
        params: tenantParamSchema,
        body: tokenActionBodySchema,
        response: { 200: z.object({ revoked: z.number() }) },
      },
    },
    async (request) => {
      const tenantId = request.params.tenant_id;
      const revoked = await revokeTenantTokens(ctx.pool, tenantId);
      if (revoked === null) throw new NotFoundError(`tenant ${tenantId}`);
      request.log.info({ tenantId, revoked, reason: request.body.reason }, 'tenant tokens revoked');
      return { revoked };
    },
  );

  r.post(
    '/api/v1/admin/tenants/:tenant_id/tokens/rotate',
    {
      config: { auth: 'admin' },
      schema: {
        tags: ['tenants'],
        summary: "Replace a tenant's API tokens with one new token (shown once)",
        params: tenantParamSchema,
        body: tokenActionBodySchema,
        response: { 200: z.object({ token: z.string(), revoked: z.number() }) },
      },
    },
    async (request) => {
      const tenantId = request.params.tenant_id;
      const rotated = await rotateTenantToken(ctx.pool, tenantId);
      if (rotated === null) throw new NotFoundError(`tenant ${tenantId}`);
      request.log.info(
        { tenantId, revoked: rotated.revoked, reason: request.body.reason },
        'tenant token rotated',
      );
      return rotated;
    },
  );

  r.get(
    '/api/v1/integrations/:id/breaker',
    {
      config: { auth: 'tenant' },
      schema: {
        tags: ['integrations'],
        summary:
          "This integration's source circuit breaker, as the extract service sees it (null before its first call)",
        params: idParamSchema,
        response: { 200: z.object({ breaker: breakerSchema.nullable(), extract_reachable: z.boolean() }) },
      },
    },
    async (request) => {
      const row = await findIntegration(ctx.db, tenantOf(request), request.params.id);
      if (!row) throw new NotFoundError(`integration ${request.params.id}`);
      let breakers: z.infer<typeof breakerSchema>[];
      try {
        const response = await fetch(new URL('/breakers', ctx.config.EXTRACT_URL), {
          headers: { authorization: `Bearer ${ctx.config.TRIBUTARY_EXTRACT_TOKEN}` },
          signal: AbortSignal.timeout(5000),
        });
        if (!response.ok) throw new Error(`extract service answered ${response.status}`);
        breakers = z.object({ breakers: z.array(breakerSchema) }).parse(await response.json()).breakers;
      } catch (error) {
        // The state is unknown, not an error of this request: say so and let the caller poll.
        request.log.warn({ err: error }, 'extract service breakers not available');
        return { breaker: null, extract_reachable: false };
      }
      return {
        breaker: breakers.find((b) => b.name === `${row.type}:${row.id}`) ?? null,
        extract_reachable: true,
      };
    },
  );
}
