import type { FastifyInstance, FastifyReply } from 'fastify';
import { GraphQLError, execute, getOperationAST, parse, validate } from 'graphql';
import type { DocumentNode, ExecutionResult } from 'graphql';
import { z } from 'zod';
import type { SimState } from '../../state.ts';
import { githubError, setGithubQuotaHeaders } from '../../faults/gateway.ts';
import { DOCS } from '../serialize.ts';
import { queryCost } from './cost.ts';
import { PointsQuota } from './quota.ts';
import { TypedError, rootValue } from './resolvers.ts';
import type { GqlContext } from './resolvers.ts';
import { githubSchema } from './schema.ts';

const bodySchema = z.object({
  query: z.string().min(1),
  variables: z.record(z.string(), z.unknown()).nullish(),
  operationName: z.string().nullish(),
});

const faultsSchema = z.strictObject({
  /** The next N queries answer `RATE_LIMITED` whatever the quota says. */
  rate_limited: z.number().int().nonnegative().optional(),
  /** Queries asking for more nodes than this take "longer than 10 s": 502 with GitHub's timeout body. Null: never. */
  timeout_above_nodes: z.number().int().positive().nullable().optional(),
  /** The next N `commits` connections fail inside an answer that still carries `data` (partial errors). */
  partial: z.number().int().nonnegative().optional(),
  /** Concurrent GraphQL requests per token before the secondary limit answers 403. GitHub documents 100. */
  concurrency_cap: z.number().int().positive().optional(),
});
type GraphqlFaults = Required<z.infer<typeof faultsSchema>>;

const SECONDARY_RETRY_AFTER_S = 60;

function tokenOf(header: string | undefined): string {
  return /^(?:Bearer|token)\s+(\S+)$/i.exec(header ?? '')?.[1] ?? '';
}

/** GitHub's error objects: message, locations, path, and a top-level `type` for its own kinds. */
function errorJson(error: GraphQLError): Record<string, unknown> {
  const out: Record<string, unknown> = { message: error.message };
  if (error.locations) out.locations = error.locations;
  if (error.path) out.path = error.path;
  const original = error.originalError;
  if (original instanceof TypedError) out.type = original.type;
  if (Object.keys(error.extensions).length > 0) out.extensions = error.extensions;
  return out;
}

/**
 * `POST /graphql` for the subset of GitHub's v4 API the collector uses, executed by graphql-js
 * over GitHub's published schema: cost computed before execution and charged to the token's
 * `graphql` points, `x-ratelimit-*` headers with resource `graphql`, and the documented errors
 * (RATE_LIMITED in a 200, secondary limit 403 with retry-after, 502 on a "timed out" query).
 */
export function registerGraphqlRoutes(app: FastifyInstance, state: SimState): void {
  const schema = githubSchema();
  const quota = new PointsQuota(() => state.limiter.limits.github, state.config.now);
  const faults: GraphqlFaults = {
    rate_limited: 0,
    timeout_above_nodes: null,
    partial: 0,
    concurrency_cap: 100,
  };
  const inFlight = new Map<string, number>();

  app.post('/_sim/graphql/faults', async (request, reply) => {
    const parsed = faultsSchema.safeParse(request.body ?? {});
    if (!parsed.success) return reply.code(400).send({ error: z.prettifyError(parsed.error) });
    Object.assign(faults, parsed.data);
    return faults;
  });
  app.delete('/_sim/graphql/faults', async () => {
    Object.assign(faults, { rate_limited: 0, timeout_above_nodes: null, partial: 0, concurrency_cap: 100 });
    return faults;
  });
  app.delete('/_sim/graphql/quota', async () => {
    quota.reset();
    return { ok: true };
  });

  app.post('/graphql', async (request, reply) => {
    const token = tokenOf(request.headers.authorization);
    const body = bodySchema.safeParse(request.body);
    if (!body.success) {
      return reply
        .code(400)
        .send(
          githubError(400, 'A query attribute must be specified and must be a string.', `${DOCS}/graphql`),
        );
    }
    const running = (inFlight.get(token) ?? 0) + 1;
    if (running > faults.concurrency_cap) {
      state.stats.rateLimited('burst');
      reply.header('retry-after', String(SECONDARY_RETRY_AFTER_S));
      return reply
        .code(403)
        .send(
          githubError(
            403,
            'You have exceeded a secondary rate limit. Please wait a few minutes before you try again.',
            `${DOCS}/graphql/overview/rate-limits-and-node-limits-for-the-graphql-api#secondary-rate-limits`,
          ),
        );
    }
    inFlight.set(token, running);
    try {
      return await answer(token, body.data, reply);
    } finally {
      inFlight.set(token, (inFlight.get(token) ?? 1) - 1);
    }
  });

  async function answer(
    token: string,
    body: z.infer<typeof bodySchema>,
    reply: FastifyReply,
  ): Promise<unknown> {
    let document: DocumentNode;
    try {
      document = parse(body.query);
    } catch (err) {
      return { errors: [err instanceof GraphQLError ? errorJson(err) : { message: String(err) }] };
    }
    const invalid = validate(schema, document);
    if (invalid.length > 0) return { errors: invalid.map(errorJson) };
    const operation = getOperationAST(document, body.operationName ?? undefined);
    if (!operation)
      return {
        errors: [{ message: 'An operation name is required when the document has several operations.' }],
      };
    const variables = body.variables ?? {};
    const cost = queryCost(schema, document, operation, variables);
    if (cost.errors.length > 0) return { errors: cost.errors };

    if (faults.timeout_above_nodes !== null && cost.nodes > faults.timeout_above_nodes) {
      state.stats.fault('hang');
      return reply.code(502).send({
        data: null,
        errors: [
          {
            message:
              'Something went wrong while executing your query. This may be the result of a timeout, or it could be a GitHub bug. Please include `C318:5862:1A4A0BC:35D9657:652D73C9` when reporting this issue.',
          },
        ],
      });
    }
    const forced = faults.rate_limited > 0;
    if (forced) faults.rate_limited--;
    const charged = forced ? { ok: false, state: quota.peek(token) } : quota.charge(token, cost.cost);
    if (!charged.ok) {
      state.stats.rateLimited('primary');
      setGithubQuotaHeaders(reply, { ...charged.state, remaining: 0 }, 'graphql');
      return {
        errors: [
          {
            type: 'RATE_LIMITED',
            message: `API rate limit already exceeded for user ID ${state.github.users[0]?.id ?? 1}.`,
          },
        ],
      };
    }
    state.stats.quota(`graphql:${token}`, cost.cost);
    state.stats.graphqlPoints(cost.cost);
    setGithubQuotaHeaders(reply, charged.state, 'graphql');
    const q = charged.state;
    const rateLimit = {
      cost: cost.cost,
      limit: q.limit,
      remaining: q.remaining,
      used: q.used,
      resetAt: new Date(q.resetAt).toISOString(),
      nodeCount: cost.nodes,
    };
    const context: GqlContext = {
      store: state.github,
      rateLimit,
      takePartialFailure: () => {
        if (faults.partial <= 0) return false;
        faults.partial--;
        return true;
      },
    };
    const result: ExecutionResult = await execute({
      schema,
      document,
      rootValue: rootValue(state.github, rateLimit),
      contextValue: context,
      variableValues: variables,
      operationName: body.operationName ?? undefined,
    });
    const out: Record<string, unknown> = { data: result.data ?? null };
    if (result.errors && result.errors.length > 0) out.errors = result.errors.map(errorJson);
    return out;
  }
}
