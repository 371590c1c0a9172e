import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { createTenantBodySchema, createdTenantSchema } from '@tributary/contracts';
import { createTenantWithToken } from '../db/tenants.ts';
import type { RouteContext } from './route-context.ts';

export function registerTenantRoutes(app: FastifyInstance, ctx: RouteContext): void {
  app.withTypeProvider<ZodTypeProvider>().post(
    '/api/v1/tenants',
    {
      config: { auth: 'admin' },
      schema: {
        tags: ['tenants'],
        summary: 'Create a tenant and its API token (shown once)',
        body: createTenantBodySchema,
        response: { 201: createdTenantSchema },
      },
    },
    async (request, reply) => {
      const tenant = await createTenantWithToken(ctx.pool, request.body.name);
      request.log.info({ tenantId: tenant.id }, 'tenant created');
      return reply.status(201).send(tenant);
    },
  );
}
