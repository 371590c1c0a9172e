import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { idParamSchema, listJobsQuerySchema } from '@tributary/contracts';
import { tenantOf } from '../plugins/auth.ts';
import { NotFoundError } from '../errors.ts';
import { findJob, jobView, listJobs } from '../db/jobs.ts';
import type { RouteContext } from './route-context.ts';

/** The job's counters, as the OpenAPI description of the job routes says them. */
export const JOB_COUNTERS_DESCRIPTION =
  'A job counts its records at the top level: `records_seen` — read from the source; `records_extracted` — of those, ' +
  'new raw rows this job stored; `records_unchanged` — of those, already stored with the same content (not stored again); ' +
  '`records_transformed` / `records_failed` — raw rows transformed, and records that failed (refused by the raw layer or ' +
  'by a transform). A full re-run of unchanged data shows every record seen and unchanged, 0 extracted. `progress` has ' +
  'the same counts per stream and entity type (`{ pages, entities: { <type>: { seen, new, unchanged, failed } } }`); ' +
  'the top-level `records_seen` and `records_unchanged` are their sums.';

export function registerJobRoutes(app: FastifyInstance, ctx: RouteContext): void {
  const r = app.withTypeProvider<ZodTypeProvider>();

  r.get(
    '/api/v1/jobs',
    {
      config: { auth: 'tenant' },
      schema: { tags: ['jobs'], description: JOB_COUNTERS_DESCRIPTION, querystring: listJobsQuerySchema },
    },
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
    {
      config: { auth: 'service_or_tenant' },
      schema: { tags: ['jobs'], description: JOB_COUNTERS_DESCRIPTION, params: idParamSchema },
    },
    async (request) => {
      const job = await findJob(ctx.pool, tenantOf(request), request.params.id);
      if (!job) throw new NotFoundError(`job ${request.params.id}`);
      return jobView(job);
    },
  );
}
