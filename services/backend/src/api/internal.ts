import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { idParamSchema, jobErrorCodeSchema } from '@tributary/contracts';
import { tenantOf } from '../plugins/auth.ts';
import { NotFoundError } from '../errors.ts';
import { findIntegration } from '../db/integrations.ts';
import { findJob, jobView } from '../db/jobs.ts';
import { claimJob, finishJobIfDone, transitionJob } from '../jobs/job-state.ts';
import { scheduleRetry } from '../orchestration/retry-orchestrator.ts';
import type { RouteContext } from './route-context.ts';
import { assertRunningJob } from '../security/job-scope.ts';

const jobQuerySchema = z.object({ job_id: z.coerce.number().int().positive().optional() });

const syncStateBodySchema = z.strictObject({
  stream: z.string().min(1).max(100),
  scope: z.string().max(500).default(''),
  // A GitHub pull-request walk in progress carries its place and up to 148 reviews still waiting
  // for their comments lookup (connectors/github/walk.ts): a few KiB.
  cursor: z.string().max(16_000).nullable(),
  etag: z.string().max(500).nullable().optional(),
  /** The job that reached this position (recorded on the job too, for a full run's resume). */
  job_id: z.number().int().positive().optional(),
});

const failBodySchema = z.strictObject({
  error: z.string().min(1).max(4000),
  /** False for failures a retry cannot fix (credentials rejected). */
  retryable: z.boolean().default(true),
  code: jobErrorCodeSchema.optional(),
});

const pauseBodySchema = z.strictObject({ reason: z.string().min(1).max(1000) });
const progressBodySchema = z.strictObject({ progress: z.record(z.string(), z.unknown()) });

/**
 * The extract service's view of the backend (service token, tenant in
 * x-tenant-id): its integration with decrypted credentials, job state moves,
 * heartbeats and cursors. The extractor holds no database connection.
 */
export function registerInternalRoutes(app: FastifyInstance, ctx: RouteContext): void {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const route = { config: { auth: 'service' as const }, schema: { tags: ['internal'], params: idParamSchema } };

  r.get('/internal/v1/integrations/:id', { ...route, schema: { ...route.schema, querystring: jobQuerySchema } }, async (request) => {
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
      credentials: ctx.cipher.open(tenantId, row.id, { ciphertext: row.credentialsEncrypted, keyId: row.credentialsKeyId }),
    };
  });

  r.get('/internal/v1/integrations/:id/sync-state', route, async (request) => {
    const { rows } = await ctx.pool.query(
      'select stream, scope, cursor, etag from sync_state where tenant_id = $1 and integration_id = $2 order by stream, scope',
      [tenantOf(request), request.params.id],
    );
    return { sync_state: rows };
  });

  r.put(
    '/internal/v1/integrations/:id/sync-state',
    { ...route, schema: { ...route.schema, body: syncStateBodySchema } },
    async (request, reply) => {
      const tenantId = tenantOf(request);
      const body = request.body;
      const { rowCount } = await ctx.pool.query(
        `insert into sync_state (tenant_id, integration_id, stream, scope, cursor, etag)
         select $1, id, $3, $4, $5, $6 from integrations where id = $2 and tenant_id = $1 and deleted_at is null
         on conflict (integration_id, stream, scope)
         do update set cursor = excluded.cursor, etag = excluded.etag, updated_at = now()`,
        [tenantId, request.params.id, body.stream, body.scope, body.cursor, body.etag ?? null],
      );
      if (rowCount === 0) throw new NotFoundError(`integration ${request.params.id}`);
      if (body.job_id !== undefined) {
        // The job keeps its own positions: a full run resumes from them after a takeover.
        await ctx.pool.query(
          `update etl_jobs set checkpoints = checkpoints || jsonb_build_object($3::text, jsonb_build_object('cursor', $4::text, 'etag', $5::text))
           where id = $1 and tenant_id = $2`,
          [body.job_id, tenantId, `${body.stream}|${body.scope}`, body.cursor, body.etag ?? null],
        );
      }
      return reply.status(204).send();
    },
  );

  r.post('/internal/v1/jobs/:id/claim', route, async (request) =>
    jobView(await claimJob(ctx.pool, tenantOf(request), request.params.id, ctx.config.JOB_STALE_HEARTBEAT_SECONDS)),
  );

  r.post('/internal/v1/jobs/:id/heartbeat', route, async (request) => {
    const tenantId = tenantOf(request);
    await ctx.pool.query(`update etl_jobs set heartbeat_at = now() where id = $1 and tenant_id = $2 and status = 'RUNNING'`, [
      request.params.id,
      tenantId,
    ]);
    const job = await findJob(ctx.pool, tenantId, request.params.id);
    if (!job) throw new NotFoundError(`job ${request.params.id}`);
    return { status: job.status, cancel_requested: job.cancel_requested_at !== null };
  });

  r.post(
    '/internal/v1/jobs/:id/progress',
    { ...route, schema: { ...route.schema, body: progressBodySchema } },
    async (request, reply) => {
      const { rowCount } = await ctx.pool.query(
        `update etl_jobs set progress = progress || $3::jsonb, heartbeat_at = now(), updated_at = now()
         where id = $1 and tenant_id = $2`,
        [request.params.id, tenantOf(request), JSON.stringify(request.body.progress)],
      );
      if (rowCount === 0) throw new NotFoundError(`job ${request.params.id}`);
      return reply.status(204).send();
    },
  );

  r.post('/internal/v1/jobs/:id/extraction-finished', route, async (request) => {
    const tenantId = tenantOf(request);
    await ctx.pool.query(
      `update etl_jobs set extraction_finished_at = coalesce(extraction_finished_at, now()), updated_at = now()
       where id = $1 and tenant_id = $2 and status = 'RUNNING'`,
      [request.params.id, tenantId],
    );
    await finishJobIfDone(ctx.pool, tenantId, request.params.id);
    const job = await findJob(ctx.pool, tenantId, request.params.id);
    if (!job) throw new NotFoundError(`job ${request.params.id}`);
    return jobView(job);
  });

  r.post('/internal/v1/jobs/:id/cancelled', route, async (request) =>
    jobView(await transitionJob(ctx.pool, tenantOf(request), request.params.id, 'CANCELLED')),
  );

  r.post(
    '/internal/v1/jobs/:id/pause',
    { ...route, schema: { ...route.schema, body: pauseBodySchema } },
    async (request) =>
      jobView(
        await transitionJob(ctx.pool, tenantOf(request), request.params.id, 'PAUSED', {
          pauseReason: request.body.reason,
          pausedBy: 'system',
        }),
      ),
  );

  r.post(
    '/internal/v1/jobs/:id/fail',
    { ...route, schema: { ...route.schema, body: failBodySchema } },
    async (request) => {
      const tenantId = tenantOf(request);
      const job = await transitionJob(ctx.pool, tenantId, request.params.id, 'FAILED', {
        error: request.body.error,
        errorCode: request.body.code ?? null,
      });
      return jobView(request.body.retryable ? await scheduleRetry(ctx.pool, job, ctx.config) : job);
    },
  );
}
