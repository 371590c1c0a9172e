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
import { loadMetricSettings, saveMetricSettings, scopeFor, type MetricScope } from '../metrics/scope.ts';
import type { ItemsPage } from '../metrics/run.ts';
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

/**
 * A metric's route and its items' route: `path` answers the metric of the request's scope with
 * `items_url`, `path/items` one page of the records behind it with `next_url`.
 */
function registerMetricWithItems<Answer extends object>(
  app: FastifyInstance,
  ctx: RouteContext,
  path: string,
  metric: {
    answerSchema: z.ZodType<NoInfer<Answer> & { items_url: string }>;
    answer: (scope: MetricScope) => Promise<Answer>;
    itemsSummary: string;
    items: (scope: MetricScope, limit: number, offset: number) => Promise<ItemsPage<Record<string, unknown>>>;
  },
): void {
  const r = app.withTypeProvider<ZodTypeProvider>();
  r.get(
    path,
    {
      config: { auth: 'tenant' },
      schema: { tags, querystring: metricScopeQuerySchema, response: { 200: metric.answerSchema } },
    },
    // Typed here: with a generic response schema the route does not check what the handler returns.
    async (request): Promise<Answer & { items_url: string }> => {
      const scope = await scopeFor(ctx.pool, tenantOf(request), request.query);
      return { ...(await metric.answer(scope)), items_url: `${path}/items?${scopeQueryString(request)}` };
    },
  );
  r.get(
    `${path}/items`,
    {
      config: { auth: 'tenant' },
      schema: {
        tags,
        summary: metric.itemsSummary,
        querystring: scopeWithPage,
        response: { 200: itemsAnswerSchema },
      },
    },
    async (request): Promise<z.infer<typeof itemsAnswerSchema>> => {
      const scope = await scopeFor(ctx.pool, tenantOf(request), request.query);
      const page = await metric.items(scope, request.query.limit, request.query.offset);
      return { ...page, next_url: nextUrl(request, page) };
    },
  );
}

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

  registerMetricWithItems(app, ctx, '/api/v1/metrics/pull-requests', {
    answerSchema: prCycleAnswerSchema,
    answer: (scope) => prCycleTime(ctx.pool, scope),
    itemsSummary: 'PRs merged in range with their four phases and matched deployment',
    items: (scope, limit, offset) => prCycleTimeItems(ctx.pool, scope, limit, offset),
  });

  registerMetricWithItems(app, ctx, '/api/v1/metrics/flow', {
    answerSchema: flowAnswerSchema,
    answer: (scope) => flowMetrics(ctx.pool, scope, () => ctx.flowSummaries.kick(scope.tenantId)),
    itemsSummary: 'Issues reaching done in range with their step intervals',
    items: (scope, limit, offset) =>
      flowItems(ctx.pool, scope, limit, offset, () => ctx.flowSummaries.kick(scope.tenantId)),
  });

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
