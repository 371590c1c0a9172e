import type { FastifyInstance, FastifyRequest } from 'fastify';
import type pg from 'pg';
import { ForbiddenError, TooManyRequestsError, UnauthenticatedError, ValidationError } from '../errors.ts';
import { bearerToken, secretsEqual } from '@tributary/contracts';
import { hashToken } from '../security/tokens.ts';

/** Who is calling: the operator, a tenant, or the extract service acting for a tenant. */
export type Principal =
  | { kind: 'anonymous' }
  | { kind: 'admin' }
  | { kind: 'tenant'; tenantId: number }
  | { kind: 'service'; tenantId: number | null };

/** Which callers a route admits. */
export type AuthRule = 'public' | 'admin' | 'tenant' | 'tenant_or_admin' | 'service' | 'service_or_tenant';

declare module 'fastify' {
  interface FastifyContextConfig {
    auth?: AuthRule;
  }
  interface FastifyRequest {
    principal: Principal;
  }
}

const ALLOWED: Record<AuthRule, readonly Principal['kind'][]> = {
  public: ['anonymous', 'admin', 'tenant', 'service'],
  admin: ['admin'],
  tenant: ['tenant'],
  tenant_or_admin: ['tenant', 'admin'],
  service: ['service'],
  service_or_tenant: ['service', 'tenant'],
};

interface AuthOptions {
  pool: pg.Pool;
  adminToken: string;
  serviceToken: string;
  /** Failed authentications per client address per minute before it is answered 429 (needs @fastify/rate-limit registered). */
  failuresPerMinute: number;
}

/**
 * Resolves the bearer token before the body is read, so an unauthenticated caller
 * never costs a body parse. Routes without an explicit rule are tenant-only: an
 * endpoint forgotten by its author fails closed.
 */
export function registerAuth(app: FastifyInstance, options: AuthOptions): void {
  app.decorateRequest('principal', null as never);
  // Counts failures only: a client guessing tokens is slowed down, one using a valid token is not.
  // A client over the limit is refused before its token costs a database query.
  const failures = app.createRateLimit({
    max: options.failuresPerMinute,
    timeWindow: 60_000,
    keyGenerator: (request) => request.ip,
  });
  app.addHook('onRequest', async (request, reply) => {
    // Unknown routes answer 404 to everyone; the not-found handler has no rule of its own.
    const rule = request.is404 ? 'public' : (request.routeOptions.config.auth ?? 'tenant');
    if (request.headers.authorization !== undefined) {
      const seen = await failures(request, { increment: false });
      if (!seen.isAllowed && seen.remaining === 0) {
        reply.header('retry-after', String(seen.ttlInSeconds));
        throw new TooManyRequestsError(
          'too many failed authentications from this address; try again later',
          seen.ttlInSeconds,
        );
      }
    }
    try {
      request.principal = await resolvePrincipal(request, options);
    } catch (error) {
      if (error instanceof UnauthenticatedError) await failures(request);
      throw error;
    }
    if (rule === 'public') return;
    if (request.principal.kind === 'anonymous') throw new UnauthenticatedError();
    if (!ALLOWED[rule].includes(request.principal.kind)) {
      throw new ForbiddenError(`this endpoint needs a ${rule.replaceAll('_', ' ')} token`);
    }
    if (
      request.principal.kind === 'service' &&
      request.principal.tenantId === null &&
      rule.startsWith('service')
    ) {
      throw new ValidationError('x-tenant-id header is required for service calls', [
        { path: 'headers.x-tenant-id', message: 'required' },
      ]);
    }
  });
}

async function resolvePrincipal(request: FastifyRequest, options: AuthOptions): Promise<Principal> {
  const header = request.headers.authorization;
  if (!header) return { kind: 'anonymous' };
  const token = bearerToken(header);
  if (!token) throw new UnauthenticatedError('authorization header must be "Bearer <token>"');
  if (secretsEqual(token, options.adminToken)) return { kind: 'admin' };
  if (secretsEqual(token, options.serviceToken)) return { kind: 'service', tenantId: tenantHeader(request) };
  const { rows } = await options.pool.query<{ tenant_id: number }>(
    'select tenant_id from api_tokens where token_hash = $1 and revoked_at is null',
    [hashToken(token)],
  );
  const row = rows[0];
  if (!row) throw new UnauthenticatedError('token is not valid');
  return { kind: 'tenant', tenantId: row.tenant_id };
}

function tenantHeader(request: FastifyRequest): number | null {
  const value = request.headers['x-tenant-id'];
  if (value === undefined) return null;
  if (typeof value !== 'string' || !/^[1-9][0-9]{0,15}$/.test(value)) {
    throw new ValidationError('x-tenant-id must be a positive integer', [
      { path: 'headers.x-tenant-id', message: 'must be a positive integer' },
    ]);
  }
  return Number(value);
}

/** The tenant a request acts for; admin callers have none and are refused here. */
export function tenantOf(request: FastifyRequest): number {
  const principal = request.principal;
  if ((principal.kind === 'tenant' || principal.kind === 'service') && principal.tenantId !== null) {
    return principal.tenantId;
  }
  throw new ForbiddenError('this endpoint acts for one tenant; use a tenant token');
}
