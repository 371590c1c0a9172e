import type pg from 'pg';
import { z } from 'zod';
import type { QueueConnection } from '@tributary/queue';
import type { Viewer } from './event-types.ts';
import { errorMessage, type BreakerView, type SystemHealth } from '@tributary/contracts';

// The extract service's GET /breakers answer (BreakerStatus of packages/resilience, JSON dates).
const breakersAnswerSchema = z.object({
  breakers: z.array(
    z.object({
      name: z.string(),
      state: z.enum(['CLOSED', 'OPEN', 'HALF_OPEN']),
      failures: z.number(),
      msUntilHalfOpen: z.number().nullable(),
      halfOpenAt: z.string().nullable(),
      lastError: z.object({ message: z.string() }).nullable(),
    }),
  ),
});

export interface HealthDeps {
  pool: pg.Pool;
  queue: QueueConnection;
  extractUrl: string;
  /** The backend → extract token: the extract service's breaker list is not public. */
  extractToken: string;
}

type RawHealth = Omit<SystemHealth, 'breakers'> & { breakers: Omit<BreakerView, 'resettable'>[] | null };

/** Probes every dependency once, each with a short timeout; never throws. */
export async function probeSystem(deps: HealthDeps): Promise<RawHealth> {
  const [database, queues, breakers] = await Promise.all([
    probeDatabase(deps.pool),
    probeQueues(deps.queue),
    probeBreakers(deps.extractUrl, deps.extractToken),
  ]);
  return {
    at: new Date().toISOString(),
    database,
    broker: {
      ok: deps.queue.isConnected,
      blocked: deps.queue.isBlocked,
      error: deps.queue.isConnected ? null : 'not connected to RabbitMQ',
    },
    queues,
    breakers: breakers.breakers,
    breakers_error: breakers.error,
  };
}

/**
 * The part of a probe one viewer may see. Source breakers are named
 * `<type>:<integration id>`: a tenant sees those of its own integrations (and may
 * reset them) and the shared ones (`backend`), never another tenant's.
 */
export function healthFor(
  raw: RawHealth,
  viewer: Viewer,
  ownIntegrations: ReadonlySet<number>,
): SystemHealth {
  const breakers =
    raw.breakers?.flatMap((breaker): BreakerView[] => {
      if (viewer.kind === 'admin') return [{ ...breaker, resettable: true }];
      const integrationId = integrationOfBreaker(breaker.name);
      if (integrationId === null) return [{ ...breaker, resettable: false }];
      return ownIntegrations.has(integrationId) ? [{ ...breaker, resettable: true }] : [];
    }) ?? null;
  return { ...raw, breakers };
}

export function integrationOfBreaker(name: string): number | null {
  const match = /^(?:jira|github):([1-9][0-9]*)$/.exec(name);
  return match ? Number(match[1]) : null;
}

/** Integration ids per tenant, for the tenants in `tenantIds`. */
export async function integrationsOf(
  pool: pg.Pool,
  tenantIds: readonly number[],
): Promise<Map<number, Set<number>>> {
  const result = new Map<number, Set<number>>(tenantIds.map((id) => [id, new Set<number>()]));
  if (tenantIds.length === 0) return result;
  const { rows } = await pool.query<{ id: number; tenant_id: number }>(
    'select id, tenant_id from integrations where tenant_id = any($1::bigint[])',
    [tenantIds],
  );
  for (const row of rows) result.get(Number(row.tenant_id))?.add(Number(row.id));
  return result;
}

async function probeDatabase(pool: pg.Pool): Promise<SystemHealth['database']> {
  try {
    await withTimeout(pool.query('select 1'), 2000);
    return { ok: true, error: null };
  } catch (error) {
    return { ok: false, error: errorMessage(error) };
  }
}

async function probeQueues(queue: QueueConnection): Promise<SystemHealth['queues']> {
  const names = [queue.names.extract, queue.names.transform, queue.names.dead];
  const model = queue.current;
  if (!model) return names.map((name) => ({ name, depth: null }));
  try {
    // A channel of its own: asking for a queue that does not exist closes the channel.
    const channel = await withTimeout(model.createChannel(), 2000);
    channel.on('error', () => undefined);
    const depths: SystemHealth['queues'] = [];
    for (const name of names) {
      try {
        const { messageCount } = await withTimeout(channel.checkQueue(name), 2000);
        depths.push({ name, depth: messageCount });
      } catch {
        depths.push({ name, depth: null });
      }
    }
    await channel.close().catch(() => undefined);
    return depths;
  } catch {
    return names.map((name) => ({ name, depth: null }));
  }
}

async function probeBreakers(
  extractUrl: string,
  extractToken: string,
): Promise<{ breakers: RawHealth['breakers']; error: string | null }> {
  try {
    const response = await fetch(new URL('/breakers', extractUrl), {
      headers: { authorization: `Bearer ${extractToken}` },
      signal: AbortSignal.timeout(2000),
    });
    if (!response.ok) return { breakers: null, error: `extract service answered ${response.status}` };
    const parsed = breakersAnswerSchema.safeParse(await response.json());
    if (!parsed.success) return { breakers: null, error: 'extract service answered an unexpected shape' };
    return {
      breakers: parsed.data.breakers.map((b) => ({
        name: b.name,
        state: b.state,
        failures: b.failures,
        ms_until_half_open: b.msUntilHalfOpen,
        half_open_at: b.halfOpenAt,
        last_error: b.lastError?.message ?? null,
      })),
      error: null,
    };
  } catch (error) {
    return { breakers: null, error: `extract service unreachable: ${errorMessage(error)}` };
  }
}

async function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      promise,
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms`)), ms);
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}
