import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { SimState } from '../state.ts';
import { DEFAULT_LIMITS, burstLimitSchema, faultRuleSchema, rateLimitSchema } from '../config.ts';
import { baseUrl, queryInt, queryString } from '../http.ts';
import type { AdvanceResult } from './truth.ts';
import { truthIssue, truthPull, truthSummary } from './truth.ts';
import { configuredName } from '../github/model.ts';
import { advanceDeliveries, advanceDeliveriesBody, registerDeliveryTruthRoutes } from './deliveries.ts';

const advanceBody = z
  .object({
    issues: z.number().int().nonnegative().default(0),
    pull_requests: z.number().int().nonnegative().default(0),
  })
  .extend(advanceDeliveriesBody.shape);

const faultsBody = z.union([
  faultRuleSchema,
  z.array(faultRuleSchema),
  z.object({
    rules: z.array(faultRuleSchema).optional(),
    latency_ms: z.number().nonnegative().optional(),
    limits: z
      .object({
        jira: rateLimitSchema.optional(),
        github: rateLimitSchema.optional(),
        burst: burstLimitSchema.nullable().optional(),
      })
      .optional(),
  }),
]);

/** Spread sample of `n` indices out of `total`, so sampled comparisons cover old and new records. */
function sample(total: number, n: number | null): number[] {
  if (n === null || n >= total) return Array.from({ length: total }, (_, i) => i);
  const out: number[] = [];
  for (let k = 0; k < n; k++) out.push(Math.floor((k * total) / n));
  return out;
}

export function registerControlRoutes(app: FastifyInstance, state: SimState): void {
  app.get('/_sim/health', async () => ({ ok: true }));

  app.get('/_sim/config', async () => {
    const { now: _now, ...rest } = state.config;
    return {
      ...rest,
      limits: { ...state.limiter.limits, burst: state.limiter.burst },
      latencyMs: state.latencyMs,
      epoch: new Date(state.jira.epoch).toISOString(),
    };
  });

  app.post('/_sim/advance', async (request, reply): Promise<AdvanceResult | undefined> => {
    const body = advanceBody.safeParse(request.body ?? {});
    if (!body.success) {
      await reply.code(400).send({ error: z.prettifyError(body.error) });
      return undefined;
    }
    const at = state.config.now();
    const deliveries = advanceDeliveries(state, body.data, at);
    if ('error' in deliveries) {
      await reply.code(400).send(deliveries);
      return undefined;
    }
    return {
      at: new Date(at).toISOString(),
      issues: state.jira.advance(body.data.issues, at),
      pull_requests: state.github.advance(body.data.pull_requests, at),
      ...deliveries,
    };
  });

  registerDeliveryTruthRoutes(app, state);

  app.get('/_sim/truth/summary', async () => truthSummary(state));

  app.get('/_sim/truth/jira/issues', async (request) => {
    const q = request.query as Record<string, unknown>;
    const project = queryString(q.project)?.toUpperCase();
    const j = state.jira;
    return sample(j.issueCount, queryInt(q.sample, -1) === -1 ? null : queryInt(q.sample, 0))
      .filter((i) => !project || j.projects[j.projectOf(i)]?.key === project)
      .map((i) => ({
        key: `${j.projects[j.projectOf(i)]?.key ?? ''}-${j.issueNumber(i)}`,
        id: String(10000 + i),
        updated: new Date(j.updated[i] ?? 0).toISOString(),
        transitions: j.transitionsPerIssue[i] ?? 0,
        histories: j.historiesPerIssue[i] ?? 0,
      }));
  });

  app.get<{ Params: { key: string } }>('/_sim/truth/jira/issues/:key', async (request, reply) => {
    const i = state.jira.resolve(request.params.key);
    if (i === undefined) return reply.code(404).send({ error: `no issue ${request.params.key}` });
    return truthIssue(state, baseUrl(request), i);
  });

  app.get('/_sim/truth/github/pulls', async (request) => {
    const q = request.query as Record<string, unknown>;
    const gh = state.github;
    return sample(gh.prCount, queryInt(q.sample, -1) === -1 ? null : queryInt(q.sample, 0)).map((j) => ({
      repository: configuredName(gh.repos[j % gh.repos.length]),
      number: Math.floor(j / gh.repos.length) + 1,
      updated_at: new Date(gh.updated[j] ?? 0).toISOString(),
    }));
  });

  app.get<{ Params: { owner: string; repo: string; number: string } }>(
    '/_sim/truth/github/:owner/:repo/pulls/:number',
    async (request, reply) => {
      const repo = state.github.findRepo(request.params.owner, request.params.repo);
      const j = repo ? state.github.pullIndex(repo, Number(request.params.number)) : undefined;
      if (j === undefined) return reply.code(404).send({ error: 'no such pull request' });
      return truthPull(state, baseUrl(request), j);
    },
  );

  const faultsView = (): unknown => ({
    rules: state.faults.list(),
    latency_ms: state.latencyMs,
    limits: { ...state.limiter.limits, burst: state.limiter.burst },
  });

  app.get('/_sim/faults', async () => faultsView());

  app.post('/_sim/faults', async (request, reply) => {
    const parsed = faultsBody.safeParse(request.body ?? {});
    if (!parsed.success) return reply.code(400).send({ error: z.prettifyError(parsed.error) });
    const b = parsed.data;
    const rules = Array.isArray(b) ? b : 'kind' in b ? [b] : (b.rules ?? []);
    for (const r of rules) state.faults.add(r);
    if (!Array.isArray(b) && !('kind' in b)) {
      if (b.latency_ms !== undefined) state.latencyMs = b.latency_ms;
      if (b.limits?.jira) state.limiter.limits.jira = b.limits.jira;
      if (b.limits?.github) state.limiter.limits.github = b.limits.github;
      if (b.limits?.burst !== undefined) state.limiter.burst = b.limits.burst;
      if (b.limits) state.limiter.reset();
    }
    return faultsView();
  });

  app.delete('/_sim/faults', async () => {
    state.faults.clear();
    state.latencyMs = 0;
    state.limiter.limits = { jira: DEFAULT_LIMITS.jira, github: DEFAULT_LIMITS.github };
    state.limiter.burst = null;
    state.limiter.reset();
    return faultsView();
  });

  app.get('/_sim/stats', async () => {
    const snap = state.stats.snapshot();
    const quota: Record<string, unknown> = {};
    for (const key of Object.keys(snap.quota_used)) {
      const [api, ...rest] = key.split(':');
      const q = state.limiter.peek(api === 'jira' ? 'jira' : 'github', rest.join(':'));
      if (q)
        quota[key] = {
          limit: q.limit,
          used: q.used,
          remaining: q.remaining,
          reset: new Date(q.resetAt).toISOString(),
        };
    }
    return { ...snap, quota_window: quota };
  });

  app.delete('/_sim/stats', async () => {
    state.stats.reset();
    return state.stats.snapshot();
  });
}
