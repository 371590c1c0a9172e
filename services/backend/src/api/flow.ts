import { withTransaction } from '@tributary/db';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import {
  autoMapBodySchema,
  autoMapResultSchema,
  createFlowStepBodySchema,
  createStatusMappingBodySchema,
  deleteFlowStepImpactSchema,
  deleteFlowStepQuerySchema,
  flowStepSchema,
  idParamSchema,
  issueActiveBodySchema,
  issueActiveViewSchema,
  patchFlowStepBodySchema,
  patchStatusMappingBodySchema,
  statusMappingSchema,
  unmappedStatusSchema,
} from '@tributary/contracts';
import { tenantOf } from '../plugins/auth.ts';
import { NotFoundError } from '../errors.ts';
import { createStep, listSteps, updateStep } from '../flow/steps.ts';
import { deleteStep } from '../flow/delete-step.ts';
import { createMapping, deleteMapping, listMappings, updateMapping } from '../flow/mappings.ts';
import { listUnmapped } from '../flow/unmapped.ts';
import { autoMap } from '../flow/auto-map.ts';
import { setIssueActive } from '../flow/issue-activation.ts';
import type { RouteContext } from './route-context.ts';

const tags = ['flow'];

/** Flow configuration: steps, status mappings, unmapped statuses, auto-map, and issue (de)activation. */
export function registerFlowRoutes(app: FastifyInstance, ctx: RouteContext): void {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const auth = { auth: 'tenant' as const };
  // After a configuration write has committed (never inside its transaction): rebuild the tenant's
  // flow summaries in the background; flow requests meanwhile take the direct path.
  const changed = (request: FastifyRequest) => {
    ctx.flowSummaries.kick(tenantOf(request));
  };

  r.get(
    '/api/v1/flow/steps',
    {
      config: auth,
      schema: {
        tags,
        summary: 'Flow steps in position order',
        response: { 200: z.object({ steps: z.array(flowStepSchema) }) },
      },
    },
    async (request) => ({ steps: await listSteps(ctx.pool, tenantOf(request)) }),
  );

  r.post(
    '/api/v1/flow/steps',
    {
      config: auth,
      schema: {
        tags,
        summary:
          'Create a step; positions are unique and categories monotonic (todo < in_progress < done), else 400 naming the step',
        body: createFlowStepBodySchema,
        response: { 201: flowStepSchema },
      },
    },
    async (request, reply) => {
      const step = await withTransaction(ctx.pool, (db) => createStep(db, tenantOf(request), request.body));
      changed(request);
      return reply.status(201).send(step);
    },
  );

  r.patch(
    '/api/v1/flow/steps/:id',
    {
      config: auth,
      schema: {
        tags,
        params: idParamSchema,
        body: patchFlowStepBodySchema,
        response: { 200: flowStepSchema },
      },
    },
    async (request) => {
      const step = await withTransaction(ctx.pool, (db) =>
        updateStep(db, tenantOf(request), request.params.id, request.body),
      );
      changed(request);
      return step;
    },
  );

  r.delete(
    '/api/v1/flow/steps/:id',
    {
      config: auth,
      schema: {
        tags,
        summary:
          'Delete a step, moving its mappings to reassign_to in one transaction; dry_run=true only answers the impact',
        params: idParamSchema,
        querystring: deleteFlowStepQuerySchema,
        response: { 200: deleteFlowStepImpactSchema },
      },
    },
    async (request) => {
      const impact = await withTransaction(ctx.pool, (db) =>
        deleteStep(
          db,
          tenantOf(request),
          request.params.id,
          request.query.reassign_to,
          request.query.dry_run,
        ),
      );
      if (!request.query.dry_run) changed(request);
      return impact;
    },
  );

  r.get(
    '/api/v1/flow/mappings',
    {
      config: auth,
      schema: { tags, response: { 200: z.object({ mappings: z.array(statusMappingSchema) }) } },
    },
    async (request) => ({ mappings: await listMappings(ctx.pool, tenantOf(request)) }),
  );

  r.post(
    '/api/v1/flow/mappings',
    {
      config: auth,
      schema: {
        tags,
        summary: 'Map a source status (ignoring case; optionally per issue type) onto an active step',
        body: createStatusMappingBodySchema,
        response: { 201: statusMappingSchema },
      },
    },
    async (request, reply) => {
      const mapping = await createMapping(ctx.pool, tenantOf(request), request.body);
      changed(request);
      return reply.status(201).send(mapping);
    },
  );

  r.patch(
    '/api/v1/flow/mappings/:id',
    {
      config: auth,
      schema: {
        tags,
        params: idParamSchema,
        body: patchStatusMappingBodySchema,
        response: { 200: statusMappingSchema },
      },
    },
    async (request) => {
      const mapping = await updateMapping(ctx.pool, tenantOf(request), request.params.id, request.body);
      changed(request);
      return mapping;
    },
  );

  r.delete(
    '/api/v1/flow/mappings/:id',
    { config: auth, schema: { tags, params: idParamSchema } },
    async (request, reply) => {
      if (!(await deleteMapping(ctx.pool, tenantOf(request), request.params.id)))
        throw new NotFoundError(`status mapping ${request.params.id}`);
      changed(request);
      return reply.status(204).send();
    },
  );

  r.get(
    '/api/v1/flow/unmapped',
    {
      config: auth,
      schema: {
        tags,
        summary: 'Statuses seen in jira_statuses or transitions with no active mapping',
        querystring: z.object({ integration_id: z.coerce.number().int().positive().optional() }),
        response: { 200: z.object({ statuses: z.array(unmappedStatusSchema) }) },
      },
    },
    async (request) => ({
      statuses: await listUnmapped(ctx.pool, tenantOf(request), request.query.integration_id),
    }),
  );

  r.post(
    '/api/v1/flow/auto-map',
    {
      config: auth,
      schema: {
        tags,
        summary:
          "Default mapping from Jira's status categories (creates To Do / In Progress / Done when there are no steps)",
        body: autoMapBodySchema.optional(),
        response: { 200: autoMapResultSchema },
      },
    },
    async (request) => {
      const result = await withTransaction(ctx.pool, (db) =>
        autoMap(db, tenantOf(request), request.body?.integration_id),
      );
      changed(request);
      return result;
    },
  );

  r.patch(
    '/api/v1/flow/issues/:integration_id/:key',
    {
      config: auth,
      schema: {
        tags,
        summary: 'Switch an issue on or off for every metric (a sync never switches it back on)',
        params: z.object({
          integration_id: z.coerce.number().int().positive(),
          key: z.string().min(1).max(300),
        }),
        body: issueActiveBodySchema,
        response: { 200: issueActiveViewSchema },
      },
    },
    async (request) =>
      setIssueActive(
        ctx.pool,
        tenantOf(request),
        request.params.integration_id,
        request.params.key,
        request.body.active,
      ),
  );
}
