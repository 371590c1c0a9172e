import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import {
  failJobBodySchema,
  idParamSchema,
  pauseJobBodySchema,
  progressBodySchema,
  saveSyncStateBodySchema,
} from '@tributary/contracts';
import { tenantOf } from '../plugins/auth.ts';
import { NotFoundError } from '../errors.ts';
import { findIntegration } from '../db/integrations.ts';
import { findJob, jobView } from '../db/jobs.ts';
import { cancelJob, claimJob, failJob, finishJobIfDone, pauseJob } from '../jobs/job-state.ts';
import { scheduleRetry } from '../orchestration/retry-orchestrator.ts';
import type { RouteContext } from './route-context.ts';
import { assertRunningJob } from '../security/job-scope.ts';
import { listSyncState } from '../db/list-sync-state.ts';
import { saveSyncState } from '../db/save-sync-state.ts';
import { touchJobHeartbeat } from '../db/touch-job-heartbeat.ts';
import { mergeJobProgress } from '../db/merge-job-progress.ts';
import { markExtractionFinished } from '../db/mark-extraction-finished.ts';

const jobQuerySchema = z.object({ job_id: z.coerce.number().int().positive().optional() });

/**
 * The extract service's view of the backend (service token, tenant in
 * x-tenant-id): its integration with decrypted credentials, job state moves,
 * heartbeats and cursors. The extractor holds no database connection.
 */
export function registerInternalRoutes(app: FastifyInstance, ctx: RouteContext): void {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const route = {
    config: { auth: 'service' as const },
    schema: { tags: ['internal'], params: idParamSchema },
  };

  r.get(
    '/internal/v1/integrations/:id',
    { ...route, schema: { ...route.schema, querystring: jobQuerySchema } },
    async (request) => {
      const tenantId = tenantOf(request);
      const row = await findIntegration(ctx.db, tenantId, request.params.id);
      if (!row) throw new NotFoundError(`integration ${request.params.id}`);
      await assertRunningJob(ctx.pool, { tenantId, integrationId: row.id, jobId: request.query.job_id });
      return {
        id: row.id,
        tenant_id: row.tenantId,
        type: row.type,
        name: row.name,
        base_url: row.baseUrl,
        config: row.config,
        credentials: ctx.cipher.open(tenantId, row.id, {
          ciphertext: row.credentialsEncrypted,
          keyId: row.credentialsKeyId,
        }),
      };
    },
  );

  r.get('/internal/v1/integrations/:id/sync-state', route, async (request) => ({
    sync_state: await listSyncState(ctx.pool, tenantOf(request), request.params.id),
  }));

  r.put(
    '/internal/v1/integrations/:id/sync-state',
    { ...route, schema: { ...route.schema, body: saveSyncStateBodySchema } },
    async (request, reply) => {
      const body = request.body;
      const saved = await saveSyncState(ctx.pool, tenantOf(request), request.params.id, {
        stream: body.stream,
        scope: body.scope,
        cursor: body.cursor,
        etag: body.etag ?? null,
        jobId: body.job_id,
      });
      if (!saved) throw new NotFoundError(`integration ${request.params.id}`);
      return reply.status(204).send();
    },
  );

  r.post('/internal/v1/jobs/:id/claim', route, async (request) =>
    jobView(
      await claimJob(ctx.pool, tenantOf(request), request.params.id, ctx.config.JOB_STALE_HEARTBEAT_SECONDS),
    ),
  );

  r.post('/internal/v1/jobs/:id/heartbeat', route, async (request) => {
    const tenantId = tenantOf(request);
    await touchJobHeartbeat(ctx.pool, tenantId, request.params.id);
    const job = await findJob(ctx.pool, tenantId, request.params.id);
    if (!job) throw new NotFoundError(`job ${request.params.id}`);
    return { status: job.status, cancel_requested: job.cancel_requested_at !== null };
  });

  r.post(
    '/internal/v1/jobs/:id/progress',
    { ...route, schema: { ...route.schema, body: progressBodySchema } },
    async (request, reply) => {
      if (!(await mergeJobProgress(ctx.pool, tenantOf(request), request.params.id, request.body.progress))) {
        throw new NotFoundError(`job ${request.params.id}`);
      }
      return reply.status(204).send();
    },
  );

  r.post('/internal/v1/jobs/:id/extraction-finished', route, async (request) => {
    const tenantId = tenantOf(request);
    await markExtractionFinished(ctx.pool, tenantId, request.params.id);
    await finishJobIfDone(ctx.pool, tenantId, request.params.id);
    const job = await findJob(ctx.pool, tenantId, request.params.id);
    if (!job) throw new NotFoundError(`job ${request.params.id}`);
    return jobView(job);
  });

  r.post('/internal/v1/jobs/:id/cancelled', route, async (request) =>
    jobView(await cancelJob(ctx.pool, tenantOf(request), request.params.id)),
  );

  r.post(
    '/internal/v1/jobs/:id/pause',
    { ...route, schema: { ...route.schema, body: pauseJobBodySchema } },
    async (request) =>
      jobView(
        await pauseJob(ctx.pool, tenantOf(request), request.params.id, {
          reason: request.body.reason,
          by: 'system',
        }),
      ),
  );

  r.post(
    '/internal/v1/jobs/:id/fail',
    { ...route, schema: { ...route.schema, body: failJobBodySchema } },
    async (request) => {
      const tenantId = tenantOf(request);
      const job = await failJob(ctx.pool, tenantId, request.params.id, {
        error: request.body.error,
        code: request.body.code ?? null,
      });
      return jobView(request.body.retryable ? await scheduleRetry(ctx.pool, job, ctx.config) : job);
    },
  );
}
