import { createHash } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { SimState } from '../state.ts';
import type { Api, QuotaState } from './ratelimit.ts';
import { pathOf } from '../http.ts';
import { jiraError } from '../jira/serialize.ts';
import { DOCS } from '../github/serialize.ts';

interface RequestContext {
  api: Api;
  token: string | null;
  fault: 'truncated' | 'malformed' | null;
}

const contexts = new WeakMap<FastifyRequest, RequestContext>();

export function apiOf(path: string): Api | 'control' {
  if (path.startsWith('/_sim')) return 'control';
  return path.startsWith('/rest/') ? 'jira' : 'github';
}

function routeKey(request: FastifyRequest): string {
  return `${request.method} ${request.routeOptions.url ?? '(unmatched)'}`;
}

export function githubError(status: number, message: string, docs = DOCS): Record<string, string> {
  return { message, documentation_url: docs, status: String(status) };
}

/** GitHub's rate-limit headers, naming the budget (`core` for REST, `graphql` for points) the answer counts against. */
export function setGithubQuotaHeaders(
  reply: FastifyReply,
  q: QuotaState,
  resource: 'core' | 'graphql' = 'core',
): void {
  reply.header('x-ratelimit-limit', String(q.limit));
  reply.header('x-ratelimit-remaining', String(q.remaining));
  reply.header('x-ratelimit-used', String(q.used));
  reply.header('x-ratelimit-reset', String(Math.ceil(q.resetAt / 1000)));
  reply.header('x-ratelimit-resource', resource);
}

function setJiraQuotaHeaders(reply: FastifyReply, q: QuotaState): void {
  reply.header('X-RateLimit-Limit', String(q.limit));
  reply.header('X-RateLimit-Remaining', String(q.remaining));
}

function authenticate(
  state: SimState,
  api: Api,
  request: FastifyRequest,
): string | { status: 401; body: unknown } {
  const header = request.headers.authorization ?? '';
  if (api === 'jira') {
    const m = /^Basic\s+(.+)$/i.exec(header);
    const decoded = m ? Buffer.from(m[1] ?? '', 'base64').toString('utf8') : '';
    const sep = decoded.indexOf(':');
    const email = decoded.slice(0, sep);
    const token = decoded.slice(sep + 1);
    const ok =
      sep > 0 && state.config.jira.credentials.some((c) => c.email === email && c.apiToken === token);
    if (ok) return email;
    return {
      status: 401,
      body: jiraError(
        m
          ? 'Client must be authenticated to access this resource.'
          : 'You are not authenticated. Authentication required to perform this operation.',
      ),
    };
  }
  const m = /^(?:Bearer|token)\s+(\S+)$/i.exec(header);
  if (!m)
    return {
      status: 401,
      body: githubError(401, 'Requires authentication', `${DOCS}/overview/authenticating-to-the-rest-api`),
    };
  const token = m[1] ?? '';
  if (state.config.github.tokens.includes(token)) return token;
  return { status: 401, body: githubError(401, 'Bad credentials', DOCS) };
}

function faultBody(api: Api, status: number): unknown {
  if (api === 'jira') {
    return jiraError(
      status === 429
        ? 'Rate limit exceeded.'
        : status === 503
          ? 'Service Unavailable'
          : 'Internal server error',
    );
  }
  return githubError(
    status,
    status === 429
      ? 'You have exceeded a secondary rate limit.'
      : status === 502
        ? 'Server Error'
        : 'Internal Server Error',
  );
}

/**
 * Cross-cutting behaviour for every API request, in the order a real edge applies it: injected
 * faults and latency, then authentication, then quota. Control routes (`/_sim/*`) bypass all of it.
 */
export function registerGateway(app: FastifyInstance, state: SimState): void {
  app.addHook('onRequest', async (request, reply) => {
    const path = pathOf(request.url);
    const api = apiOf(path);
    if (api === 'control') return;
    const ctx: RequestContext = { api, token: null, fault: null };
    contexts.set(request, ctx);
    // 'close' fires for every ending: answered, hijacked, reset or hung up on by the client.
    const over = state.stats.started(routeKey(request));
    reply.raw.once('close', over);

    const rule = state.faults.match(request.method, path);
    let delay = state.latencyMs;
    if (rule?.kind === 'latency') {
      state.stats.fault('latency');
      delay += rule.latency_ms ?? 1000;
    }
    if (delay > 0) await sleep(delay);

    if (rule && rule.kind !== 'latency') {
      state.stats.fault(rule.kind);
      switch (rule.kind) {
        case 'hang': {
          state.stats.request(routeKey(request), 'no-response');
          reply.hijack();
          const socket = request.raw.socket;
          state.hung.add(socket);
          socket.once('close', () => state.hung.delete(socket));
          return reply;
        }
        case 'reset':
          state.stats.request(routeKey(request), 'no-response');
          reply.hijack();
          request.raw.socket.destroy();
          return reply;
        case 'status': {
          const status = rule.status ?? 500;
          if (rule.retry_after !== undefined) reply.header('retry-after', String(rule.retry_after));
          return reply.code(status).send(faultBody(api, status));
        }
        case 'truncated':
        case 'malformed':
          ctx.fault = rule.kind;
          break;
      }
    }

    const who = authenticate(state, api, request);
    if (typeof who !== 'string') return reply.code(who.status).send(who.body);
    ctx.token = who;

    // GitHub does not charge /rate_limit against the quota; /graphql spends points of its own.
    if (api === 'github' && (path === '/rate_limit' || path === '/graphql')) return;
    const decision = state.limiter.consume(api, who);
    if (decision.ok) {
      state.stats.quota(`${api}:${who}`, 1);
      if (decision.quota) {
        if (api === 'github') setGithubQuotaHeaders(reply, decision.quota);
        else setJiraQuotaHeaders(reply, decision.quota);
      }
      return;
    }
    state.stats.rateLimited(decision.reason);
    const q = decision.quota;
    if (api === 'jira') {
      const retryAfter =
        decision.reason === 'burst'
          ? decision.retryAfter
          : Math.max(1, Math.ceil(((q?.resetAt ?? 0) - state.config.now()) / 1000));
      if (q) setJiraQuotaHeaders(reply, q);
      reply.header('Retry-After', String(retryAfter));
      reply.header(
        'X-RateLimit-Reset',
        new Date(q?.resetAt ?? state.config.now() + retryAfter * 1000).toISOString(),
      );
      reply.header(
        'RateLimit-Reason',
        decision.reason === 'burst' ? 'jira-burst-based' : 'jira-quota-tenant-based',
      );
      return reply.code(429).send(jiraError('Rate limit exceeded.'));
    }
    if (q) setGithubQuotaHeaders(reply, q);
    if (decision.reason === 'primary') {
      return reply
        .code(403)
        .send(
          githubError(
            403,
            `API rate limit exceeded for user ID ${state.github.users[0]?.id ?? 1}.`,
            `${DOCS}/overview/rate-limits-for-the-rest-api`,
          ),
        );
    }
    reply.header('retry-after', String(decision.retryAfter));
    return reply
      .code(decision.status)
      .send(
        githubError(
          decision.status,
          'You have exceeded a secondary rate limit. Please wait a few minutes before you try again.',
          `${DOCS}/overview/rate-limits-for-the-rest-api#about-secondary-rate-limits`,
        ),
      );
  });

  app.addHook('onSend', async (request, reply, payload) => {
    const ctx = contexts.get(request);
    if (!ctx) return payload;
    let body = payload;
    if (
      ctx.api === 'github' &&
      request.method === 'GET' &&
      reply.statusCode === 200 &&
      typeof body === 'string'
    ) {
      const etag = `W/"${createHash('sha256').update(body).digest('hex').slice(0, 40)}"`;
      reply.header('etag', etag);
      reply.header('cache-control', 'private, max-age=60, s-maxage=60');
      reply.header('vary', 'Accept, Authorization, Cookie, X-GitHub-OTP');
      const inm = request.headers['if-none-match'];
      const tags = typeof inm === 'string' ? inm.split(',').map((t) => t.trim()) : [];
      // Weak comparison: W/"x" and "x" name the same representation.
      const bare = etag.slice(2);
      if (tags.some((t) => t === etag || t === bare || t === '*') && ctx.token !== null) {
        const q = state.limiter.refund('github', ctx.token);
        state.stats.quota(`github:${ctx.token}`, -1);
        if (q) setGithubQuotaHeaders(reply, q);
        reply.code(304);
        reply.removeHeader('content-type');
        reply.removeHeader('content-length');
        return '';
      }
    }
    if (ctx.fault === 'truncated' && (typeof body === 'string' || Buffer.isBuffer(body))) {
      body = body.slice(0, Math.floor(body.length / 2));
    } else if (ctx.fault === 'malformed') {
      reply.code(200);
      reply.header('content-type', 'application/json; charset=utf-8');
      body = '{"simulated":"malformed", "issues": [{"id": 1,, <not json>';
    }
    return body;
  });

  app.addHook('onResponse', async (request, reply) => {
    if (!contexts.has(request)) return;
    state.stats.request(routeKey(request), reply.statusCode);
  });

  app.addHook('onClose', async () => {
    for (const s of state.hung) s.destroy();
    state.hung.clear();
  });
}
