import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { idParamSchema, listJobsQuerySchema } from '@tributary/contracts';
import { tenantOf } from '../plugins/auth.ts';
import { NotFoundError } from '../errors.ts';
import { findJob, jobView, listJobs } from '../db/jobs.ts';
import type { RouteContext } from './route-context.ts';

export function registerJobRoutes(app: FastifyInstance, ctx: RouteContext): void {
  const r = app.withTypeProvider<ZodTypeProvider>();

  r.get(
    '/api/v1/jobs',
    { config: { auth: 'tenant' }, schema: { tags: ['jobs'], querystring: listJobsQuerySchema } },
    async (request) => {
      const query = request.query;
      const jobs = await listJobs(ctx.pool, tenantOf(request), {
        status: query.status,
        integrationId: query.integration_id,
        limit: query.limit,
        beforeId: query.before_id,
      });
      return { jobs: jobs.map(jobView) };
    },
  );

  r.get(
    '/api/v1/jobs/:id',
    { config: { auth: 'service_or_tenant' }, schema: { tags: ['jobs'], params: idParamSchema } },
    async (request) => {
      const job = await findJob(ctx.pool, tenantOf(request), request.params.id);
      if (!job) throw new NotFoundError(`job ${request.params.id}`);
      return jobView(job);
    },
  );
}
