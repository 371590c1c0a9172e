import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import {
  doraAnswerSchema,
  doraKeySchema,
  flowAnswerSchema,
  metricItemsQuerySchema,
  metricScopeQuerySchema,
  metricSettingsSchema,
  prCycleAnswerSchema,
} from '@tributary/contracts';
import { tenantOf } from '../plugins/auth.ts';
import { doraItems, doraMetrics } from '../metrics/dora.ts';
import { prCycleTime, prCycleTimeItems } from '../metrics/pr-cycle-time.ts';
import { flowItems, flowMetrics } from '../metrics/flow-metrics.ts';
import { loadMetricSettings, saveMetricSettings, scopeFor } from '../metrics/scope.ts';
import type { RouteContext } from './route-context.ts';

const tags = ['metrics'];

const itemsAnswerSchema = z.object({
  items: z.array(z.record(z.string(), z.unknown())),
  total: z.number().int(),
  limit: z.number().int(),
  offset: z.number().int(),
  next_url: z.string().nullable(),
});

/** The scope part of the request's query string, to carry into `items_url` and `next_url`. */
function scopeQueryString(request: FastifyRequest): string {
  const url = new URL(request.url, 'http://local');
  url.searchParams.delete('limit');
  url.searchParams.delete('offset');
  return url.searchParams.toString();
}

function nextUrl(
  request: FastifyRequest,
  page: { total: number; limit: number; offset: number },
): string | null {
  if (page.offset + page.limit >= page.total) return null;
  const url = new URL(request.url, 'http://local');
  url.searchParams.set('limit', String(page.limit));
  url.searchParams.set('offset', String(page.offset + page.limit));
  return `${url.pathname}?${url.searchParams.toString()}`;
}

const scopeWithPage = metricItemsQuerySchema;

/** DORA, PR cycle time and flow metrics, each with its items; definitions are in the schema descriptions (OpenAPI). */
export function registerMetricRoutes(app: FastifyInstance, ctx: RouteContext): void {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const auth = { auth: 'tenant' as const };

  r.get(
    '/api/v1/metrics/dora',
    {
      config: auth,
      schema: {
        tags,
        summary:
          'The five DORA metrics over [from, to), each with its band (clusters of the DORA Accelerate State of DevOps Report 2024; thresholds in band_thresholds) and items_url',
        querystring: metricScopeQuerySchema,
        response: { 200: doraAnswerSchema },
      },
    },
    async (request) => {
      const scope = await scopeFor(ctx.pool, tenantOf(request), request.query);
      const qs = scopeQueryString(request);
      return doraMetrics(ctx.pool, scope, (key) => `/api/v1/metrics/dora/${key}/items?${qs}`);
    },
  );

  r.get(
    '/api/v1/metrics/dora/:key/items',
    {
      config: auth,
      schema: {
        tags,
        summary: 'The records behind one DORA metric, paginated (limit, offset)',
        params: z.object({ key: doraKeySchema }),
        querystring: scopeWithPage,
        response: { 200: itemsAnswerSchema },
      },
    },
    async (request) => {
      const scope = await scopeFor(ctx.pool, tenantOf(request), request.query);
      const page = await doraItems(
        ctx.pool,
        scope,
        request.params.key,
        request.query.limit,
        request.query.offset,
      );
      return { ...page, next_url: nextUrl(request, page) };
    },
  );

  r.get(
    '/api/v1/metrics/pull-requests',
    {
      config: auth,
      schema: { tags, querystring: metricScopeQuerySchema, response: { 200: prCycleAnswerSchema } },
    },
    async (request) => {
      const scope = await scopeFor(ctx.pool, tenantOf(request), request.query);
      return {
        ...(await prCycleTime(ctx.pool, scope)),
        items_url: `/api/v1/metrics/pull-requests/items?${scopeQueryString(request)}`,
      };
    },
  );

  r.get(
    '/api/v1/metrics/pull-requests/items',
    {
      config: auth,
      schema: {
        tags,
        summary: 'PRs merged in range with their four phases and matched deployment',
        querystring: scopeWithPage,
        response: { 200: itemsAnswerSchema },
      },
    },
    async (request) => {
      const scope = await scopeFor(ctx.pool, tenantOf(request), request.query);
      const page = await prCycleTimeItems(ctx.pool, scope, request.query.limit, request.query.offset);
      return { ...page, next_url: nextUrl(request, page) };
    },
  );

  r.get(
    '/api/v1/metrics/flow',
    {
      config: auth,
      schema: { tags, querystring: metricScopeQuerySchema, response: { 200: flowAnswerSchema } },
    },
    async (request) => {
      const scope = await scopeFor(ctx.pool, tenantOf(request), request.query);
      return {
        ...(await flowMetrics(ctx.pool, scope, () => ctx.flowSummaries.kick(scope.tenantId))),
        items_url: `/api/v1/metrics/flow/items?${scopeQueryString(request)}`,
      };
    },
  );

  r.get(
    '/api/v1/metrics/flow/items',
    {
      config: auth,
      schema: {
        tags,
        summary: 'Issues reaching done in range with their step intervals',
        querystring: scopeWithPage,
        response: { 200: itemsAnswerSchema },
      },
    },
    async (request) => {
      const scope = await scopeFor(ctx.pool, tenantOf(request), request.query);
      const page = await flowItems(ctx.pool, scope, request.query.limit, request.query.offset, () =>
        ctx.flowSummaries.kick(scope.tenantId),
      );
      return { ...page, next_url: nextUrl(request, page) };
    },
  );

  r.get(
    '/api/v1/metrics/settings',
    {
      config: auth,
      schema: {
        tags,
        summary: 'Production environments and incident definitions',
        response: { 200: metricSettingsSchema },
      },
    },
    async (request) => loadMetricSettings(ctx.pool, tenantOf(request)),
  );

  r.put(
    '/api/v1/metrics/settings',
    { config: auth, schema: { tags, body: metricSettingsSchema, response: { 200: metricSettingsSchema } } },
    async (request) => saveMetricSettings(ctx.pool, tenantOf(request), request.body),
  );
}
