import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import {
  configSchemaFor,
  createIntegrationBodySchema,
  credentialsSchemaFor,
  idParamSchema,
  integrationViewSchema,
  issueDetails,
  paginationQuerySchema,
  patchIntegrationBodySchema,
  shortestScheduleGapMinutes,
  type IntegrationView,
} from '@tributary/contracts';
import { tenantOf } from '../plugins/auth.ts';
import { ConflictError, NotFoundError, ValidationError } from '../errors.ts';
import { activeJobOfIntegration } from '../db/active-job-of-integration.ts';
import { checkIntegrationUrl } from '../security/url-policy.ts';
import {
  findIntegration,
  insertIntegration,
  listIntegrations,
  nextIntegrationId,
  updateIntegration,
  type IntegrationRow,
  type NewIntegrationRow,
} from '../db/integrations.ts';
import type { RouteContext } from './route-context.ts';
import { testConnection } from '../orchestration/connection-test.ts';

/** The API view: credentials are never returned, only whether they are set. */
export function integrationView(row: IntegrationRow): IntegrationView {
  return {
    id: row.id,
    type: row.type as IntegrationView['type'],
    name: row.name,
    base_url: row.baseUrl,
    config: row.config as Record<string, unknown>,
    schedule: row.schedule,
    enabled: row.enabled,
    has_credentials: row.credentialsEncrypted.length > 0,
    last_test:
      row.lastTestAt && row.lastTestOk !== null
        ? { ok: row.lastTestOk, at: row.lastTestAt.toISOString(), error: row.lastTestError }
        : null,
    created_at: row.createdAt.toISOString(),
    updated_at: row.updatedAt.toISOString(),
  };
}

const enableBeforeTest = (id: number | string) =>
  new ConflictError(
    `integration ${id} cannot be enabled before a connection test passed (POST /api/v1/integrations/${id}/test)`,
  );

export function registerIntegrationRoutes(app: FastifyInstance, ctx: RouteContext): void {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const urlPolicy = {
    hostAllowlist: ctx.config.INTEGRATION_HOST_ALLOWLIST,
    allowPrivateHosts: ctx.config.ALLOW_PRIVATE_INTEGRATION_HOSTS,
    resolve: ctx.resolve,
  };

  r.post(
    '/api/v1/integrations',
    {
      config: { auth: 'tenant' },
      schema: {
        tags: ['integrations'],
        body: createIntegrationBodySchema,
        response: { 201: integrationViewSchema },
      },
    },
    async (request, reply) => {
      const tenantId = tenantOf(request);
      const body = request.body;
      if (body.enabled) throw enableBeforeTest('new');
      checkScheduleInterval(body.schedule, ctx.config.SCHEDULE_MIN_INTERVAL_MINUTES);
      await checkIntegrationUrl(body.base_url, urlPolicy);
      // The id is taken first because it is part of the credentials' associated data.
      const id = await nextIntegrationId(ctx.pool);
      const sealed = ctx.cipher.seal(tenantId, id, body.credentials);
      const row = await insertIntegration(ctx.db, {
        id,
        tenantId,
        type: body.type,
        name: body.name,
        baseUrl: body.base_url,
        credentialsEncrypted: sealed.ciphertext,
        credentialsKeyId: sealed.keyId,
        config: body.config,
        schedule: body.schedule ?? null,
        enabled: false,
      });
      return reply.status(201).send(integrationView(row));
    },
  );

  r.get(
    '/api/v1/integrations',
    {
      config: { auth: 'tenant' },
      schema: {
        tags: ['integrations'],
        querystring: paginationQuerySchema,
        response: { 200: z.object({ integrations: z.array(integrationViewSchema) }) },
      },
    },
    async (request) => {
      const rows = await listIntegrations(ctx.db, tenantOf(request), {
        limit: request.query.limit,
        beforeId: request.query.before_id,
      });
      return { integrations: rows.map(integrationView) };
    },
  );

  r.get(
    '/api/v1/integrations/:id',
    {
      config: { auth: 'tenant' },
      schema: { tags: ['integrations'], params: idParamSchema, response: { 200: integrationViewSchema } },
    },
    async (request) => {
      const row = await findIntegration(ctx.db, tenantOf(request), request.params.id);
      if (!row) throw new NotFoundError(`integration ${request.params.id}`);
      return integrationView(row);
    },
  );

  r.patch(
    '/api/v1/integrations/:id',
    {
      config: { auth: 'tenant' },
      schema: {
        tags: ['integrations'],
        params: idParamSchema,
        body: patchIntegrationBodySchema,
        response: { 200: integrationViewSchema },
      },
    },
    async (request) => {
      const tenantId = tenantOf(request);
      const id = request.params.id;
      const current = await findIntegration(ctx.db, tenantId, id);
      if (!current) throw new NotFoundError(`integration ${id}`);
      const type = current.type as 'jira' | 'github';
      const body = request.body;
      const changes: Partial<NewIntegrationRow> = {};
      if (body.name !== undefined) changes.name = body.name;
      if (body.schedule !== undefined) {
        checkScheduleInterval(body.schedule, ctx.config.SCHEDULE_MIN_INTERVAL_MINUTES);
        changes.schedule = body.schedule;
      }
      if (body.config !== undefined) changes.config = parseFor(configSchemaFor[type], body.config, 'config');
      if (body.base_url !== undefined) {
        await checkIntegrationUrl(body.base_url, urlPolicy);
        changes.baseUrl = body.base_url;
      }
      if (body.credentials !== undefined) {
        const sealed = ctx.cipher.seal(
          tenantId,
          id,
          parseFor(credentialsSchemaFor[type], body.credentials, 'credentials'),
        );
        changes.credentialsEncrypted = sealed.ciphertext;
        changes.credentialsKeyId = sealed.keyId;
      }
      // New credentials or a new host have not been tested yet.
      if (changes.baseUrl !== undefined || changes.credentialsEncrypted !== undefined) {
        Object.assign(changes, { lastTestOk: null, lastTestAt: null, lastTestError: null });
      }
      if (body.enabled !== undefined) {
        const tested = changes.lastTestOk === undefined ? current.lastTestOk === true : false;
        if (body.enabled && !tested) throw enableBeforeTest(id);
        changes.enabled = body.enabled;
      }
      const row = await updateIntegration(ctx.db, tenantId, id, changes);
      if (!row) throw new NotFoundError(`integration ${id}`);
      return integrationView(row);
    },
  );

  r.delete(
    '/api/v1/integrations/:id',
    { config: { auth: 'tenant' }, schema: { tags: ['integrations'], params: idParamSchema } },
    async (request, reply) => {
      const tenantId = tenantOf(request);
      const id = request.params.id;
      const active = await activeJobOfIntegration(ctx.pool, tenantId, id);
      if (active)
        throw new ConflictError(`integration ${id} has an active job (${active.id}); cancel it first`);
      const row = await updateIntegration(ctx.db, tenantId, id, { deletedAt: new Date(), enabled: false });
      if (!row) throw new NotFoundError(`integration ${id}`);
      return reply.status(204).send();
    },
  );
}

export function registerConnectionTestRoute(app: FastifyInstance, ctx: RouteContext): void {
  app.withTypeProvider<ZodTypeProvider>().post(
    '/api/v1/integrations/:id/test',
    {
      config: { auth: 'tenant' },
      schema: {
        tags: ['integrations'],
        summary: 'Test the connection through the extract service; enabling needs a passed test',
        params: idParamSchema,
        response: {
          200: z.object({
            ok: z.boolean(),
            error: z.string().nullable(),
            code: z.string().nullable(),
            at: z.string(),
          }),
        },
      },
    },
    async (request) => {
      const row = await findIntegration(ctx.db, tenantOf(request), request.params.id);
      if (!row) throw new NotFoundError(`integration ${request.params.id}`);
      return testConnection(ctx.db, ctx.cipher, row, {
        url: ctx.config.EXTRACT_URL,
        extractToken: ctx.config.TRIBUTARY_EXTRACT_TOKEN,
      });
    },
  );
}

/** A schedule may run an integration at most once per `minMinutes` (the operator's SCHEDULE_MIN_INTERVAL_MINUTES). */
function checkScheduleInterval(schedule: string | null | undefined, minMinutes: number): void {
  if (!schedule) return;
  const gap = shortestScheduleGapMinutes(schedule);
  if (gap < minMinutes) {
    const message = `runs every ${gap} minute${gap === 1 ? '' : 's'}; schedules may run at most once per ${minMinutes} minutes`;
    throw new ValidationError(`invalid schedule: ${message}`, [{ path: 'schedule', message }]);
  }
}

function parseFor(schema: z.ZodType, value: unknown, field: string): unknown {
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data;
  const details = issueDetails(parsed.error.issues, [field]);
  throw new ValidationError(
    `invalid ${details[0]?.path ?? field}: ${details[0]?.message ?? 'invalid'}`,
    details,
  );
}
