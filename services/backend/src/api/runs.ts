import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { idParamSchema, triggerRunBodySchema, type Source } from '@tributary/contracts';
import { tenantOf } from '../plugins/auth.ts';
import { ConflictError, NotFoundError } from '../errors.ts';
import { findJob, jobView } from '../db/jobs.ts';
import { requestJobCancel } from '../db/request-job-cancel.ts';
import { integrationType } from '../db/integration-type.ts';
import { cancelJob, pauseJob, resumeJob } from '../jobs/job-state.ts';
import { publishExtract, triggerRun } from '../orchestration/runs.ts';
import type { RouteContext } from './route-context.ts';

/** Manual runs and the controls a person has over a running job. */
export function registerRunRoutes(app: FastifyInstance, ctx: RouteContext): void {
  const r = app.withTypeProvider<ZodTypeProvider>();

  r.post(
    '/api/v1/integrations/:id/runs',
    {
      config: { auth: 'tenant' },
      schema: {
        tags: ['jobs'],
        summary: 'Start a run (202 with the job id; 409 if one is active)',
        params: idParamSchema,
        body: triggerRunBodySchema,
        response: { 202: z.object({ job_id: z.number(), status: z.string() }) },
      },
    },
    async (request, reply) => {
      const job = await triggerRun(ctx.pool, ctx.requireQueue().publisher, request.log, {
        tenantId: tenantOf(request),
        integrationId: request.params.id,
        streams: request.body.streams,
        mode: request.body.mode,
        trigger: 'manual',
      });
      return reply.status(202).send({ job_id: job.id, status: job.status });
    },
  );

  r.post(
    '/api/v1/jobs/:id/pause',
    { config: { auth: 'tenant' }, schema: { tags: ['jobs'], params: idParamSchema } },
    async (request) => {
      const job = await pauseJob(ctx.pool, tenantOf(request), request.params.id, {
        reason: 'paused by user',
        by: 'user',
      });
      return jobView(job);
    },
  );

  r.post(
    '/api/v1/jobs/:id/resume',
    { config: { auth: 'tenant' }, schema: { tags: ['jobs'], params: idParamSchema } },
    async (request) => {
      const tenantId = tenantOf(request);
      const job = await resumeJob(ctx.pool, tenantId, request.params.id);
      await publishExtract(ctx.requireQueue().publisher, job, await sourceOfJob(ctx, job.integration_id));
      return jobView(job);
    },
  );

  r.post(
    '/api/v1/jobs/:id/cancel',
    { config: { auth: 'tenant' }, schema: { tags: ['jobs'], params: idParamSchema } },
    async (request) => {
      const tenantId = tenantOf(request);
      const job = await findJob(ctx.pool, tenantId, request.params.id);
      if (!job) throw new NotFoundError(`job ${request.params.id}`);
      // An extractor that is working on it stops before its next request and ends
      // the job itself; with nobody extracting, the job is cancelled here.
      const heartbeatAge = job.heartbeat_at ? (Date.now() - job.heartbeat_at.getTime()) / 1000 : Infinity;
      const extractorActive =
        job.status === 'RUNNING' &&
        !job.extraction_finished_at &&
        heartbeatAge < ctx.config.JOB_STALE_HEARTBEAT_SECONDS;
      if (!extractorActive) return jobView(await cancelJob(ctx.pool, tenantId, job.id));
      if (!(await requestJobCancel(ctx.pool, tenantId, job.id)))
        throw new ConflictError(`job ${job.id} is no longer running`);
      return jobView((await findJob(ctx.pool, tenantId, job.id))!);
    },
  );
}

async function sourceOfJob(ctx: RouteContext, integrationId: number): Promise<Source> {
  const type = await integrationType(ctx.pool, integrationId);
  if (type !== 'jira' && type !== 'github') throw new NotFoundError(`integration ${integrationId}`);
  return type;
}
